"""Columnar reads of the registers for other apps (monitoring reads these; it sits above programs).

Each returns one Polars frame from one SQL query, unscoped: monitoring computes every region and scopes
what it shows itself. The definitions (what "enterprise-led" means, which date counts) live here and in
:mod:`xinzhi.programs.shares`, not in monitoring.
"""

from __future__ import annotations

import polars as pl

from xinzhi.core.bulk import read_frame

from . import shares
from .models import MajorProject, NewProductProject, ProjectUnit, Selection
from .services import parameters


def _dates(frame: pl.DataFrame, *cols: str) -> pl.DataFrame:
    return frame.with_columns([
        pl.col(c).cast(pl.String).str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False) if frame.schema[c] != pl.Date
        else pl.col(c) for c in cols
    ])


def st_project_flags(year_to: int | None = None) -> pl.DataFrame:
    """Every major project with ``involved``, ``led`` and ``no_units`` (see :mod:`shares`)."""
    where, params = ("WHERE year <= %s", [year_to]) if year_to else ("", [])
    projects = read_frame(
        f"SELECT id AS project_id, name, programme, year, approved_on, division_code "
        f"FROM {MajorProject._meta.db_table} {where}", params)
    projects = _dates(projects, "approved_on").with_columns(pl.col("division_code").cast(pl.String),
                                                             pl.col("programme").cast(pl.String))
    units = read_frame(f"SELECT project_id, rank, kind, in_province FROM {ProjectUnit._meta.db_table}")
    units = units.with_columns(pl.col("rank").cast(pl.Int64), pl.col("kind").cast(pl.String),
                               pl.col("in_province").cast(pl.Boolean))
    p = parameters()["st_projects"]
    return shares.project_flags(projects, units, int(p["led_top_ranks"]), bool(p["count_outside_province"]))


def st_project_facts(year: int) -> pl.DataFrame:
    """For the monitoring engine: division_code, on (approval date), involved, led — provincial projects only."""
    flags = st_project_flags(year)
    return flags.filter(pl.col("programme") != shares.NATIONAL).select(
        "division_code", pl.col("approved_on").alias("on"), "involved", "led")


def programme_records(year: int) -> pl.DataFrame:
    """For the monitoring engine: division_code, kind, on — one row per counted event up to ``year``:
    ``new_product_projects`` (a new-product project on its provincial approval date, 立项),
    ``excellent_products`` and ``technology_achievements`` (a selection on its publication date)."""
    npp, sel = NewProductProject._meta.db_table, Selection._meta.db_table
    frame = read_frame(
        f"SELECT division_code, 'new_product_projects' AS kind, approved_on AS on_date FROM {npp} "
        f"WHERE approved_on IS NOT NULL AND year <= %s "
        f"UNION ALL SELECT division_code, CASE kind WHEN 'excellent' THEN 'excellent_products' "
        f"ELSE 'technology_achievements' END, published_on FROM {sel} WHERE year <= %s", [year, year])
    frame = frame.rename({"on_date": "on"})
    return _dates(frame, "on").with_columns(pl.col("division_code").cast(pl.String), pl.col("kind").cast(pl.String))
