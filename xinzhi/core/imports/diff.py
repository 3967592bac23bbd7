"""Diff of a validated frame against stored rows (a join in Polars) and the bulk write of the result.

``diff_table`` splits incoming rows into new / changed / unchanged; ``insert_rows`` and
``update_rows`` write them with ``xinzhi.core.bulk`` in the caller's transaction, the latter also
writing one audit entry (before/after of the changed fields) per updated row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import polars as pl
from django.db import connection
from django.db.models import Model
from django.utils import timezone

from xinzhi.core.audit import log_bulk_changes
from xinzhi.core.bulk import insert_frame, read_frame, refresh_statistics_if_grown, update_frame

from .parsing import ROW

OLD = "__old"


@dataclass
class TableDiff:
    """Incoming rows of one table, split by how they compare with the stored rows."""

    model: type[Model]
    key: tuple[str, ...]
    values: tuple[str, ...]
    new: pl.DataFrame  # _row, key, values
    changed: pl.DataFrame  # id, _row, key, values, <value>__old
    unchanged: pl.DataFrame  # _row, id

    @property
    def counts(self) -> dict[str, int]:
        return {"new": self.new.height, "changed": self.changed.height, "unchanged": self.unchanged.height}


@dataclass
class KindDiff:
    tables: dict[str, TableDiff]
    status: pl.DataFrame  # one row per file row: _row, status ("new" | "changed" | "unchanged")
    extra: dict[str, object] = field(default_factory=dict)

    def count(self, status: str) -> int:
        return self.status.filter(pl.col("status") == status).height


@dataclass(frozen=True)
class TableChange:
    """What an import wrote to one table, for receivers of ``core.signals.import_committed``.

    ``columns``: the columns whose value changed in at least one updated row, plus every written column
    when rows were inserted. ``months``: the distinct (year, month) of the inserted and updated rows,
    for tables keyed by month (empty otherwise).
    """

    table: str
    new: int
    changed: int
    columns: frozenset[str]
    months: tuple[tuple[int, int], ...] = ()


def table_changes(diff: KindDiff) -> list[TableChange]:
    out = []
    for t in diff.tables.values():
        if t.new.height == 0 and t.changed.height == 0:
            continue
        columns = set()
        for v in t.values:
            old = v + OLD
            if t.new.height or v not in t.changed.columns or old not in t.changed.columns:
                columns.add(v)
            elif t.changed.select(pl.col(v).ne_missing(pl.col(old)).any()).item():
                columns.add(v)
        if t.new.height:
            columns |= set(t.key)
        months: set[tuple[int, int]] = set()
        for part in (t.new, t.changed):
            if part.height and {"year", "month"} <= set(part.columns):
                months |= set(part.select(pl.col("year").cast(pl.Int64), pl.col("month").cast(pl.Int64))
                              .drop_nulls().unique().iter_rows())
        out.append(TableChange(t.model._meta.db_table, t.new.height, t.changed.height, frozenset(columns),
                               tuple(sorted(months))))
    return out


def coerce_like(frame: pl.DataFrame, like: pl.DataFrame) -> pl.DataFrame:
    """Cast the columns of ``frame`` (read from the database) to the dtypes ``like`` uses.

    SQLite hands dates back as text and booleans as integers; PostgreSQL as ``date``/``bool``.
    """
    exprs = []
    for name in frame.columns:
        if name not in like.columns or frame.schema[name] == like.schema[name]:
            continue
        target = like.schema[name]
        if target == pl.Date and frame.schema[name] == pl.String:
            exprs.append(pl.col(name).str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False))
        else:
            exprs.append(pl.col(name).cast(target, strict=False))
    return frame.with_columns(exprs) if exprs else frame


def cast_columns(frame: pl.DataFrame, dtypes: dict[str, pl.DataType]) -> pl.DataFrame:
    """Cast columns read from the database (SQLite gives text dates, integer booleans)."""
    exprs = []
    for name, dtype in dtypes.items():
        if name not in frame.columns:
            continue
        if dtype == pl.Date and frame.schema[name] in (pl.String, pl.Null):
            exprs.append(pl.col(name).cast(pl.String).str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False))
        else:
            exprs.append(pl.col(name).cast(dtype, strict=False))
    return frame.with_columns(exprs) if exprs else frame


def diff_table(
    model: type[Model], incoming: pl.DataFrame, stored: pl.DataFrame, key: Sequence[str], values: Sequence[str],
    carry: Sequence[str] = (),
) -> TableDiff:
    """Join ``incoming`` (``_row`` + key + values) with ``stored`` (``id`` + key + values) on ``key``.

    ``carry`` columns go along uncompared: written for new rows (e.g. the county of a monthly filing,
    which an update must not move) or used for the audit text.
    """
    key, values, carry = tuple(key), tuple(values), tuple(c for c in carry if c not in values)
    incoming = incoming.select([ROW, *key, *values, *carry])
    stored = coerce_like(stored.select(["id", *key, *values]), incoming).with_columns(pl.col("id").cast(pl.Int64))
    joined = incoming.join(stored.rename({v: v + OLD for v in values}), on=list(key), how="left")
    differs = pl.any_horizontal([pl.col(v).ne_missing(pl.col(v + OLD)) for v in values]) if values else pl.lit(False)
    matched = joined.filter(pl.col("id").is_not_null())
    return TableDiff(
        model=model, key=key, values=values,
        new=joined.filter(pl.col("id").is_null()).select([ROW, *key, *values, *carry]),
        changed=matched.filter(differs),
        unchanged=matched.filter(~differs).select([ROW, "id"]),
    )


def read_monthly(frame: pl.DataFrame, previous_month: bool, sql: str, dtypes: dict) -> pl.DataFrame:
    """Stored monthly rows for the periods of ``frame`` (and, for YTD checks, each year's month before).

    ``sql`` selects with three parameters: year, first month, last month. One query per year in
    the file (normally one).
    """
    periods = frame.select("year", "month").drop_nulls().unique()
    parts = [pl.DataFrame(schema=dtypes)]
    ranges = periods.group_by("year").agg(pl.col("month").min().alias("lo"), pl.col("month").max().alias("hi"))
    for year, lo, hi in ranges.iter_rows():
        part = read_frame(sql, [year, max(1, lo - 1) if previous_month else lo, hi])
        if part.height:
            parts.append(cast_columns(part, dtypes))
    return pl.concat(parts, how="vertical_relaxed")


#: the months ``read_around`` reads: three parameters — year, first month, previous year
AROUND_SQL = "((year = %s AND month >= %s) OR (year = %s AND month = 12))"


def read_around(frame: pl.DataFrame, sql: str, dtypes: dict) -> pl.DataFrame:
    """Stored monthly rows around the periods of ``frame``, for the plausibility series: of each year in the
    file, from two months before its first month to December, and the previous December.

    ``sql`` ends with ``AROUND_SQL`` (year, first month, previous year). One query per year in the file.
    """
    periods = frame.select("year", "month").drop_nulls().unique()
    parts = [pl.DataFrame(schema=dtypes)]
    for year, lo in periods.group_by("year").agg(pl.col("month").min()).iter_rows():
        part = read_frame(sql, [year, max(1, lo - 2), year - 1])
        if part.height:
            parts.append(cast_columns(part, dtypes))
    return pl.concat(parts, how="vertical_relaxed")


def row_status(primary: TableDiff, *others: TableDiff) -> pl.DataFrame:
    """Per file row: ``new`` if its primary row is new, ``changed`` if anything of it changes."""
    new = primary.new.select(ROW).unique()
    touched = pl.concat(
        [primary.changed.select(ROW)] + [t.new.select(ROW) for t in others] + [t.changed.select(ROW) for t in others]
    ).unique()
    every = pl.concat([primary.new.select(ROW), primary.changed.select(ROW), primary.unchanged.select(ROW)]).unique()
    return every.with_columns(
        pl.when(pl.col(ROW).is_in(new[ROW].implode()))
        .then(pl.lit("new"))
        .when(pl.col(ROW).is_in(touched[ROW].implode()))
        .then(pl.lit("changed"))
        .otherwise(pl.lit("unchanged"))
        .alias("status")
    ).sort(ROW)


# -- writing -----------------------------------------------------------------------------------
def _adapt(frame: pl.DataFrame) -> pl.DataFrame:
    """Dates and datetimes as the text both backends accept (SQLite has no date type)."""
    exprs = [pl.col(n).dt.strftime("%Y-%m-%d") for n, t in frame.schema.items() if t == pl.Date]
    return frame.with_columns(exprs) if exprs else frame


def _now_text() -> str:
    return str(connection.ops.adapt_datetimefield_value(timezone.now()))


def _fill_missing_columns(model: type[Model], frame: pl.DataFrame) -> pl.DataFrame:
    """Add NOT NULL columns the file did not carry: Django defaults and ``auto_now`` timestamps."""
    now = _now_text()
    exprs = []
    for f in model._meta.concrete_fields:
        if f.primary_key or f.column in frame.columns:
            continue
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            exprs.append(pl.lit(now).alias(f.column))
        elif f.has_default():
            exprs.append(pl.lit(f.get_default()).alias(f.column))
    return frame.with_columns(exprs) if exprs else frame


#: rows prepared (defaults, text dates) and inserted at a time: the copies of one part exist at once
INSERT_PART_ROWS = 100_000


def insert_rows(model: type[Model], frame: pl.DataFrame, batch_id: int | None) -> int:
    """Insert ``frame`` (database column names; ``_row`` and helper columns are dropped), in parts."""
    if frame.height == 0:
        return 0
    columns = {f.column for f in model._meta.concrete_fields}
    frame = frame.select([c for c in frame.columns if c in columns])
    table = model._meta.db_table
    for start in range(0, frame.height, INSERT_PART_ROWS):
        part = frame.slice(start, INSERT_PART_ROWS)
        if "import_batch_id" in columns:
            part = part.with_columns(pl.lit(batch_id, dtype=pl.Int64).alias("import_batch_id"))
        insert_frame(table, _adapt(_fill_missing_columns(model, part)), refresh_statistics=False)
    refresh_statistics_if_grown(table, frame.height)
    return frame.height


def update_rows(model: type[Model], diff: TableDiff, batch_id: int | None, actor, repr_column: str | None = None,
                batch_note: dict | None = None) -> int:
    """Update the changed rows of ``diff`` by id and write their audit entries.

    The rows are locked and their values read again first (``FOR UPDATE`` on PostgreSQL; SQLite holds the
    database's write lock already): the audit's "before" is the value this write actually replaces, even
    if a form changed the row after the diff was computed.
    """
    changed = diff.changed
    if changed.height == 0:
        return 0
    diff = _with_current_values(model, diff)
    columns = {f.column for f in model._meta.concrete_fields}
    frame = changed.select(["id", *diff.values])
    auto = [f.column for f in model._meta.concrete_fields if getattr(f, "auto_now", False)]
    if "import_batch_id" in columns:
        frame = frame.with_columns(pl.lit(batch_id, dtype=pl.Int64).alias("import_batch_id"))
    if auto:
        frame = frame.with_columns([pl.lit(_now_text()).alias(c) for c in auto])
    update_frame(model._meta.db_table, _adapt(frame), ["id"])
    log_bulk_changes(model, audit_changes(model, diff, repr_column), actor=actor, additional_data=batch_note)
    return changed.height


#: ids per query when the changed rows are locked and read again
LOCK_IDS = 10_000


def _with_current_values(model: type[Model], diff: TableDiff) -> TableDiff:
    """``diff`` with its ``<value>__old`` columns replaced by the values stored now (rows locked)."""
    if not diff.values:
        return diff
    table, q = model._meta.db_table, connection.ops.quote_name
    lock = " FOR UPDATE" if connection.vendor == "postgresql" else ""
    ids = diff.changed["id"].to_list()
    parts = []
    for start in range(0, len(ids), LOCK_IDS):
        chunk = ids[start:start + LOCK_IDS]
        parts.append(read_frame(
            f"SELECT id, {', '.join(q(v) for v in diff.values)} FROM {q(table)} "
            f"WHERE id IN ({', '.join(['%s'] * len(chunk))}) ORDER BY id{lock}", chunk))
    current = pl.concat(parts, how="vertical_relaxed") if len(parts) > 1 else parts[0]
    current = coerce_like(current, diff.changed).with_columns(pl.col("id").cast(pl.Int64))
    current = current.rename({v: v + OLD for v in diff.values})
    changed = diff.changed.drop([v + OLD for v in diff.values]).join(current, on="id", how="left")
    return replace(diff, changed=changed.select(diff.changed.columns))


def audit_changes(model: type[Model], diff: TableDiff, repr_column: str | None):
    """``(pk, repr, {field: [old, new]})`` per changed row, only the fields that differ."""
    names = {f.column: f.name for f in model._meta.concrete_fields}
    text = diff.changed.select(
        "id",
        (pl.col(repr_column).cast(pl.String) if repr_column else pl.col("id").cast(pl.String)).alias("_repr"),
        *[pl.when(pl.col(v).ne_missing(pl.col(v + OLD)))
          .then(pl.concat_list([_audit_text(v + OLD, diff.changed.schema[v + OLD]),
                                _audit_text(v, diff.changed.schema[v])]))
          .alias(v) for v in diff.values],
    )
    for row in text.iter_rows(named=True):  # one audit entry per updated row, by design
        changes = {names.get(v, v): row[v] for v in diff.values if row[v] is not None}
        if changes:  # a row someone else had already set to these values: nothing replaced
            yield row["id"], row["_repr"], changes


def _audit_text(name: str, dtype: pl.DataType) -> pl.Expr:
    """Values as ``str()`` writes them, like django-auditlog's own entries (``True``, not ``true``)."""
    if dtype == pl.Boolean:
        return pl.when(pl.col(name)).then(pl.lit("True")).when(~pl.col(name)).then(pl.lit("False"))
    return pl.col(name).cast(pl.String)
