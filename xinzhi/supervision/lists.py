"""The task ledger (任务清单) as a shared list (``reports.listing``): one column spec drives the page's table, its
database sort (whitelisted keys, then ``pk``) and its xlsx export. The queryset comes from the view, already
scoped (``restrict``) and filtered; nothing here reads or writes on its own.

The light (亮灯), the latest progress (最近进展) and the linked indicators' ratings are computed in Python
(``services.light_rows`` / ``indicator_badges``) for an as-of date, not stored, so they cannot be sorted in
the database: those columns offer no sort key (the colour filter narrows the rows instead)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from xinzhi.reports.listing import Col


def _badges_text(badges: list[dict]) -> str:
    return "；".join(f"{b['name']} {b['label']}" for b in badges)


def ledger_columns(lights: dict, badges: dict[int, list[dict]]):
    """The ledger's columns; ``lights`` maps a task's pk to its ``services.TaskRow`` (light and progress as of
    the page's date), ``badges`` a task's pk to its indicators' ratings."""

    def light(t):
        return lights[t.pk].light

    def progress(t):
        row = lights[t.pk]
        return f"{row.last_period} · {row.percent}%" if row.last_period else None

    def title(t):
        return f"{t.title}（{_('分解任务')}）" if t.parent_id else t.title

    return (
        Col("number", "序号", lambda t: t.number, order=("number",)),
        Col("title", "任务", title, order=("title",), link=lambda t: reverse("supervision:task", args=[t.pk])),
        Col("group", "工作组", lambda t: t.get_group_display(), order=("group",)),
        Col("lead", "牵头单位", lambda t: t.lead_department, order=("lead_department",)),
        # in the export and on the task's page: on the page's table it pushed 督办 out of a 1366 px screen
        Col("co", "配合单位", lambda t: t.co_departments, shown=False),
        Col("division", "责任地区", lambda t: t.division.name, order=("division_id",)),
        Col("deadline", "完成时限", lambda t: t.deadline, order=("deadline",)),
        Col("progress", "最近进展", progress, text=lambda t: progress(t) or _("未报送")),
        Col("light", "亮灯", lambda t: light(t).label, text=lambda t: "；".join(light(t).reasons),
            chips=lambda t: [("", light(t).label, light(t).colour)]),
        Col("reasons", "亮灯原因", lambda t: "；".join(light(t).reasons), shown=False),
        Col("indicators", "关联指标", lambda t: _badges_text(badges.get(t.pk, [])), text=lambda t: "",
            chips=lambda t: [(b["name"], b["label"], b["rating"]) for b in badges.get(t.pk, [])]),
        Col("notices", "督办", lambda t: t.notice_count, order=("notice_count",), decimals=0,
            text=lambda t: t.notice_count or None,
            link=lambda t: reverse("supervision:task", args=[t.pk]) + "#notices" if t.notice_count else None),
        Col("percent", "完成进度", lambda t: lights[t.pk].percent, unit="%", shown=False),
        Col("responsible", "责任人", lambda t: t.responsible_person, shown=False),
        Col("start", "起始日期", lambda t: t.start_date, shown=False),
        Col("completed", "完成日期", lambda t: t.completed_on, shown=False),
    )
