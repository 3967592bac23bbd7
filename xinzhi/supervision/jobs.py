"""Supervision's scheduled work (registered with ``xinzhi.jobs`` when the app is ready): task lights
(任务亮灯, ``rules.evaluate``) turned yellow or red, told to the staff whose region is responsible."""

from __future__ import annotations

from xinzhi.jobs.registry import Outcome, register


@register("supervision.light_notices", "任务亮灯预警通知")
def light_notices(job, progress) -> Outcome:
    """Scheduled (daily): every open task's light as of today (``params.today`` for a test); a task that
    turned yellow (滞后) or red (逾期或停滞) is told to the staff of its region and of the regions above
    it, once per colour. Re-running tells nobody twice."""
    import datetime

    from django.urls import reverse

    from xinzhi.notifications.services import Alert, announce

    from . import services
    from .models import Task

    as_of = datetime.date.fromisoformat(job.params["today"]) if job.params.get("today") else datetime.date.today()
    rows = services.light_rows(Task.objects.filter(completed_on__isnull=True), as_of)
    alerts = [Alert(f"supervision:{r.task.pk}:{r.light.colour}", r.task.division_id,
                    f"任务{r.light.label}：{r.task.title}", "；".join(r.light.reasons),
                    reverse("supervision:task", args=[r.task.pk]), r.task.title)
              for r in rows if r.light.colour in ("yellow", "red")]
    new, sent = announce(alerts, "supervision", summary_title="新增{n}项亮灯任务（滞后或逾期）",
                         summary_url=reverse("supervision:ledger"))
    return Outcome(text=f"亮黄灯或红灯的任务{len(alerts)}项，其中新增{new}项，已发送{sent}条通知")


@register("supervision.report_reminders", "任务月度进展报送提醒")
def report_reminders(job, progress) -> Outcome:
    """Scheduled (monthly, default the 3rd at 9:00, before the report day of ``status_rules.toml``,
    itself a placeholder): open tasks that ran in the previous month and have no progress report for it —
    the staff of each responsible region get one notice with their count and the first titles, and the
    report day. Only the responsible region: it is the one that reports."""
    import datetime

    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from xinzhi.notifications.services import notify

    from . import rules
    from .models import ProgressReport, Task

    today = datetime.date.fromisoformat(job.params["today"]) if job.params.get("today") else datetime.date.today()
    first = today.replace(day=1)
    last_month_end = first - datetime.timedelta(days=1)
    year, month = last_month_end.year, last_month_end.month
    due_day = rules.load_parameters().report_due_day
    filed = ProgressReport.objects.filter(year=year, month=month).values("task_id")
    missing = (Task.objects.filter(completed_on__isnull=True, start_date__lte=last_month_end,
                                   deadline__gte=last_month_end.replace(day=1))
               .exclude(pk__in=filed).order_by("division_id", "number").values_list("division_id", "title"))
    by_region: dict[str, list[str]] = {}
    for division, title in missing:
        by_region.setdefault(division, []).append(title)
    if not by_region:
        return Outcome(text=f"{year}年{month}月任务进展均已报送")
    staff = get_user_model().objects.filter(is_active=True, role__in=("province_staff", "city_staff", "county_staff"))
    sent = 0
    for division, titles in by_region.items():
        names = "、".join(titles[:10])
        sent += notify(list(staff.filter(division_id=division).values_list("pk", flat=True)), "reminder",
                       f"{len(titles)}项任务尚未报送{year}年{month}月进展",
                       f"{names}{'等' if len(titles) > 10 else ''}，请于{first.month}月{due_day}日前报送。",
                       reverse("supervision:ledger"))
    total = sum(len(t) for t in by_region.values())
    return Outcome(text=f"{total}项任务尚未报送{year}年{month}月进展，已发送{sent}条提醒")
