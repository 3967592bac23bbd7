"""Authentication backend: Django's ``ModelBackend``, loading the user's division with the user.

Every request loads the signed-in user (the session names it), and every page's header and every scoped
query read the user's division. So the user is read together with its division in one query — and as
plain SQL: this runs on every request, and building the ORM query (a join with ``select_related``) cost
about twice as much CPU as running it (1.07 ms against 0.46 ms, measured on PostgreSQL).
"""

from __future__ import annotations

from functools import cache

from django.contrib.auth import backends, get_user_model
from django.db import connection

from xinzhi.regions.models import Division

_PREFIX = "_division__"


@cache
def _user_with_division_sql() -> str:
    user_model = get_user_model()
    q = connection.ops.quote_name
    fk = user_model._meta.get_field("division")
    columns = ", ".join(f"d.{q(f.column)} AS {q(_PREFIX + f.attname)}" for f in Division._meta.concrete_fields)
    return (f"SELECT u.*, {columns} FROM {q(user_model._meta.db_table)} u "  # noqa: S608 — names from the models
            f"LEFT JOIN {q(Division._meta.db_table)} d ON d.{q(fk.target_field.column)} = u.{q(fk.column)} "
            f"WHERE u.{q(user_model._meta.pk.column)} = %s")


def load_user_with_division(user_id):
    """The user with ``user.division`` already loaded (no further query), or None."""
    rows = list(get_user_model()._default_manager.raw(_user_with_division_sql(), [user_id]))
    if not rows:
        return None
    user = rows[0]
    fields = Division._meta.concrete_fields
    values = [user.__dict__.pop(_PREFIX + f.attname) for f in fields]
    if user.division_id is not None:
        user.division = Division.from_db(connection.alias, [f.attname for f in fields], values)
    return user


class ModelBackend(backends.ModelBackend):
    def get_user(self, user_id):
        user = load_user_with_division(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
