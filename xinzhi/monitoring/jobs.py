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


#: the share of expected enterprises (above-scale in the region that year) that must have filed for a month
#: before its briefing draft is generated — a working choice of this platform (待核实: no official closing
#: rule for the monthly filing was found); a parameter of the schedule line (``complete_share``)
COMPLETE_SHARE = 0.95


def filing_share(division_code: str, year: int, month: int) -> tuple[int, int]:
    """(filed, expected) for a month: above-scale enterprises of the year in the region, and how many of
    them have a filing for the month."""
    from xinzhi.core.scope import region_prefix
    from xinzhi.enterprises.models import EnterpriseYear, MonthlyStat

    prefix = region_prefix(division_code)
    expected = EnterpriseYear.objects.filter(year=year, above_scale=True,
                                             enterprise__division__code__startswith=prefix).values("enterprise_id")
    filed = (MonthlyStat.objects.filter(year=year, month=month, enterprise_id__in=expected)
             .values("enterprise_id").distinct().count())
    return filed, expected.count()


@register("monitoring.briefing_draft", "生成月度简报草稿")
def briefing_draft(job, progress) -> Outcome:
    """Scheduled (daily): when a month's filings are complete — at least ``complete_share`` of the expected
    enterprises filed (default :data:`COMPLETE_SHARE`, a placeholder) and the month is computed — the
    region's data briefing for it is written by the report generator (``reporting.build``) and kept as this
    job's result file: a **draft**, not issued (签发 stays a person's act on 简报与报告). One draft per month
    and region unless the month was recomputed since (its computation time is the draft's version); the
    region's staff are told, with a link. Looks at the latest two months with filings, newest first."""
    from django.db.models import Max
    from django.urls import reverse

    from xinzhi.enterprises.models import MonthlyStat
    from xinzhi.jobs.models import Job
    from xinzhi.notifications.services import Alert, announce
    from xinzhi.regions.models import Division
    from xinzhi.reports import render_bytes

    from . import reporting, selectors
    from .display import period_label
    from .models import IndicatorValue

    p = job.params
    share = float(p.get("complete_share", COMPLETE_SHARE))
    division = (Division.objects.get(code=p["division"]) if p.get("division")
                else Division.objects.get(level="province"))
    months = list(MonthlyStat.objects.values_list("year", "month").distinct().order_by("-year", "-month")[:2])
    said = []
    for year, month in months:
        label = f"{year}年{period_label(month)}"
        filed, expected = filing_share(division.code, year, month)
        if expected == 0 or filed / expected < share:
            said.append(f"{label}已填报{filed}家，应填报{expected}家，未达{share:.0%}，暂不生成")
            continue
        if selectors.period_unavailable(year, month):
            said.append(f"{label}的监测结果待更新，暂不生成")
            continue
        computed = IndicatorValue.objects.filter(year=year, month=month).aggregate(at=Max("computed_at"))["at"]
        version = computed.isoformat() if computed else ""
        draft = {"division": division.code, "year": year, "month": month, "version": version}
        if Job.objects.filter(kind=job.kind, status=Job.Status.SUCCEEDED, params__draft=draft).exists():
            said.append(f"{label}的简报草稿已生成，数据未变")
            break
        progress(30, f"编写{label}简报草稿")
        document = reporting.build("briefing", division, year, month)
        data = render_bytes(document, "docx")
        job.params = {**p, "draft": draft}
        job.save(update_fields=["params"])
        name = f"{division.name}{year}年{period_label(month)}高新技术产业数据简报（草稿）.docx"
        url = reverse("monitoring:draft", args=[job.pk])
        announce([Alert(f"briefing-draft:{division.code}:{year}-{month}:{version}", division.code,
                        f"{label}数据简报草稿已生成",
                        f"{division.name}{label}企业填报{filed}家（应填报{expected}家），已按监测结果生成简报草稿，"
                        "请核改后在“简报与报告”签发。", url)],
                 "report", summary_title="{n}份简报草稿已生成", summary_url=url)
        return Outcome(text=f"已生成{name}（草稿，未签发）", data=data, file_name=name, url=url)
    return Outcome(text="；".join(said) or "尚无企业填报数据")


@register("monitoring.warning_notices", "监测预警通知")
def warning_notices(job, progress) -> Outcome:
    """Scheduled: the latest computed month's early warnings (``EarlyWarning``, stored by the monthly
    computation) — each new one is told to the staff whose region contains it (a county's warning to its
    county, city and the province; a city's to the city and the province; a cluster's to the province).
    "New": a projected miss once per indicator, region, year and colour; a drop to yellow/red once per
    month. Re-running tells nobody twice (``notifications.announce``)."""
    from django.urls import reverse

    from xinzhi.notifications.services import Alert, announce
    from xinzhi.regions.models import Division

    from . import selectors
    from .models import EarlyWarning

    latest = EarlyWarning.objects.order_by("-year", "-month").values_list("year", "month").first()
    if latest is None:
        return Outcome(text="没有监测预警")
    year, month = latest
    names = {k: v["name"] for k, v in selectors.indicator_names().items()}
    regions = dict(Division.objects.values_list("code", "name"))
    url = reverse("monitoring:cockpit")
    alerts = []
    for w in EarlyWarning.objects.filter(year=year, month=month).order_by("id"):
        what = f"drop:{month}" if w.rating_drop and not w.projected_miss else f"miss:{w.rating}"
        regional = w.region_level in ("province", "city", "county")
        place = regions.get(w.region, "全省") if regional else "全省分产业"
        alerts.append(Alert(f"monitoring:{year}:{w.indicator}:{w.region_level}:{w.region}:{what}", w.scope_code,
                            f"监测预警：{place}{names.get(w.indicator, '')}", w.message, url,
                            f"{place}{names.get(w.indicator, '')}"))
    new, rows = announce(alerts, "warning", summary_title=f"{year}年{month}月新增{{n}}条监测预警", summary_url=url)
    return Outcome(text=f"{year}年{month}月监测预警{len(alerts)}条，其中新增{new}条，已发送{rows}条通知")
