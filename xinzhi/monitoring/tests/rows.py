"""Build engine-shaped rows by hand for the rating, warning and narrative tests."""

from __future__ import annotations

import polars as pl

from xinzhi.monitoring.catalogue import load_catalogue
from xinzhi.monitoring.engine import OUTPUT_COLUMNS

SCHEMA = {
    "indicator": pl.String, "region": pl.String, "region_level": pl.String, "period": pl.String, "year": pl.Int32,
    "month": pl.Int32, "kind": pl.String, "unit": pl.String, "value": pl.Float64, "last_year_value": pl.Float64,
    "last_year_published": pl.Float64, "yoy": pl.Float64, "yoy_unit": pl.String, "target": pl.Float64,
    "comparator": pl.String, "gap": pl.Float64, "progress": pl.Float64, "time_elapsed": pl.Float64,
    "projected": pl.Float64, "rank": pl.Int64, "peer_count": pl.UInt32, "peer_mean": pl.Float64,
    "precision": pl.Int64, "direction": pl.String, "available": pl.Boolean, "seasonal_elapsed": pl.Float64,
    "coverage_missing": pl.Int64,
}


def row(indicator: str, value: float | None, target: float | None = None, month: int = 6, **kw) -> dict:
    """One engine row; kind, unit, precision, direction and comparator come from the catalogue."""
    ind = load_catalogue()[indicator]
    out = {c: None for c in OUTPUT_COLUMNS}
    out.update(
        indicator=indicator, region="330000", region_level="province", period=f"2025-{month:02d}", year=2025,
        month=month, kind=ind.kind, unit=ind.unit, value=value, target=target,
        comparator=(ind.target or {}).get("comparator") if target is not None else None,
        gap=None if value is None or target is None else value - target,
        progress=value / target if ind.kind in ("count", "amount") and value is not None and target else None,
        time_elapsed=month / 12, precision=ind.precision, direction=ind.direction, available=ind.available,
        yoy_unit="百分点" if ind.kind in ("ratio", "relative") else "%",
    )
    out.update(kw)
    return out


def frame(*rows: dict) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=SCHEMA)
