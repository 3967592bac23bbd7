"""Filters of the register that other apps contribute, like the profile's panels: the register knows nothing
of certifications; cultivation registers the "资质" filter (which programme's certificate an enterprise
holds) in its ``AppConfig.ready()``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet


@dataclass(frozen=True)
class RegisterFilter:
    key: str  # the query parameter
    choices: Callable[[], list[tuple[str, str]]]  # (value, Chinese label)
    apply: Callable[[QuerySet, str], QuerySet]


_FILTERS: dict[str, RegisterFilter] = {}


def register_filter(register_filter_: RegisterFilter) -> None:
    _FILTERS[register_filter_.key] = register_filter_


def filter_choices(key: str) -> list[tuple[str, str]]:
    """The choices of a registered filter (none when no app registered it)."""
    found = _FILTERS.get(key)
    return found.choices() if found else []


def apply_filter(qs: QuerySet, key: str, value: str) -> QuerySet:
    """``qs`` narrowed by the filter ``key`` when ``value`` is one of its choices; unchanged otherwise."""
    found = _FILTERS.get(key)
    if found is None or value not in {v for v, _ in found.choices()}:
        return qs
    return found.apply(qs, value)
