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
                    reverse("supervision:task", args=[r.task.pk]))
              for r in rows if r.light.colour in ("yellow", "red")]
    new, sent = announce(alerts, "supervision", summary_title="新增{n}项亮灯任务（滞后或逾期）",
                         summary_url=reverse("supervision:ledger"))
    return Outcome(text=f"亮黄灯或红灯的任务{len(alerts)}项，其中新增{new}项，已发送{sent}条通知")
