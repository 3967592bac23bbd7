"""Per-project warnings (预报预警) and the tracking rates — pure: Polars frames in, frames out, no Django.

Rules and thresholds are data (``warning_rules.toml``); sources and what is NOT FOUND are cited there
(``shared/domain/pipeline_unicorns_supervision.md`` §1.5–1.6). Everything is columnar over all projects
at once.

Input frame of :func:`evaluate`, one row per project:

* ``id``, ``stage`` (reserve / registered / construction / completed);
* ``planned_start``, ``planned_completion``, ``actual_start``, ``actual_completion`` (``pl.Date``, null);
* ``annual_plan`` — planned investment of the year of ``as_of`` (yuan, null if none);
* ``ytd_completed`` — 1–N月累计完成投资 of that year at the period of ``as_of`` (null if none reported);
* ``last_report`` — month index (``year*12 + month - 1``) of the latest progress report up to the period;
* ``overdue_problems`` — supervision problems past their deadline and unresolved at ``as_of``.

The *period* of a date is its last complete month: the month itself on its last day, else the previous
month (monthly statistics are reported after the month ends).
"""

from __future__ import annotations

import datetime
import tomllib
from dataclasses import dataclass
from pathlib import Path

import polars as pl

RULES_FILE = Path(__file__).with_name("warning_rules.toml")
LEVEL = {"green": 0, "yellow": 1, "red": 2}
COLOUR = {0: "green", 1: "yellow", 2: "red"}


@dataclass(frozen=True)
class Rules:
    start_yellow: int
    start_red: int
    gap_yellow: float
    gap_red: float
    completion_yellow: int
    completion_red: int
    no_progress_months: int
    no_progress_level: int
    overdue_level: int
    labels: dict[str, str]
    verified: bool
    source: str


def load_rules(path: Path = RULES_FILE) -> Rules:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return rules_from(data)


def rules_from(data: dict) -> Rules:
    s, g, c, n, o = (data[k] for k in ("start_delay", "schedule", "completion_delay", "no_progress",
                                        "overdue_problem"))
    return Rules(
        start_yellow=int(s["yellow_months"]), start_red=int(s["red_months"]),
        gap_yellow=float(g["yellow_gap_points"]), gap_red=float(g["red_gap_points"]),
        completion_yellow=int(c["yellow_months"]), completion_red=int(c["red_months"]),
        no_progress_months=int(n["months"]), no_progress_level=LEVEL[n["colour"]],
        overdue_level=LEVEL[o["colour"]],
        labels={k: data[k]["label"] for k in ("start_delay", "schedule", "completion_delay", "no_progress",
                                               "overdue_problem")},
        verified=bool(data.get("verified", False)), source=str(data.get("source", "")),
    )


def period_of(as_of: datetime.date) -> tuple[int, int]:
    """The last complete month at ``as_of`` as (year, month); month 0 means none yet this year."""
    next_day = as_of + datetime.timedelta(days=1)
    if next_day.month != as_of.month:
        return as_of.year, as_of.month
    return as_of.year, as_of.month - 1


def _month_index(col: str) -> pl.Expr:
    return pl.col(col).dt.year().cast(pl.Int64) * 12 + pl.col(col).dt.month().cast(pl.Int64) - 1


def _level(value: pl.Expr, yellow: float, red: float) -> pl.Expr:
    return pl.when(value >= red).then(2).when(value >= yellow).then(1).otherwise(0)


def evaluate(projects: pl.DataFrame, as_of: datetime.date, rules: Rules) -> pl.DataFrame:
    """One row per project: a level per rule (0 none, 1 yellow, 2 red), the figures behind it, the
    overall ``colour`` and the Chinese ``reasons``."""
    year, month = period_of(as_of)
    now = as_of.year * 12 + as_of.month - 1
    period = year * 12 + month - 1
    schedule = month / 12 * 100  # 序时进度, percent (§1.5)
    not_started = pl.col("actual_start").is_null() & pl.col("stage").is_in(["reserve", "registered"])
    not_completed = pl.col("actual_completion").is_null() & (pl.col("stage") != "completed")
    building = (pl.col("stage") == "construction") | (pl.col("actual_start").is_not_null() & not_completed)
    frame = projects.with_columns(
        start_late=pl.when(not_started & pl.col("planned_start").is_not_null())
        .then(pl.lit(now) - _month_index("planned_start")).otherwise(None),
        completion_late=pl.when(not_completed & pl.col("planned_completion").is_not_null())
        .then(pl.lit(now) - _month_index("planned_completion")).otherwise(None),
        completion_pct=pl.when(building & (pl.col("annual_plan") > 0) & (month > 0))
        .then(pl.col("ytd_completed").fill_null(0) / pl.col("annual_plan") * 100).otherwise(None),
        # months since the last report, or since the month before the start when nothing was reported
        months_silent=pl.when(building & (month > 0))
        .then(pl.lit(period) - pl.max_horizontal(pl.col("last_report"), _month_index("actual_start") - 1))
        .otherwise(None),
    ).with_columns(
        gap_points=(pl.lit(schedule) - pl.col("completion_pct")).round(6),  # 10.0 is 10, not 9.999…
    ).with_columns(
        start_level=_level(pl.col("start_late").fill_null(-1), rules.start_yellow, rules.start_red),
        schedule_level=_level(pl.col("gap_points").fill_null(-1e9), rules.gap_yellow, rules.gap_red),
        completion_level=_level(pl.col("completion_late").fill_null(-1), rules.completion_yellow,
                                rules.completion_red),
        progress_level=pl.when(pl.col("months_silent") >= rules.no_progress_months)
        .then(rules.no_progress_level).otherwise(0),
        problem_level=pl.when(pl.col("overdue_problems").fill_null(0) > 0).then(rules.overdue_level).otherwise(0),
    )
    lab = rules.labels
    reasons = pl.concat_list([
        pl.when(pl.col("start_level") > 0).then(pl.format(lab["start_delay"] + "：计划开工月份已过{}个月",
                                                          pl.col("start_late"))),
        pl.when(pl.col("schedule_level") > 0).then(pl.format(
            lab["schedule"] + "：完成年度计划{}%，序时进度{}%，落后{}个百分点",
            pl.col("completion_pct").round(1), pl.lit(round(schedule, 1)), pl.col("gap_points").round(1))),
        pl.when(pl.col("completion_level") > 0).then(pl.format(lab["completion_delay"] + "：计划竣工月份已过{}个月",
                                                               pl.col("completion_late"))),
        pl.when(pl.col("progress_level") > 0).then(pl.format(lab["no_progress"] + "：已{}个月未报送",
                                                             pl.col("months_silent"))),
        pl.when(pl.col("problem_level") > 0).then(pl.format(lab["overdue_problem"] + "：{}个",
                                                            pl.col("overdue_problems"))),
    ]).list.drop_nulls()
    level = pl.max_horizontal("start_level", "schedule_level", "completion_level", "progress_level", "problem_level")
    return frame.with_columns(level=level, reasons=reasons).with_columns(
        colour=pl.col("level").replace_strict(COLOUR, return_dtype=pl.String))


def rates(projects: pl.DataFrame, as_of: datetime.date, by: str | None = None) -> pl.DataFrame:
    """开工率, 竣工率 and 投资完成率 as of ``as_of`` (§1.5), overall or grouped by ``by``.

    * start rate = projects with a planned start in the year of ``as_of`` that have started by
      ``as_of`` ÷ projects with a planned start in that year;
    * completion (竣工) rate = the same for planned completion;
    * investment completion rate = Σ year-to-date completed ÷ Σ annual plan (projects with a plan).
    Rates are percent, null where the denominator is zero."""
    year = as_of.year
    f = projects.with_columns(
        planned_starts=(pl.col("planned_start").dt.year() == year),
        planned_completions=(pl.col("planned_completion").dt.year() == year),
    ).with_columns(
        started=pl.col("planned_starts") & pl.col("actual_start").is_not_null() & (pl.col("actual_start") <= as_of),
        completed=pl.col("planned_completions") & pl.col("actual_completion").is_not_null()
        & (pl.col("actual_completion") <= as_of),
        has_plan=pl.col("annual_plan").fill_null(0) > 0,
    )
    aggs = [
        pl.len().alias("projects"),
        pl.col("planned_starts").sum().alias("planned_starts"),
        pl.col("started").sum().alias("started"),
        pl.col("planned_completions").sum().alias("planned_completions"),
        pl.col("completed").sum().alias("completed"),
        pl.col("annual_plan").filter(pl.col("has_plan")).sum().alias("annual_plan"),
        pl.col("ytd_completed").filter(pl.col("has_plan")).fill_null(0).sum().alias("ytd_completed"),
        (pl.col("stage") == "reserve").sum().alias("reserve"),
    ]
    out = f.group_by(by).agg(aggs).sort(by) if by else f.select(aggs)

    def pct(num: str, den: str) -> pl.Expr:
        return pl.when(pl.col(den) > 0).then((pl.col(num) / pl.col(den) * 100).round(1)).otherwise(None)

    return out.with_columns(start_rate=pct("started", "planned_starts"),
                            completion_rate=pct("completed", "planned_completions"),
                            investment_rate=pct("ytd_completed", "annual_plan"))
