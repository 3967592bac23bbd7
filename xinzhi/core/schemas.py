"""Output schemas for API lists.

django-ninja's ``Schema`` reads every field of every row through a Python wrapper (``DjangoGetter``),
which costs more than the query for a page of a few hundred rows (profiled on
``/api/v1/monitoring/values``: two thirds of the request). A plain pydantic model with
``from_attributes`` reads the same attributes inside pydantic-core; ninja documents such models as it
documents its own (field names, types, required), so the OpenAPI schema and the JSON are unchanged.
A list view may also give plain rows (``.values()``, with computed columns as SQL annotations) instead of
model instances; computed fields then read those keys (``validation_alias``) or go through a validator,
instead of ninja's ``resolve_*``.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict


class RowOut(BaseModel):
    """Base for the rows of list endpoints (read from model attributes)."""

    model_config = ConfigDict(from_attributes=True)


def _none_if_empty(value: object) -> object:
    return value or None


#: a text stored as "" for "none" (Django's convention for CharField), given out as null
OptionalText = Annotated[str | None, BeforeValidator(_none_if_empty)]
