"""Scheduled work that reads one app and tells people through another, kept at the top (dependencies
point down; the investment app is another helper's work in progress and is not edited here)."""

from __future__ import annotations

from xinzhi.jobs.registry import Outcome, register


@register("investment.progress_reminders", "项目月度进展填报提醒")
def progress_reminders(job, progress) -> Outcome:
    """Scheduled (monthly, default the 5th at 9:00): high-tech investment projects under construction (在建)
    with no progress record for the previous month; each county's staff get one notice with their count and
    the first names. The day is a working choice of this platform: the official due day of the monthly
    progress report is not in the domain files and stays a parameter of the schedule."""
    from datetime import date

    import polars as pl
    from django.contrib.auth import get_user_model

    from xinzhi.investment.models import InvestmentProject, ProjectProgress
    from xinzhi.notifications.services import notify

    today = date.fromisoformat(job.params["today"]) if job.params.get("today") else date.today()
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    filed = ProjectProgress.objects.filter(year=year, month=month).values("project_id")
    missing = pl.DataFrame(list(InvestmentProject.objects.filter(stage="construction").exclude(pk__in=filed)
                                .values_list("division_id", "name")), schema={"division": pl.String, "name": pl.String},
                           orient="row")
    if missing.height == 0:
        return Outcome(text=f"{year}年{month}月在建项目进展均已填报")
    staff = get_user_model().objects.filter(is_active=True, role="county_staff")
    sent = 0
    for (county,), group in missing.group_by("division"):
        names = "、".join(group.sort("name")["name"].head(10).to_list())
        sent += notify(list(staff.filter(division_id=county).values_list("pk", flat=True)), "reminder",
                       f"{group.height}个在建项目未填报{year}年{month}月进展",
                       f"{names}{'等' if group.height > 10 else ''}，请督促项目单位填报月度进展。", "/imports/")
    return Outcome(text=f"{missing.height}个在建项目未填报{year}年{month}月进展，已发送{sent}条提醒")
