"""The closed loop's funnel, stage times and stalled items — pure and columnar (Polars, no Django).

Input: one row per problem with ``division_code`` (county), ``cluster_code`` (may be null), the stage dates
of :data:`xinzhi.programs.loop.FUNNEL` (``posed_at`` … ``market_at``, null when not reached),
``withdrawn_at`` and ``last_step_at`` (the date of its latest recorded step). Everything is *as of* a date:
a stage counts when its date is on or before it, so the funnel of a past day does not change later.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from .loop import FUNNEL, MARKET, VERIFIED

STAGE_COLS = [col for _, col in FUNNEL]


def _dates(frame: pl.DataFrame) -> pl.DataFrame:
    cols = [*STAGE_COLS, "withdrawn_at", "last_step_at"]
    return frame.with_columns([_date(frame, c) for c in cols])


def _date(frame: pl.DataFrame, col: str) -> pl.Expr:
    """A date column from what SQL hands back (SQLite: ISO text; empty: Null); absent: all null."""
    if col not in frame.columns:
        return pl.lit(None, pl.Date).alias(col)
    dtype = frame.schema[col]
    if dtype == pl.String:
        return pl.col(col).str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False)
    if dtype == pl.Datetime:
        return pl.col(col).dt.date()
    return pl.col(col).cast(pl.Date)


def as_of(frame: pl.DataFrame, on: dt.date) -> pl.DataFrame:
    """Stage dates after ``on`` are blanked: the problem as it stood that day (posed after it: dropped)."""
    frame = _dates(frame).with_columns(
        pl.col("division_code").cast(pl.String),
        (pl.col("cluster_code") if "cluster_code" in frame.columns else pl.lit(None)).cast(pl.String).alias("cluster_code"),
    ).filter(pl.col("posed_at") <= on)
    return frame.with_columns([
        pl.when(pl.col(c) <= on).then(pl.col(c)).alias(c) for c in [*STAGE_COLS, "withdrawn_at"]
    ]).with_columns(
        last_step_at=pl.max_horizontal([*STAGE_COLS, "withdrawn_at",
                                        pl.when(pl.col("last_step_at") <= on).then(pl.col("last_step_at"))]),
    )


def _groups(frame: pl.DataFrame, by: str) -> pl.DataFrame:
    """The grouping column ``group`` for ``by`` = province / city / county / cluster / year."""
    code = pl.col("division_code").cast(pl.String)
    key = {
        "province": pl.concat_str([code.str.slice(0, 2), pl.lit("0000")]),
        "city": pl.concat_str([code.str.slice(0, 4), pl.lit("00")]),
        "county": code,
        "cluster": pl.col("cluster_code").cast(pl.String).fill_null(""),
        "year": pl.col("posed_at").dt.year().cast(pl.String),
    }[by]
    return frame.with_columns(group=key)


def funnel(frame: pl.DataFrame, on: dt.date, by: str = "province") -> pl.DataFrame:
    """Counts per stage (posed, vetted, published, answered, contracted, verified, market) per group, as of ``on``.

    A problem counts at every stage it has reached; the columns never increase left to right.
    """
    data = _groups(as_of(frame, on), by)
    return (
        data.group_by("group")
        .agg([pl.col(col).is_not_null().sum().cast(pl.Int64).alias(stage) for stage, col in FUNNEL])
        .sort("group")
    )


def stage_days(frame: pl.DataFrame, on: dt.date) -> pl.DataFrame:
    """Median and count of days from each stage to the next, over the problems that reached both by ``on``."""
    data = as_of(frame, on)
    rows = []
    for (stage, col), (nxt, nxt_col) in zip(FUNNEL, FUNNEL[1:], strict=False):
        days = (pl.col(nxt_col) - pl.col(col)).dt.total_days()
        rows.append(data.select(
            pl.lit(stage).alias("from_stage"), pl.lit(nxt).alias("to_stage"),
            days.median().alias("median_days"), days.is_not_null().sum().cast(pl.Int64).alias("problems"),
        ))
    return pl.concat(rows)


def stalled(frame: pl.DataFrame, on: dt.date, days: int, first_evaluation_months: int = 6) -> pl.DataFrame:
    """Open problems whose latest step is more than ``days`` days before ``on`` (withdrawn and market-evaluated
    problems are never stalled). A verified problem waits for its first market evaluation
    (``first_evaluation_months`` after acceptance) before its idle days start. Adds ``idle_days`` and
    ``stage`` (the latest stage reached)."""
    data = as_of(frame, on)
    stage = pl.lit(None, pl.String)
    for name, col in FUNNEL:
        stage = pl.when(pl.col(col).is_not_null()).then(pl.lit(name)).otherwise(stage)
    due = pl.col("verified_at").dt.offset_by(f"{first_evaluation_months}mo")
    since = pl.when(stage == VERIFIED).then(pl.max_horizontal("last_step_at", due)).otherwise(pl.col("last_step_at"))
    idle = (pl.lit(on) - since).dt.total_days()
    return (
        data.with_columns(stage=stage, idle_days=idle)
        .filter(pl.col("withdrawn_at").is_null() & (pl.col("stage") != MARKET) & (pl.col("idle_days") > days))
        .sort("idle_days", descending=True)
    )
