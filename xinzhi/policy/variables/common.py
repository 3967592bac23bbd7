"""Columns several programmes read: the HTE certificate's validity, the years of data the 3-year rules
need, and band look-ups. Pure Polars over the flat frame (:mod:`xinzhi.policy.frame`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from fractions import Fraction
from typing import Any

import polars as pl

from .. import validity
from ..params import ParameterView


def i64(value: int) -> pl.Expr:
    return pl.lit(value, dtype=pl.Int64)


def certificate_expiry(v: ParameterView) -> pl.Expr:
    """Last day an HTE certificate is valid: ``validity_years`` from the issue date (国科发火〔2016〕32号) — the
    one definition monitoring, screening and sampling share (:mod:`xinzhi.policy.validity`: the years in force
    on the issue date)."""
    v.entry(validity.VALIDITY_PARAMETER)  # the trace lists the parameter read, with its citation
    return validity.expiry_expr(pl.col("hte_issue"), v.tree)


def certificate_valid_between(v: ParameterView, start: pl.Expr, end: pl.Expr) -> pl.Expr:
    """The certificate is valid at some time from ``start`` to ``end`` (both inclusive); on one day when equal."""
    issued = pl.col("hte_issue")
    return (issued.is_not_null() & (issued <= end) & (certificate_expiry(v) >= start)).fill_null(False)


def base_stage(v: ParameterView, year: int) -> dict[str, pl.Expr]:
    """Columns every later stage may read (``_`` columns are intermediates, never output)."""
    operated = pl.col("year").cast(pl.Int64) - pl.col("registration_date").dt.year().cast(pl.Int64) + 1
    expected = pl.max_horizontal(i64(1), pl.min_horizontal(i64(v("hte.rd_years")), operated))
    have = 1 + pl.col("sales_p1").is_not_null().cast(pl.Int64) + pl.col("sales_p2").is_not_null().cast(pl.Int64)
    on = pl.col("assessment_date")
    return {
        "_years_expected": expected,
        "_years_missing": pl.max_horizontal(i64(0), expected - have),
        "hte.years_missing": pl.max_horizontal(i64(0), expected - have),
        "hte.certificate_expiry": certificate_expiry(v),
        "hte.certified": certificate_valid_between(v, on, on),
        "hte.certified_in_year": certificate_valid_between(v, pl.lit(date(year, 1, 1)), pl.lit(date(year, 12, 31))),
    }


def band_expr(tests: Sequence[tuple[pl.Expr, Any]], default: Any) -> pl.Expr:
    """``when(test1) → value1, …, otherwise default``: the first band reached."""
    expr = pl.when(tests[0][0]).then(pl.lit(tests[0][1]))
    for test, value in tests[1:]:
        expr = expr.when(test).then(pl.lit(value))
    return expr.otherwise(pl.lit(default))


def lookup(index: pl.Expr, values: Sequence[int]) -> pl.Expr:
    """``values[index]`` (Int64): a gather from a literal, not a when-chain."""
    return pl.lit(pl.Series(list(values), dtype=pl.Int64)).gather(index)


def ip_band_index(class1: pl.Expr, class2: pl.Expr, bands: Sequence[Mapping[str, Any]]) -> pl.Expr:
    """Index of the first IP band reached by the counts (``class1_min`` / ``class2_min``)."""
    tests = []
    for i, b in enumerate(bands):
        if "class1_min" in b:
            tests.append((class1 >= b["class1_min"], i))
        elif "class2_min" in b:
            tests.append((class2 >= b["class2_min"], i))
    return band_expr(tests, len(bands) - 1)


def ratio_band_index(num: pl.Expr, den: pl.Expr, bands: Sequence[Mapping[str, Any]]) -> pl.Expr:
    """Index of the first band whose ``min`` (inclusive) ``num/den`` reaches (den ≤ 0 → the last band)."""
    tests = []
    for i, b in enumerate(bands):
        if "min" in b:
            t = Fraction(b["min"])
            tests.append(((den > 0) & (num * t.denominator >= den * t.numerator), i))
    return band_expr(tests, len(bands) - 1)
