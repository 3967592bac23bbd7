"""What-if over the register (pure: no Django): the same engine run twice, with the live parameters and with
a changed copy (``ParameterTree.with_overrides``), compared per region and programme — so a changed
threshold is seen by every programme that reads it (the lists, the pool, the tax incentives alike).

The rules, the lists' rows and their sentences are :mod:`xinzhi.policy` (``register.screen_all`` /
``register.long_results``); nothing is rewritten here.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import polars as pl

from xinzhi.policy.explain import param_text
from xinzhi.policy.params import ParameterTree
from xinzhi.policy.programmes import REGISTRY
from xinzhi.policy.register import screen_all

__all__ = ["compare", "numeric_parameters", "screen_all"]


def compare(before: pl.DataFrame, after: pl.DataFrame, group: str = "city_code") -> pl.DataFrame:
    """Per region and programme: eligible before/after, newly eligible, no longer eligible, fiscal cost (yuan).

    Both frames come from :func:`screen_all` on the same rows (with ``group``). The fiscal cost of a programme
    is its benefit column (the registry's ``benefit_column``) summed over the eligible rows.
    """
    parts = []
    for p in REGISTRY:
        flag = f"{p.key}.eligible"
        b, a = before[flag].fill_null(False), after[flag].fill_null(False)
        zero = pl.Series([0] * before.height, dtype=pl.Int64)
        cost_b = before[p.benefit_column].cast(pl.Int64).fill_null(0) if p.benefit_column else zero
        cost_a = after[p.benefit_column].cast(pl.Int64).fill_null(0) if p.benefit_column else zero
        frame = pl.DataFrame({group: before[group], "b": b, "a": a,
                              "cost_b": cost_b * b.cast(pl.Int64), "cost_a": cost_a * a.cast(pl.Int64)})
        parts.append(frame.group_by(group).agg(
            program=pl.lit(p.key), program_label=pl.lit(p.label),
            eligible_before=pl.col("b").sum(), eligible_after=pl.col("a").sum(),
            newly_eligible=(pl.col("a") & ~pl.col("b")).sum(), no_longer_eligible=(pl.col("b") & ~pl.col("a")).sum(),
            cost_before=pl.col("cost_b").sum() // 100, cost_after=pl.col("cost_a").sum() // 100,
        ))
    out = pl.concat(parts).with_columns(cost_change=pl.col("cost_after") - pl.col("cost_before"))
    return out.sort(["program", group])


def numeric_parameters(tree: ParameterTree, on: date) -> list[dict[str, Any]]:
    """Scalar thresholds and rates in force on ``on`` that a what-if may change: name (the form's value),
    Chinese description, the value as it reads, and the raw value."""
    out = []
    view = tree.at(on)
    for param in tree:
        if not param.in_force(on):
            continue
        value = view(param.name)
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            continue
        out.append({"name": param.name, "value": str(value), "value_text": param_text(view, param.name),
                    "description": param.description, "unit": param.unit})
    return out
