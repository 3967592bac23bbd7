"""Cultivation pages (thin: the work is in ``services``). Every read goes through ``restrict``;
out-of-scope ids are 404, wrong roles 403."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from xinzhi.accounts.permissions import can, capability_required, require
from xinzhi.core.params import date_param, year_param
from xinzhi.enterprises.models import Enterprise
from xinzhi.policy.explain import parameter_groups
from xinzhi.policy.params import load_parameters
from xinzhi.reports.listing import Col, Listing

from .models import Outcome, SamplingDraw, SamplingItem, ScreenProgram
from .services import am_list, packages, sampling, screening, whatif


def _year(request, default: int | None = None) -> int:
    return year_param(request.GET) or year_param(request.POST) or default or date.today().year - 1


# --------------------------------------------------------------------------- package form


@capability_required("cultivation.package.view")
def package_edit(request, enterprise_id: int, year: int):
    """The sectioned package form; enterprise users for themselves, staff for enterprises in their region."""
    enterprise = get_object_or_404(Enterprise.objects.restrict(request.user), pk=enterprise_id)
    can_change = Enterprise.objects.restrict(request.user, "change").filter(pk=enterprise.pk).exists()
    errors: list[dict] = []
    if request.method == "POST":
        require(request.user, "cultivation.package.edit", enterprise)
        if not can_change:
            raise PermissionDenied("无权修改该企业的数据包")
        data = packages.data_from_form(request.POST, year)
        saved = packages.save_package(enterprise, year, data, request.user)
        errors = saved.errors
        if not errors:
            messages.success(request, f"{year}年度数据包已保存（第{saved.version}版），校验通过；匹配结果见本页下方")
            return redirect(reverse("cultivation:package", args=[enterprise.pk, year]) + "#policies")
        messages.error(request, f"已保存为第{saved.version}版，但有{len(errors)}处校验问题，请修改")
        data = saved.data
    else:
        data = packages.prefill(enterprise, year)
    versions = enterprise.annual_packages.filter(year=year).order_by("-version")[:20]
    by_field = {e["field"]: e["reason"] for e in errors}
    sections = [(key, title, [(f, by_field.get(f.path)) for f in fields])
                for key, title, fields in packages.form_sections()]
    saved_answers = enterprise.annual_packages.filter(year=year, is_current=True, status="valid").exists()
    return render(request, "cultivation/package_form.html", {
        "enterprise": enterprise, "year": year, "sections": sections, "values": packages.form_values(data),
        "errors": errors, "versions": versions, "can_change": can_change, "saved_answers": saved_answers,
    })


@capability_required("cultivation.package.view")
def package_latest(request, enterprise_id: int):
    """The enterprise's annual package: the latest year it filed, else last year (the enterprise menu's entry)."""
    enterprise = get_object_or_404(Enterprise.objects.restrict(request.user), pk=enterprise_id)
    latest = enterprise.annual_packages.order_by("-year").values_list("year", flat=True).first()
    return redirect("cultivation:package", enterprise.pk, latest or date.today().year - 1)


# --------------------------------------------------------------------------- parameters


@capability_required("cultivation.view")
def parameters_page(request):
    """政策参数: every parameter in force on a date, as it reads, with its citation (staff)."""
    on = date_param(request.GET, "on", date.today())
    return render(request, "cultivation/parameters.html", {"on": on, "groups": parameter_groups(load_parameters(), on)})


# --------------------------------------------------------------------------- lists


def _list_context(request, kind: str):
    year = _year(request)
    program = request.GET.get("program") or "hte"
    if program not in ScreenProgram.values:
        program = "hte"
    division = (request.GET.get("division") or "").strip()
    run = screening.latest_run(year)
    if run is None:
        qs = None
    elif kind == "unclaimed":
        qs = screening.unclaimed(request.user, run, program, division)
    else:
        qs = screening.pool(request.user, run, program, division)
    return {"year": year, "program": program, "division": division, "run": run, "qs": qs, "kind": kind,
            "programs": ScreenProgram.choices}


#: the screening lists' columns (reports.listing): the page shows seven, the export every one
RESULT_COLUMNS = (
    Col("uscc", "统一社会信用代码", lambda r: r.enterprise.uscc, shown=False),
    Col("enterprise", "企业", lambda r: r.enterprise.name, order=("enterprise__name",),
        link=lambda r: reverse("enterprises:detail", args=[r.enterprise_id]) + "#policies"),
    Col("division", "县（市、区）", lambda r: r.division.name, order=("division_id",)),
    Col("program", "项目", lambda r: r.get_program_display(), shown=False),
    Col("eligible", "符合条件", lambda r: {True: "是", False: "否", None: "待定"}[r.eligible], shown=False),
    Col("score", "得分", lambda r: r.score, order=("score",), decimals=0),
    Col("failed", "未满足条件", lambda r: r.failed),
    Col("gap", "差距", lambda r: r.gap_text),
    Col("gap_amount", "差距金额", lambda r: r.gap_amount, order=("gap_amount",), money=True, decimals=2),
    Col("gap_staff", "差距人数", lambda r: r.gap_staff, decimals=0, unit="人", shown=False),
    Col("gap_points", "差距分数", lambda r: r.gap_points, decimals=0, shown=False),
    Col("benefit", "预计优惠", lambda r: r.benefit, order=("benefit",), money=True, decimals=2),
)


@capability_required("cultivation.view")
def result_list(request, kind: str):
    """应享尽享 (``unclaimed``) and the cultivation pool (``pool``), filterable, sortable, exportable."""
    context = _list_context(request, kind)
    qs = context["qs"]
    if qs is not None:
        program = dict(ScreenProgram.choices).get(context["program"], "")
        title = f"{'应享尽享' if kind == 'unclaimed' else '培育库'}-{program}-{context['year']}"
        listing = Listing(request, RESULT_COLUMNS, qs.select_related("enterprise", "division"), title=title,
                          empty="无", limit=100_000)
        if listing.wants_export:
            return listing.export(title)
        context.update(table=listing.table(), page=listing.page)
    return render(request, "cultivation/results.html", context)


@capability_required("cultivation.view")
def region_counts(request):
    """Counts by county (or city with ``level=city``) — JSON for the cockpit and map."""
    year = _year(request)
    frame = screening.counts_by_region(year, request.user, request.GET.get("level", "county"))
    return JsonResponse({"year": year, "rows": frame.to_dicts()})


@capability_required("cultivation.screening.run")
@require_POST
def run_screening(request):
    from xinzhi.jobs.services import submit

    year = _year(request)
    # a background job: the request returns at once with the job's page (which links to the lists when done)
    job = submit("cultivation.screening", request.user, {"year": year}, title=f"{year}年度全库筛查",
                 dedupe=f"screening:{year}")
    return redirect("jobs:detail", job.pk)


# --------------------------------------------------------------------------- advanced-manufacturing list


#: the advanced-manufacturing list's columns (reports.listing): what each role may see of it (``am_list.visible``)
AM_LIST_COLUMNS = (
    Col("uscc", "统一社会信用代码", lambda e: e.enterprise.uscc, shown=False),
    Col("enterprise", "企业", lambda e: e.enterprise.name, order=("enterprise__name",)),
    Col("division", "县（市、区）", lambda e: e.division.name, order=("division_id",)),
    Col("level", "推荐层级", lambda e: e.level_division.name, order=("level_division_id",)),
    Col("status", "状态", lambda e: e.get_status_display(), order=("status",)),
    Col("reason", "推荐理由", lambda e: e.reason, shown=False),
    Col("proposed_at", "推荐时间", lambda e: _local_time(e.proposed_at), shown=False),
    Col("published_at", "公布时间", lambda e: _local_time(e.published_at), shown=False),
)


def _local_time(value) -> str | None:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else None


@capability_required("cultivation.am_list.view")
def am_list_page(request):
    user = request.user
    year = _year(request)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "propose":
                ids = [int(i) for i in request.POST.getlist("enterprise")]
                am_list.propose(user, ids, year, request.POST.get("reason", ""))
                messages.success(request, f"已推荐{len(ids)}家企业，等待同级科技、财政、税务部门确认")
            elif action in ("confirm", "reject"):
                entry = get_object_or_404(am_list.pending_reviews(user, year), pk=request.POST.get("entry"))
                am_list.decide(user, entry, action, request.POST.get("reason", ""))
                messages.success(request, "已记录意见")
            elif action == "publish":
                messages.success(request, f"已公布{am_list.publish(user, year)}家企业")
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        return redirect(f"{request.path}?year={year}")
    listing = Listing(request, AM_LIST_COLUMNS, am_list.visible(user, year),
                      default=("division_id", "enterprise__name"), title=f"{year}年先进制造业企业名单", empty="无")
    if listing.wants_export:
        return listing.export()
    context = {"year": year, "table": listing.table(), "page": listing.page,
               "can_propose": am_list.can_propose(user), "can_review": am_list.can_review(user),
               "can_publish": am_list.can_publish(user)}
    if context["can_propose"]:
        context["candidates"] = am_list.candidates(user, year)[:200]
    if context["can_review"]:
        context["pending"] = am_list.pending_reviews(user, year)
    return render(request, "cultivation/am_list.html", context)


# --------------------------------------------------------------------------- sampling


@capability_required("cultivation.sampling.view")
def sampling_page(request):
    user = request.user
    if request.method == "POST":
        try:
            seed = request.POST.get("seed") or None
            draw = sampling.create_draw(user, _year(request), int(request.POST.get("size") or 20),
                                        int(seed) if seed else None)
        except (ValidationError, ValueError) as exc:
            messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
            return redirect("cultivation:sampling")
        return redirect("cultivation:draw", draw.pk)
    listing = Listing(request, DRAW_COLUMNS, SamplingDraw.objects.restrict(user).select_related("division"),
                      default=("-id",), title="核查抽样", empty="暂无")
    if listing.wants_export:
        return listing.export()
    return render(request, "cultivation/sampling.html", {"table": listing.table(), "page": listing.page,
                                                          "year": _year(request),
                                                          "can_draw": can(user, "cultivation.sampling.draw")})


#: the draws (核查抽样) and the enterprises of one draw (reports.listing)
DRAW_COLUMNS = (
    Col("id", "编号", lambda d: d.pk, text=lambda d: f"#{d.pk}", order=("id",), thousands=False,
        link=lambda d: reverse("cultivation:draw", args=[d.pk])),
    Col("year", "年度", lambda d: d.year, order=("year",), thousands=False),
    Col("division", "范围", lambda d: d.division.name, order=("division_id",)),
    Col("population", "总体", lambda d: d.population, order=("population",), decimals=0, unit="家"),
    Col("size", "抽取", lambda d: d.size, order=("size",), decimals=0, unit="家"),
    Col("seed", "种子", lambda d: str(d.seed)),  # text: a seed of 19 digits must not be rounded by a float
    Col("created_at", "时间", lambda d: _local_time(d.created_at), order=("created_at",)),
)
ITEM_COLUMNS = (
    Col("rank", "序", lambda i: i.rank, order=("rank",), thousands=False),
    Col("uscc", "统一社会信用代码", lambda i: i.enterprise.uscc, shown=False),
    Col("enterprise", "企业", lambda i: i.enterprise.name, order=("enterprise__name",),
        link=lambda i: reverse("enterprises:detail", args=[i.enterprise_id])),
    Col("program", "资质", lambda i: i.get_program_display(), order=("program",)),
    Col("division", "县（市、区）", lambda i: i.division.name, order=("division_id",)),
    Col("signals", "风险信号", lambda i: "、".join(i.signal_labels), wrap=True),
    Col("weight", "权重", lambda i: i.weight, order=("weight",), decimals=2),
    Col("outcome", "核查结果", lambda i: i.get_outcome_display(), order=("outcome",),
        cell="cultivation/_outcome_form.html"),
    Col("note", "核查说明", lambda i: i.note, shown=False),
    Col("inspected_at", "核查时间", lambda i: _local_time(i.inspected_at), shown=False),
)


@capability_required("cultivation.sampling.view")
def draw_detail(request, pk: int):
    user = request.user
    draw = get_object_or_404(SamplingDraw.objects.restrict(user), pk=pk)
    if request.method == "POST":
        item = get_object_or_404(SamplingItem.objects.restrict(user), pk=request.POST.get("item"), draw=draw)
        try:
            sampling.record_outcome(user, item, request.POST.get("outcome", ""), request.POST.get("note", ""))
            messages.success(request, "核查结果已记录")
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        # back to the page the form was on (its sort and page are in the query string the form posted to)
        query = request.GET.urlencode()
        return redirect(reverse("cultivation:draw", args=[draw.pk]) + (f"?{query}" if query else ""))
    items = SamplingItem.objects.restrict(user).filter(draw=draw).select_related("enterprise", "division", "draw")
    listing = Listing(request, ITEM_COLUMNS, items, default=("rank",), title=f"{draw.year}年核查抽样{draw.pk}号",
                      empty="无抽中企业", per_page=100)
    if listing.wants_export:
        return listing.export()
    return render(request, "cultivation/draw.html", {"draw": draw, "table": listing.table(), "page": listing.page,
                                                      "outcomes": Outcome.choices})


# --------------------------------------------------------------------------- what-if


@capability_required("cultivation.what_if")
def what_if_page(request):
    user = request.user
    year = _year(request)
    params = whatif.parameters(year)
    result, error = None, None
    name, value = request.GET.get("param", ""), request.GET.get("value", "")
    if request.method == "POST":
        # the same comparison as a background job, kept as an Excel file
        from xinzhi.jobs.services import submit

        name, value = request.POST.get("param", ""), request.POST.get("value", "")
        if name not in {p["name"] for p in params} or not value.strip():
            messages.error(request, "请选择参数并填写新取值")
            return redirect(f"{request.path}?year={year}")
        job = submit("cultivation.what_if", user, {"year": year, "param": name, "value": value.strip()},
                     title=f"{year}年度政策参数模拟", dedupe=f"what-if:{year}:{name}:{value.strip()}")
        return redirect("jobs:detail", job.pk)
    if name and value:
        try:
            result = whatif.run(user, year, {name: value})
        except ValidationError as exc:
            error = "；".join(exc.messages)
    return render(request, "cultivation/what_if.html", {"year": year, "params": params, "result": result,
                                                         "error": error, "param": name, "value": value})
