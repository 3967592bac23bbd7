"""Plausibility checks (核实性审核) of imported figures: rules and thresholds as data, checks as frames.

The rules are in ``xinzhi/core/data/plausibility.toml`` (listed in docs/security.md). Each names a
*check* implemented here as a Polars computation over a **series**: the file's rows of one kind merged
with the stored rows of the same groups (an enterprise's, project's or county's months; a file row
replaces the stored row of its month), sorted by group, year and month. Only file rows are flagged.
A flag has severity ``flag`` (not an error): the rows are written once the importer explains them.

Pure module: no Django. The kinds build the series (``ImportKind.plausibility_series``).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import polars as pl

from .parsing import ROW, empty_issues, issues_where

RULES_FILE = Path(__file__).resolve().parents[1] / "data" / "plausibility.toml"
GROUP, REVISION, INDEX = "_group", "_revision", "_index"
CHECKS = ("history_ratio", "month_jump", "ytd_below_previous", "ytd_above_later", "field_above")
LEVELS = ("flag", "error")
_PLACEHOLDER = re.compile(r"\{(value|reference|reference_period|ratio|other)\}")


class RuleError(ValueError):
    pass


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    check: str
    level: str
    message: str
    fields: dict[str, tuple[str, ...]]  # import kind → parsed columns checked
    params: dict[str, Any] = field(default_factory=dict)
    verified: bool = False

    def fields_for(self, kind: str) -> tuple[str, ...]:
        return self.fields.get(kind, ())


@lru_cache(maxsize=4)
def load_rules(path: Path = RULES_FILE) -> tuple[Rule, ...]:
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    rules = []
    for raw in data.get("rule", []):
        raw = dict(raw)
        try:
            rule = Rule(
                id=raw.pop("id"), name=raw.pop("name"), check=raw.pop("check"), level=raw.pop("level", "flag"),
                message=raw.pop("message"), fields={k: tuple(v) for k, v in raw.pop("fields").items()},
                verified=bool(raw.pop("verified", False)), params=raw,
            )
        except KeyError as exc:
            raise RuleError(f"plausibility rule without {exc}: {raw}") from None
        if rule.check not in CHECKS:
            raise RuleError(f"rule {rule.id}: unknown check {rule.check!r}")
        if rule.level not in LEVELS:
            raise RuleError(f"rule {rule.id}: level must be one of {LEVELS}")
        unknown = set(_PLACEHOLDER.findall(rule.message)) ^ set(re.findall(r"\{(\w+)\}", rule.message))
        if unknown:
            raise RuleError(f"rule {rule.id}: unknown placeholders {unknown}")
        rules.append(rule)
    if len({r.id for r in rules}) != len(rules):
        raise RuleError("plausibility rule ids must be unique")
    return tuple(rules)


def rules_for(kind: str) -> list[Rule]:
    return [r for r in load_rules() if r.fields_for(kind)]


# -- the series ------------------------------------------------------------------------------------
def build_series(incoming: pl.DataFrame, stored: pl.DataFrame, group: str, values: Sequence[str],
                 revision: str | None = "is_revision", extra: Sequence[str] = ()) -> pl.DataFrame:
    """File rows (with ``_row``) and stored rows (``_row`` null) of the same groups, one row per month.

    Columns: ``_row, _group, year, month, _index`` (year·12+month), the ``values``, ``_revision``
    (file rows marked 是否修订=是) and ``extra`` columns (file rows only, e.g. a project's plan).
    """
    values = [v for v in values if v in incoming.columns]
    keep = [c for c in extra if c in incoming.columns]
    file_part = incoming.filter(pl.col("year").is_not_null() & pl.col(group).is_not_null()).select(
        ROW, pl.col(group).alias(GROUP), pl.col("year").cast(pl.Int64), pl.col("month").cast(pl.Int64),
        *[pl.col(v).cast(pl.Int64) for v in values],
        (pl.col(revision).fill_null(False) if revision and revision in incoming.columns else pl.lit(False)).alias(REVISION),
        *keep,
    )
    stored_part = stored.select(
        pl.lit(None, dtype=pl.Int64).alias(ROW), pl.col(group).cast(file_part.schema[GROUP]).alias(GROUP),
        pl.col("year").cast(pl.Int64), pl.col("month").cast(pl.Int64),
        *[(pl.col(v) if v in stored.columns else pl.lit(None)).cast(pl.Int64).alias(v) for v in values],
        pl.lit(False).alias(REVISION), *[pl.lit(None).cast(file_part.schema[c]).alias(c) for c in keep],
    ).join(file_part.select(GROUP, "year", "month"), on=[GROUP, "year", "month"], how="anti")
    series = pl.concat([file_part, stored_part], how="vertical_relaxed")
    series = series.unique([GROUP, "year", "month"], keep="first", maintain_order=True)  # duplicates: errors elsewhere
    return series.with_columns((pl.col("year") * 12 + pl.col("month")).alias(INDEX)).sort(GROUP, INDEX)


def plausibility_issues(kind: str, series: pl.DataFrame | None, headers: dict[str, str]) -> pl.DataFrame:
    """Every rule of ``kind`` on its series; ``headers``: parsed column → Chinese header."""
    if series is None or series.height == 0:
        return empty_issues()
    rules = rules_for(kind)
    series = enrich(series, sorted({v for r in rules for v in r.fields_for(kind) if v in series.columns}))
    out = []
    for rule in rules:
        for value in rule.fields_for(kind):
            if value not in series.columns:
                continue
            flagged = CHECK_FUNCTIONS[rule.check](series, value, rule)
            if flagged.height:
                out.append(issues_where(flagged, pl.lit(True), headers.get(value, value), _message(rule),
                                        "error" if rule.level == "error" else "flag"))
    return pl.concat(out) if out else empty_issues()


def _message(rule: Rule) -> pl.Expr:
    """The rule's message as an expression over the columns a check leaves: ``_value``, ``_ref``, …"""
    columns = {"value": "_value", "reference": "_ref", "reference_period": "_ref_period", "ratio": "_ratio",
               "other": "_other"}
    names = _PLACEHOLDER.findall(rule.message)
    template = _PLACEHOLDER.sub("{}", rule.message)
    return pl.format(template, *[pl.col(columns[n]).cast(pl.String) for n in names]) if names else pl.lit(template)


def _period_text(index: pl.Expr) -> pl.Expr:
    year, month = (index - 1) // 12, (index - 1) % 12 + 1
    return pl.format("{}年{}月", year, month)


def _ratio_text(ratio: pl.Expr) -> pl.Expr:
    """``1234.5`` → "1235", ``0.0004`` → "1/2500" (how many times, rounded)."""
    return (pl.when(ratio >= 1).then(ratio.round(0).cast(pl.Int64).cast(pl.String))
            .otherwise(pl.lit("1/") + (1 / ratio).round(0).cast(pl.Int64).cast(pl.String)))


def enrich(series: pl.DataFrame, values: Sequence[str]) -> pl.DataFrame:
    """The neighbours every check compares with, computed once: the series is sorted by group and month, so
    the row before (after) is the group's previous (next) month when the group — and, for ``_y*``, the
    year — is the same. Plain shifts, no window functions (a province's filings are 180,000 rows)."""
    group, year = pl.col(GROUP), pl.col("year")
    same1, same2, same_next = group.shift(1) == group, group.shift(2) == group, group.shift(-1) == group
    exprs = [
        same1.alias("_g1"), (same1 & (year.shift(1) == year)).alias("_y1"),
        (same2 & (year.shift(2) == year)).alias("_y2"), (same_next & (year.shift(-1) == year)).alias("_yn"),
        pl.col(INDEX).shift(1).alias("_i1"), pl.col(INDEX).shift(2).alias("_i2"), pl.col(INDEX).shift(-1).alias("_in"),
        pl.col(ROW).shift(-1).alias("_rn"),
    ]
    for v in values:
        exprs += [pl.col(v).shift(1).alias(f"_p1:{v}"), pl.col(v).shift(2).alias(f"_p2:{v}"),
                  pl.col(v).shift(-1).alias(f"_n:{v}")]
    return series.with_columns(exprs)


def _enriched(series: pl.DataFrame, value: str) -> pl.DataFrame:
    return series if f"_p1:{value}" in series.columns else enrich(series, [value])


def history_ratio(series: pl.DataFrame, value: str, rule: Rule) -> pl.DataFrame:
    """Monthly average against the nearest earlier month's (within ``within_months``)."""
    ratio_limit, within = float(rule.params.get("ratio", 500)), int(rule.params.get("within_months", 12))
    s = _enriched(series, value)
    prev, prev_index = pl.col(f"_p1:{value}"), pl.col("_i1")
    average = pl.col(value) / pl.col("month")
    reference = prev / ((prev_index - 1) % 12 + 1)  # months in the earlier YTD figure
    ratio = average / reference
    hit = (pl.col(ROW).is_not_null() & pl.col("_g1") & (average > 0) & (reference > 0)
           & (pl.col(INDEX) - prev_index <= within) & ((ratio >= ratio_limit) | (ratio <= 1 / ratio_limit)))
    return s.filter(hit.fill_null(False)).with_columns(
        average.round(0).cast(pl.Int64).alias("_value"), reference.round(0).cast(pl.Int64).alias("_ref"),
        _period_text(prev_index).alias("_ref_period"), _ratio_text(ratio).alias("_ratio"),
    )


def month_jump(series: pl.DataFrame, value: str, rule: Rule) -> pl.DataFrame:
    """This month's own value (YTD − last month's YTD) against last month's own value, within a year."""
    factor, min_base = float(rule.params.get("factor", 5)), float(rule.params.get("min_base", 0))
    s = _enriched(series, value)
    prev, prev2 = pl.col(f"_p1:{value}"), pl.col(f"_p2:{value}")
    consecutive = pl.col("_y1") & (pl.col(INDEX) - pl.col("_i1") == 1)
    own = pl.col(value) - prev
    # last month's own value: its YTD minus the month before (or, for January, the YTD itself)
    prev_own = (pl.when(pl.col("month") == 2).then(prev)
                .when(pl.col("_y2") & (pl.col("_i1") - pl.col("_i2") == 1)).then(prev - prev2))
    hit = (pl.col(ROW).is_not_null() & consecutive & (prev_own >= max(min_base, 1)) & (own >= 0)
           & ((own > factor * prev_own) | (own * factor < prev_own)))
    return s.filter(hit.fill_null(False)).with_columns(
        own.alias("_value"), prev_own.alias("_ref"), _period_text(pl.col("_i1")).alias("_ref_period"),
        _ratio_text(own / prev_own).alias("_ratio"),
    )


def ytd_below_previous(series: pl.DataFrame, value: str, rule: Rule) -> pl.DataFrame:
    """A year-to-date value below the nearest earlier month of the same year, not marked as a revision."""
    s = _enriched(series, value)
    prev = pl.col(f"_p1:{value}")
    hit = pl.col(ROW).is_not_null() & pl.col("_y1") & ~pl.col(REVISION) & (pl.col(value) < prev)
    return s.filter(hit.fill_null(False)).with_columns(
        pl.col(value).alias("_value"), prev.alias("_ref"), _period_text(pl.col("_i1")).alias("_ref_period"),
    )


def ytd_above_later(series: pl.DataFrame, value: str, rule: Rule) -> pl.DataFrame:
    """A year-to-date value above the nearest later **stored** month of the same year."""
    s = _enriched(series, value)
    following = pl.col(f"_n:{value}")
    hit = pl.col(ROW).is_not_null() & pl.col("_yn") & pl.col("_rn").is_null() & (pl.col(value) > following)
    return s.filter(hit.fill_null(False)).with_columns(
        pl.col(value).alias("_value"), following.alias("_ref"), _period_text(pl.col("_in")).alias("_ref_period"),
    )


def field_above(series: pl.DataFrame, value: str, rule: Rule) -> pl.DataFrame:
    """One column of a file row above another of the same row (``other``)."""
    other = rule.params["other"]
    if other not in series.columns:
        return series.clear()
    hit = pl.col(ROW).is_not_null() & (pl.col(value) > pl.col(other))
    return series.filter(hit.fill_null(False)).with_columns(pl.col(value).alias("_value"), pl.col(other).alias("_other"))


CHECK_FUNCTIONS = {f.__name__: f for f in (history_ratio, month_jump, ytd_below_previous, ytd_above_later, field_above)}
