"""The cultivation chain (培育链路): which holders of one level meet, or nearly meet, the next level's
recognition criteria, and by how much they miss — columnar (Polars), no Django.

``assess(frame, checks, near_share)`` takes one row per candidate with the metric columns the checks read
(``revenue``, ``rd_expense``, ``rd_intensity``, ``rd_staff``, ``equipment_value``, ``rd_floor_area``,
``invention_patents``, ``years_as_provincial_tech_centre``, ``holds_level`` as a list) and the checks of
``criteria.toml`` for the next level. It adds:

* ``met`` — every check passes;
* ``near`` — not met, every failed or unknown check is a numeric threshold (not a prerequisite) and its
  value is at least ``near_share`` of the threshold (an unknown value is never near);
* ``failed`` — the labels of the checks not passed (不符合 or 缺少数据);
* ``gaps`` — one sentence per check missed: how much is missing, in the check's unit.

    >>> import polars as pl
    >>> checks = [{"label": "研发人员", "metric": "rd_staff", "op": ">=", "threshold": 50, "unit": "人"}]
    >>> out = assess(pl.DataFrame({"rd_staff": [60, 45, 20, None]}), checks, 0.8)
    >>> out.select("met", "near", "gaps").rows()
    [(True, False, ''), (False, True, '研发人员还差5人'), (False, False, '研发人员还差30人'), (False, False, '研发人员缺少数据')]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import polars as pl

OPS = {">=": lambda c, t: c >= t, ">": lambda c, t: c > t, "<=": lambda c, t: c <= t, "<": lambda c, t: c < t}


def _amount(gap: pl.Expr, unit: str) -> pl.Expr:
    """A gap in the check's unit as text (money in 万元)."""
    if unit == "元":
        return (gap / 10_000).round(1).cast(pl.String) + pl.lit("万元")
    if unit == "%":
        return gap.round(2).cast(pl.String) + pl.lit("个百分点")
    return gap.ceil().cast(pl.Int64).cast(pl.String) + pl.lit(unit)


def _one(alt: Mapping[str, Any], near_share: float) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """(passed: bool|null, near: bool, gap text) of one alternative."""
    value = pl.col(alt["metric"])
    if alt["op"] == "in":
        wanted = [str(v) for v in alt["threshold"]]
        passed = value.list.eval(pl.element().is_in(wanted)).list.any().fill_null(False)
        return passed, pl.lit(False), pl.lit("须已是") + pl.lit("或".join(wanted))
    threshold = float(Decimal(str(alt["threshold"])))
    value = value.cast(pl.Float64)
    passed = OPS[alt["op"]](value, threshold)
    if alt["op"] in (">=", ">"):
        gap = pl.lit(threshold) - value
        near = value >= threshold * near_share
    else:
        gap = value - pl.lit(threshold)
        near = value <= threshold / near_share
    return passed, near.fill_null(False), pl.lit("还差") + _amount(gap, alt.get("unit", ""))


def assess(frame: pl.DataFrame, checks: Sequence[Mapping[str, Any]], near_share: float) -> pl.DataFrame:
    """Add ``met``, ``near``, ``failed`` and ``gaps`` (see the module docstring)."""
    passed_cols, near_cols, failed_parts, gap_parts = [], [], [], []
    for i, spec in enumerate(checks):
        alternatives = spec.get("any") or [spec]
        parts = [_one(alt, near_share) for alt in alternatives]
        known = [p.is_not_null() for p, _, _ in parts]
        passed = pl.any_horizontal([p.fill_null(False) for p, _, _ in parts])
        # unknown when nothing passed and some alternative is unknown
        passed = pl.when(passed).then(True).when(pl.all_horizontal(known)).then(False).otherwise(None)
        near = pl.any_horizontal([n for _, n, _ in parts])
        gap_text = parts[0][2]
        for _passed, n, text in parts[1:]:  # the first alternative that is near speaks for the check
            gap_text = pl.when(n & ~parts[0][1]).then(text).otherwise(gap_text)
        label = pl.lit(spec["label"])
        passed_cols.append(passed.alias(f"_passed{i}"))
        near_cols.append(near.alias(f"_near{i}"))
        failed_parts.append(pl.when(~pl.col(f"_passed{i}").fill_null(False)).then(label))
        gap_parts.append(
            pl.when(pl.col(f"_passed{i}").is_null()).then(label + pl.lit("缺少数据"))
            .when(pl.col(f"_passed{i}") == False).then(label + gap_text)  # noqa: E712
        )
    out = frame.with_columns(passed_cols + near_cols)
    every = pl.all_horizontal([pl.col(f"_passed{i}").fill_null(False) for i in range(len(checks))])
    closable = pl.all_horizontal([pl.col(f"_passed{i}").fill_null(False) | (pl.col(f"_near{i}") & pl.col(f"_passed{i}").is_not_null())
                                  for i in range(len(checks))])
    out = out.with_columns(
        met=every,
        near=~every & closable,
        failed=pl.concat_str(failed_parts, separator="、", ignore_nulls=True),
        gaps=pl.concat_str(gap_parts, separator="；", ignore_nulls=True),
    )
    return out.drop([c for c in out.columns if c.startswith(("_passed", "_near"))])
