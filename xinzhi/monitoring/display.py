"""Number formatting shared by the table, the rating reasons and the narrative.

Every number a person reads is produced by ``fixed_expr`` (columnar) and stored in a ``*_text``
column; ratings and narrative only ever print those columns, so a sentence can never disagree with
the table. Rounding is 四舍五入 (half away from zero), as Chinese statistical releases round.
"""

from __future__ import annotations

import polars as pl

from xinzhi.core.numbers import _decimals, _units, fixed, fixed_expr  # noqa: F401  (one definition)


def published(expr: pl.Expr, decimals: str | int | pl.Expr = "precision") -> pl.Expr:
    """The value as published: rounded (四舍五入, as ``fixed_expr`` prints it) to the per-row decimals."""
    dec = _decimals(decimals)
    value = _units(expr, dec).cast(pl.Float64) / pl.lit(10.0).pow(dec.cast(pl.Float64))
    return pl.when(expr < 0).then(-value).otherwise(value)


def period_label(month: int) -> str:
    """1–N月 as Chinese releases write it: ``1—6月``; January alone is ``1月``."""
    return "1月" if month == 1 else f"1—{month}月"


def unsigned(text: str | None) -> str | None:
    """A signed display text without its sign, for prose where a word (提高/下降) carries it."""
    return None if text is None else text.lstrip("+-")


COMPARATOR_TEXT = {">": "超过{t}{u}", ">=": "不低于{t}{u}", "about": "{t}{u}左右"}


def target_text_expr() -> pl.Expr:
    """The region's own target as a reader sees it, at the indicator's precision: 超过73.7% / 不低于40%
    / 16%左右 / 快于固定资产投资增速 / 5,000个. Trailing zeros of a level target are dropped (40%, as the
    work plan writes it). Needs ``target``, ``comparator``, ``kind``, ``display_*`` and ``ref_short_zh``."""
    level = fixed_expr(published(pl.col("target")), "precision").str.replace(r"\.0+$", "").str.replace(
        r"(\.\d*?)0+$", "$1"
    )
    unit = pl.col("display_unit")
    count = pl.format("{}{}", fixed_expr(pl.col("target") / pl.col("display_scale"), "display_precision", thousands=True), unit)
    out = pl.when(pl.col("target").is_null()).then(None)
    out = out.when(pl.col("comparator") == "faster_than").then(
        pl.format("快于{}", pl.col("ref_short_zh").fill_null("对比指标"))
    )
    out = out.when(pl.col("kind").is_in(["count", "amount"])).then(count)
    for comparator, pattern in COMPARATOR_TEXT.items():
        head, _, tail = pattern.partition("{t}")
        out = out.when(pl.col("comparator") == comparator).then(
            pl.format(head + "{}" + tail.replace("{u}", "{}"), level, unit)
        )
    return out.otherwise(pl.format("{}{}", level, unit))


def add_display_columns(frame: pl.DataFrame) -> pl.DataFrame:
    """Add the text columns every reader uses.

    Needs the engine output joined with the catalogue attributes ``display_scale``,
    ``display_precision``, ``precision`` and ``kind``. ``yoy_text`` carries its sign (``-5.0``,
    ``+1.2``, ``0.0``) so every table, card, tooltip and export shows a fall as a fall; prose takes the
    unsigned form (``unsigned``) and a word (提高/下降). Gaps are unsigned: the words 高于/低于 carry
    the sign. Counts and amounts group thousands (``8,293``, ``12,345.6``). Level targets are printed at
    the indicator's precision; a "faster_than" target (another indicator's value) is rounded like a value.
    """
    scale = pl.col("display_scale")
    dp = "display_precision"
    ratio_like = pl.col("kind").is_in(["ratio", "relative"])
    schedule_pp = ((pl.col("progress") - pl.col("time_elapsed")) * 100).round(1, mode="half_away_from_zero")

    def value_like(expr: pl.Expr) -> pl.Expr:  # grouping is a no-op below 1,000 (ratios)
        return fixed_expr(expr / scale, dp, thousands=True)

    return frame.with_columns(
        value_text=value_like(pl.col("value")),
        last_year_text=value_like(pl.col("last_year_value")),
        projected_text=value_like(pl.col("projected")),
        target_value_text=value_like(pl.col("target")),
        # a level gap is the difference of the published numbers (67.8 − 67.5 = 0.3), as releases print it
        gap_text=pl.when(ratio_like)
        .then(fixed_expr((published(pl.col("value")) - published(pl.col("target"))).abs(), "precision"))
        .otherwise(fixed_expr(pl.col("gap").abs() / scale, dp, thousands=True)),
        yoy_text=pl.when(ratio_like)
        .then(fixed_expr(pl.col("yoy"), "precision", signed=True))
        .otherwise(fixed_expr(pl.col("yoy"), 1, thousands=True, signed=True)),
        progress_text=fixed_expr(pl.col("progress") * 100, 1, thousands=True),
        time_elapsed_text=fixed_expr(pl.col("time_elapsed") * 100, 1),
        schedule_pp=schedule_pp,
        schedule_text=fixed_expr(schedule_pp.abs(), 1, thousands=True),
    )
