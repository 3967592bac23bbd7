"""Evaluation pages: rounds (staff), a submission (staff / its enterprise), the expert's assignments and
scoring form, and an enterprise's application. Views are thin: every step is a :mod:`.services` call.

Visibility: staff read submissions through ``restrict``; an enterprise reads its own (without reviewer
names or scores per reviewer); an expert reads only assignments given to them — any other id is 404.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from xinzhi.accounts.permissions import can, capability_required, require
from xinzhi.core.params import int_param
from xinzhi.enterprises.models import Enterprise

from . import scoring, services
from .models import ClosedRoundError, ExpertProfile, Purpose, RegionRule, Round, Submission
from .subjects import provider

REFUSED = (services.WorkflowError, ClosedRoundError)

DECLARED_FIELDS = ("rd_staff", "equipment_value", "rd_floor_area", "invention_patents", "conversions")


def _own_start_page(request):
    """Experts and enterprises asking for the rounds are sent to their own pages."""
    if request.user.role == "expert":
        return redirect("evaluation:my_assignments")
    if request.user.role == "enterprise":
        return redirect("evaluation:calls")
    return None


@capability_required("evaluation.calls")
def calls(request):
    """The enterprise's page: open recognition calls, its applications and the notices it received."""
    user = request.user
    submissions = Submission.objects.restrict(user).select_related("round")
    return render(request, "evaluation/enterprise_home.html", {
        "calls": Round.objects.filter(purpose=Purpose.RECOGNITION, status=Round.Status.OPEN,
                                      deadline__gte=timezone.localdate()),
        "applied": set(submissions.exclude(status=Submission.Status.WITHDRAWN).values_list("round_id", flat=True)),
        "submissions": submissions,
        "notices": provider().notices_for(user),
    })


@capability_required("evaluation.round.view", otherwise=_own_start_page)
def rounds(request):
    user = request.user
    if request.method == "POST":
        require(user, "evaluation.round.run")
        try:
            r = services.create_round(
                name=request.POST["name"], purpose=request.POST["purpose"], year=int(request.POST["year"]),
                scheme_code=request.POST["scheme_code"], deadline=datetime.date.fromisoformat(request.POST["deadline"]),
                target_level=request.POST.get("target_level", ""), actor=user,
                region_rule=request.POST.get("region_rule", RegionRule.COUNTY),
                trim_extremes=bool(request.POST.get("trim_extremes")),
                reviewers_per_submission=int(request.POST.get("reviewers_per_submission") or 5),
            )
        except (KeyError, ValueError, scoring.SchemeError, services.WorkflowError) as exc:
            messages.error(request, f"未能创建批次：{exc}")
        else:
            messages.success(request, f"已创建批次“{r.name}”")
            return redirect("evaluation:round", r.pk)
    return render(request, "evaluation/rounds.html", {
        "rounds": Round.objects.restrict(user), "schemes": scoring.all_schemes(), "purposes": Purpose.choices,
        "levels": provider().level_choices(), "region_rules": RegionRule.choices,
        "can_run": bool(can(user, "evaluation.round.run")),
    })


@capability_required("evaluation.round.view")
def round_detail(request, pk: int):
    user = request.user
    round_ = get_object_or_404(Round.objects.restrict(user), pk=pk)
    if request.method == "POST":
        require(user, "evaluation.round.run")
        action = request.POST.get("action")
        try:
            if action == "enrol":
                messages.success(request, f"已纳入 {services.enrol_institutions(round_, user)} 个评价对象")
            elif action == "batch_assign":
                result = services.batch_assign(round_, user)
                messages.success(request, f"已批量分配 {result['assigned']} 人次（已自动回避利益冲突）")
                for s in result["short"]:
                    messages.error(request, f"{s['submission']}：符合回避规则的专家不足，还差 {s['missing']} 人")
            elif action == "aggregate":
                result = services.aggregate_round(round_)
                messages.success(request, f"已汇总 {result['scored']} 个未决定项目的得分（已决定的结果不变）")
                if result["waiting"]:
                    messages.error(request, f"{len(result['waiting'])} 个项目暂不能汇总：" + "；".join(
                        f"{w['submission']}（{w['reason']}）" for w in result["waiting"][:5]))
            elif action == "status":
                services.set_round_status(round_, request.POST.get("status", ""), user)
                messages.success(request, f"批次状态已改为“{round_.get_status_display()}”")
        except REFUSED as exc:
            messages.error(request, str(exc))
        return redirect("evaluation:round", round_.pk)
    subs = Submission.objects.restrict(user).filter(round=round_).select_related("division", "enterprise")
    return render(request, "evaluation/round_detail.html", {
        "round": round_, "scheme": services.scheme_of(round_), "submissions": subs,
        "progress": services.round_progress(round_, subs), "can_run": bool(can(user, "evaluation.round.run")),
        "statuses": [(v, label) for v, label in Round.Status.choices if v in services.ROUND_STEPS[round_.status]],
        "shortfalls": services.shortfalls(round_, subs) if not round_.is_closed else [],
    })


@capability_required("evaluation.round.run")
def enrol(request):
    """Enrol one institution or platform in an evaluation round, from its page in the register (province
    staff). The round's page enrols every eligible one; this takes just the one chosen."""
    user = request.user
    if request.method != "POST":
        return redirect("evaluation:rounds")
    round_ = get_object_or_404(Round.objects.restrict(user), pk=request.POST.get("round") or 0)
    chosen = {k: [int(v) for v in request.POST.getlist(k) if v.isdigit()] for k in ("institution", "platform")}
    try:
        if not any(chosen.values()):
            raise services.WorkflowError("请选择要纳入的评价对象")
        n = services.enrol_institutions(round_, user, institution_ids=chosen["institution"], platform_ids=chosen["platform"])
    except REFUSED as exc:
        messages.error(request, str(exc))
    else:
        if n:
            messages.success(request, f"已纳入 {n} 个评价对象")
        else:
            messages.error(request, "未纳入：该对象不适用本批次的评价方案、已撤销或已在本批次中")
    return redirect("evaluation:round", round_.pk)


def _visible_submission(user, pk: int) -> Submission:
    """Staff and enterprises through ``restrict``; experts never here (they use their assignment page)."""
    if user.role == "expert":
        raise Http404
    return get_object_or_404(Submission.objects.restrict(user).select_related("round", "enterprise", "division"), pk=pk)


@capability_required("evaluation.submission.view")
def submission_detail(request, pk: int):
    user = request.user
    submission = _visible_submission(user, pk)
    is_enterprise = user.role == "enterprise"
    if request.method == "POST":
        action = request.POST.get("action")
        post = request.POST
        try:
            if action == "defer":
                decision = can(user, "evaluation.apply", submission.enterprise)
                if not (decision or can(user, "evaluation.round.run")):
                    raise PermissionDenied(decision.reason)
                services.defer(submission, post.get("reason", ""), user)
                messages.success(request, "已暂缓评价")
            else:
                require(user, "evaluation.round.run")
                if action == "assign":
                    expert = get_object_or_404(ExpertProfile, pk=post.get("expert"))
                    services.assign(submission, expert, user)
                    messages.success(request, f"已分配专家 {expert}")
                elif action == "score":
                    services.score_submission(submission)
                    messages.success(request, "已汇总得分")
                elif action == "exception":
                    services.record_condition_exception(submission, user, post.get("exception_reason", ""))
                    messages.success(request, "已记录条件例外理由")
                elif action == "reduced_panel":
                    services.approve_reduced_panel(submission, user, post.get("panel_reason", ""))
                    messages.success(request, "已批准减员评审")
                elif action == "determine":
                    outcome = services.determine(submission, user, post.get("reasons", ""), post.get("decision") or None)
                    messages.success(request, f"已作出决定：{outcome}")
                elif action == "correct":
                    warning = {"1": True, "0": False}.get(post.get("warning", ""))
                    record = services.correct(submission, user, post.get("correction_reason", ""),
                                              rescore=bool(post.get("rescore")), grade=post.get("grade") or None,
                                              total=post.get("total") or None, warning=warning)
                    messages.success(request, "已完成复核" + (f"：{record.outcome}" if record.outcome else ""))
        except REFUSED as exc:
            messages.error(request, str(exc))
        return redirect("evaluation:submission", submission.pk)
    scheme = services.scheme_of(submission.round)
    context = {"s": submission, "scheme": scheme, "is_enterprise": is_enterprise,
               "description": services.subject_description(submission),
               "can_run": bool(can(user, "evaluation.round.run")), "corrections": submission.corrections.select_related("actor")}
    if not is_enterprise:
        context["assignments"] = submission.assignments.select_related("expert__user", "replaces__expert__user")
        context["criteria_means"] = services.expert_part_summary(submission)
        context["panel"] = services.panel(submission)
        context["panel_refusal"] = services.panel_refusal(submission, context["panel"])
        context["grade_names"] = [g.name for g in scheme.grades] + [scoring.FAIL_GRADE]
        if context["can_run"] and submission.status in services.OPEN_STATUSES:
            context["experts"] = services.eligible_experts(submission)
    return render(request, "evaluation/submission_detail.html", context)


@capability_required("evaluation.review")
def my_assignments(request):
    user = request.user
    return render(request, "evaluation/my_assignments.html", {
        "assignments": services.expert_assignments(user).select_related("submission__round", "submission__division"),
    })


@capability_required("evaluation.review")
def review(request, pk: int):
    """The expert's scoring form. Only the expert's own assignment: anything else is 404."""
    user = request.user
    assignment = get_object_or_404(
        services.expert_assignments(user).select_related("submission__round", "submission__enterprise"), pk=pk,
    )
    submission = assignment.submission
    scheme = services.scheme_of(submission.round)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "recuse":
                result = services.declare_conflict(assignment, request.POST.get("relation", ""), user)
                messages.success(request, f"已申报利益冲突并回避（涉及该企业的待评审任务 {result['recused']} 项已全部回避，"
                                          f"已由系统补充其他专家）")
                return redirect("evaluation:my_assignments")
            scores = {c.code: request.POST.get(f"score_{c.code}") for c in scheme.criteria}
            services.submit_review(assignment, scores, request.POST.get("comment", ""), bool(request.POST.get("no_conflict")))
            messages.success(request, "评分已提交")
            return redirect("evaluation:my_assignments")
        except REFUSED as exc:
            messages.error(request, str(exc))
    data = services.submission_data(submission)
    results, subtotal = scoring.score_quantitative(scheme, data, services.field_labels(scheme.subject))
    return render(request, "evaluation/review.html", {
        "a": assignment, "s": submission, "scheme": scheme, "results": results, "subtotal": subtotal,
        "description": services.subject_description(submission),
    })


@capability_required("evaluation.apply")
def apply(request, pk: int):
    """A recognition application: the enterprise for itself, or city/county staff for one of theirs."""
    user = request.user
    round_ = get_object_or_404(Round.objects.restrict(user), pk=pk, purpose=Purpose.RECOGNITION)
    if user.role == "enterprise":
        enterprise = get_object_or_404(Enterprise, pk=user.enterprise_id)
    else:
        enterprise = get_object_or_404(Enterprise.objects.restrict(user), pk=int_param(request.GET, "enterprise") or int_param(request.POST, "enterprise") or 0)
    require(user, "evaluation.apply", enterprise)
    labels = {f: provider().field_label(f) for f in DECLARED_FIELDS}
    if request.method == "POST":
        declared = {f: request.POST.get(f) for f in DECLARED_FIELDS if request.POST.get(f)}
        try:
            declared = {k: int(v) for k, v in declared.items()}
            sub = services.apply_for_recognition(round_, enterprise, declared, user, request.POST.get("title", ""))
        except ValueError as exc:
            messages.error(request, f"申报未成功：{exc}")
        else:
            messages.success(request, "已提交申报，条件核验结果如下")
            return redirect("evaluation:submission", sub.pk)
    # each criterion of the level, with what the statistics already show (declared figures come with the form)
    preview = provider().check_recognition(enterprise, round_.target_level, round_.year, {})
    return render(request, "evaluation/apply.html", {"round": round_, "enterprise": enterprise, "labels": labels,
                                                     "preview": preview})
