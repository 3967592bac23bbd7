"""Columnar bulk writes: a Polars frame straight into a table, in the caller's transaction.

Django's ``bulk_create`` builds a model object per row; for the 60,000-row filings and the
1.4-million-row demo that is most of the time spent. Here a frame goes to PostgreSQL with
``COPY … FROM STDIN (FORMAT csv)`` and to SQLite with ``executemany`` on the raw connection. Both run
inside whatever ``transaction.atomic`` block the caller opened, so an import stays all-or-nothing.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import polars as pl
from django.db import connection as default_connection
from django.db import transaction


def _quote(connection, name: str) -> str:
    return connection.ops.quote_name(name)


def insert_frame(table: str, frame: pl.DataFrame, connection=None, chunk_rows: int = 200_000) -> int:
    """Insert every row of ``frame`` into ``table`` (columns named as in the table)."""
    connection = connection or default_connection
    if frame.height == 0:
        return 0
    with transaction.atomic(using=connection.alias):
        _insert(table, frame, connection, chunk_rows)
        refresh_statistics_if_grown(table, frame.height, connection)
    return frame.height


#: a bulk insert of more than this share of a table's rows refreshes its planner statistics
ANALYZE_GROWTH_SHARE = 0.1


def refresh_statistics_if_grown(table: str, inserted: int, connection=None) -> bool:
    """PostgreSQL: ``ANALYZE`` a table that a bulk insert grew by more than 10% (or never analysed).

    Autovacuum would do it later — if it runs at all (it can be switched off, and it runs only every
    minute): until then the planner believes a freshly loaded table is empty and picks plans for one
    row. Returns whether statistics were refreshed (SQLite keeps none unless asked; nothing to do).
    """
    connection = connection or default_connection
    if connection.vendor != "postgresql" or inserted <= 0:
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
        row = cursor.fetchone()
        estimated = row[0] if row else -1
        if estimated >= 0 and inserted <= ANALYZE_GROWTH_SHARE * estimated:
            return False
        cursor.execute(f"ANALYZE {_quote(connection, table)}")
    return True


def _insert(table: str, frame: pl.DataFrame, connection, chunk_rows: int) -> None:
    cols = ", ".join(_quote(connection, c) for c in frame.columns)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            raw = cursor.cursor
            for start in range(0, frame.height, chunk_rows):
                buffer = io.BytesIO()
                frame.slice(start, chunk_rows).write_csv(buffer, include_header=False, null_value="")
                with raw.copy(f"COPY {_quote(connection, table)} ({cols}) FROM STDIN WITH (FORMAT csv)") as copy:
                    copy.write(buffer.getvalue())
    else:
        placeholders = ", ".join("?" for _ in frame.columns)
        sql = f"INSERT INTO {_quote(connection, table)} ({cols}) VALUES ({placeholders})"
        raw = connection.connection
        for start in range(0, frame.height, chunk_rows):
            raw.executemany(sql, frame.slice(start, chunk_rows).iter_rows())


def update_frame(
    table: str, frame: pl.DataFrame, key_columns: Sequence[str], connection=None
) -> int:
    """Update rows of ``table`` matched on ``key_columns`` with the other columns of ``frame``."""
    connection = connection or default_connection
    if frame.height == 0:
        return 0
    value_columns = [c for c in frame.columns if c not in key_columns]
    with transaction.atomic(using=connection.alias):
        _update(table, frame, key_columns, value_columns, connection)
    return frame.height


def _update(table: str, frame: pl.DataFrame, key_columns, value_columns, connection) -> None:
    q = lambda n: _quote(connection, n)  # noqa: E731
    if connection.vendor == "postgresql":
        temp = f"_upd_{table}"[:60]
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE TEMP TABLE {q(temp)} (LIKE {q(table)} INCLUDING DEFAULTS)")
            # the temp table only needs the frame's columns; drop NOT NULL elsewhere
            cursor.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = %s AND is_nullable = 'NO'",
                [temp],
            )
            for (name,) in cursor.fetchall():
                cursor.execute(f"ALTER TABLE {q(temp)} ALTER COLUMN {q(name)} DROP NOT NULL")
        insert_frame(temp, frame, connection)
        sets = ", ".join(f"{q(c)} = s.{q(c)}" for c in value_columns)
        where = " AND ".join(f"t.{q(c)} = s.{q(c)}" for c in key_columns)
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {q(table)} AS t SET {sets} FROM {q(temp)} AS s WHERE {where}")
            cursor.execute(f"DROP TABLE {q(temp)}")
    else:
        sets = ", ".join(f"{q(c)} = ?" for c in value_columns)
        where = " AND ".join(f"{q(c)} = ?" for c in key_columns)
        sql = f"UPDATE {q(table)} SET {sets} WHERE {where}"
        ordered = frame.select([*value_columns, *key_columns])
        connection.connection.executemany(sql, ordered.iter_rows())


def read_frame(sql: str, params: Sequence | None = None, connection=None) -> pl.DataFrame:
    """Run a query and return the result as a Polars frame (column names from the cursor)."""
    connection = connection or default_connection
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        names = [d[0] for d in cursor.description]
        rows = cursor.fetchall()
    if not rows:
        return pl.DataFrame({n: [] for n in names})
    return pl.DataFrame(rows, schema=names, orient="row", infer_schema_length=None)
