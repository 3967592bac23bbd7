"""Per-table data versions, kept by the database itself.

A tracked table has a trigger that raises its row in ``core_dataversion`` on every INSERT, UPDATE,
DELETE (and, on PostgreSQL, TRUNCATE), in the writing transaction. Every write path is covered — the
ORM, ``bulk_create``, ``QuerySet.update``, COPY in ``core.bulk``, raw SQL in the demo loader — which a
Python signal could not promise. Readers get all the versions they need in one indexed query
(:func:`data_versions`), so a cache keyed by them is invalidated by the commit that changes the data.

PostgreSQL: one statement-level trigger per table (a bulk insert of 60,000 rows bumps once).
SQLite: row-level triggers (SQLite has no statement-level ones); SQLite has one writer at a time, and
the upsert of one small row costs microseconds per written row.

A first version is a random number, not 1, so that a table recreated (a test flush, a restored
database) does not reuse versions a running server may still have cached.

Concurrency note (PostgreSQL): the version row is locked until the writing transaction commits, so
two transactions writing the same tracked table take turns at that row.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection
from django.db.migrations.operations.base import Operation

VERSION_TABLE = "core_dataversion"
PG_FUNCTION = "xinzhi_bump_data_version"

_PG_FUNCTION_SQL = f"""
CREATE OR REPLACE FUNCTION {PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {VERSION_TABLE} (table_name, version)
    VALUES (TG_TABLE_NAME, floor(random() * 1e12)::bigint + 1)
    ON CONFLICT (table_name) DO UPDATE SET version = {VERSION_TABLE}.version + 1;
    RETURN NULL;
END
$$;
"""


def _trigger_name(table: str, event: str = "") -> str:
    return f"xinzhi_dv_{table}{'_' + event if event else ''}"[:63]


def create_trigger_sql(vendor: str, table: str) -> list[str]:
    """Statements that make every write to ``table`` raise its data version."""
    if vendor == "postgresql":
        return [
            _PG_FUNCTION_SQL,
            f'DROP TRIGGER IF EXISTS {_trigger_name(table)} ON "{table}"',
            f'CREATE TRIGGER {_trigger_name(table)} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{table}" '
            f"FOR EACH STATEMENT EXECUTE FUNCTION {PG_FUNCTION}()",
        ]
    if vendor == "sqlite":
        bump = (f"INSERT INTO {VERSION_TABLE} (table_name, version) VALUES ('{table}', abs(random()) % 1000000000000 + 1) "
                f"ON CONFLICT (table_name) DO UPDATE SET version = version + 1;")
        return [f'CREATE TRIGGER IF NOT EXISTS {_trigger_name(table, event)} AFTER {event} ON "{table}" '
                f"FOR EACH ROW BEGIN {bump} END" for event in ("INSERT", "UPDATE", "DELETE")]
    raise NotImplementedError(f"data-version triggers are written for PostgreSQL and SQLite, not {vendor}")


def drop_trigger_sql(vendor: str, table: str) -> list[str]:
    if vendor == "postgresql":
        return [f'DROP TRIGGER IF EXISTS {_trigger_name(table)} ON "{table}"']
    return [f"DROP TRIGGER IF EXISTS {_trigger_name(table, event)}" for event in ("INSERT", "UPDATE", "DELETE")]


class TrackDataVersion(Operation):
    """Migration operation: keep a data version for this model's table (see the module docstring)."""

    reversible = True
    reduces_to_sql = True

    def __init__(self, model_name: str) -> None:
        self.model_name = model_name

    def deconstruct(self):
        return self.__class__.__qualname__, [self.model_name], {}

    def state_forwards(self, app_label, state) -> None:
        pass  # triggers are not part of the model state

    def _table(self, app_label, state) -> str:
        return state.apps.get_model(app_label, self.model_name)._meta.db_table

    def database_forwards(self, app_label, schema_editor, from_state, to_state) -> None:
        for sql in create_trigger_sql(schema_editor.connection.vendor, self._table(app_label, to_state)):
            schema_editor.execute(sql)

    def database_backwards(self, app_label, schema_editor, from_state, to_state) -> None:
        for sql in drop_trigger_sql(schema_editor.connection.vendor, self._table(app_label, from_state)):
            schema_editor.execute(sql)

    def describe(self) -> str:
        return f"Track the data version of {self.model_name}"

    @property
    def migration_name_fragment(self) -> str:
        return f"track_{self.model_name.lower()}"


def data_versions(tables: Sequence[str]) -> str:
    """The versions of ``tables`` as one short text (one query; "0" for a table never written since
    tracking began)."""
    placeholders = ", ".join(["%s"] * len(tables))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT table_name, version FROM {VERSION_TABLE} "  # noqa: S608
                       f"WHERE table_name IN ({placeholders})", list(tables))
        found = dict(cursor.fetchall())
    return ".".join(str(found.get(table, 0)) for table in tables)
