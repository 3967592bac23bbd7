"""Monitoring's background jobs (registered with ``xinzhi.jobs`` when the app is ready): a report rendered
off the request (2–4 s in the request before), its file kept as the job's result."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from xinzhi.accounts.permissions import require
from xinzhi.jobs.registry import Outcome, register

KINDS = ("briefing", "operation")
FORMATS = ("docx", "pdf", "xlsx")


@register("monitoring.report", "生成报告")
def generate_report(job, progress) -> Outcome:
    """Build the briefing or the operation report of the job owner's region for a month and render it.
    The owner's right is checked again when the job runs (the account may have changed since)."""
    from xinzhi.reports import render_bytes

    from . import reporting, selectors
    from .views import _report_filename

    require(job.user, "monitoring.view")
    p = job.params
    division = selectors.home_division(job.user)
    progress(10, "核对监测结果")
    problem = selectors.period_unavailable(p["year"], p["month"])  # a report never computes its month
    if problem:
        raise ValidationError(problem[1])
    progress(40, "编写报告")
    document = reporting.build(p["kind"], division, p["year"], p["month"])
    progress(70, "生成文件")
    data = render_bytes(document, p["format"])
    return Outcome(text="报告已生成", data=data,
                   file_name=_report_filename(division.name, p["year"], p["month"], p["kind"], p["format"]))


@register("monitoring.refresh_stale", "重新计算待更新的监测月份", atomic=False)
def refresh_stale_job(job, progress) -> Outcome:
    """Scheduled: recompute the months marked stale (监测结果待更新) that the import's own follow-up or the
    server start did not (``services.refresh_stale``; each month in its own transaction, its mark removed
    only if unchanged meanwhile)."""
    from . import services

    months = services.refresh_stale()
    if not months:
        return Outcome(text="没有待更新的监测月份")
    return Outcome(text="已重新计算：" + "、".join(f"{y}年{m}月" for y, m in months))
