"""Register pages: search the enterprise register, and an enterprise's profile (企业画像)."""

from __future__ import annotations

import json
from decimal import Decimal

from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from xinzhi.accounts.permissions import capability_required
from xinzhi.core.numbers import wan_figure
from xinzhi.core.params import decimal_param, text_param
from xinzhi.core.scope import region_prefix
from xinzhi.regions.models import Division
from xinzhi.reports.listing import Col, Listing

from .filters import apply_filter, filter_choices
from .models import Enterprise, EnterpriseYear, MonthlyStat
from .panels import render_panels
from .services import search_enterprises

WAN = Decimal(10_000)


def _own_profile(request):
    """An enterprise user asking for the register is shown its own profile."""
    if request.user.role == "enterprise" and request.user.enterprise_id:
        return redirect("enterprises:detail", request.user.enterprise_id)
    return None


def _region_choices(user) -> list[Division]:
    """Cities and counties inside the user's scope, for the filter."""
    divisions = Division.objects.exclude(level="province").order_by("code")
    if not user.is_superuser and user.division_id:
        divisions = divisions.filter(code__startswith=region_prefix(user.division_id))
    return list(divisions)


#: the largest revenue bound the register filter accepts, in 万元 (10^14 万元 = 10^18 yuan, inside a BIGINT)
REVENUE_LIMIT = Decimal(10) ** 14


def filter_register(user, params) -> tuple[object, dict]:
    """The register queryset for the filter parameters (all through ``restrict``)."""
    applied = {k: text_param(params, k) for k in ("q", "division", "industry", "program", "rev_min", "rev_max")}
    qs = search_enterprises(user, applied["q"], applied["division"], applied["industry"]).select_related(
        "division", "industry"
    )
    qs = apply_filter(qs, "program", applied["program"])
    if applied["rev_min"] or applied["rev_max"]:
        latest = MonthlyStat.objects.order_by("-year", "-month").values("year", "month").first()
        if latest:
            stats = MonthlyStat.objects.filter(year=latest["year"], month=latest["month"])
            # finite amounts in 万元 within what a BIGINT of yuan holds (NaN, inf, 1e999: a 400, not a 500)
            rev_min = decimal_param(params, "rev_min", minimum=-REVENUE_LIMIT, maximum=REVENUE_LIMIT)
            rev_max = decimal_param(params, "rev_max", minimum=-REVENUE_LIMIT, maximum=REVENUE_LIMIT)
            if rev_min is not None:
                stats = stats.filter(revenue__gte=int(rev_min * WAN))
            if rev_max is not None:
                stats = stats.filter(revenue__lte=int(rev_max * WAN))
            qs = qs.filter(pk__in=stats.values("enterprise_id"))
    return qs.order_by("division_id", "name"), applied


#: the register's columns: shown, sortable (whitelisted ORDER BY fields) and exported
REGISTER_COLUMNS = (
    Col("name", "企业名称", lambda e: e.name, order=("name",),
        link=lambda e: reverse("enterprises:detail", args=[e.pk])),
    Col("uscc", "统一社会信用代码", lambda e: e.uscc, order=("uscc",)),
    Col("division", "所在地", lambda e: e.division.name, order=("division_id",)),
    Col("industry", "行业", lambda e: f"{e.industry.code} {e.industry.name}" if e.industry_id else None,
        order=("industry_id",)),
    Col("registered_on", "成立日期", lambda e: e.registered_on, order=("registered_on",)),
)


@capability_required("register.view", otherwise=_own_profile)
def enterprise_list(request):
    user = request.user
    qs, applied = filter_register(user, request.GET)
    listing = Listing(request, REGISTER_COLUMNS, qs, default=("division_id", "name"), title="企业库",
                      empty="没有符合条件的企业")
    if listing.wants_export:
        return listing.export()
    return render(request, "enterprises/list.html", {
        "table": listing.table(), "page": listing.page, "applied": applied, "regions": _region_choices(user),
        "programs": filter_choices("program"),
    })


@capability_required("enterprise.profile.view")
def enterprise_detail(request, pk: int):
    user = request.user
    enterprise = get_object_or_404(Enterprise.objects.restrict(user).select_related("division__parent", "industry"), pk=pk)
    stats = list(MonthlyStat.objects.restrict(user).filter(enterprise=enterprise).order_by("-year", "-month")[:24])
    rows = [
        {"period": f"{s.year}-{s.month:02d}", "is_revision": s.is_revision, "employees": s.employees,
         **{f: wan_figure(getattr(s, f)) for f in MonthlyStat.AMOUNT_FIELDS},
         "rd_ratio": f"{100 * s.rd_expense / s.revenue:.2f}%" if s.revenue else "—"}
        for s in stats
    ]
    series: dict[int, list] = {}
    for s in sorted(stats, key=lambda s: (s.year, s.month)):
        series.setdefault(s.year, [None] * 12)[s.month - 1] = round(s.revenue / 10_000, 1)
    context = {
        "enterprise": enterprise,
        "years": EnterpriseYear.objects.restrict(user).filter(enterprise=enterprise).order_by("-year"),
        "rows": rows,
        "chart": json.dumps({str(y): v for y, v in series.items()}),
        "panels": render_panels(request, enterprise),
    }
    return render(request, "enterprises/detail.html", context)
