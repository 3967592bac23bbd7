"""The project part of the monthly operation report (运行报告, issue 18): counts by stage, start, completion
and investment completion rates, the projects most behind, and the supervision problems of the year — as of
the end of the report's month, for the report's region. Blocks of ``xinzhi.reports``; the monitoring report
places them in its investment section."""

from __future__ import annotations

import datetime

import polars as pl

from xinzhi.core.scope import region_prefix
from xinzhi.reports import Cell, Column, Paragraph, Table

from . import selectors, warnings
from .models import Stage, SupervisionProblem

STAGES = dict(Stage.choices)


def month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year + (month == 12), month % 12 + 1, 1) - datetime.timedelta(days=1)


def blocks(division_code: str, year: int, month: int, top: int = 10) -> list:
    """Report blocks for the region of ``division_code`` as of the end of ``year``-``month``; none when the
    region has no projects."""
    as_of = month_end(year, month)
    frame = selectors.region_project_frame(division_code, as_of)
    if frame.height == 0:
        return []
    rates = warnings.rates(frame, as_of).row(0, named=True)
    out = warnings.evaluate(frame, as_of, warnings.load_rules())
    stages = dict(frame.group_by("stage").len().iter_rows())
    by_stage = "、".join(f"{STAGES[s]}{stages[s]}个" for s in STAGES if stages.get(s))
    red, yellow = int((out["colour"] == "red").sum()), int((out["colour"] == "yellow").sum())

    def pct(value) -> str:
        return "—" if value is None else f"{value:.1f}%"

    problems = SupervisionProblem.objects.filter(
        visit__project__division__code__startswith=region_prefix(division_code),
        visit__visited_on__year=year, visit__visited_on__lte=as_of)
    raised = problems.count()
    solved = problems.filter(resolved_on__lte=as_of).count()
    overdue = int(out["overdue_problems"].sum())
    text = (f"截至{as_of.month}月末，在库高新技术产业投资项目{frame.height}个（{by_stage}）；"
            f"本年计划开工{rates['planned_starts']}个、已开工{rates['started']}个，开工率{pct(rates['start_rate'])}；"
            f"计划竣工{rates['planned_completions']}个、已竣工{rates['completed']}个，竣工率{pct(rates['completion_rate'])}；"
            f"完成年度计划投资{pct(rates['investment_rate'])}（序时进度{month / 12 * 100:.1f}%）。"
            f"亮红灯项目{red}个、黄灯{yellow}个。本年一线督导发现问题{raised}个，已解决{solved}个，"
            f"逾期未解决{overdue}个。")
    worst = out.filter(pl.col("level") > 0).sort(["level", "gap_points"], descending=True, nulls_last=True).head(top)
    names = selectors.division_names()
    labels = warnings.load_rules().labels
    rule_of = {"start_level": "start_delay", "schedule_level": "schedule", "completion_level": "completion_delay",
               "progress_level": "no_progress", "problem_level": "overdue_problem"}
    rows = [[r["name"], names.get(r["division_id"], r["division_id"]),
             Cell("红" if r["level"] == 2 else "黄", fill="红" if r["level"] == 2 else "黄"),
             Cell(r["gap_points"] if (r["gap_points"] or 0) > 0 else None, decimals=1),
             "；".join(labels[rule] for col, rule in rule_of.items() if r[col] > 0)] for r in worst.to_dicts()]
    figures = [[f"{STAGES[s]}项目", stages[s], "个"] for s in STAGES if stages.get(s)] + [
        ["本年计划开工", rates["planned_starts"], "个"], ["已开工", rates["started"], "个"],
        ["开工率", Cell(rates["start_rate"], decimals=1), "%"],
        ["本年计划竣工", rates["planned_completions"], "个"], ["已竣工", rates["completed"], "个"],
        ["竣工率", Cell(rates["completion_rate"], decimals=1), "%"],
        ["年度计划投资完成率", Cell(rates["investment_rate"], decimals=1), "%"],
        ["序时进度", Cell(month / 12 * 100, decimals=1), "%"],
        ["亮红灯项目", red, "个"], ["亮黄灯项目", yellow, "个"], ["在库项目合计", frame.height, "个"],
        ["本年督导发现问题", raised, "个"], ["已解决", solved, "个"], ["逾期未解决", overdue, "个"],
    ]
    result = [Paragraph(text), Table(columns=[Column("项目"), Column("数值", align="right"), Column("单位")],
                                     rows=figures, caption="高新技术产业投资项目推进情况", sheet_name="项目推进")]
    if rows:
        result.append(Table(columns=[Column("项目", width=40), Column("地区", width=12),
                                     Column("预警", align="center", width=8),
                                     Column("落后", unit="百分点", width=16), Column("原因", width=38)],
                            rows=rows, caption=f"进度滞后的项目（前{top}个）", sheet_name="项目预警", small=True))
    return result
