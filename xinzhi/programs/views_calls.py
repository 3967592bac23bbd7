"""Pages of the research-needs call and of the expert-reviewed selections (issue 17 items 2 and 4). Thin:
the rules are in :mod:`.calls`, the writes in :mod:`.research`; the expert review itself (assignments,
recusal, scoring) is on the evaluation pages. Reads go through ``restrict``; a GET never writes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from xinzhi.accounts.permissions import can, capability_required, require
from xinzhi.enterprises.models import Enterprise
from xinzhi.evaluation.models import Purpose, Round, Submission
from xinzhi.industries.models import Cluster
from xinzhi.reports.listing import Listing

from . import calls, lists, research
from .models import ProjectProgramme, ResearchCall, SelectionKind, UnitKind
from .services import Refused
from .views import _date, _int, _yuan

REFUSED = (Refused, PermissionDenied)
PARTNER_ROWS = 5
RANK_NONE = 32_767  # sorts after every rank (a PositiveSmallIntegerField)


@capability_required("programs.view")
def call_list(request):
    user = request.user
    if request.method == "POST":
        require(user, "programs.call.run")
        post = request.POST
        try:
            call = research.open_call(user, year=_int(post.get("year")) or timezone.localdate().year,
                                      name=post.get("name", ""), deadline=_date(post.get("deadline")) or dt.date.min,
                                      on=timezone.localdate(), quota=_int(post.get("quota")), guide=post.get("guide", ""))
        except REFUSED as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("已发布需求征集"))
            return redirect("programs:call", call.pk)
    return render(request, "programs/calls.html", {
        "calls": ResearchCall.objects.restrict(user).select_related("round"),
        "can_run": bool(can(user, "programs.call.run")), "quota": research.call_parameters()["recommend_quota"],
        "today": timezone.localdate(), "can_overview": bool(can(user, "programs.overview")),
        "may_submit": bool(user.enterprise_id and can(user, "programs.call.submit")), "post": request.POST,
    })


@capability_required("programs.view")
def call_detail(request, pk: int):
    user = request.user
    call = get_object_or_404(ResearchCall.objects.restrict(user).select_related("round"), pk=pk)
    if request.method == "POST":
        action, today = request.POST.get("action", ""), timezone.localdate()
        try:
            if action == "start_review":
                research.start_review(user, call, today, review_deadline=_date(request.POST.get("review_deadline")),
                                      reviewers=_int(request.POST.get("reviewers")))
                messages.success(request, _("已启动专家评审：请在评审批次中分配专家"))
            elif action == "determine":
                result = research.determine_reviewed(user, call)
                messages.success(request, _("已汇总 %(n)s 项需求的专家评分") % {"n": result["determined"]})
                if result["waiting"]:
                    messages.error(request, _("%(n)s 项暂不能汇总：") % {"n": len(result["waiting"])} + "；".join(
                        f"{w['title']}（{w['reason']}）" for w in result["waiting"][:5]))
            elif action == "publish":
                research.publish_ranking(user, call, today)
                messages.success(request, _("已公布排序名单"))
            elif action == "recommend":
                research.recommend(user, call, today)
                messages.success(request, _("已将推荐名单报送省科技计划"))
            else:
                messages.error(request, _("未知的办理事项"))
        except REFUSED as exc:
            messages.error(request, str(exc))
        return redirect("programs:call", call.pk)
    ranked = call.state in (calls.PUBLISHED, calls.RECOMMENDED)
    listing = _need_listing(request, call, ranked)
    if listing.wants_export:
        return listing.export(_export_name(call, ranked))
    return render(request, "programs/call_detail.html", {
        "call": call, "table": listing.table(), "counts": research.call_counts(call, user),
        "can_run": bool(can(user, "programs.call.run")),
        "may_submit": bool(user.enterprise_id and can(user, "programs.call.submit")),
        "can_see_round": bool(can(user, "evaluation.round.view")), "open": call.state == calls.OPEN,
        "may_import": bool(can(user, "imports.run")),
        "ranked": ranked,
        "pending": research.determine_pending(call) if call.state == calls.REVIEWING else None,
    })


def _need_listing(request, call: ResearchCall, ranked: bool) -> Listing:
    """The call's needs in the user's scope (an enterprise: the needs it leads) as the shared list: before the
    ranked list is published neither the page nor the export holds a rank, a score or a recommendation."""
    qs = (research.visible_needs(request.user).filter(call=call)
          .select_related("enterprise", "division", "cluster").prefetch_related("partners"))
    if not ranked:
        return Listing(request, lists.CALL_NEED_COLUMNS, qs, default=("submitted_on", "id"), title="申报需求",
                       empty="暂无需求")
    # the unranked needs (withdrawn, not recommended by their city, …) sort last on SQLite and PostgreSQL alike
    qs = qs.annotate(rank_key=Coalesce("rank", Value(RANK_NONE)), score_key=Coalesce("total_score", Value(Decimal(-1))))
    return Listing(request, lists.CALL_RANKED_COLUMNS, qs, default=("rank_key", "id"), title="排序名单",
                   empty="暂无需求", note=_("按专家评审总分排序；总分相同为并列名次，跨越推荐名额线的并列项目一并推荐。"))


def _export_name(call: ResearchCall, ranked: bool) -> str:
    """``2025年度…征集-排序名单-2026-12-06`` (the year put in front when the call's name lacks it)."""
    name = call.name if str(call.year) in call.name else f"{call.year}年{call.name}"
    what = _("排序名单") if ranked else _("申报需求")
    return f"{name}-{what}-{timezone.localdate().isoformat()}"


@capability_required("programs.call.submit")
def need_submit(request, pk: int):
    user = request.user
    call = get_object_or_404(ResearchCall.objects.restrict(user), pk=pk)
    enterprise = get_object_or_404(Enterprise, pk=user.enterprise_id)
    if request.method == "POST":
        post = request.POST
        partners = []
        for i in range(PARTNER_ROWS):
            name = (post.get(f"partner_{i}") or "").strip()
            if name:
                ent = Enterprise.objects.filter(name=name).first()
                partners.append({"name": name, "kind": post.get(f"partner_kind_{i}"), "enterprise": ent,
                                 "in_province": post.get(f"partner_outside_{i}") != "on"})
        try:  # the 415X cluster by its code (the key of the list); research.submit_need refuses an unknown one
            need = research.submit_need(user, call, enterprise, {
                "title": post.get("title"), "field": post.get("field"), "problem": post.get("problem"),
                "targets": post.get("targets"), "budget": _yuan(post.get("budget")),
                "self_funded": _yuan(post.get("self_funded")) or 0, "months": _int(post.get("months")),
                "cluster": post.get("cluster", "")}, partners, timezone.localdate())
        except REFUSED as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("需求已提交，等待县（市、区）审核"))
            return redirect("programs:need", need.pk)
    return render(request, "programs/need_submit.html", {
        "call": call, "enterprise": enterprise, "clusters": Cluster.objects.order_by("code"),
        "kinds": UnitKind.choices, "post": request.POST,
        # what was typed stays in the form when the submission is refused
        "rows": [{"i": i, "name": request.POST.get(f"partner_{i}", ""), "kind": request.POST.get(f"partner_kind_{i}", ""),
                  "outside": request.POST.get(f"partner_outside_{i}") == "on"} for i in range(PARTNER_ROWS)]})


@capability_required("programs.view")
def need_detail(request, pk: int):
    user = request.user
    need = get_object_or_404(research.visible_needs(user).select_related("call", "enterprise", "division", "cluster",
                                                                        "major_project"), pk=pk)
    if request.method == "POST":
        action, on = request.POST.get("action", ""), _date(request.POST.get("on"), timezone.localdate())
        try:
            if action == "create_project":
                project = research.create_project(user, need.pk, request.POST.get("programme", ""), on)
                messages.success(request, _("已转为省重大科技项目：%(name)s") % {"name": project.name})
            else:
                research.act(user, need.pk, action, on, request.POST.get("note", ""))
                messages.success(request, _("已办理：%(step)s") % {"step": calls.STEPS[action].label})
        except REFUSED as exc:
            messages.error(request, str(exc))
        return redirect("programs:need", need.pk)
    actor = research.actor_of(user, need)
    actions = [(a, label) for a, label in calls.actions_for(need.state, actor, need.call.state) if a != "create_project"]
    return render(request, "programs/need_detail.html", {
        "need": need, "partners": need.partners.all(), "steps": need.steps.select_related("actor__division"),
        "actions": actions, "today": timezone.localdate(),
        # the reason of a return or a refusal; once the need moves on, it stays in the step log only
        "show_note": need.state in (calls.RETURNED, calls.REJECTED),
        "may_project": actor == calls.PROVINCE_STAFF and need.state == calls.SELECTED
        and need.call.state == calls.RECOMMENDED,
        "programmes": [(v, label) for v, label in ProjectProgramme.choices if v != ProjectProgramme.NATIONAL],
    })


@capability_required("programs.overview")
def selection_reviews(request):
    """The expert reviews of the excellent new products and advanced technology achievements."""
    user = request.user
    if request.method == "POST":
        require(user, "programs.selection.run")
        action, today = request.POST.get("action", ""), timezone.localdate()
        try:
            if action == "start":
                round_ = research.start_selection_review(
                    user, request.POST.get("kind", ""), _int(request.POST.get("year")) or today.year, today,
                    reviewers=_int(request.POST.get("reviewers")) or 5)
                messages.success(request, _("已创建评审批次并纳入候选项目：%(name)s") % {"name": round_.name})
            elif action == "publish":
                round_ = get_object_or_404(Round.objects.restrict(user), pk=_int(request.POST.get("round")) or 0)
                n = research.publish_selection(user, round_, _date(request.POST.get("on"), today))
                messages.success(request, _("已公布 %(n)s 项") % {"n": n})
        except REFUSED as exc:
            messages.error(request, str(exc))
        return redirect("programs:selection_reviews")
    schemes = {research.selection_parameters()[k] for k in research.SCHEME_KEYS.values()}
    rounds = []
    for r in Round.objects.restrict(user).filter(purpose=Purpose.SELECTION, scheme_code__in=schemes):
        # counts of the user's region only (the candidates' submissions through restrict)
        mine = set(Submission.objects.restrict(user).filter(round=r).values_list("subject_id", flat=True))
        ranked = research.selection_ranking(r)
        # who is selected depends on the province-wide ranking: shown to province staff and leaders only
        wide = user.is_superuser or user.role in ("province_staff", "leader") and user.division_id == "330000"
        rounds.append({"round": r, "kind": SelectionKind(research.selection_kind_of(r)).label,
                       "candidates": len(mine), "selected": sum(1 for x in ranked if x.recommended) if wide else None})
    return render(request, "programs/selection_reviews.html", {
        "rounds": rounds, "kinds": SelectionKind.choices, "can_run": bool(can(user, "programs.selection.run")),
        "can_see_round": bool(can(user, "evaluation.round.view")), "today": timezone.localdate(),
        "within": research.selection_parameters()["appraised_within_years"],
    })
