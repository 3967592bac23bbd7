"""Loading the demo dataset: read reference data from the DB, generate, write with COPY/executemany.

Everything is written in one ``transaction.atomic`` block with :func:`xinzhi.core.bulk.insert_frame`
(table names from ``Model._meta.db_table``, column names from ``field.column``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from django.core.management import call_command
from django.db import connection, models, transaction
from django.utils import timezone

from xinzhi.core.bulk import insert_frame, read_frame
from xinzhi.cultivation.models import Certification
from xinzhi.enterprises.models import Enterprise, EnterpriseYear, MonthlyStat
from xinzhi.industries.models import IndustryCode
from xinzhi.industries.services import high_tech_class_frame
from xinzhi.investment.models import InvestmentProject, ProjectProgress, RegionInvestment
from xinzhi.platforms.models import RDInstitution
from xinzhi.regions.models import Division

from .generator import DemoFrames, Reference, generate

#: frame name → model, in insertion order (parents first)
TABLES: list[tuple[str, type[models.Model]]] = [
    ("enterprises", Enterprise),
    ("enterprise_years", EnterpriseYear),
    ("monthly", MonthlyStat),
    ("projects", InvestmentProject),
    ("progress", ProjectProgress),
    ("region_investment", RegionInvestment),
    ("certifications", Certification),
    ("institutions", RDInstitution),
]

#: models with explicit ids in the frames (sequence reset on PostgreSQL)
EXPLICIT_IDS = (Enterprise, InvestmentProject)


class DemoDataExists(Exception):
    """Enterprises already exist and ``force`` was not given."""


@dataclass
class LoadResult:
    counts: dict[str, int]
    generate_seconds: float
    load_seconds: float
    timings: dict[str, float] = field(default_factory=dict)


def read_reference() -> Reference:
    """Counties, manufacturing classes (divisions 13–43) and the default high-tech scheme, from the DB."""
    if not Division.objects.filter(level=Division.Level.COUNTY).exists():
        call_command("load_reference", verbosity=0)
    counties = tuple(
        (code, name, parent)
        for code, name, parent in Division.objects.filter(level=Division.Level.COUNTY)
        .order_by("code")
        .values_list("code", "name", "parent_id")
    )
    cities = dict(Division.objects.filter(level=Division.Level.CITY).values_list("code", "name"))
    classes = tuple(
        code
        for code in IndustryCode.objects.filter(level=IndustryCode.Level.CLASS).order_by("code").values_list("code", flat=True)
        if code[:2].isdigit() and 13 <= int(code[:2]) <= 43
    )
    ht = high_tech_class_frame()
    return Reference(counties=counties, cities=cities, classes=classes, high_tech=frozenset(ht["industry_code"].to_list()))


def _table_columns(model: type[models.Model]) -> set[str]:
    with connection.cursor() as cursor:
        return {c.name for c in connection.introspection.get_table_description(cursor, model._meta.db_table)}


def prepare(frame: pl.DataFrame, model: type[models.Model], now: str) -> pl.DataFrame:
    """Add the NOT NULL columns the generator leaves out (``updated_at``, ``import_batch_id``, …),
    check every column exists in the table, and make dates ISO strings (portable to both drivers).

    Only columns present in the table are filled, so a model field whose migration has not been
    applied yet does not break the load."""
    fields_by_column = {f.column: f for f in model._meta.concrete_fields}
    in_table = _table_columns(model)
    unknown = set(frame.columns) - in_table
    if unknown:
        raise ValueError(f"{model.__name__}: unknown columns {sorted(unknown)}")
    extra = []
    for column, f in fields_by_column.items():
        if column in frame.columns or f.primary_key or column not in in_table:
            continue
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            extra.append(pl.lit(now).alias(column))
        elif f.has_default():
            extra.append(pl.lit(f.get_default()).alias(column))
        elif f.null:
            extra.append(pl.lit(None, dtype=pl.Int64).alias(column))
        else:
            raise ValueError(f"{model.__name__}.{column} is NOT NULL and missing from the frame")
    frame = frame.with_columns(extra) if extra else frame
    dates = [c for c, dtype in frame.schema.items() if dtype == pl.Date]
    if dates:
        frame = frame.with_columns([pl.col(c).dt.strftime("%Y-%m-%d") for c in dates])
    return frame


def _purge(model: type[models.Model], where: str | None, tables: set[str], depth: int = 0) -> None:
    """Delete rows of ``model`` matching ``where`` (all rows if None), dependants first, in raw SQL.

    Rows of other tables pointing at them follow their ``on_delete``: CASCADE (or a NOT NULL key)
    → deleted the same way; otherwise (SET_NULL, PROTECT on a nullable key) → the key is nulled.
    """
    if depth > 6:  # pragma: no cover - self-referencing chains
        raise RuntimeError(f"dependency chain too deep at {model.__name__}")
    q = connection.ops.quote_name
    table = q(model._meta.db_table)
    condition = f" WHERE {where}" if where else ""
    for rel in model._meta.related_objects:
        if rel.many_to_many or rel.related_model is model:
            continue
        child, fk = rel.related_model, rel.field
        if child._meta.db_table not in tables:  # model without its migration applied yet
            continue
        col = q(fk.column)
        target = q(fk.target_field.column)
        cond = f"{col} IS NOT NULL" if where is None else f"{col} IN (SELECT {target} FROM {table}{condition})"
        if rel.on_delete is models.CASCADE or not fk.null:
            _purge(child, cond, tables, depth + 1)
        else:
            with connection.cursor() as cursor:
                cursor.execute(f"UPDATE {q(child._meta.db_table)} SET {col} = NULL WHERE {cond}")
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}{condition}")


def delete_business_data() -> None:
    """Delete every enterprise and the demo business tables (children first), in raw SQL.

    Other tables' rows that reference them are deleted or have the reference nulled, following each
    foreign key's ``on_delete`` (e.g. demo users bound to an enterprise keep their login, unbound).
    """
    tables = set(connection.introspection.table_names())
    for _, model in reversed(TABLES):
        _purge(model, None, tables)


def _reset_sequences() -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in EXPLICIT_IDS:
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), COALESCE((SELECT MAX(id) FROM "
                f"{connection.ops.quote_name(table)}), 1))",
                [table],
            )


def write_frames(frames: DemoFrames) -> dict[str, float]:
    """Insert every frame (caller holds the transaction). Returns seconds per table."""
    now = timezone.now().strftime("%Y-%m-%d %H:%M:%S.%f")
    if connection.vendor == "postgresql":
        now += "+00:00"
    timings = {}
    for name, model in TABLES:
        t0 = time.perf_counter()
        insert_frame(model._meta.db_table, prepare(getattr(frames, name), model, now))
        timings[name] = time.perf_counter() - t0
    _reset_sequences()
    return timings


def load_demo(scale: str = "small", seed: int = 2025, force: bool = False, log: Any = None) -> LoadResult:
    """Generate and load the demo dataset; refuse if enterprises exist unless ``force``."""
    say = log or (lambda msg: None)
    if Enterprise.objects.exists() and not force:
        raise DemoDataExists(
            f"数据库中已有 {Enterprise.objects.count()} 家企业，未加载演示数据。"
            "如需删除现有企业及其业务数据并重新生成，请加 --force。"
        )
    reference = read_reference()
    t0 = time.perf_counter()
    frames = generate(reference, scale=scale, seed=seed)
    generated = time.perf_counter() - t0
    say(f"生成完成 {generated:.1f}s：" + "，".join(f"{k} {v:,}" for k, v in frames.counts().items()))
    t1 = time.perf_counter()
    with transaction.atomic():
        if force:
            delete_business_data()
        timings = write_frames(frames)
    loaded = time.perf_counter() - t1
    if connection.vendor == "postgresql":
        # statistics for the planner, and (outside a transaction) the visibility map, so that counts and
        # scoped lists are index-only scans at once rather than after autovacuum's next round
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
        with connection.cursor() as cursor:
            for _, model in TABLES:
                cursor.execute(f"{command} {connection.ops.quote_name(model._meta.db_table)}")
    say(f"写入完成 {loaded:.1f}s")
    return LoadResult(counts=frames.counts(), generate_seconds=generated, load_seconds=loaded, timings=timings)


def loaded_indicators() -> dict[str, pl.DataFrame]:
    """Calibration indicators computed from the loaded data with SQL (December YTD = full year)."""
    ht = sorted(high_tech_class_frame()["industry_code"].to_list())
    ms = MonthlyStat._meta.db_table
    en = Enterprise._meta.db_table
    placeholders = ", ".join(["%s"] * len(ht))
    city = "SUBSTR(m.division_code, 1, 4) || '00'"
    base = f"""
        SELECT {{key}} AS key, m.year,
               COUNT(*) AS firms,
               1.0 * SUM(CASE WHEN e.industry_code IN ({placeholders}) THEN m.value_added ELSE 0 END)
                   / SUM(m.value_added) AS high_tech_va_share,
               1.0 * SUM(m.rd_expense) / SUM(m.revenue) AS rd_intensity,
               1.0 * SUM(m.new_product_output) / SUM(m.output_value) AS new_product_rate,
               1.0 * SUM(m.value_added) / SUM(m.output_value) AS va_rate,
               1.0 * SUM(m.revenue) / SUM(m.output_value) AS revenue_to_output
        FROM {ms} m JOIN {en} e ON e.id = m.enterprise_id
        WHERE m.month = 12
        GROUP BY {{key}}, m.year ORDER BY 1, 2
    """
    out = {
        "province": read_frame(base.format(key="SUBSTR(m.division_code, 1, 2) || '0000'"), ht),
        "city": read_frame(base.format(key=city), ht),
        "county": read_frame(base.format(key="m.division_code"), ht),
    }
    pp, ip, ri = ProjectProgress._meta.db_table, InvestmentProject._meta.db_table, RegionInvestment._meta.db_table
    out["investment"] = read_frame(
        f"""
        SELECT r.year, SUM(r.ytd_fixed_asset_investment) AS fai,
               SUM(COALESCE(h.ht, 0)) AS ht
        FROM {ri} r LEFT JOIN (
            SELECT p.division_code, g.year, SUM(g.ytd_completed) AS ht
            FROM {pp} g JOIN {ip} p ON p.id = g.project_id
            WHERE g.month = 12 AND p.is_high_tech
            GROUP BY p.division_code, g.year
        ) h ON h.division_code = r.division_code AND h.year = r.year
        WHERE r.month = 12
        GROUP BY r.year ORDER BY r.year
        """
    )
    # PostgreSQL returns numeric (Decimal) for ratios and SUM(bigint): make them floats everywhere
    return {k: v.with_columns(pl.col(pl.Decimal).cast(pl.Float64)) for k, v in out.items()}
