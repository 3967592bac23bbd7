"""Unicorn cultivation pages: the register, a company with its rounds and tier history, discovery
(遴选发现), dynamic monitoring (动态监测) and the annual report. Reads through ``restrict``; writes through
``services``."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

import polars as pl
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xinzhi.accounts.permissions import can, capability_required
from xinzhi.core.downloads import attachment
from xinzhi.regions.models import Division
from xinzhi.reports.listing import Col, Listing

from . import report, services, tiers
from .forms import CompanyForm
from .models import Company, FinancingRound, Tier, TierChange


def _as_of(request) -> datetime.date:
    raw = (request.GET.get("as_of") or "").strip()
    if raw:
        try:
            return datetime.date.fromisoformat(raw)
        except ValueError:
            messages.error(request, "截至日期格式应为 YYYY-MM-DD，已按今天显示")
    return timezone.localdate()


def _names() -> dict[str, str]:
    return dict(Division.objects.values_list("code", "name"))


#: the register's columns (reports.listing): shown, sortable in the database and exported
LIST_COLUMNS = (
    Col("name", "企业名称", lambda c: c.name, order=("name",), link=lambda c: reverse("unicorns:detail", args=[c.pk]),
        text=lambda c: f"{c.name}（{_('关注')}）" if c.on_watch else c.name),
    Col("uscc", "统一社会信用代码", lambda c: c.uscc, shown=False),
    Col("division", "所在地", lambda c: c.division.name, order=("division_id",)),
    Col("field", "赛道", lambda c: c.field, order=("field",)),
    Col("founded_on", "成立日期", lambda c: c.founded_on, order=("founded_on",)),
    Col("tier", "层级", lambda c: c.get_tier_display(), order=("tier",)),
    Col("on_watch", "重点关注", lambda c: "是" if c.on_watch else "否", shown=False),
)


@capability_required("unicorns.view")
def company_list(request):
    user = request.user
    params = {k: (request.GET.get(k) or "").strip() for k in ("q", "tier", "division", "watch")}
    qs = Company.objects.restrict(user).select_related("division")
    if params["q"]:
        qs = qs.filter(Q(name__contains=params["q"]) | Q(field__contains=params["q"]))
    if params["tier"] in Tier.values:
        qs = qs.filter(tier=params["tier"])
    if params["division"].isdigit() and len(params["division"]) == 6:
        from xinzhi.core.scope import region_prefix

        qs = qs.filter(division__code__startswith=region_prefix(params["division"]))
    if params["watch"]:
        qs = qs.filter(on_watch=True)
    counts = {t: Company.objects.restrict(user).filter(tier=t).count() for t in Tier.values}
    listing = Listing(request, LIST_COLUMNS, qs, default=("tier", "name"), title="独角兽企业培育库",
                      empty="没有符合条件的企业")
    if listing.wants_export:
        return listing.export()
    return render(request, "unicorns/list.html", {
        "table": listing.table(), "page": listing.page, "applied": params, "tiers": Tier.choices,
        "counts": [(label, counts[v]) for v, label in Tier.choices],
        "regions": Division.objects.filter(level="city").order_by("code"), "can_edit": can(user, "unicorns.edit"),
    })


def _int(raw: str, label: str, optional: bool = False) -> int | None:
    raw = (raw or "").strip().replace(",", "")
    if not raw and optional:
        return None
    try:
        return int((Decimal(raw) * 10000).quantize(Decimal(1)))  # typed in 万 (元 or 美元)
    except InvalidOperation:
        raise services.UnicornError(f"{label}：请填写数字（万）") from None


def _date(raw: str, label: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat((raw or "").strip())
    except ValueError:
        raise services.UnicornError(f"{label}：请填写日期（YYYY-MM-DD）") from None


def _post(request, company: Company) -> None:
    user, post, action = request.user, request.POST, request.POST.get("action")
    if action == "round":
        try:
            rate = Decimal((post.get("usd_rate") or "").strip())
        except InvalidOperation:
            raise services.UnicornError("美元汇率：请填写数字") from None
        services.add_round(user, company.pk, _date(post.get("announced_on"), "融资日期"), post.get("round_name", ""),
                           post.get("currency", ""), _int(post.get("amount"), "融资金额"),
                           _int(post.get("post_valuation"), "投后估值", optional=True), rate, post.get("investors", ""))
        messages.success(request, "已登记融资")
    elif action == "tier":
        services.confirm_tier(user, company.pk, post.get("to_tier", ""), _date(post.get("effective_on"), "生效日期"),
                              post.get("reason", ""))
        messages.success(request, "已确认层级变动")
    elif action == "watch":
        services.set_watch(user, company.pk, post.get("on") == "1")
        messages.success(request, "已更新重点关注")
    else:
        raise PermissionDenied("未知操作")


@capability_required("unicorns.view")
def company_detail(request, pk: int):
    user = request.user
    company = get_object_or_404(Company.objects.restrict(user).select_related("division", "cluster"), pk=pk)
    if request.method == "POST":
        try:
            _post(request, company)
        except services.UnicornError as exc:
            messages.error(request, f"未保存：{exc}")
        return redirect("unicorns:detail", company.pk)
    today = timezone.localdate()
    assessed = services.assessed(user, today).filter(pl.col("id") == company.pk).to_dicts()
    if assessed:
        assessed[0]["tier_label"] = tiers.LABEL[assessed[0]["tier"]]
    may_change = Company.objects.restrict(user, "change").filter(pk=pk).exists()
    return render(request, "unicorns/detail.html", {
        "company": company, "today": today, "a": assessed[0] if assessed else None,
        "rounds": FinancingRound.objects.restrict(user).filter(company=company).order_by("-announced_on"),
        "history": TierChange.objects.restrict(user).filter(company=company).select_related("confirmed_by"),
        "may_edit": may_change and can(user, "unicorns.edit"),
        "may_set_tier": may_change and can(user, "unicorns.tier.set"), "tiers": Tier.choices,
    })


def _edit(request, company: Company | None):
    form = CompanyForm(request.POST or None, instance=company, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_company(request.user, form.save(commit=False))
        except services.UnicornError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "已保存企业")
            return redirect("unicorns:detail", saved.pk)
    return render(request, "unicorns/form.html", {"form": form, "company": company})


@capability_required("unicorns.edit")
def company_create(request):
    return _edit(request, None)


@capability_required("unicorns.edit")
def company_edit(request, pk: int):
    return _edit(request, get_object_or_404(Company.objects.restrict(request.user, "change"), pk=pk))


@capability_required("unicorns.view")
def discovery(request):
    """Candidates (遴选发现): computed tier differs from the confirmed one, or approaching the next tier."""
    as_of = _as_of(request)
    out = services.assessed(request.user, as_of)
    changes = out.filter(pl.col("change")).sort(["tier", "valuation_usd"], descending=[False, True], nulls_last=True)
    near = out.filter(~pl.col("change") & pl.col("approaching")).sort("valuation_gap", nulls_last=True)
    names = _names()
    criteria = tiers.load_criteria(as_of)

    def rows(frame):
        return [{**r, "division": names.get(r["division_id"], ""), "tier_label": tiers.LABEL[r["tier"]],
                 "confirmed_label": tiers.LABEL.get(r["confirmed_tier"], ""),
                 "next_label": tiers.LABEL.get(r["next_tier"] or "", "—"),
                 "currency": criteria.tiers[r["next_tier"]].currency if r["next_tier"] else ""}
                for r in frame.head(300).to_dicts()]

    return render(request, "unicorns/discovery.html", {
        "as_of": as_of, "changes": rows(changes), "near": rows(near), "n_changes": changes.height,
        "n_near": near.height, "criteria": [(tiers.LABEL[k], c) for k, c in criteria.tiers.items()],
        "approach_pct": round(criteria.approach_share * 100),
        "can_set": can(request.user, "unicorns.tier.set"),
    })


@capability_required("unicorns.view")
def monitoring(request):
    """Dynamic monitoring (动态监测): alerts on the confirmed tiers, the watch-list, recent tier changes."""
    as_of = _as_of(request)
    out = services.assessed(request.user, as_of)
    names = _names()
    alerted = out.filter(pl.col("alerts").list.len() > 0).sort("name")
    watch = out.filter(pl.col("on_watch")).sort("name")
    since = as_of - datetime.timedelta(days=365)
    changes = (TierChange.objects.restrict(request.user).filter(effective_on__gt=since, effective_on__lte=as_of)
               .select_related("company").order_by("-effective_on")[:200])
    label = lambda frame: [{**r, "division": names.get(r["division_id"], ""),  # noqa: E731
                            "confirmed_label": tiers.LABEL.get(r["confirmed_tier"], "")} for r in frame.to_dicts()]
    return render(request, "unicorns/monitoring.html", {
        "as_of": as_of, "alerted": label(alerted.head(300)), "watch": label(watch.head(300)), "changes": changes,
        "n_alerted": alerted.height,
    })


@capability_required("unicorns.view")
def annual_report(request):
    """The province's (or the region's) annual unicorn development report; DOCX/PDF on request."""
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year - 1)
    except ValueError:
        year = today.year - 1
    year = min(max(year, 2000), today.year)
    figures = report.figures(request.user, year)
    fmt = request.GET.get("format")
    if fmt in ("docx", "pdf"):
        from xinzhi.reports import CONTENT_TYPES, render_bytes

        document = report.document(figures, request.user)
        response = HttpResponse(render_bytes(document, fmt), content_type=CONTENT_TYPES[fmt])
        return attachment(response, f"{year}年独角兽企业发展报告.{fmt}")
    return render(request, "unicorns/report.html", {"f": figures, "year": year, "years": range(today.year, 2019, -1)})
