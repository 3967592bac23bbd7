"""Warning rules at their thresholds and the tracking rates — on plain frames (no database)."""

from __future__ import annotations

import datetime

import polars as pl
import pytest

from xinzhi.investment import warnings as w

RULES = w.load_rules()
D = datetime.date


def frame(**cols) -> pl.DataFrame:
    n = len(next(iter(cols.values())))
    base = {"id": list(range(1, n + 1)), "stage": ["construction"] * n, "planned_start": [None] * n,
            "planned_completion": [None] * n, "actual_start": [None] * n, "actual_completion": [None] * n,
            "annual_plan": [None] * n, "ytd_completed": [None] * n, "last_report": [None] * n,
            "overdue_problems": [0] * n}
    base.update(cols)
    return pl.DataFrame(base, schema_overrides={c: pl.Date for c in ("planned_start", "planned_completion",
                                                                       "actual_start", "actual_completion")}
                        ).with_columns(pl.col("annual_plan", "ytd_completed", "last_report").cast(pl.Int64))


def test_rules_file_is_the_issue_default_and_says_it_is_unverified():
    assert (RULES.gap_yellow, RULES.gap_red, RULES.start_yellow, RULES.start_red) == (10, 30, 1, 3)
    assert RULES.no_progress_months == 2 and not RULES.verified


def test_period_is_the_last_complete_month():
    assert w.period_of(D(2025, 3, 31)) == (2025, 3)
    assert w.period_of(D(2025, 4, 15)) == (2025, 3)
    assert w.period_of(D(2025, 1, 10)) == (2025, 0)


def test_start_delay_thresholds():
    # planned start March 2025, not started
    f = frame(stage=["registered"] * 4, planned_start=[D(2025, 3, 15)] * 4)
    levels = [w.evaluate(f.head(1), d, RULES)["start_level"][0]
              for d in (D(2025, 3, 31), D(2025, 4, 1), D(2025, 5, 31), D(2025, 6, 1))]
    assert levels == [0, 1, 1, 2]
    out = w.evaluate(f.head(1), D(2025, 6, 1), RULES)
    assert out["colour"][0] == "red" and out["reasons"][0].to_list() == ["未按计划开工：计划开工月份已过3个月"]
    started = frame(stage=["construction"], planned_start=[D(2025, 3, 15)], actual_start=[D(2025, 5, 1)],
                    last_report=[2025 * 12 + 4])
    assert w.evaluate(started, D(2025, 6, 1), RULES)["start_level"][0] == 0


@pytest.mark.parametrize(("completed", "level"), [(410, 0), (401, 0), (400, 1), (201, 1), (200, 2), (0, 2)])
def test_schedule_gap_at_10_and_30_points(completed, level):
    """End of June: 序时进度 50 %; plan 1000, so 400 completed (40 %) is exactly 10 points behind."""
    f = frame(annual_plan=[1000], ytd_completed=[completed], last_report=[2025 * 12 + 5],
              actual_start=[D(2024, 1, 1)])
    out = w.evaluate(f, D(2025, 6, 30), RULES)
    assert out["schedule_level"][0] == level, out.select("completion_pct", "gap_points")


def test_no_progress_two_months_and_overdue_problems():
    f = frame(last_report=[2025 * 12 + 3, 2025 * 12 + 4, None], actual_start=[D(2024, 6, 1), D(2024, 6, 1),
                                                                              D(2025, 5, 10)],
              overdue_problems=[0, 1, 0])
    out = w.evaluate(f, D(2025, 6, 30), RULES)  # period June; last reports April, May; started in May
    assert out["months_silent"].to_list() == [2, 1, 2]
    assert out["progress_level"].to_list() == [1, 0, 1]
    assert out["problem_level"].to_list() == [0, 2, 0] and out["colour"][1] == "red"
    assert "督导问题逾期未解决：1个" in out["reasons"][1].to_list()


def test_completion_delay_and_completed_projects_are_quiet():
    f = frame(stage=["construction", "completed"], planned_completion=[D(2025, 1, 20), D(2025, 1, 20)],
              actual_completion=[None, D(2025, 3, 1)], last_report=[2025 * 12 + 5, None],
              actual_start=[D(2023, 1, 1), D(2023, 1, 1)])
    out = w.evaluate(f, D(2025, 6, 30), RULES)
    assert out["completion_level"].to_list() == [2, 0] and out["colour"].to_list() == ["red", "green"]


def test_thresholds_are_data():
    import tomllib

    data = tomllib.loads(w.RULES_FILE.read_text(encoding="utf-8"))
    data["schedule"]["yellow_gap_points"] = 5
    rules = w.rules_from(data)
    f = frame(annual_plan=[1000], ytd_completed=[440], last_report=[2025 * 12 + 5], actual_start=[D(2024, 1, 1)])
    assert w.evaluate(f, D(2025, 6, 30), RULES)["schedule_level"][0] == 0
    assert w.evaluate(f, D(2025, 6, 30), rules)["schedule_level"][0] == 1


def test_rates_as_of_a_date_by_group():
    f = frame(stage=["construction", "registered", "completed", "reserve"],
              planned_start=[D(2025, 2, 1), D(2025, 3, 1), D(2024, 1, 1), D(2025, 9, 1)],
              actual_start=[D(2025, 2, 10), None, D(2024, 1, 1), None],
              planned_completion=[D(2026, 1, 1), D(2026, 6, 1), D(2025, 4, 1), D(2027, 1, 1)],
              actual_completion=[None, None, D(2025, 5, 1), None],
              annual_plan=[1000, 500, 200, None], ytd_completed=[600, 0, 200, None])
    f = f.with_columns(division=pl.Series(["a", "a", "b", "b"]))
    total = w.rates(f, D(2025, 6, 30)).row(0, named=True)
    assert (total["planned_starts"], total["started"], total["start_rate"]) == (3, 1, 33.3)
    assert (total["completion_rate"], total["investment_rate"], total["reserve"]) == (100.0, 47.1, 1)
    assert w.rates(f, D(2025, 4, 30))["completion_rate"][0] == 0.0  # completed in May: not yet on 30 April
    by = w.rates(f, D(2025, 6, 30), by="division")
    assert by["division"].to_list() == ["a", "b"] and by["start_rate"].to_list() == [50.0, 0.0]
