"""Outputs of work coordination, in the house layout of ``xinzhi.reports`` (GB/T 9704 DOCX, PDF, XLSX):

* the **monthly completion bulletin** (重点任务推进情况通报) of a region, for a month: lights, each task's
  completion and the month's progress, the tasks needing attention, the 督办 notices;
* the **half-year summary table** (半年工作推进情况汇总表) in the column set departments exchange — No.,
  task, target, progress, problems, next steps, responsible units (省发改委 key-work progress table,
  shared/domain/pipeline_unicorns_supervision.md §3.1) — plus completion and light.

A bulletin of month M is drawn up as of the day month M's reports are due (``report_due_day`` of M+1), or
today if that is later than today: only reports filed by then count. Nothing is stored.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count
from django.utils import timezone

from xinzhi.reports import Cell, Column, Document, Heading, KeyFigure, KeyFigures, Note, Paragraph, Table

from . import rules, services
from .models import NoticeStatus, ProgressReport, SupervisionNotice, Task

FILL = {"red": "红", "yellow": "黄", "blue": "蓝", "green": "绿", "done": "灰"}


def bulletin_date(year: int, month: int, params: rules.Parameters | None = None) -> dt.date:
    params = params or rules.load_parameters()
    nxt = dt.date(year + (month == 12), month % 12 + 1, params.report_due_day)
    return min(nxt, timezone.localdate())


def _issuer(division) -> str:
    from xinzhi.monitoring.reporting import issuer

    return issuer(division)


def _reports_of(user, tasks: list[Task], year: int, month: int, as_of: dt.date) -> dict[int, ProgressReport]:
    end = timezone.make_aware(dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time.min))
    qs = ProgressReport.objects.restrict(user).filter(task__in=[t.pk for t in tasks], year=year, month=month,
                                                      reported_at__lt=end)
    return {r.task_id: r for r in qs}


def _task_rows(user, year: int, as_of: dt.date) -> list[services.TaskRow]:
    qs = Task.objects.restrict(user).filter(year=year).select_related("division").order_by("division_id", "id")
    return services.light_rows(qs, as_of)


def _sort_key(row: services.TaskRow):
    number = row.task.number
    return (row.task.division_id, int(number) if number.isdigit() else 10**6, number)


def monthly_bulletin(user, division, year: int, month: int) -> Document:
    params = rules.load_parameters()
    as_of = bulletin_date(year, month, params)
    rows = sorted(_task_rows(user, year, as_of), key=_sort_key)
    counts = services.colour_counts(rows)
    reports = _reports_of(user, [r.task for r in rows], year, month, as_of)
    split = sum(1 for r in rows if r.task.parent_id)
    blocks = [
        Heading(1, "一、总体情况"),
        Paragraph(f"截至{as_of.year}年{as_of.month}月{as_of.day}日，{division.name}{year}年度任务清单共有任务"
                  f"{len(rows)}项（其中分解下达{split}项），{month}月进展已报送{len(reports)}项。已完成{counts['done']}项，"
                  f"正常推进{counts['green']}项，临近期限{counts['blue']}项，滞后{counts['yellow']}项，"
                  f"逾期或停滞{counts['red']}项。"),
        KeyFigures([KeyFigure("任务总数", len(rows), "项"), KeyFigure("已完成", counts["done"], "项"),
                    KeyFigure("滞后", counts["yellow"], "项"), KeyFigure("逾期或停滞", counts["red"], "项")],
                   title="任务推进情况"),
        Heading(1, "二、各项任务推进情况"),
        Table([Column("序号", width=1.2), Column("任务"), Column("责任地区"), Column("牵头单位"),
               Column("完成进度", unit="%", decimals=0), Column("亮灯"), Column(f"{month}月进展")],
              [[r.task.number, r.task.title, r.task.division.name, r.task.lead_department, r.percent,
                Cell(r.light.label, fill=FILL[r.light.colour]),
                (reports[r.task.pk].done if r.task.pk in reports else "未报送")] for r in rows],
              caption=f"{year}年{month}月各项任务推进情况", small=True, sheet_name="任务推进"),
    ]
    attention = [r for r in rows if r.light.colour in ("red", "yellow")]
    blocks.append(Heading(1, "三、需关注的任务"))
    if attention:
        for r in attention:
            problem = reports[r.task.pk].problems if r.task.pk in reports and reports[r.task.pk].problems else ""
            blocks.append(Paragraph(f"{r.task.division.name}任务{r.task.number}“{r.task.title}”（{r.light.label}）："
                                    + "；".join(r.light.reasons) + (f"。存在问题：{problem}" if problem else "。")))
    else:
        blocks.append(Paragraph("本期没有滞后、逾期或停滞的任务。"))
    notices = SupervisionNotice.objects.restrict(user).filter(task__year=year, issued_at__date__lte=as_of)
    by_status = dict(notices.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    blocks.append(Heading(1, "四、督办情况"))
    blocks.append(Paragraph("本年度共下发督办" + f"{sum(by_status.values())}件，其中"
                            + "，".join(f"{label}{by_status.get(value, 0)}件" for value, label in NoticeStatus.choices)
                            + "。"))
    open_ = notices.exclude(status=NoticeStatus.CLOSED).select_related("task", "division").order_by("due_date")
    if open_.exists():
        blocks.append(Table([Column("任务"), Column("督办对象"), Column("督办事项"), Column("反馈时限"), Column("状态")],
                            [[f"{n.task.number} {n.task.title}", n.division.name, n.subject, n.due_date.isoformat(),
                              n.get_status_display()] for n in open_],
                            caption="未办结的督办", small=True, sheet_name="督办"))
    blocks.append(Note(f"亮灯规则：逾期为红；落后序时进度{params.yellow_gap_points:g}个百分点为黄、"
                       f"{params.red_gap_points:g}个百分点为红；每月{params.report_due_day}日前报送上月进展，漏报为黄，"
                       f"连续{params.stalled_months}个月未报为红；距期限{params.blue_days}天内为蓝。上述参数为暂定值，待省级确认。"))
    return Document(title=f"{division.name}{year}年{month}月重点任务推进情况通报", masthead="工作督办通报",
                    issue=f"{year}年第{month}期", issuer=_issuer(division), date=as_of, blocks=blocks)


def half_year_summary(user, division, year: int, half: int) -> Document:
    """The half-year summary table: H1 as of the day June's reports are due, H2 as of December's."""
    params = rules.load_parameters()
    month, label = (6, "上半年") if half == 1 else (12, "全年")
    as_of = bulletin_date(year, month, params)
    rows = sorted(_task_rows(user, year, as_of), key=_sort_key)
    end = timezone.make_aware(dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time.min))
    latest: dict[int, ProgressReport] = {}
    for r in (ProgressReport.objects.restrict(user).filter(task__in=[x.task.pk for x in rows], year=year,
                                                          month__lte=month, reported_at__lt=end)
              .order_by("task_id", "-month")):
        latest.setdefault(r.task_id, r)

    def units(t: Task) -> str:
        return "、".join([t.lead_department, *t.co_department_list])

    table = Table(
        [Column("序号", width=1.2), Column("重点任务"), Column("目标任务"), Column("工作进展"), Column("存在问题"),
         Column("下步计划"), Column("牵头及配合单位"), Column("责任地区"), Column("完成进度", unit="%", decimals=0),
         Column("亮灯")],
        [[r.task.number, r.task.title, r.task.text,
          latest[r.task.pk].done if r.task.pk in latest else "未报送",
          latest[r.task.pk].problems if r.task.pk in latest else "",
          latest[r.task.pk].next_steps if r.task.pk in latest else "",
          units(r.task), r.task.division.name, r.percent, Cell(r.light.label, fill=FILL[r.light.colour])]
         for r in rows],
        caption=f"{division.name}{year}年{label}重点任务推进情况汇总表", small=True, sheet_name="汇总表",
    )
    return Document(title=f"{division.name}{year}年{label}重点任务推进情况汇总", issuer=_issuer(division),
                    date=as_of, blocks=[table, Note(f"截至{as_of.isoformat()}；进展为{month}月及以前最近一次报送。")])
