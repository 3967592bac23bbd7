"""The indicator catalogue, kept as data in ``data/indicators.toml`` (seed tasks 1, 15, 16).

Pure module: no Django imports. ``load_catalogue()`` reads the TOML once; ``Catalogue.frame()``
gives the per-indicator attributes as a Polars frame so the engine and the ratings join them onto
their results instead of looking them up row by row.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import polars as pl

DATA_DIR = Path(__file__).resolve().parent / "data"
LEVELS = ("province", "city", "county", "cluster", "category")
KINDS = ("ratio", "amount", "count", "relative")
COMPARATORS = (">", ">=", "about", "faster_than")


class CatalogueError(ValueError):
    pass


@dataclass(frozen=True)
class Indicator:
    id: str
    name_zh: str
    short_zh: str
    name_en: str
    unit: str
    direction: str
    kind: str
    source: str
    frequency: str
    precision: int
    levels: tuple[str, ...]
    available: bool = True
    scale: float = 1.0
    numerator: dict[str, Any] | None = None
    denominator: dict[str, Any] | None = None
    count: dict[str, Any] | None = None
    growth_of: str | None = None
    target: dict[str, Any] | None = None
    goal: dict[str, Any] | None = None
    display_scale: float = 1.0
    display_unit: str | None = None
    display_precision: int | None = None

@dataclass(frozen=True)
class Catalogue:
    version: str
    indicators: dict[str, Indicator]
    citations: dict[str, str] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Indicator:
        return self.indicators[key]

    def __iter__(self):
        return iter(self.indicators.values())

    def citation(self, indicator: Indicator) -> str | None:
        if not indicator.target:
            return None
        key = indicator.target.get("citation")
        return self.citations.get(key, key)

    def frame(self) -> pl.DataFrame:
        """One row per indicator with the attributes the engine, ratings and narrative need."""
        rows = []
        for ind in self:
            t = ind.target or {}
            rows.append(
                {
                    "indicator": ind.id,
                    "name_zh": ind.name_zh,
                    "short_zh": ind.short_zh,
                    "unit": ind.unit,
                    "direction": ind.direction,
                    "kind": ind.kind,
                    "available": ind.available,
                    "precision": ind.precision,
                    "display_scale": float(ind.display_scale),
                    "display_unit": ind.display_unit or ind.unit,
                    "display_precision": ind.display_precision if ind.display_precision is not None else ind.precision,
                    "target_year": t.get("year"),
                    "comparator": t.get("comparator"),
                    "target_value": float(t["value"]) if "value" in t else None,
                    "target_indicator": t.get("indicator"),
                    "target_text": t.get("text"),
                    "source": ind.source,
                }
            )
        schema = {
            "indicator": pl.String, "name_zh": pl.String, "short_zh": pl.String, "unit": pl.String,
            "direction": pl.String, "kind": pl.String, "available": pl.Boolean, "precision": pl.Int64,
            "display_scale": pl.Float64, "display_unit": pl.String, "display_precision": pl.Int64,
            "target_year": pl.Int64, "comparator": pl.String, "target_value": pl.Float64,
            "target_indicator": pl.String, "target_text": pl.String, "source": pl.String,
        }
        return pl.DataFrame(rows, schema=schema)


def _indicator(key: str, raw: dict[str, Any]) -> Indicator:
    try:
        ind = Indicator(
            id=key,
            name_zh=raw["name_zh"],
            short_zh=raw.get("short_zh", raw["name_zh"]),
            name_en=raw["name_en"],
            unit=raw["unit"],
            direction=raw["direction"],
            kind=raw["kind"],
            source=raw["source"],
            frequency=raw["frequency"],
            precision=int(raw["precision"]),
            levels=tuple(raw["levels"]),
            available=bool(raw.get("available", True)),
            scale=float(raw.get("scale", 1.0)),
            numerator=raw.get("numerator"),
            denominator=raw.get("denominator"),
            count=raw.get("count"),
            growth_of=raw.get("growth_of"),
            target=raw.get("target"),
            goal=raw.get("goal"),
            display_scale=float(raw.get("display_scale", 1.0)),
            display_unit=raw.get("display_unit"),
            display_precision=raw.get("display_precision"),
        )
    except KeyError as exc:  # pragma: no cover - a malformed catalogue is a deployment error
        raise CatalogueError(f"indicator {key}: missing {exc}") from exc
    _check(ind)
    return ind


def _check(ind: Indicator) -> None:
    if ind.kind not in KINDS:
        raise CatalogueError(f"{ind.id}: kind {ind.kind!r} not in {KINDS}")
    if ind.direction not in ("higher", "lower"):
        raise CatalogueError(f"{ind.id}: direction must be higher or lower")
    if bad := set(ind.levels) - set(LEVELS):
        raise CatalogueError(f"{ind.id}: unknown levels {bad}")
    if ind.target and ind.target.get("comparator") not in COMPARATORS:
        raise CatalogueError(f"{ind.id}: comparator {ind.target.get('comparator')!r} not in {COMPARATORS}")
    if ind.available and ind.kind == "ratio" and not (ind.numerator and ind.denominator):
        raise CatalogueError(f"{ind.id}: a ratio needs a numerator and a denominator")
    if ind.kind == "relative" and not ind.growth_of:
        raise CatalogueError(f"{ind.id}: a relative indicator needs growth_of")


def parse_catalogue(data: dict[str, Any]) -> Catalogue:
    indicators = {key: _indicator(key, raw) for key, raw in data["indicators"].items()}
    for ind in indicators.values():
        refs = [ind.growth_of, (ind.target or {}).get("indicator")]
        for ref in filter(None, refs):
            if ref not in indicators:
                raise CatalogueError(f"{ind.id}: refers to unknown indicator {ref}")
    return Catalogue(version=str(data.get("version", "")), indicators=indicators, citations=data.get("citations", {}))


@lru_cache(maxsize=4)
def load_catalogue(path: str | Path | None = None) -> Catalogue:
    """Read ``indicators.toml`` (or another catalogue file with the same shape)."""
    with open(path or DATA_DIR / "indicators.toml", "rb") as fh:
        return parse_catalogue(tomllib.load(fh))


@lru_cache(maxsize=4)
def load_rules(path: str | Path | None = None) -> dict[str, Any]:
    """Read the 红黄蓝 rule set ``ratings.toml`` (shared/domain/ratings.md)."""
    with open(path or DATA_DIR / "ratings.toml", "rb") as fh:
        return tomllib.load(fh)


PARAMETERS_DIR = DATA_DIR / "parameters"


@lru_cache(maxsize=1)
def monitoring_parameters():
    """The dated parameters the engine reads: the policy parameters (e.g. ``hte.validity_years``, 32号)
    and the monitoring ones in ``data/parameters/`` (e.g. ``monitoring.new_hte_target_basis``)."""
    from xinzhi.policy.params import ParameterTree, load_parameters, read_parameters

    merged = {p.name: p for p in load_parameters()}
    merged |= {p.name: p for p in read_parameters(PARAMETERS_DIR)}
    return ParameterTree(merged)
