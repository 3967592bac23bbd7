"""The colour rules at their thresholds, on plain data (no database)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from xinzhi.supervision import rules

P = rules.Parameters(report_due_day=5, blue_days=15, yellow_gap_points=10, red_gap_points=30, stalled_months=2)
YEAR = rules.TaskFacts(start=dt.date(2025, 1, 1), deadline=dt.date(2025, 12, 31))


def facts(**kw) -> rules.TaskFacts:
    return rules.TaskFacts(**{"start": YEAR.start, "deadline": YEAR.deadline, **kw})


def test_shipped_parameters_load_and_are_marked_unverified():
    params = rules.load_parameters()
    assert params.report_due_day == 5 and params.yellow_gap_points == 10 and params.red_gap_points == 30
    assert "blue_days" in params.unverified and "stalled_months" in params.unverified


def test_bad_parameters_are_refused(tmp_path: Path):
    path = tmp_path / "r.toml"
    path.write_text("[parameters]\nreport_due_day = 5\nblue_days = 15\nyellow_gap_points = 40\n"
                    "red_gap_points = 30\nstalled_months = 2\n", encoding="utf-8")
    with pytest.raises(ValueError, match="yellow_gap_points"):
        rules.load_parameters(path)


def test_last_due_month_turns_on_the_report_day():
    assert rules.last_due_month(dt.date(2025, 7, 5), 5) == (2025, 5)  # June's report still due on the 5th
    assert rules.last_due_month(dt.date(2025, 7, 6), 5) == (2025, 6)
    assert rules.last_due_month(dt.date(2025, 1, 10), 5) == (2024, 12)


def test_schedule_is_time_elapsed_between_start_and_deadline():
    assert rules.schedule_percent(YEAR, dt.date(2025, 1, 1)) == 0
    assert rules.schedule_percent(YEAR, dt.date(2025, 7, 2)) == 50.0  # 182 of 364 days
    assert rules.schedule_percent(YEAR, dt.date(2026, 3, 1)) == 100


def test_gap_thresholds_are_inclusive():
    as_of = dt.date(2025, 7, 2)  # schedule 50 %, June reported
    schedule = rules.schedule_percent(YEAR, as_of)
    on_track = rules.evaluate(facts(last_report=(2025, 6), percent=50), as_of, P)
    assert on_track.colour == "green" and on_track.reasons == ("按计划推进",)
    just_below = rules.evaluate(facts(last_report=(2025, 6), percent=schedule - 9.9), as_of, P)
    assert just_below.colour == "green"
    yellow = rules.evaluate(facts(last_report=(2025, 6), percent=schedule - 10), as_of, P)
    assert yellow.colour == "yellow" and "落后序时进度" in yellow.reasons[0]
    still_yellow = rules.evaluate(facts(last_report=(2025, 6), percent=schedule - 29.9), as_of, P)
    assert still_yellow.colour == "yellow"
    red = rules.evaluate(facts(last_report=(2025, 6), percent=schedule - 30), as_of, P)
    assert red.colour == "red"


def test_missing_reports_yellow_then_red_when_stalled():
    # as of 2025-07-06 June is due; last report May → one missing → yellow
    one = rules.evaluate(facts(last_report=(2025, 5), percent=60), dt.date(2025, 7, 6), P)
    assert one.colour == "yellow" and one.missing_reports == 1 and "1个月进展未按时报送" in one.reasons
    # on the 5th June is not yet due → green
    assert rules.evaluate(facts(last_report=(2025, 5), percent=60), dt.date(2025, 7, 5), P).colour == "green"
    two = rules.evaluate(facts(last_report=(2025, 4), percent=60), dt.date(2025, 7, 6), P)
    assert two.colour == "red" and two.missing_reports == 2
    never = rules.evaluate(facts(), dt.date(2025, 2, 6), P)  # January due, nothing filed
    assert never.colour == "yellow" and never.missing_reports == 1


def test_deadline_blue_then_red_when_overdue_until_done():
    near = facts(deadline=dt.date(2025, 7, 20), last_report=(2025, 6), percent=95)
    assert rules.evaluate(near, dt.date(2025, 7, 5), P).colour == "blue"  # 15 days left
    assert rules.evaluate(near, dt.date(2025, 7, 4), P).colour == "green"  # 16 days left
    overdue = rules.evaluate(near, dt.date(2025, 7, 21), P)
    assert overdue.colour == "red" and "已超过完成时限" in overdue.reasons[0]
    done = facts(deadline=dt.date(2025, 7, 20), completed_on=dt.date(2025, 7, 25))
    assert rules.evaluate(done, dt.date(2025, 7, 24), P).colour == "red"  # as of before completion
    assert rules.evaluate(done, dt.date(2025, 8, 1), P).colour == "done"


def test_reports_are_not_required_after_the_deadline_month():
    ended = facts(deadline=dt.date(2025, 3, 31), last_report=(2025, 3), percent=80)
    light = rules.evaluate(ended, dt.date(2025, 9, 1), P)
    assert light.missing_reports == 0 and light.colour == "red"  # overdue, not "stalled"
