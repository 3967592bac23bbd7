"""Pages of the innovation programmes (thin: the rules are in ``loop``/``shares``, the writes in ``services``).
Every read goes through ``restrict``/``visible_problems``; out-of-scope ids are 404."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Value
from django.db.models.functions import Concat, Substr
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xinzhi.accounts.permissions import can, capability_required
from xinzhi.core.params import date_param
from xinzhi.enterprises.models import Enterprise
from xinzhi.industries.models import Cluster
from xinzhi.platforms.models import Platform, PlatformKind
from xinzhi.regions.models import Division
from xinzhi.reports.listing import Listing

from . import lists, loop, newproducts, services
from . import standards as standards_module
from .models import (
    MajorProject,
    NewProductProject,
    NewProductStage,
    Problem,
    ProjectProgramme,
    Selection,
    Solver,
    Standard,
    StandardLevel,
    StandardStatus,
    StandardTheme,
    SupportKind,
    UnitKind,
)


def _date(value: str | None, default: dt.date | None = None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((value or "").strip())
    except ValueError:
        return default


def _int(value: str | None) -> int | None:
    try:
        return int(str(value).replace(",", "").strip())
    except (TypeError, ValueError):
        return None


def record_for_enterprise(request, capability: str, denied: str, record, done: str):
    """A form's POST that records something for an enterprise — the enterprise itself, or staff for one of their
    region named by ``uscc`` (``services.enterprise_acted_for``): the capability (else 403 with ``denied``), then
    ``record(user, enterprise)``, the service's refusal shown as a message. The record, or None when refused."""
    user = request.user
    if not can(user, capability):
        raise PermissionDenied(denied)
    enterprise = services.enterprise_acted_for(user, request.POST.get("uscc"))
    if enterprise is None:
        messages.error(request, _("统一社会信用代码未找到，或该企业不在本地区"))
        return None
    try:
        recorded = record(user, enterprise)
    except (services.Refused, PermissionDenied) as exc:
        messages.error(request, str(exc))
        return None
    messages.success(request, done)
    return recorded


def _year(value: str | None) -> int | None:
    """A plan year from a query string; outside 1900–2999 it is ignored (the page shows the current year)."""
    year = _int(value)
    return year if year is not None and 1900 <= year <= 2999 else None


def _yuan(value: str | None) -> int | None:
    """Money is entered in 万元 on the pages and stored in whole yuan."""
    try:
        return round(float(str(value).replace(",", "").strip()) * 10_000)
    except (TypeError, ValueError, OverflowError):  # "inf" overflows round(): no amount, not a server error
        return None


@capability_required("programs.view")
def problems(request):
    user = request.user
    qs = services.visible_problems(user).select_related("enterprise", "division", "cluster")
    state = (request.GET.get("state") or "").strip()
    if state:
        qs = qs.filter(state=state)
    listing = Listing(request, lists.PROBLEM_COLUMNS, qs, default=("-posed_at", "-id"), title="企业出题",
                      empty="暂无难题")
    if listing.wants_export:
        return listing.export()
    return render(request, "programs/problems.html", {
        "table": listing.table(), "page": listing.page, "states": list(loop.STATE_LABELS.items()), "applied_state": state,
        "may_pose": services.may_pose(user), "solver": services.solver_of(user),
        "overview": bool(can(user, "programs.overview")),
    })


@capability_required("programs.problem.pose")
def pose(request):
    user = request.user
    today = timezone.localdate()
    if request.method == "POST":
        post = request.POST
        enterprise = services.enterprise_acted_for(user, post.get("uscc"))
        if enterprise is None:
            messages.error(request, _("统一社会信用代码未找到，或该企业不在本地区"))
        else:
            data = {k: post.get(k, "") for k in ("title", "field", "goal", "acceptance_criteria", "cluster")}
            data |= {"budget": _yuan(post.get("budget_wan")), "deadline": _date(post.get("deadline")),
                     "confidential": post.get("confidential") == "on"}
            try:
                problem = services.pose(user, enterprise, data, today)
            except (services.Refused, PermissionDenied) as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("难题已提交，等待经信部门审核助题"))
                return redirect("programs:problem", problem.pk)
    return render(request, "programs/pose.html", {
        "clusters": Cluster.objects.order_by("kind", "code"), "form": request.POST, "today": today,
    })


@capability_required("programs.view")
def problem_detail(request, pk: int):
    user = request.user
    problem = get_object_or_404(services.visible_problems(user).select_related(
        "enterprise", "division", "cluster", "major_project", "new_product"), pk=pk)
    actor = services.actor_of(user, problem)
    if request.method == "POST":
        return _post_step(request, problem)
    solver = services.solver_of(user)
    proposals = problem.proposals.select_related("solver")
    if actor == loop.SOLVER:
        proposals = proposals.filter(solver=solver)  # a solver sees its own proposal only
    contract = getattr(problem, "contract", None) if actor != loop.SOLVER or (
        solver and problem.proposals.filter(solver=solver, chosen=True).exists()) else None
    actions = loop.actions_for(problem.state, actor) if actor and can(user, "programs.problem.act") else []
    return render(request, "programs/problem_detail.html", {
        "problem": problem, "actor": actor, "actions": actions, "steps": problem.steps.select_related("actor"),
        "proposals": proposals, "contract": contract,
        "milestones": contract.milestones.all() if contract else [],
        "acceptances": problem.acceptances.select_related("pilot_platform"), "evaluations": problem.evaluations.all(),
        "supports": SupportKind.choices, "solvers": Solver.objects.filter(active=True).order_by("kind", "name")[:500],
        "pilot_platforms": Platform.objects.filter(kind=PlatformKind.PILOT_PLATFORM).order_by("name")[:500],
        "evaluation_months": services.evaluation_months(), "today": timezone.localdate(),
        "suggested": services.suggest_solvers(problem)
        if actor == loop.STAFF and problem.state in (loop.POSED, loop.VETTED, loop.PUBLISHED, loop.ANSWERED) else [],
        "link_choices": {
            "projects": MajorProject.objects.restrict(user).filter(lead_enterprise=problem.enterprise).order_by("-year")[:50],
            "new_products": NewProductProject.objects.restrict(user).filter(enterprise=problem.enterprise).order_by("-year")[:50],
        } if actor == loop.STAFF and can(user, "programs.problem.act") else None,
    })


def _post_step(request, problem: Problem):
    post = request.POST
    action = post.get("action", "")
    if action == "link":
        try:
            services.link_problem(request.user, problem.pk, _int(post.get("major_project")), _int(post.get("new_product")))
        except (PermissionDenied, services.Refused) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("已关联项目"))
        return redirect("programs:problem", problem.pk)
    on = _date(post.get("on"), timezone.localdate())
    data = {"note": post.get("note", ""), "classification": post.get("classification", ""),
            "support": post.get("support", ""), "solvers": [_int(v) for v in post.getlist("solvers") if _int(v)],
            "summary": post.get("summary", ""), "price": _yuan(post.get("price_wan")), "months": _int(post.get("months")),
            "proposal": _int(post.get("proposal")), "amount": _yuan(post.get("amount_wan")),
            "milestones": list(zip(post.getlist("milestone_title"), [_date(d) for d in post.getlist("milestone_due")],
                                   strict=False)),
            "passed": {"yes": True, "no": False}.get(post.get("passed", "")), "place": post.get("place", ""),
            "result": post.get("result", ""), "pilot_platform": _int(post.get("pilot_platform")),
            "sales": _yuan(post.get("sales_wan")), "cost_saved": _yuan(post.get("cost_saved_wan")),
            "adopters": _int(post.get("adopters")), "milestone": _int(post.get("milestone"))}
    if action == "evaluate":
        data["months"] = _int(post.get("eval_months"))
    try:
        services.act(request.user, problem.pk, action, on, **data)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("无权办理"))
    except services.Refused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已办理：%(step)s") % {"step": loop.STEPS[action].label})
    return redirect("programs:problem", problem.pk)


@capability_required("programs.overview")
def loop_overview(request):
    user = request.user
    on = date_param(request.GET, "on", timezone.localdate())
    by = request.GET.get("by") if request.GET.get("by") in ("city", "county", "cluster", "year") else "city"
    data = services.loop_overview(user, on, by)
    names = dict(Division.objects.values_list("code", "name")) | dict(Cluster.objects.values_list("code", "name"))
    rows = [{**r, "name": names.get(r["group"], r["group"] or _("未归集群"))} for r in data["funnel"].to_dicts()]
    titles = {s: loop.STATE_LABELS[s] for s, _c in loop.FUNNEL}
    return render(request, "programs/loop.html", {
        "on": on, "by": by, "rows": rows, "stages": [(s, titles[s]) for s, _c in loop.FUNNEL],
        "total": (data["total"].to_dicts() or [None])[0],
        "stage_days": [{**r, "from_label": titles[r["from_stage"]], "to_label": titles[r["to_stage"]]}
                       for r in data["stage_days"].to_dicts()],
        "stalled": [{**r, "stage_label": titles.get(r["stage"], "")} for r in data["stalled"].head(200).to_dicts()],
        "stalled_count": data["stalled"].height, "stalled_days": data["stalled_days"],
    })



# --------------------------------------------------------------------------- major S&T projects

@capability_required("programs.view")
def projects(request):
    user = request.user
    today = timezone.localdate()
    on = date_param(request.GET, "on", today)
    year = _year(request.GET.get("year")) or on.year
    programme = (request.GET.get("programme") or "").strip()
    qs = MajorProject.objects.restrict(user).filter(year=year).select_related("division").prefetch_related("units")
    if programme:
        qs = qs.filter(programme=programme)
    listing = Listing(request, lists.PROJECT_COLUMNS, qs, default=("programme", "name"), title="重大科技项目",
                      empty="暂无项目")
    if listing.wants_export:
        return listing.export()
    context = {"table": listing.table(), "page": listing.page, "year": year, "on": on, "programmes": ProjectProgramme.choices, "applied": programme,
               "may_register": bool(can(user, "programs.major.edit")), "shares": None}
    if can(user, "programs.overview"):
        start, end = dt.date(year, 1, 1), min(on, dt.date(year, 12, 31))
        labels = dict(ProjectProgramme.choices)
        names = dict(Division.objects.filter(level="city").values_list("code", "name"))
        context["shares"] = {
            "end": end,
            "total": (services.st_shares(user, start, end, ["province"]).to_dicts() or [None])[0],
            "by_programme": [{**r, "label": labels.get(r["programme"], r["programme"])}
                             for r in services.st_shares(user, start, end, ["programme"]).to_dicts()],
            "by_city": [{**r, "label": names.get(r["city"], r["city"])}
                        for r in services.st_shares(user, start, end, ["city"]).to_dicts()],
            "top_ranks": services.parameters()["st_projects"]["led_top_ranks"],
        }
    return render(request, "programs/projects.html", context)


@capability_required("programs.major.edit")
def project_new(request):
    user = request.user
    if request.method == "POST":
        post = request.POST
        units = []
        for i, (name, kind, uscc, outside) in enumerate(zip(post.getlist("unit_name"), post.getlist("unit_kind"),
                                                            post.getlist("unit_uscc"), post.getlist("unit_outside"),
                                                            strict=False), start=1):
            if not name.strip():
                continue
            ent = Enterprise.objects.filter(uscc=uscc.strip().upper()).first() if uscc.strip() else None
            units.append({"name": name, "kind": kind, "rank": _int(post.getlist("unit_rank")[i - 1]) or i,
                          "enterprise": ent, "in_province": outside != "yes"})
        data = {"name": post.get("name"), "programme": post.get("programme"), "approved_on": _date(post.get("approved_on")),
                "field": post.get("field", ""), "division": post.get("division") or None,
                "recommended_by_province": post.get("recommended") == "on"}
        try:
            services.register_major_project(user, data, units)
        except services.Refused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("重大科技项目已登记"))
            return redirect(f"{reverse('programs:projects')}?year={data['approved_on'].year}")
    return render(request, "programs/project_new.html", {
        "programmes": ProjectProgramme.choices, "kinds": UnitKind.choices, "rows": range(1, 7), "form": request.POST,
        "counties": Division.objects.filter(level="county").order_by("code"),
    })


# --------------------------------------------------------------------------- new products (task 12)

@capability_required("programs.view")
def new_products(request):
    user = request.user
    today = timezone.localdate()
    on = date_param(request.GET, "on", today)
    year = _year(request.GET.get("year")) or on.year
    stage = (request.GET.get("stage") or "").strip()
    base = NewProductProject.objects.restrict(user)
    qs = base.filter(year=year).select_related("enterprise", "division")
    if stage:
        qs = qs.filter(stage=stage)
    listing = Listing(request, lists.NEW_PRODUCT_COLUMNS, qs, default=("-applied_on", "id"), title="省级工业新产品",
                      empty="暂无项目")
    if listing.wants_export:
        return listing.export()
    end = min(on, dt.date(year, 12, 31))
    approved = base.filter(approved_on__gte=dt.date(year, 1, 1), approved_on__lte=end)
    by_city = (approved.annotate(city=Concat(Substr("division_id", 1, 4), Value("00"))).values("city")
               .annotate(n=Count("id")).order_by("city"))
    names = dict(Division.objects.filter(level="city").values_list("code", "name"))
    selections = (Selection.objects.restrict(user).filter(published_on__gte=dt.date(year, 1, 1), published_on__lte=end)
                  .values("kind").annotate(n=Count("id")))
    sel = {r["kind"]: r["n"] for r in selections}
    return render(request, "programs/new_products.html", {
        "table": listing.table(), "page": listing.page, "year": year, "on": on, "end": end, "stages": NewProductStage.choices, "applied": stage,
        "approved_total": approved.count(), "by_city": [{"name": names.get(r["city"], r["city"]), "n": r["n"]} for r in by_city],
        "excellent": sel.get("excellent", 0), "achievements": sel.get("achievement", 0),
        "stage_counts": dict(base.filter(year=year).values_list("stage").annotate(n=Count("id")).values_list("stage", "n")),
        "may_apply": bool(can(user, "programs.new_product.apply")),
        "overview": bool(can(user, "programs.overview")),
    })


@capability_required("programs.new_product.apply")
def new_product_apply(request):
    user = request.user
    if request.method == "POST":
        post = request.POST
        enterprise = services.enterprise_acted_for(user, post.get("uscc"))
        if enterprise is None:
            messages.error(request, _("统一社会信用代码未找到，或该企业不在本地区"))
        else:
            try:
                project = services.apply_new_product(user, enterprise, {
                    "name": post.get("name"), "kind": post.get("kind"), "cluster": post.get("cluster"),
                    "year": _year(post.get("year"))}, timezone.localdate())
            except (services.Refused, PermissionDenied) as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("已申报，等待县级审核"))
                return redirect("programs:new_product", project.pk)
    return render(request, "programs/new_product_apply.html", {
        "clusters": Cluster.objects.order_by("kind", "code"), "form": request.POST, "year": timezone.localdate().year})


@capability_required("programs.view")
def new_product_detail(request, pk: int):
    user = request.user
    project = get_object_or_404(NewProductProject.objects.restrict(user).select_related("enterprise", "division", "cluster"), pk=pk)
    if request.method == "POST":
        try:
            services.review_new_product(user, pk, request.POST.get("action", ""),
                                        _date(request.POST.get("on"), timezone.localdate()), request.POST.get("note", ""))
        except (services.Refused, PermissionDenied) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("已办理"))
        return redirect("programs:new_product", pk)
    may_review = bool(can(user, "programs.new_product.review")) and \
        NewProductProject.objects.restrict(user, "change").filter(pk=pk).exists()
    actions = [(a, newproducts.STEPS[a].label) for a in newproducts.actions_for(project.stage, user.role)] if may_review else []
    return render(request, "programs/new_product_detail.html", {"project": project, "actions": actions,
                                                                "today": timezone.localdate()})


# --------------------------------------------------------------------------- standards (task 13)

#: the 专题方向 filter's value for standards with none
NO_THEME = "none"


@capability_required("programs.view")
def standards(request):
    user = request.user
    if request.method == "POST":
        post = request.POST
        if record_for_enterprise(request, "programs.standard.edit", _("无权登记标准"), lambda user, enterprise: (
                services.record_standard(user, enterprise, {
                    "name": post.get("name"), "number": post.get("number"), "level": post.get("level"),
                    "status": post.get("status"), "role": post.get("role"), "revision": post.get("revision") == "on",
                    "published_on": _date(post.get("published_on")), "issuer": post.get("issuer"),
                    "drafter_rank": _int(post.get("drafter_rank")), "cluster": post.get("cluster"),
                    "theme": post.get("theme"), "zhejiang_made": post.get("zhejiang_made") == "on"})),
                _("标准已登记")):
            return redirect("programs:standards")
    qs = Standard.objects.restrict(user).select_related("enterprise", "division", "cluster")
    level = (request.GET.get("level") or "").strip()
    cluster = (request.GET.get("cluster") or "").strip()
    if level:
        qs = qs.filter(level=level)
    if cluster:
        qs = qs.filter(cluster_id=cluster)
    theme = (request.GET.get("theme") or "").strip()
    if theme:
        qs = qs.filter(theme="" if theme == NO_THEME else theme)
    zhejiang_made = (request.GET.get("zhejiang_made") or "").strip()
    if zhejiang_made in ("yes", "no"):
        qs = qs.filter(zhejiang_made=zhejiang_made == "yes")
    listing = Listing(request, lists.STANDARD_COLUMNS, qs, default=("-published_on", "name"), title="企业参与的标准",
                      empty="暂无标准")
    if listing.wants_export:
        return listing.export()
    as_of = date_param(request.GET, "as_of", timezone.localdate())
    return render(request, "programs/standards.html", {
        "table": listing.table(), "page": listing.page, "levels": StandardLevel.choices, "statuses": StandardStatus.choices, "applied": level,
        "applied_cluster": cluster, "clusters": Cluster.objects.order_by("kind", "code"),
        "themes": StandardTheme.choices, "applied_theme": theme, "no_theme": NO_THEME, "applied_zhejiang_made": zhejiang_made,
        "summary": standards_module.summary(user, as_of),
        "may_edit": bool(can(user, "programs.standard.edit")),
    })
