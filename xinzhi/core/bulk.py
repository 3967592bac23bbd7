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


def insert_frame(table: str, frame: pl.DataFrame, connection=None, chunk_rows: int = 200_000,
                 new_key_range: bool = False, refresh_statistics: bool = True) -> int:
    """Insert every row of ``frame`` into ``table`` (columns named as in the table).

    ``new_key_range``: the rows are of a key the table never held (a new month): its planner statistics
    are refreshed whatever the share of the table, so queries for that key are not planned for no rows.
    ``refresh_statistics=False``: the caller inserts in parts and refreshes once (``refresh_statistics_if_grown``).
    """
    connection = connection or default_connection
    if frame.height == 0:
        return 0
    with transaction.atomic(using=connection.alias):
        _insert(table, frame, connection, chunk_rows)
        if refresh_statistics:
            refresh_statistics_if_grown(table, frame.height, connection, always=new_key_range)
    return frame.height


#: rows written since the last ``ANALYZE`` (this insert included) beyond this share of a table's rows
#: refresh its planner statistics — PostgreSQL's own default ``autovacuum_analyze_scale_factor``
ANALYZE_GROWTH_SHARE = 0.1


def statistics_stale(estimated_rows: float, written_since_analyze: int, inserted: int) -> bool:
    """Whether a table's planner statistics no longer describe it, by autovacuum's own rule: the rows
    written since the last ``ANALYZE`` exceed 10% of the table (or it was never analysed: -1 rows).

    Counting the writes *since the last analyse*, not this insert alone, matters for tables that grow
    by one month at a time: each month's snapshots are a few per cent of the table, but a month the
    statistics have never seen is the one every page asks for, and the planner would take it for empty.
    """
    if estimated_rows < 0:
        return True
    return written_since_analyze + inserted > ANALYZE_GROWTH_SHARE * estimated_rows


def refresh_statistics_if_grown(table: str, inserted: int, connection=None, always: bool = False) -> bool:
    """PostgreSQL: ``ANALYZE`` a table whose statistics a bulk insert left stale (``statistics_stale``),
    or ``always``.

    Autovacuum would do it later — if it runs at all (it can be switched off, and it runs only every
    minute): until then the planner believes a freshly loaded table is empty and picks plans for one
    row. Returns whether statistics were refreshed (SQLite keeps none unless asked; nothing to do).
    """
    connection = connection or default_connection
    if connection.vendor != "postgresql" or inserted <= 0:
        return False
    with connection.cursor() as cursor:
        # n_mod_since_analyze counts committed writes (this transaction's are added as ``inserted``);
        # the statistics views are read as of a transaction's first look unless cleared
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT c.reltuples, COALESCE(s.n_mod_since_analyze, 0) FROM pg_class c "
            "LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid WHERE c.oid = %s::regclass", [table])
        row = cursor.fetchone()
        estimated, written = (row[0], row[1]) if row else (-1, 0)
        if not always and not statistics_stale(estimated, written, inserted):
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


#: rows fetched and turned into a frame at a time: the Python objects of one batch exist at once, not of
#: the whole result (a 500,000-row import reads its new ids back)
FETCH_ROWS = 50_000


def read_frame(sql: str, params: Sequence | None = None, connection=None) -> pl.DataFrame:
    """Run a query and return the result as a Polars frame (column names from the cursor)."""
    connection = connection or default_connection
    parts = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        names = [d[0] for d in cursor.description]
        while rows := cursor.fetchmany(FETCH_ROWS):
            parts.append(pl.DataFrame(rows, schema=names, orient="row", infer_schema_length=None))
    if not parts:
        return pl.DataFrame({n: [] for n in names})
    if len(parts) == 1:
        return parts[0]
    # a column that is null in one batch is typed Null there: take each column's type from the batches
    dtypes = {n: next((p.schema[n] for p in parts if p.schema[n] != pl.Null), pl.Null) for n in names}
    return pl.concat([p.cast(dtypes) for p in parts], how="vertical_relaxed")


#: PostgreSQL type oids that ``copy_frame`` reads from CSV, and their frame types
_COPY_TYPES = {16: pl.Boolean, 20: pl.Int64, 21: pl.Int64, 23: pl.Int64, 700: pl.Float64, 701: pl.Float64,
               25: pl.String, 1042: pl.String, 1043: pl.String, 1082: pl.Date}


def copy_frame(sql: str, params: Sequence | None = None, connection=None) -> pl.DataFrame:
    """:func:`read_frame` for large results: on PostgreSQL the rows come as one ``COPY (…) TO STDOUT`` in
    CSV, parsed by Polars (no Python object per value: a month's 1.3 million filings of the 8× demo in a
    fraction of the time), typed from the query's own column types. Any other database, or a column of a
    type not listed in ``_COPY_TYPES``, reads through :func:`read_frame` — the same frame either way."""
    connection = connection or default_connection
    if connection.vendor != "postgresql":
        return read_frame(sql, params, connection)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM ({sql}) AS q LIMIT 0", params or [])  # noqa: S608 - the caller's SQL
        described = [(d[0], d[1]) for d in cursor.description]
        if any(oid not in _COPY_TYPES for _, oid in described):
            return read_frame(sql, params, connection)
        names = [name for name, _ in described]
        with cursor.cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", params or None) as copy:
            data = b"".join(bytes(chunk) for chunk in copy)
    schema = {name: _COPY_TYPES[oid] for name, oid in described}
    if not data:
        return pl.DataFrame(schema=schema)
    text_schema = {name: (pl.String if dtype == pl.Boolean else dtype) for name, dtype in schema.items()}
    frame = pl.read_csv(io.BytesIO(data), has_header=False, new_columns=names, schema=text_schema)
    booleans = [name for name, dtype in schema.items() if dtype == pl.Boolean]
    return frame.with_columns([pl.col(name).replace_strict({"t": True, "f": False}, return_dtype=pl.Boolean)
                               for name in booleans]) if booleans else frame
