"""Monthly fact tables partitioned by year on PostgreSQL (declarative ``PARTITION BY RANGE (year)``).

A partitioned table keeps its Django model unchanged: ``id`` stays the model's primary key and keeps
its identity sequence, so every ORM write, ``bulk_create``, ``QuerySet.update``/``delete``, COPY in
``core.bulk`` and the import framework work as before. What changes is in the database only:

- the table is the parent of one partition per year (``<table>_y2025``) plus a ``<table>_default``
  partition for any year without its own (no write ever fails for want of a partition);
- the primary key is ``(id, year)`` and every unique constraint includes ``year`` (PostgreSQL requires
  the partition key in them); ``id`` values still come from the one sequence, so they stay unique;
- indexes, foreign keys out of the table, check constraints and triggers are recreated on the parent
  under their old names (an index on the parent is created on, and attached to, every partition);
  the statement-level data-version trigger (``core.versioning``) fires for every statement addressed to
  the parent, as all of the platform's writes are (a write addressed to one partition directly would
  not raise the version — only :func:`ensure_year_partitions` does that, and it changes no data);
- no foreign key may point *to* a partitioned table through ``id`` alone: :func:`partition_by_year`
  refuses a table that is referenced.

SQLite has no partitioning: every function here is a no-op there, and the migrations that call them
leave SQLite databases unchanged.

A query that names a year (``WHERE year = 2025 AND month = 6`` — every monthly page, API and the month
computation) reads one partition only (partition pruning; ``EXPLAIN`` shows the one partition).
New years: :func:`ensure_year_partitions` (``xinzhi partitions``) creates the partitions of the coming
years and moves any rows the default partition already holds for them.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.migrations.operations.base import Operation

#: the tables partitioned by year, with the years their migration creates partitions for
PARTITIONED_TABLES = ("enterprises_monthlystat", "investment_projectprogress", "monitoring_indicatorvalue")
FIRST_YEAR = 2015
LAST_YEAR = 2030
PARTITION_KEY = "year"


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _columns(definition: str) -> list[str]:
    """The column names of ``UNIQUE (a, b, c)``."""
    inside = definition[definition.index("(") + 1:definition.rindex(")")]
    return [part.strip().strip('"') for part in inside.split(",")]


def is_partitioned(cursor, table: str) -> bool:
    cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_partitioned_table WHERE partrelid = to_regclass(%s))", [table])
    return bool(cursor.fetchone()[0])


def year_partitions(cursor, table: str) -> list[str]:
    """Names of ``table``'s partitions, the default last."""
    cursor.execute(
        "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = to_regclass(%s) ORDER BY c.relname", [table])
    rows = cursor.fetchall()
    return [name for name, bound in rows if bound != "DEFAULT"] + [name for name, bound in rows if bound == "DEFAULT"]


def _definition(cursor, table: str) -> dict:
    """What must be recreated on a rebuilt table: constraints, indexes, triggers, referencing FKs."""
    cursor.execute(
        "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = to_regclass(%s) AND contype IN ('p', 'u', 'f', 'c') AND coninhcount = 0 ORDER BY conname",
        [table])
    constraints = cursor.fetchall()
    cursor.execute(
        "SELECT ic.relname, pg_get_indexdef(ix.indexrelid) FROM pg_index ix JOIN pg_class ic ON ic.oid = ix.indexrelid "
        "WHERE ix.indrelid = to_regclass(%s) "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = ix.indexrelid AND c.conrelid = ix.indrelid) "
        "ORDER BY ic.relname", [table])
    indexes = cursor.fetchall()
    cursor.execute("SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = to_regclass(%s) "
                   "AND NOT tgisinternal AND tgparentid = 0 ORDER BY tgname", [table])
    triggers = cursor.fetchall()
    cursor.execute("SELECT conname, conrelid::regclass::text FROM pg_constraint "
                   "WHERE confrelid = to_regclass(%s) AND contype = 'f'", [table])
    referenced_by = cursor.fetchall()
    return {"constraints": constraints, "indexes": indexes, "triggers": triggers, "referenced_by": referenced_by}


def _rebuild(schema_editor, table: str, partition_years: Iterable[int] | None) -> None:
    """Rebuild ``table`` with the same columns, data, constraints, indexes and triggers, partitioned by
    year (``partition_years``) or as a plain table (``None``)."""
    partitioned = partition_years is not None
    with schema_editor.connection.cursor() as cursor:
        if is_partitioned(cursor, table) == partitioned:
            return
        spec = _definition(cursor, table)
        if spec["referenced_by"]:
            raise RuntimeError(f"{table} is referenced by foreign keys {spec['referenced_by']}; "
                               "a partitioned table can only be referenced through its partition key too")
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        old_sequence = cursor.fetchone()[0]
    new = f"{table}__rebuilt"
    run = schema_editor.execute
    run(f"CREATE TABLE {_q(new)} (LIKE {_q(table)} INCLUDING DEFAULTS INCLUDING IDENTITY)"
        + (f" PARTITION BY RANGE ({_q(PARTITION_KEY)})" if partitioned else ""))
    if partitioned:
        for year in partition_years:
            run(f"CREATE TABLE {_q(f'{table}_y{year}')} PARTITION OF {_q(new)} FOR VALUES FROM ({year}) TO ({year + 1})")
        run(f"CREATE TABLE {_q(f'{table}_default')} PARTITION OF {_q(new)} DEFAULT")
    run(f"INSERT INTO {_q(new)} SELECT * FROM {_q(table)}")
    run(f"DROP TABLE {_q(table)}")  # its indexes, constraints, triggers, partitions and old sequence with it
    run(f"ALTER TABLE {_q(new)} RENAME TO {_q(table)}")
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        sequence = cursor.fetchone()[0]
    if old_sequence and sequence and sequence != old_sequence:
        run(f"ALTER SEQUENCE {sequence} RENAME TO {_q(old_sequence.split('.')[-1])}")
        sequence = old_sequence
    if sequence:
        run(f"SELECT setval('{sequence}', COALESCE((SELECT max(id) FROM {_q(table)}), 0) + 1, false)")
    for name, kind, definition in spec["constraints"]:
        if kind == "p":
            definition = f"PRIMARY KEY (id, {PARTITION_KEY})" if partitioned else "PRIMARY KEY (id)"
        elif kind == "u" and partitioned and PARTITION_KEY not in _columns(definition):
            raise RuntimeError(f"unique constraint {name} on {table} does not include {PARTITION_KEY}")
        run(f"ALTER TABLE {_q(table)} ADD CONSTRAINT {_q(name)} {definition}")
    for _name, definition in spec["indexes"]:
        run(definition)
    for _name, definition in spec["triggers"]:
        run(definition)
    run(f"ANALYZE {_q(table)}")


def partition_by_year(schema_editor, table: str, first_year: int = FIRST_YEAR, last_year: int = LAST_YEAR) -> None:
    """Migration step: turn ``table`` into one partitioned by year (PostgreSQL; no-op elsewhere or if done)."""
    if schema_editor.connection.vendor == "postgresql":
        _rebuild(schema_editor, table, range(first_year, last_year + 1))


def unpartition(schema_editor, table: str) -> None:
    """Reverse of :func:`partition_by_year`: a plain table again, same rows and names."""
    if schema_editor.connection.vendor == "postgresql":
        _rebuild(schema_editor, table, None)


def ensure_year_partitions(years: Iterable[int], tables: Iterable[str] = PARTITIONED_TABLES,
                           connection=None) -> list[str]:
    """Create the missing partitions of ``years`` for ``tables``; rows the default partition already holds
    for such a year move into the new partition (in one transaction per table and year, so readers see
    every row at every moment). Returns the partitions created. No-op on SQLite."""
    from django.db import connection as default_connection
    from django.db import transaction

    connection = connection or default_connection
    created: list[str] = []
    if connection.vendor != "postgresql":
        return created
    for table in tables:
        for year in sorted(set(years)):
            partition, default = f"{table}_y{year}", f"{table}_default"
            with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
                if not is_partitioned(cursor, table):
                    break
                cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [partition])
                if cursor.fetchone()[0]:
                    continue
                cursor.execute(f"LOCK TABLE {_q(table)} IN SHARE ROW EXCLUSIVE MODE")
                cursor.execute(f"CREATE TABLE {_q(partition)} (LIKE {_q(table)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
                cursor.execute(f"WITH moved AS (DELETE FROM {_q(default)} WHERE {PARTITION_KEY} = %s RETURNING *) "
                               f"INSERT INTO {_q(partition)} SELECT * FROM moved", [year])
                cursor.execute(f"ALTER TABLE {_q(table)} ATTACH PARTITION {_q(partition)} "
                               f"FOR VALUES FROM ({int(year)}) TO ({int(year) + 1})")
                created.append(partition)
    return created


class PartitionByYear(Operation):
    """Migration operation: partition this model's table by year on PostgreSQL (module docstring); SQLite
    and the model state are unchanged. Reversible (back to a plain table with the same rows)."""

    reversible = True
    reduces_to_sql = False

    def __init__(self, model_name: str) -> None:
        self.model_name = model_name

    def deconstruct(self):
        return self.__class__.__qualname__, [self.model_name], {}

    def state_forwards(self, app_label, state) -> None:
        pass  # the model keeps ``id`` as its primary key; only the database's layout changes

    def _table(self, app_label, state) -> str:
        return state.apps.get_model(app_label, self.model_name)._meta.db_table

    def database_forwards(self, app_label, schema_editor, from_state, to_state) -> None:
        partition_by_year(schema_editor, self._table(app_label, to_state))

    def database_backwards(self, app_label, schema_editor, from_state, to_state) -> None:
        unpartition(schema_editor, self._table(app_label, from_state))

    def describe(self) -> str:
        return f"Partition {self.model_name} by year (PostgreSQL)"

    @property
    def migration_name_fragment(self) -> str:
        return f"partition_{self.model_name.lower()}"
