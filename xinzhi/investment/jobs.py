"""Investment's scheduled work (registered with ``xinzhi.jobs`` when the app is ready): per-project
warnings (预报预警, rules in ``warning_rules.toml``) told to the staff whose region holds the project."""

from __future__ import annotations

from xinzhi.jobs.registry import Outcome, register

RULE_COLUMNS = ("start_level", "schedule_level", "completion_level", "progress_level", "problem_level")


@register("investment.warning_notices", "项目预警通知")
def warning_notices(job, progress) -> Outcome:
    """Scheduled (daily): every project's warnings as of today (``params.today`` for a test), evaluated by
    the same rules as the warning list; each yellow or red project whose colour or set of rules is new
    this year is told to the staff of its county, its city and the province (one notice per project, or
    one summary when a user has more than five). Re-running tells nobody twice."""
    import datetime

    import polars as pl
    from django.urls import reverse

    from xinzhi.notifications.services import Alert, announce
    from xinzhi.regions.models import Division

    from . import selectors, warnings

    as_of = datetime.date.fromisoformat(job.params["today"]) if job.params.get("today") else datetime.date.today()
    province = Division.objects.get(level="province").code
    frame = selectors.region_project_frame(province, as_of)
    if frame.height == 0:
        return Outcome(text="没有投资项目")
    result = warnings.evaluate(frame, as_of, warnings.load_rules()).filter(pl.col("level") > 0)
    colour_zh = {"yellow": "黄", "red": "红"}
    alerts = []
    for r in result.select("id", "code", "name", "division_id", "colour", "reasons", *RULE_COLUMNS).iter_rows(
            named=True):
        fired = "-".join(c.split("_")[0] for c in RULE_COLUMNS if r[c] > 0)
        alerts.append(Alert(f"investment:{as_of.year}:{r['id']}:{r['colour']}:{fired}", r["division_id"],
                            f"项目{colour_zh[r['colour']]}色预警：{r['name']}", "；".join(r["reasons"]),
                            reverse("investment:detail", args=[r["id"]]), r["name"]))
    new, rows = announce(alerts, "warning", summary_title="新增{n}个项目预警",
                         summary_url=reverse("investment:warnings"))
    return Outcome(text=f"预警项目{len(alerts)}个，其中新增{new}个，已发送{rows}条通知")
