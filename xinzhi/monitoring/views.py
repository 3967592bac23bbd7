"""Monitoring pages: the cockpit (驾驶舱), the thematic map (专题数字地图) and an indicator's page."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import F
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control

from xinzhi.accounts.permissions import can, capability_required, require
from xinzhi.core.downloads import attachment
from xinzhi.core.numbers import fixed
from xinzhi.core.periods import Period, PeriodError, current_period, parse_bounded, year_error
from xinzhi.core.scope import UNBOUND_ZH, cacheable_scope, region_prefix, unbound_reason
from xinzhi.regions.models import Division
from xinzhi.reports.listing import Col, Listing

from . import selectors
from .models import IndicatorValue


def _require_monitoring_role(user) -> str:
    """Refuse without the capability or without a valid scope; give the cache key part of the scope."""
    require(user, "monitoring.view")
    scope = cacheable_scope(user)
    if scope is None:  # defensive: the capability already refuses unbound accounts
        raise PermissionDenied(unbound_reason(user) or UNBOUND_ZH)
    return scope


class PeriodUnavailable(Exception):
    """A month asked for that cannot be shown: malformed or out of bounds (400), not filed or not computed
    (404). Pages answer with the Chinese reason; a read never computes the month (issue 12 item 2)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def _requested_period(request) -> tuple[int, int] | None:
    """The month asked for (``?period=YYYY-MM``), or None; ``PeriodUnavailable`` if it is malformed, out
    of bounds, not filed or not computed."""
    text = request.GET.get("period")
    if not text:
        return None
    try:
        p = parse_bounded(text)
    except PeriodError as exc:
        raise PeriodUnavailable(400, str(exc)) from exc
    problem = selectors.period_unavailable(p.year, p.month, request)
    if problem:
        raise PeriodUnavailable(*problem)
    return p.year, p.month


def _period_from(request) -> tuple[int, int] | None:
    """The month asked for, else the latest month with filings (and snapshots)."""
    return _requested_period(request) or selectors.latest_snapshot_period(request)


def answers_unavailable_periods(view):
    """Answer ``PeriodUnavailable`` with its reason and status (JSON for the map's data, else a page)."""
    import functools

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except PeriodUnavailable as exc:
            if request.path.endswith("/data/"):
                return JsonResponse({"detail": exc.message, "period": None, "regions": []}, status=exc.status)
            return render(request, "monitoring/unavailable.html", {"message": exc.message}, status=exc.status)

    return wrapper


def _period_text(period: tuple[int, int] | None) -> str:
    return f"{period[0]:04d}-{period[1]:02d}" if period else "none"


@capability_required("monitoring.view")
@answers_unavailable_periods
def cockpit(request):
    """The cockpit. Its body (with the month selector) depends only on the user's scope (exactly what
    ``restrict()`` uses), the region shown, the language and the stored snapshots, so it is rendered once
    per (scope, region, language, month, view, snapshots version) and cached; the version changes whenever
    a month is computed, so a recomputation is visible at once."""
    from django.core.cache import cache
    from django.template.loader import render_to_string
    from django.utils.safestring import mark_safe

    user = request.user
    scope = _require_monitoring_role(user)
    latest, stamp = selectors.snapshots_state(request)
    period = _requested_period(request) or latest
    division = selectors.home_division(user)
    view = selectors.view_from(request)
    context = {"division": division, "period": period, "view": view, "views": selectors.rating_views()}
    key = f"cockpit:{scope}:{division.code}:{get_language()}:{_period_text(period)}:{view}:{stamp}"
    body = cache.get(key)
    if body is None:
        context["periods"] = selectors.available_periods(request)
        context["period_options"] = [(y, m, _month_label(y, m)) for y, m in context["periods"]]
        if period in context["periods"]:
            context.update(_cockpit_context(user, division, *period))
        else:
            context["period"] = None
        body = render_to_string("monitoring/_cockpit_body.html", context, request=request)
        cache.set(key, body, 3600)
    context["body"] = mark_safe(body)  # noqa: S308 — our own template's output
    # the closed loop's funnel as of today, outside the cached body (it does not depend on the snapshots)
    from xinzhi.programs.services import loop_summary

    context["loop"] = loop_summary(user, timezone.localdate())
    return render(request, "monitoring/cockpit.html", context)


def _month_label(year: int, month: int) -> str:
    """2025年1—6月; January reads 2025年1月."""
    from .display import period_label

    return f"{year}年{period_label(month)}"


def _cockpit_context(user, division: Division, year: int, month: int) -> dict:
    names = selectors.indicator_names()
    region_names = dict(Division.objects.values_list("code", "name"))
    children = [d for d in selectors.children_of(division) if d.code != division.code]
    wanted = selectors.values(user, year, month).filter(
        indicator__in=selectors.KEY_INDICATORS + selectors.COUNT_INDICATORS,
        region__in=[division.code, *(d.code for d in children)],
    )
    rows = {(v.indicator, v.region): v for v in wanted}
    series = _series(user, division.code, year, selectors.KEY_INDICATORS)
    return dict(
        period_label=_month_label(year, month),
        key_cards=[_card(rows.get((i, division.code)), names[i], series.get(i)) for i in selectors.KEY_INDICATORS],
        count_cards=[_card(rows.get((i, division.code)), names[i], None) for i in selectors.COUNT_INDICATORS],
        child_rows=[{"division": d, "cells": [rows.get((i, d.code)) for i in selectors.KEY_INDICATORS]} for d in children],
        key_names=[names[i]["short"] for i in selectors.KEY_INDICATORS],
        warnings=[{"w": w, "name": region_names.get(w.region, w.region)} for w in selectors.warnings_for(user, year, month, division=division)],
        series_json=json.dumps(series),
    )


def _card(value: IndicatorValue | None, meta: dict, series: list | None) -> dict:
    return {"meta": meta, "v": value, "series": series}


def _series(user, region: str, year: int, indicators: list[str]) -> dict[str, list]:
    """This year's monthly YTD values per indicator for the sparklines (months not computed are null)."""
    out = {i: [None] * 12 for i in indicators}
    qs = IndicatorValue.objects.restrict(user).filter(year=year, region=region, indicator__in=indicators)
    for indicator, month, value in qs.values_list("indicator", "month", "value"):
        out[indicator][month - 1] = None if value is None else round(value, 4)
    return out


@capability_required("monitoring.view")
def thematic_map(request):
    _require_monitoring_role(request.user)
    division = selectors.home_division(request.user)
    names = selectors.indicator_names()
    # the map draws the province's cities or one city's counties: a county user sees its city's map
    shown = division.parent if division.level == "county" and division.parent_id else division
    province = Division.objects.filter(level="province").first()
    return render(request, "monitoring/map.html", {
        "division": division, "shown": shown, "province": province or division, "views": selectors.rating_views(),
        # the cockpit's colour words, so the map's legend, tooltip and table say what the cockpit says
        "rating_words": {
            "blue": _("蓝"), "yellow": _("黄"), "red": _("红"), "grey": _("灰"), "": _("未评级"),
            "legend": {"blue": _("达到或快于序时进度"), "yellow": _("稍慢，提醒"), "red": _("明显滞后，警示"),
                       "grey": _("无数据"), "": _("未评级")},
        },
        "indicators": [(k, v["name"]) for k, v in names.items() if v["available"]],
        "periods": [(f"{y:04d}-{m:02d}", _month_label(y, m)) for y, m in selectors.available_periods(request)],
    })


@capability_required("monitoring.view")
@answers_unavailable_periods
def map_data(request):
    """Values of one indicator for the cities (or one city's counties), within the user's scope.

    The answer depends only on the user's scope, the query and the stored snapshots: it is cached per
    (scope, query, snapshots version), so a recomputed month is served fresh at once."""
    from django.core.cache import cache

    user = request.user
    scope = _require_monitoring_role(user)
    latest, stamp = selectors.snapshots_state(request)
    period = _requested_period(request) or latest
    indicator = request.GET.get("indicator", "ht_va_share")
    parent = request.GET.get("parent", "330000")
    if period is None:
        return JsonResponse({"period": None, "regions": []})
    # only well-formed questions are cached (an unknown indicator or region answers with no regions)
    cacheable = indicator in selectors.indicator_names() and len(parent) == 6 and parent.isdigit()
    key = f"mapdata:{scope}:{indicator}:{parent}:{_period_text(period)}:{stamp}"
    body = cache.get(key) if cacheable else None
    if body is None:
        body = json.dumps(_map_regions(user, indicator, parent, *period), ensure_ascii=False, cls=DjangoJSONEncoder)
        if cacheable:
            cache.set(key, body, 3600)
    return HttpResponse(body, content_type="application/json")


def _map_regions(user, indicator: str, parent: str, year: int, month: int) -> dict:
    level = "city" if region_prefix(parent) == parent[:2] else "county"
    qs = selectors.values(user, year, month).filter(indicator=indicator, region_level=level)
    if level == "county":
        qs = qs.filter(region__startswith=region_prefix(parent))
    names = dict(Division.objects.values_list("code", "name"))
    regions = [
        {"target_text": v.target_text or None,
            "code": v.region, "name": names.get(v.region, v.region), "value": v.value, "value_text": v.value_text,
            "unit": v.display_unit or v.unit, "yoy_text": v.yoy_text, "yoy_unit": v.yoy_unit, "target": v.target,
            "rank": v.rank, "peer_count": v.peer_count, "rating": v.rating or "", "reason": v.rating_reason,
            "level_group": v.level_group, "level_reason": v.level_reason, "change_group": v.change_group,
        }
        for v in qs.order_by("region")
    ]
    return {"period": f"{year:04d}-{month:02d}", "indicator": indicator, "level": level, "regions": regions,
            "views": selectors.rating_views()}


@login_required
@cache_control(max_age=86400, private=True)
def geojson(request, level: str):
    """Boundaries served by the app itself (no internet on a government intranet)."""
    if level not in ("city", "county"):
        raise Http404()
    path = Path(settings.XINZHI_DATA_DIR) / "geo" / f"zhejiang_{level}.geojson"
    return FileResponse(open(path, "rb"), content_type="application/geo+json")


@capability_required("monitoring.view")
@answers_unavailable_periods
def indicator_detail(request, indicator: str):
    user = request.user
    _require_monitoring_role(user)
    names = selectors.indicator_names()
    if indicator not in names:
        raise Http404("未知指标")
    period = _period_from(request)
    division = selectors.home_division(user)
    region = request.GET.get("region") or division.code
    context = {"indicator": indicator, "meta": names[indicator], "division": division, "period": period}
    if period is None:
        return render(request, "monitoring/indicator.html", context)
    year, month = period
    current = _series(user, region, year, [indicator])[indicator]
    last = _series(user, region, year - 1, [indicator])[indicator]
    region_obj = Division.objects.filter(code=region).first()
    level = region_obj.level if region_obj else "province"
    peer_level = {"province": "city", "city": "county", "county": "county"}[level]
    peers = selectors.values(user, year, month).filter(indicator=indicator, region_level=peer_level)
    if level == "city":
        peers = peers.filter(region__startswith=region_prefix(region))
    names_by_code = dict(Division.objects.values_list("code", "name"))
    own = selectors.values(user, year, month).filter(indicator=indicator, region=region).first()
    if own is None and region != division.code:
        raise Http404("不在您的查看范围内")
    period_text = f"{year:04d}-{month:02d}"
    region_name = names_by_code.get(region, region)
    columns = _peer_columns(indicator, names[indicator], names_by_code, request.GET.get("period"))
    # the ranking's order (rank, then region code) unless a header asks otherwise; regions without a rank last
    listing = Listing(request, columns, peers, default=(F("rank").asc(nulls_last=True), "region"),
                      title=f"{region_name}{names[indicator]['name']}-{period_text}", empty=_("无同级数据"),
                      per_page=100)
    if listing.wants_export:
        return listing.export()
    context.update(
        region=region, region_name=region_name, own=own,
        chart=json.dumps({"this": current, "last": last, "year": year}),
        table=listing.table(), page=listing.page, period_text=period_text,
    )
    return render(request, "monitoring/indicator.html", context)


def _peer_columns(indicator: str, meta: dict, names: dict[str, str], period: str | None) -> list[Col]:
    """The peer ranking's columns. The page shows the stored display texts (the indicator's precision, a
    fall with its minus sign); the export writes the numbers in the displayed unit (亿元, not 元) with the
    same precision and the sign of a change. Sorting is in the database, regions without a value last."""
    from .catalogue import load_catalogue

    ind = next(i for i in load_catalogue() if i.id == indicator)
    scale, precision = float(ind.display_scale or 1.0), meta["precision"]
    ratio_like = ind.kind in ("ratio", "relative")
    yoy_unit = "百分点" if ratio_like else "%"  # as the engine stores it (engine.py, ``yoy_unit``)
    suffix = f"&period={period}" if period else ""
    drill = reverse("monitoring:drilldown", args=[indicator])

    def scaled(field):
        return lambda v: None if getattr(v, field) is None else getattr(v, field) / scale

    return [
        Col("rank", "排名", lambda v: v.rank, order=("rank",), decimals=0, nulls_last=True),
        Col("region", "地区", lambda v: names.get(v.region, v.region), order=("region",),
            link=lambda v: f"?region={v.region}{suffix}"),
        Col("value", "本期", scaled("value"), order=("value",), unit=meta["unit"], decimals=precision,
            text=lambda v: v.value_text, nulls_last=True),
        Col("yoy", "同比", lambda v: v.yoy, order=("yoy",), unit=yoy_unit,
            decimals=ind.precision if ratio_like else 1, signed=True, text=lambda v: v.yoy_text, nulls_last=True),
        Col("target", "目标", scaled("target"), order=("target",), unit=meta["unit"], decimals=precision,
            text=lambda v: v.target_text, nulls_last=True),
        Col("rating", "评级", lambda v: selectors.RATING_ZH.get(v.rating or "", ""),
            cell="monitoring/_peer_ratings.html"),
        Col("reason", "说明", lambda v: v.rating_reason, shown=False),
        Col("drill", "构成企业", lambda v: None, text=lambda v: _("构成企业"), exported=False,
            link=lambda v: f"{drill}?region={v.region}{suffix}"),
    ]


@capability_required("monitoring.view")
@answers_unavailable_periods
def drilldown(request, indicator: str):
    """The enterprises behind a region's value (monthly-statistics indicators), staff only, in scope."""
    from xinzhi.enterprises.models import MonthlyStat

    from .catalogue import load_catalogue

    user = request.user
    _require_monitoring_role(user)
    ind = next((i for i in load_catalogue() if i.id == indicator), None)
    if ind is None:
        raise Http404("未知指标")
    period = _period_from(request)
    region = request.GET.get("region") or selectors.home_division(user).code
    fields = [side["field"] for side in (ind.numerator, ind.denominator) if side and side.get("field")]
    if period is None or ind.source != "monthly_stats" or not fields:
        return render(request, "monitoring/drilldown.html", {"meta": selectors.indicator_names()[indicator], "rows": None})
    year, month = period
    qs = (
        MonthlyStat.objects.restrict(user)
        .filter(year=year, month=month, division__code__startswith=region_prefix(region))
        .select_related("enterprise__industry", "division")
    )
    names = dict(Division.objects.values_list("code", "name"))
    meta = selectors.indicator_names()[indicator]
    region_name, period_text = names.get(region, region), f"{year:04d}-{month:02d}"
    listing = Listing(request, _drilldown_columns(fields), qs, default=(f"-{fields[0]}",), per_page=100,
                      title=f"{region_name}{meta['name']}构成企业-{period_text}", empty=_("没有构成企业"),
                      note=_("1—N月累计。"))
    if listing.wants_export:
        return listing.export()
    return render(request, "monitoring/drilldown.html", {
        "meta": meta, "indicator": indicator, "rows": True, "table": listing.table(), "page": listing.page,
        "region_name": region_name, "region": region, "period_text": period_text,
    })


def _drilldown_columns(fields: list[str]) -> list[Col]:
    """The drill-down's columns: the enterprise, where, the industry, then the indicator's fields (money in
    万元, other counts as they are), every one sortable in the database."""
    from xinzhi.enterprises.models import MonthlyStat

    columns = [
        Col("enterprise", "企业", lambda s: s.enterprise.name, order=("enterprise__name",),
            link=lambda s: reverse("enterprises:detail", args=[s.enterprise_id])),
        Col("division", "所在地", lambda s: s.division.name, order=("division_id",)),
        Col("industry", "行业", lambda s: f"{s.enterprise.industry.code} {s.enterprise.industry.name}"
            if s.enterprise.industry_id else None, order=("enterprise__industry_id",)),
    ]
    for f in fields:
        name = str(MonthlyStat._meta.get_field(f).verbose_name)
        money = "(元)" in name
        columns.append(Col(f, name.replace("(元)", ""), (lambda field: lambda s: getattr(s, field))(f),
                           order=(f,), money=money, decimals=None if money else 0))
    return columns


def _report_filename(division_name: str, year: int, month: int, kind: str, fmt: str) -> str:
    from .display import period_label

    label = {"briefing": "数据简报", "operation": "运行报告"}[kind]
    return f"{division_name}{year}年{period_label(month)}高新技术产业{label}.{fmt}"


@capability_required("monitoring.view")
@answers_unavailable_periods
def reports(request):
    """Generate (preview) and download the data briefing or the operation report for a month of the user's
    region; staff issue (签发) a report, which archives the exact files; issued reports are listed and
    downloaded again as issued."""
    from django.contrib import messages
    from django.shortcuts import redirect

    from xinzhi.reports import CONTENT_TYPES, render_bytes

    from . import archive, reporting

    user = request.user
    _require_monitoring_role(user)
    division = selectors.home_division(user)
    periods = [(f"{y:04d}-{m:02d}", f"{y}年{'1月' if m == 1 else f'1—{m}月'}") for y, m in selectors.available_periods(request)]
    if request.method == "POST":
        kind = request.POST.get("kind")
        try:
            p = Period.parse(request.POST.get("period") or "")
        except PeriodError as exc:
            messages.error(request, str(exc))
            return redirect(request.path)
        if kind not in ("briefing", "operation"):
            messages.error(request, _("未知报告类型"))
            return redirect(request.path)
        if request.POST.get("action") == "generate":
            # rendered by a background job: the request returns at once with the job's page
            from xinzhi.jobs.services import submit

            fmt = request.POST.get("format", "docx")
            if fmt not in ("docx", "pdf", "xlsx"):
                raise Http404("未知格式")
            problem = selectors.period_unavailable(p.year, p.month, request)
            if problem:  # said at once, not after a job failed
                messages.error(request, problem[1])
                return redirect(request.path)
            title = _report_filename(division.name, p.year, p.month, kind, fmt).rsplit(".", 1)[0]
            label = {"docx": "Word", "pdf": "PDF", "xlsx": "Excel"}[fmt]
            job = submit("monitoring.report", user, {"kind": kind, "year": p.year, "month": p.month,
                                                     "format": fmt},
                         title=_("生成%(name)s（%(format)s）") % {"name": title, "format": label},
                         dedupe=f"{kind}:{p.year}-{p.month:02d}:{fmt}:{division.code}")
            return redirect("jobs:detail", job.pk)
        if not archive.can_issue(user, division):
            raise PermissionDenied(_("无权签发该地区的报告"))
        if (p.year, p.month) not in selectors.available_periods(request):
            messages.error(request, _("该期别尚无监测结果，无法签发"))
            return redirect(request.path)
        issued = archive.issue(user, kind, division, p.year, p.month)
        messages.success(request, _("已签发并存档：%(title)s") % {"title": issued.title})
        return redirect(request.path)
    issued = list(archive.issued_for(user).select_related("issued_by", "division")[:50])
    if "kind" not in request.GET:
        return render(request, "monitoring/reports.html", {
            "division": division, "periods": periods, "issued": issued,
            "can_issue": archive.can_issue(user, division), "drafts": archive.drafts_for(user),
        })
    kind, fmt = request.GET.get("kind"), request.GET.get("format", "docx")
    if kind not in ("briefing", "operation") or fmt not in ("docx", "pdf", "xlsx"):
        raise Http404("未知报告类型或格式")
    period = _period_from(request)
    if period is None:
        raise PeriodUnavailable(404, _("尚无企业填报数据，没有监测结果"))
    # a read never computes: the month's snapshots exist (``_requested_period`` checked them; the latest
    # period is a month with snapshots) — they are written by imports, ``monitor`` and staff POSTs only
    document = reporting.build(kind, division, *period)
    response = HttpResponse(render_bytes(document, fmt), content_type=CONTENT_TYPES[fmt])
    return attachment(response, _report_filename(division.name, *period, kind, fmt))


@capability_required("monitoring.view")
def issued_report(request, pk: int, fmt: str):
    """An issued report's stored file, byte for byte as issued (scope checked on the stored record)."""
    from xinzhi.reports import CONTENT_TYPES

    from . import archive
    from .models import IssuedReport

    _require_monitoring_role(request.user)
    if fmt not in archive.FORMATS:
        raise Http404("未知格式")
    try:
        report, data = archive.file_of(request.user, pk, fmt)
    except IssuedReport.DoesNotExist:
        raise Http404("报告不存在或不在您的查看范围内") from None
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    return attachment(response, _report_filename(report.division.name, report.year, report.month, report.kind, fmt))


@capability_required("monitoring.view")
def draft_report(request, pk: int):
    """A briefing draft generated on schedule (its DOCX, to be revised and then issued), if the user's scope
    covers its region."""
    from xinzhi.jobs.models import Job
    from xinzhi.reports import CONTENT_TYPES

    from . import archive

    _require_monitoring_role(request.user)
    try:
        name, data = archive.draft_file(request.user, pk)
    except Job.DoesNotExist:
        raise Http404("草稿不存在或不在您的查看范围内") from None
    return attachment(HttpResponse(data, content_type=CONTENT_TYPES["docx"]), name)


def target_text(value: float | None, precision: int, thousands: bool = True) -> str | None:
    """A target as the cockpit shows the indicator: at the indicator's precision (a rate of precision 1 is
    73.7 and 40.0, a count 5,000), with more decimals only where a manual target has them (up to 4), so a
    stored figure is never shown rounded."""
    if value is None:
        return None
    decimals = precision
    while decimals < 4 and abs(round(value, decimals) - value) > 1e-9:
        decimals += 1
    return fixed(value, decimals, thousands=thousands)


def _target_cell(indicator, division, target) -> dict:
    value = target.value if target else None
    return {"key": f"{indicator.id}:{division.code}", "t": target,
            "text": target_text(value, indicator.precision),
            "input": target_text(value, indicator.precision, thousands=False)}


@capability_required("monitoring.view")
@answers_unavailable_periods
def targets(request):
    """Target allocation (目标分解): province staff edit their cities' targets, city staff their
    counties'; everybody else in monitoring reads. Saving recomputes the year's latest month."""
    from django.contrib import messages
    from django.core.exceptions import ValidationError
    from django.shortcuts import redirect

    from xinzhi.core.inputs import check_number

    from . import services
    from .catalogue import load_catalogue
    from .models import Target

    user = request.user
    _require_monitoring_role(user)
    raw_year = (request.GET.get("year") or request.POST.get("year") or "").strip()
    if not raw_year:
        year = (selectors.latest_snapshot_period(request) or (current_period().year, 1))[0]
    elif not raw_year.isdigit():
        raise PeriodUnavailable(400, f"年份“{raw_year}”格式错误，应为四位数字")
    else:  # targets may be set for the coming year, not later; none before the first year with reference data
        year = int(raw_year)
        reason = year_error(year, ahead=1)
        if reason:
            raise PeriodUnavailable(400, reason)
    division = selectors.home_division(user)
    children = [d for d in selectors.children_of(division) if d.code != division.code]
    indicators = [i for i in load_catalogue()
                  if (i.target or {}).get("year") == year and i.target.get("comparator") != "faster_than" and i.available]
    if request.method == "POST":
        if request.POST.get("allocate") and can(user, "monitoring.target.allocate"):
            written = services.allocate_default_targets(year)
            messages.success(request, _("已按基期自动分解目标 %(n)s 项（人工调整过的目标未改动）。") % {"n": written})
        else:
            changed = 0
            for ind in indicators:
                for d in children:
                    raw = (request.POST.get(f"{ind.id}:{d.code}") or "").strip()
                    if raw == "" or not services.can_edit_target(user, d):
                        continue
                    current = Target.objects.filter(indicator=ind.id, division=d, year=year).values_list("value", flat=True).first()
                    try:  # finite and within the indicator's unit range (core.numbers)
                        value = check_number(raw, ind.unit, signed=ind.kind == "relative", label="目标值")
                    except ValidationError as exc:
                        messages.error(request, f"{d.name} {ind.short_zh}：{exc.messages[0]}")
                        continue
                    if current is not None and abs(current - value) < 1e-9:
                        continue
                    try:
                        services.set_target(user, ind.id, d.code, year, value)
                        changed += 1
                    except (ValidationError, PermissionDenied) as exc:
                        reason = exc.messages[0] if isinstance(exc, ValidationError) else str(exc)
                        messages.error(request, f"{d.name} {ind.short_zh}：{reason}")
            if changed:
                # the year's latest month with filings (never a month nobody filed for)
                latest = next((m for y, m in selectors.available_periods(request) if y == year), None)
                if latest:
                    services.refresh(year, latest)
                messages.success(request, _("已保存 %(n)s 项目标调整，并重新计算了%(year)s年最新月份的评价。") % {"n": changed, "year": year})
        return redirect(f"{request.path}?year={year}")
    stored = {(t.indicator, t.division_id): t for t in Target.objects.restrict(user).filter(year=year)}
    rows = [{"division": d, "editable": services.can_edit_target(user, d),
             "cells": [_target_cell(i, d, stored.get((i.id, d.code))) for i in indicators]} for d in children]
    totals = []
    for i in indicators:
        own = stored.get((i.id, division.code))
        parent_value = float(i.target["value"]) if division.level == "province" else (own.value if own else None)
        child_sum = sum(c["t"].value for r in rows for c in r["cells"] if c["key"].startswith(i.id + ":") and c["t"])
        totals.append({"parent": parent_value, "sum": child_sum if i.kind == "count" else None,
                       "parent_text": target_text(parent_value, i.precision),
                       "sum_text": target_text(child_sum, i.precision) if i.kind == "count" else None})
    names = selectors.indicator_names()
    return render(request, "monitoring/targets.html", {
        "year": year, "division": division, "indicators": indicators, "rows": rows, "totals": totals,
        # column headings in the interface language (the catalogue's English name where there is one)
        "headings": [(names[i.id]["short"], i.unit) for i in indicators],
        "can_allocate": can(user, "monitoring.target.allocate"),
    })
