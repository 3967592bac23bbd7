"""The project workspace pages (issue 18): list, detail, create/edit, transitions, supervision.

Thin: reads go through ``restrict`` (an out-of-scope id is 404), writes through ``services`` (which check
the capability and the stored record's scope, and are audited)."""

from __future__ import annotations

import datetime
import json

import polars as pl
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from xinzhi.accounts.permissions import can, capability_required
from xinzhi.industries.models import Cluster
from xinzhi.regions.models import Division
from xinzhi.reports.listing import Col, FrameListing, Listing

from . import lifecycle, selectors, services, warnings
from .forms import ProjectForm
from .models import (
    InvestmentProject,
    ProjectMilestone,
    ProjectProgress,
    Stage,
    StageTransition,
    SupervisionProblem,
    SupervisionVisit,
)


def _regions(user):
    qs = Division.objects.filter(level__in=["city", "county"]).order_by("code")
    if user.role not in ("province_staff", "leader") and not user.is_superuser:
        from xinzhi.core.scope import region_prefix

        qs = qs.filter(code__startswith=region_prefix(user.division_id))
    return qs


@capability_required("investment.view")
def project_list(request):
    user = request.user
    params = {k: (request.GET.get(k) or "").strip() for k in selectors.FILTERS}
    qs = selectors.filtered_projects(user, params).select_related("division", "cluster")
    listing = Listing(request, selectors.LIST_COLUMNS, qs, default=("code",), title="投资项目",
                      empty="没有符合条件的项目")
    if listing.wants_export:
        return listing.export()
    return render(request, "investment/project_list.html", {
        "table": listing.table(), "page": listing.page, "applied": params, "stages": Stage.choices,
        "regions": _regions(user), "clusters": Cluster.objects.order_by("kind", "code"),
        "can_edit": can(user, "investment.project.edit"),
        "pending": services.pending_transitions(user).count() if can(user, "investment.transition.decide") else None,
    })


def _date(value: str, label: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat((value or "").strip())
    except ValueError:
        raise services.ProjectError(f"{label}：请填写日期（YYYY-MM-DD）") from None


def _int(value: str, label: str) -> int:
    try:
        return int((value or "").strip().replace(",", ""))
    except ValueError:
        raise services.ProjectError(f"{label}：请填写整数") from None


def _wan(value: str, label: str) -> int:
    """An amount typed in 万元, stored in whole yuan (half-up)."""
    from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

    try:
        return int((Decimal((value or "").strip().replace(",", "")) * 10000).quantize(Decimal(1), ROUND_HALF_UP))
    except InvalidOperation:
        raise services.ProjectError(f"{label}：请填写数字（万元）") from None


def _post_action(request, project: InvestmentProject) -> None:
    """The detail page's forms; each refusal is shown in Chinese, nothing half-written."""
    user, action, post = request.user, request.POST.get("action"), request.POST
    if action == "annual_plan":
        services.set_annual_plan(user, project.pk, _int(post.get("year"), "年度"), _wan(post.get("amount"), "年度计划投资"))
        messages.success(request, "已保存年度计划投资")
    elif action == "milestone":
        services.add_milestone(user, project.pk, post.get("name", ""), _date(post.get("planned_date"), "计划日期"),
                               post.get("note", ""))
        messages.success(request, "已添加节点")
    elif action == "milestone_done":
        services.complete_milestone(user, _int(post.get("milestone"), "节点"), _date(post.get("completed_on"), "完成日期"))
        messages.success(request, "已登记节点完成")
    elif action == "progress":
        services.record_progress(user, project.pk, _int(post.get("year"), "年度"), _int(post.get("month"), "月份"),
                                 _wan(post.get("ytd"), "累计完成投资"))
        messages.success(request, "已保存月度完成投资")
    elif action == "propose":
        services.propose_transition(user, project.pk, _date(post.get("effective_date"), "日期"), post.get("reason", ""))
        messages.success(request, "已提出阶段变更，待审核")
    elif action == "decide":
        services.decide_transition(user, _int(post.get("transition"), "阶段变更"), post.get("decision") == "approve",
                                   post.get("note", ""))
        messages.success(request, "已处理阶段变更")
    elif action == "visit":
        problems = []
        for i in range(1, 4):
            desc = (post.get(f"problem_{i}") or "").strip()
            if desc:
                problems.append({"description": desc, "department": (post.get(f"department_{i}") or "").strip(),
                                 "deadline": _date(post.get(f"deadline_{i}"), f"第{i}个问题的办结期限")})
        services.record_visit(user, project.pk, _date(post.get("visited_on"), "督导日期"), post.get("inspectors", ""),
                              post.get("findings", ""), request.FILES.get("attachment"), problems)
        messages.success(request, "已登记督导记录")
    elif action == "resolve":
        services.resolve_problem(user, _int(post.get("problem"), "问题"), _date(post.get("resolved_on"), "解决日期"),
                                 post.get("resolution", ""))
        messages.success(request, "已登记问题解决情况")
    else:
        raise PermissionDenied("未知操作")


@capability_required("investment.view")
def project_detail(request, pk: int):
    user = request.user
    project = get_object_or_404(InvestmentProject.objects.restrict(user).select_related("division", "cluster",
                                                                                       "industry"), pk=pk)
    if request.method == "POST":
        try:
            _post_action(request, project)
        except services.ProjectError as exc:
            messages.error(request, f"未保存：{exc}")
        return redirect("investment:detail", project.pk)
    may_change = InvestmentProject.objects.restrict(user, "change").filter(pk=pk).exists()
    transitions = list(StageTransition.objects.restrict(user).filter(project=project)
                       .select_related("proposed_by", "reviewed_by", "approved_by"))
    open_transition = next((t for t in transitions if t.status in ("proposed", "reviewed")), None)
    waiting_step = (lifecycle.next_step(open_transition.status, open_transition.to_stage, project.is_major)
                    if open_transition else None)
    may_decide = bool(open_transition and may_change and can(user, "investment.transition.decide")
                      and not lifecycle.step_refusal(waiting_step, "province_staff" if user.is_superuser else user.role,
                                                     open_transition.proposed_by_id == user.pk))
    next_stage = lifecycle.next_stage(project.stage)
    return render(request, "investment/project_detail.html", {
        "project": project,
        "plans": project.annual_plans.all(),
        "milestones": ProjectMilestone.objects.restrict(user).filter(project=project),
        "progress": ProjectProgress.objects.restrict(user).filter(project=project).order_by("-year", "-month")[:24],
        "transitions": transitions, "open_transition": open_transition, "may_decide": may_decide,
        "next_stage_label": dict(Stage.choices).get(next_stage) if next_stage else None,
        "visits": SupervisionVisit.objects.restrict(user).filter(project=project).prefetch_related("problems"),
        "may_edit": may_change and can(user, "investment.project.edit"),
        "may_propose": may_change and can(user, "investment.transition.propose") and next_stage and not open_transition,
        "may_supervise": may_change and can(user, "investment.supervision.record"),
        "today": timezone.localdate(),
    })


def _edit(request, project: InvestmentProject | None):
    user = request.user
    form = ProjectForm(request.POST or None, instance=project, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_project(user, form.save(commit=False))
        except services.ProjectError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "已保存项目")
            return redirect("investment:detail", saved.pk)
    return render(request, "investment/project_form.html", {"form": form, "project": project})


@capability_required("investment.project.edit")
def project_create(request):
    return _edit(request, None)


@capability_required("investment.project.edit")
def project_edit(request, pk: int):
    project = get_object_or_404(InvestmentProject.objects.restrict(request.user, "change"), pk=pk)
    return _edit(request, project)


@capability_required("investment.transition.decide")
def transitions(request):
    """Transitions waiting for this user's decision (city review, province approval)."""
    return render(request, "investment/transitions.html", {
        "pending": services.pending_transitions(request.user)[:200],
    })


@capability_required("investment.view")
def problem_list(request):
    """Open supervision problems in the user's region, oldest deadline first."""
    qs = (SupervisionProblem.objects.restrict(request.user).filter(resolved_on__isnull=True)
          .select_related("visit__project__division").order_by("deadline"))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "investment/problems.html", {"page": page, "today": timezone.localdate()})


# --------------------------------------------------------------------------- warnings and tracking

def _as_of(request) -> tuple[datetime.date, str]:
    """The date the page is as of: ``?as_of=YYYY-MM-DD``, else the end of the latest reported month."""
    raw = (request.GET.get("as_of") or "").strip()
    if raw:
        try:
            return datetime.date.fromisoformat(raw), ""
        except ValueError:
            messages.error(request, "截至日期格式应为 YYYY-MM-DD，已按最近一个报送月份显示")
    return selectors.latest_period(request.user) or timezone.localdate(), ""


def _division_names() -> dict[str, str]:
    return dict(Division.objects.values_list("code", "name"))


@capability_required("investment.view")
def warning_list(request):
    """Per-project warnings as of a date, with reasons; counts by region; filter and export."""
    user = request.user
    as_of, _ = _as_of(request)
    rules = warnings.load_rules()
    result = warnings.evaluate(selectors.project_frame(user, as_of), as_of, rules)
    colour = request.GET.get("colour") or "warned"
    division = (request.GET.get("division") or "").strip()
    shown = result
    if division.isdigit() and len(division) == 6:
        from xinzhi.core.scope import region_prefix

        shown = shown.filter(pl.col("division_id").str.starts_with(region_prefix(division)))
    if colour in ("yellow", "red"):
        shown = shown.filter(pl.col("colour") == colour)
    elif colour == "warned":
        shown = shown.filter(pl.col("level") > 0)
    names = _division_names()
    group = "city_id" if user.role in ("province_staff", "leader") and len(division) != 6 else "division_id"
    by_region = (result.group_by(group).agg((pl.col("colour") == "red").sum().alias("red"),
                                            (pl.col("colour") == "yellow").sum().alias("yellow"),
                                            pl.len().alias("projects"))
                 .sort(["red", "yellow"], descending=True).with_columns(pl.col(group).alias("code")))
    title = f"项目预警（截至{as_of.isoformat()}）"
    # sorted on the frame: red before yellow, then by code, unless a header asks otherwise; id breaks ties
    listing = FrameListing(request, _warning_columns(names), shown, tiebreak=("code", "id"),
                           default=[("level", True), ("code", False)], title=title,
                           empty="没有符合条件的项目")
    if listing.wants_export:
        return listing.export(title)
    return render(request, "investment/warnings.html", {
        "table": listing.table(), "page": listing.page, "as_of": as_of, "rules": rules, "applied": {"colour": colour, "division": division},
        "counts": {c: int((result["colour"] == c).sum()) for c in ("red", "yellow", "green")},
        "by_region": [{**r, "name": names.get(r["code"], r["code"])} for r in by_region.head(100).to_dicts()],
        "regions": _regions(user),
    })


WARNING_LABELS = {"red": "红", "yellow": "黄", "green": "正常"}


def _warning_columns(names: dict[str, str]) -> list[Col]:
    """The warning list's columns over the rows of ``warnings.evaluate`` (dicts); the colour sorts by its
    level (red 2, yellow 1, none 0), the lag behind the schedule by its points (projects not building last)."""
    return [
        Col("code", "项目代码", lambda r: r["code"], order=("code",)),
        Col("name", "项目名称", lambda r: r["name"], order=("name",),
            link=lambda r: reverse("investment:detail", args=[r["id"]])),
        Col("division", "县（市、区）", lambda r: names.get(r["division_id"], r["division_id"]), order=("division_id",)),
        Col("colour", "预警", lambda r: WARNING_LABELS[r["colour"]], order=("level",),
            cell="investment/_warning_colour.html"),
        Col("gap_points", "落后序时进度", lambda r: r["gap_points"], order=("gap_points",), unit="百分点",
            decimals=1),
        Col("reasons", "原因", lambda r: "；".join(r["reasons"] or []), wrap=True),
    ]


@capability_required("investment.view")
def tracking(request):
    """Start rate, completion rate, investment completion rate by region and cluster; the reserve by county."""
    user = request.user
    as_of, _ = _as_of(request)
    frame = selectors.project_frame(user, as_of)
    names = _division_names()
    clusters = dict(Cluster.objects.values_list("code", "name"))
    total = warnings.rates(frame, as_of).to_dicts()[0] if frame.height else None
    wide = user.role in ("province_staff", "leader") or user.is_superuser
    by_region = warnings.rates(frame, as_of, by="city_id" if wide else "division_id").to_dicts()
    for r in by_region:
        r["name"] = names.get(r.get("city_id") or r.get("division_id"), "")
    by_cluster = [{**r, "name": clusters.get(r["cluster_id"], "未归集群")}
                  for r in warnings.rates(frame, as_of, by="cluster_id").to_dicts()]
    by_category = [{**r, "name": r["category"] or "非高新技术产业行业"}
                   for r in warnings.rates(frame, as_of, by="category").to_dicts()]
    reserve = [{**r, "name": names.get(r["division_id"], "")}
               for r in warnings.rates(frame, as_of, by="division_id").filter(
                   pl.col("reserve") > 0).sort("reserve", descending=True).to_dicts()]
    return render(request, "investment/tracking.html", {
        "as_of": as_of, "total": total, "curve": json.dumps(selectors.plan_actual_curve(user, as_of)), "by_region": by_region, "by_cluster": by_cluster, "by_category": by_category, "reserve": reserve,
        "region_label": "市" if wide else "县（市、区）",
    })
