"""Unicorns' scheduled work (registered with ``xinzhi.jobs`` when the app is ready): dynamic-monitoring
alerts (``tiers.alerts``: down round, over age, listed, exited) told to the staff whose region holds the
company."""

from __future__ import annotations

from xinzhi.jobs.registry import Outcome, register


class _Everything:
    """The reader of scheduled work: sees every company (``restrict()`` gives a superuser everything);
    who is told is decided per alert by the recipients' own scope."""

    is_authenticated = is_active = is_superuser = True
    pk = None


@register("unicorns.alert_notices", "独角兽动态监测提醒")
def alert_notices(job, progress) -> Outcome:
    """Scheduled (daily): the alerts of the dynamic-monitoring page as of today (``params.today`` for a
    test); a company whose list of alerts is new is told to the staff of its county, city and the
    province (companies on the watch-list say so). Re-running tells nobody twice."""
    import datetime

    import polars as pl
    from django.urls import reverse

    from xinzhi.notifications.services import Alert, announce

    from . import services

    as_of = datetime.date.fromisoformat(job.params["today"]) if job.params.get("today") else datetime.date.today()
    out = services.assessed(_Everything(), as_of)
    alerted = out.filter(pl.col("alerts").list.len() > 0) if out.height else out
    alerts = []
    for r in alerted.select("id", "name", "division_id", "alerts", "on_watch").iter_rows(named=True):
        what = "、".join(r["alerts"])
        watch = "重点关注企业" if r["on_watch"] else "企业"
        alerts.append(Alert(f"unicorns:{r['id']}:{what}", r["division_id"], f"独角兽监测提醒：{r['name']}",
                            f"{watch}{r['name']}：{what}。", reverse("unicorns:detail", args=[r["id"]]), r["name"]))
    new, rows = announce(alerts, "warning", summary_title="新增{n}条独角兽企业监测提醒",
                         summary_url=reverse("unicorns:monitoring"))
    return Outcome(text=f"有监测提醒的企业{len(alerts)}家，其中新增{new}家，已发送{rows}条通知")
