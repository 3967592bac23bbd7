"""Task colour rules (任务亮灯) — pure: no Django, no database; rules come from ``data/status_rules.toml``.

No Zhejiang provincial rule for colouring work-plan tasks was found (shared/domain/
pipeline_unicorns_supervision.md §3.3 and §5). The scheme is the "proposed default" of §3.3: blue when
the deadline is near (宿迁市国资委 2025 三色提示), yellow when behind the time-elapsed schedule (序时进度) or
when the monthly report is late, red when overdue (until closed) — the gap bands of §1.6 (10 / 30 points)
and the report day (the 5th, §3.1) are inferred defaults, kept as labelled parameters in the TOML file.

Colours in order of severity: ``red`` > ``yellow`` > ``blue`` > ``green``; a finished task is ``done``.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

RULES_FILE = Path(__file__).with_name("data") / "status_rules.toml"
SEVERITY = {"done": 0, "green": 1, "blue": 2, "yellow": 3, "red": 4}
LABELS = {"done": "已完成", "green": "正常", "blue": "临近期限", "yellow": "滞后", "red": "逾期或停滞"}


@dataclass(frozen=True)
class Parameters:
    report_due_day: int = 5
    blue_days: int = 15
    yellow_gap_points: float = 10
    red_gap_points: float = 30
    stalled_months: int = 2
    unverified: tuple[str, ...] = ()


@dataclass(frozen=True)
class TaskFacts:
    """What the rules look at, as of one date."""

    start: dt.date
    deadline: dt.date
    completed_on: dt.date | None = None
    last_report: tuple[int, int] | None = None  # (year, month) of the latest progress report
    percent: float | None = None  # completion reported in the latest report, 0–100


@dataclass(frozen=True)
class Light:
    colour: str
    reasons: tuple[str, ...] = field(default=())
    schedule: float | None = None  # time-elapsed schedule in percent (序时进度)
    missing_reports: int = 0

    @property
    def label(self) -> str:
        return LABELS[self.colour]


def load_parameters(path: Path = RULES_FILE) -> Parameters:
    data = tomllib.loads(path.read_text(encoding="utf-8"))["parameters"]
    for key in ("report_due_day", "blue_days", "stalled_months"):
        if not isinstance(data.get(key), int) or data[key] < 0:
            raise ValueError(f"亮灯规则参数 {key} 须为非负整数")
    if not 1 <= data["report_due_day"] <= 28:
        raise ValueError("亮灯规则参数 report_due_day 须在1至28之间")
    if not 0 <= data["yellow_gap_points"] <= data["red_gap_points"]:
        raise ValueError("亮灯规则参数须满足 0 ≤ yellow_gap_points ≤ red_gap_points")
    return Parameters(
        report_due_day=data["report_due_day"], blue_days=data["blue_days"],
        yellow_gap_points=float(data["yellow_gap_points"]), red_gap_points=float(data["red_gap_points"]),
        stalled_months=data["stalled_months"], unverified=tuple(data.get("unverified", ())),
    )


def _month_index(year: int, month: int) -> int:
    return year * 12 + month - 1


def last_due_month(as_of: dt.date, report_due_day: int) -> tuple[int, int]:
    """The latest month whose report is due by ``as_of``: month M is due by day ``report_due_day`` of M+1."""
    index = _month_index(as_of.year, as_of.month) - (1 if as_of.day > report_due_day else 2)
    return index // 12, index % 12 + 1


def missing_reports(facts: TaskFacts, as_of: dt.date, params: Parameters) -> int:
    """Due monthly reports not made: from the task's start month (or the month after the latest report)
    to the latest due month, stopping at the deadline month."""
    due = _month_index(*last_due_month(as_of, params.report_due_day))
    due = min(due, _month_index(facts.deadline.year, facts.deadline.month))
    first = _month_index(facts.start.year, facts.start.month)
    if facts.last_report is not None:
        first = max(first, _month_index(*facts.last_report) + 1)
    return max(0, due - first + 1)


def schedule_percent(facts: TaskFacts, as_of: dt.date) -> float:
    """Time-elapsed schedule (序时进度) from start to deadline, in percent, clipped to 0–100."""
    span = (facts.deadline - facts.start).days
    if span <= 0:
        return 100.0
    return round(min(100.0, max(0.0, (as_of - facts.start).days / span * 100)), 1)


def evaluate(facts: TaskFacts, as_of: dt.date, params: Parameters) -> Light:
    """The colour of one task as of ``as_of``, with the Chinese reasons behind it."""
    if facts.completed_on is not None and facts.completed_on <= as_of:
        return Light("done", (f"已于{facts.completed_on.isoformat()}完成",), 100.0)
    colour, reasons = "green", []

    def raise_to(new: str, reason: str) -> None:
        nonlocal colour
        reasons.append(reason)
        if SEVERITY[new] > SEVERITY[colour]:
            colour = new

    schedule = schedule_percent(facts, as_of)
    missing = missing_reports(facts, as_of, params)
    if as_of > facts.deadline:
        raise_to("red", f"已超过完成时限{facts.deadline.isoformat()}（{(as_of - facts.deadline).days}天）")
    elif (facts.deadline - as_of).days <= params.blue_days:
        raise_to("blue", f"距完成时限不足{params.blue_days}天")
    if facts.percent is not None:
        gap = schedule - facts.percent
        if gap >= params.red_gap_points:
            raise_to("red", f"完成进度{facts.percent:g}%落后序时进度{schedule:g}%达{gap:.1f}个百分点")
        elif gap >= params.yellow_gap_points:
            raise_to("yellow", f"完成进度{facts.percent:g}%落后序时进度{schedule:g}%达{gap:.1f}个百分点")
    if params.stalled_months and missing >= params.stalled_months:
        raise_to("red", f"连续{missing}个月未报送进展")
    elif missing >= 1:
        raise_to("yellow", f"{missing}个月进展未按时报送")
    if not reasons:
        reasons.append("按计划推进")
    return Light(colour, tuple(reasons), schedule, missing)
