"""Number formatting shared by the table, the rating reasons and the narrative.

Every number a person reads is produced by ``fixed_expr`` (columnar) and stored in a ``*_text``
column; ratings and narrative only ever print those columns, so a sentence can never disagree with
the table. Rounding is 四舍五入 (half away from zero), as Chinese statistical releases round.
"""

from __future__ import annotations

import polars as pl

MAX_DECIMALS = 4


def _fixed_const(expr: pl.Expr, decimals: int) -> pl.Expr:
    """``expr`` as a string with exactly ``decimals`` decimals (no thousands separators)."""
    rounded = expr.round(decimals, mode="half_away_from_zero")
    factor = 10**decimals
    scaled = (rounded.abs() * factor).round(0, mode="half_away_from_zero").cast(pl.Int64)
    integer = (scaled // factor).cast(pl.String)
    if decimals > 0:
        frac = (scaled % factor).cast(pl.String).str.zfill(decimals)
        body = pl.concat_str([integer, pl.lit("."), frac])
    else:
        body = integer
    sign = pl.when((rounded < 0) & (scaled > 0)).then(pl.lit("-")).otherwise(pl.lit(""))
    return pl.when(expr.is_null() | expr.is_nan()).then(None).otherwise(pl.concat_str([sign, body]))


def fixed_expr(expr: pl.Expr, decimals: int | str | pl.Expr) -> pl.Expr:
    """Format ``expr`` with a constant number of decimals or a per-row decimals column."""
    if isinstance(decimals, int):
        return _fixed_const(expr, decimals)
    dec = pl.col(decimals) if isinstance(decimals, str) else decimals
    out = pl.when(dec == 0).then(_fixed_const(expr, 0))
    for d in range(1, MAX_DECIMALS + 1):
        out = out.when(dec == d).then(_fixed_const(expr, d))
    return out.otherwise(None)


def fixed(value: float | None, decimals: int) -> str | None:
    """Scalar form of ``fixed_expr`` (same code path), for labels outside a frame."""
    s = pl.DataFrame({"v": [value]}, schema={"v": pl.Float64})
    return s.select(fixed_expr(pl.col("v"), decimals)).item()


def published(expr: pl.Expr, decimals: str = "precision") -> pl.Expr:
    """The value as published: rounded (四舍五入) to the per-row number of decimals."""
    dec = pl.col(decimals)
    out = pl.when(dec == 0).then(expr.round(0, mode="half_away_from_zero"))
    for d in range(1, MAX_DECIMALS + 1):
        out = out.when(dec == d).then(expr.round(d, mode="half_away_from_zero"))
    return out.otherwise(expr)


def period_label(month: int) -> str:
    """1–N月 as Chinese releases write it: ``1—6月``; January alone is ``1月``."""
    return "1月" if month == 1 else f"1—{month}月"


def add_display_columns(frame: pl.DataFrame) -> pl.DataFrame:
    """Add the text columns every reader uses.

    Needs the engine output joined with the catalogue attributes ``display_scale``,
    ``display_precision``, ``precision`` and ``kind``. Texts of changes and gaps are absolute values;
    the words (提高/下降, 高于/低于) carry the sign. Level targets are printed at the indicator's
    precision; a "faster_than" target (another indicator's value) is rounded like a value.
    """
    scale = pl.col("display_scale")
    dp = "display_precision"
    ratio_like = pl.col("kind").is_in(["ratio", "relative"])
    schedule_pp = ((pl.col("progress") - pl.col("time_elapsed")) * 100).round(1, mode="half_away_from_zero")
    return frame.with_columns(
        value_text=fixed_expr(pl.col("value") / scale, dp),
        last_year_text=fixed_expr(pl.col("last_year_value") / scale, dp),
        projected_text=fixed_expr(pl.col("projected") / scale, dp),
        target_value_text=fixed_expr(pl.col("target") / scale, dp),
        # a level gap is the difference of the published numbers (67.8 − 67.5 = 0.3), as releases print it
        gap_text=pl.when(ratio_like)
        .then(fixed_expr((published(pl.col("value")) - published(pl.col("target"))).abs(), "precision"))
        .otherwise(fixed_expr(pl.col("gap").abs() / scale, dp)),
        yoy_text=pl.when(ratio_like)
        .then(fixed_expr(pl.col("yoy").abs(), "precision"))
        .otherwise(fixed_expr(pl.col("yoy").abs(), 1)),
        progress_text=fixed_expr(pl.col("progress") * 100, 1),
        time_elapsed_text=fixed_expr(pl.col("time_elapsed") * 100, 1),
        schedule_pp=schedule_pp,
        schedule_text=fixed_expr(schedule_pp.abs(), 1),
    )
