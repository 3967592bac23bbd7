"""Domain operations on investment projects: plan, stage transitions with their approvals, supervision.

Every write takes the *stored* record through ``restrict(user, "change")`` (a request naming another
county's project gets 404/403, whatever it carries), checks the capability, and saves through the ORM so
django-auditlog records who changed what (``core.audit.AUDITED_MODELS``).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from xinzhi.accounts.permissions import require

from . import lifecycle
from .models import (
    AnnualPlan,
    InvestmentProject,
    ProjectMilestone,
    ProjectProgress,
    Stage,
    StageTransition,
    SupervisionProblem,
    SupervisionVisit,
    TransitionStatus,
)


class ProjectError(ValueError):
    """A refusal with a Chinese message naming the field and the reason."""


def changeable_project(user, pk: int) -> InvestmentProject:
    """The stored project ``pk`` if ``user`` may change it (its county is in the user's region)."""
    project = InvestmentProject.objects.restrict(user, "change").select_for_update().filter(pk=pk).first()
    if project is None:
        raise Http404("未找到该项目，或不在您的管理范围内")
    return project


def save_project(user, project: InvestmentProject) -> InvestmentProject:
    """Create or update a project after the form validated it; the county must be in the user's region
    (for an update, the stored record's county too)."""
    require(user, "investment.project.edit")
    from xinzhi.core.scope import region_prefix

    prefix = region_prefix(user.division_id) if not user.is_superuser else ""
    if user.role != "province_staff" and not str(project.division_id).startswith(prefix):
        raise PermissionDenied("只能登记本地区的项目")
    with transaction.atomic():
        if project.pk:
            changeable_project(user, project.pk)  # the stored county, not the submitted one
        if project.planned_start and project.planned_completion and project.planned_completion < project.planned_start:
            raise ProjectError("计划竣工日期：不能早于计划开工日期")
        project.save()
    return project


@transaction.atomic
def set_annual_plan(user, pk: int, year: int, amount: int) -> AnnualPlan:
    require(user, "investment.project.edit")
    project = changeable_project(user, pk)
    if not 2000 <= year <= 2100:
        raise ProjectError("年度：须在2000—2100之间")
    if amount < 0:
        raise ProjectError("年度计划投资：不能为负数")
    plan = AnnualPlan.objects.filter(project=project, year=year).first() or AnnualPlan(project=project, year=year)
    plan.planned_investment = amount
    plan.save()
    return plan


@transaction.atomic
def add_milestone(user, pk: int, name: str, planned_date: datetime.date, note: str = "") -> ProjectMilestone:
    require(user, "investment.project.edit")
    project = changeable_project(user, pk)
    if not name.strip():
        raise ProjectError("节点名称：不能为空")
    return ProjectMilestone.objects.create(project=project, name=name.strip(), planned_date=planned_date, note=note)


@transaction.atomic
def complete_milestone(user, milestone_pk: int, completed_on: datetime.date) -> ProjectMilestone:
    require(user, "investment.project.edit")
    milestone = ProjectMilestone.objects.restrict(user, "change").filter(pk=milestone_pk).first()
    if milestone is None:
        raise Http404("未找到该节点，或不在您的管理范围内")
    milestone.completed_on = completed_on
    milestone.save()
    return milestone


@transaction.atomic
def record_progress(user, pk: int, year: int, month: int, ytd_completed: int) -> ProjectProgress:
    """Monthly entry in the page (the same record the monthly import writes): 1–N月累计完成投资; a value
    below the previous month's is refused (a revision goes through the import with 是否修订)."""
    require(user, "investment.project.edit")
    project = changeable_project(user, pk)
    if not 1 <= month <= 12:
        raise ProjectError("月份：须在1—12之间")
    if ytd_completed < 0:
        raise ProjectError("累计完成投资：不能为负数")
    earlier = (ProjectProgress.objects.filter(project=project, year=year, month__lt=month)
               .order_by("-month").values_list("ytd_completed", flat=True).first())
    if earlier is not None and ytd_completed < earlier:
        raise ProjectError("累计完成投资：低于上月累计值（如为修订，请通过导入并填写“是否修订”）")
    row = ProjectProgress.objects.filter(project=project, year=year, month=month).first() or ProjectProgress(
        project=project, year=year, month=month)
    row.ytd_completed = ytd_completed
    row.save()
    return row


@transaction.atomic
def propose_transition(user, pk: int, effective_date: datetime.date, reason: str = "") -> StageTransition:
    """The county (or any staff in scope) proposes the project's next stage."""
    require(user, "investment.transition.propose")
    project = changeable_project(user, pk)
    to_stage = lifecycle.next_stage(project.stage)
    refusal = lifecycle.check_proposal(project.stage, to_stage) if to_stage else "项目已竣工，没有下一阶段"
    if refusal:
        raise ProjectError(refusal)
    if StageTransition.objects.filter(project=project, status__in=[TransitionStatus.PROPOSED,
                                                                   TransitionStatus.REVIEWED]).exists():
        raise ProjectError("该项目已有待审核的阶段变更")
    if effective_date > timezone.localdate() and to_stage != Stage.REGISTERED:
        raise ProjectError("日期：开工、竣工日期不能晚于今天")
    return StageTransition.objects.create(
        project=project, from_stage=project.stage, to_stage=to_stage, effective_date=effective_date,
        reason=reason.strip(), proposed_by=user, proposed_at=timezone.now())


@transaction.atomic
def decide_transition(user, transition_pk: int, approve: bool, note: str = "") -> StageTransition:
    """The city reviews, the province approves 入库 of a major project; the last approval moves the
    project (and dates its actual start or completion)."""
    require(user, "investment.transition.decide")
    transition = (StageTransition.objects.restrict(user, "change").select_related("project")
                  .select_for_update().filter(pk=transition_pk).first())
    if transition is None:
        raise Http404("未找到该阶段变更，或不在您的管理范围内")
    project = transition.project
    step = lifecycle.next_step(transition.status, transition.to_stage, project.is_major)
    if step is None:
        raise ProjectError("该阶段变更已经处理")
    refusal = lifecycle.step_refusal(step, user.role if not user.is_superuser else "province_staff",
                                     transition.proposed_by_id == user.pk)
    if refusal:
        raise PermissionDenied(refusal)
    now = timezone.now()
    if step == lifecycle.CITY_REVIEW:
        transition.reviewed_by, transition.reviewed_at = user, now
    else:
        transition.approved_by, transition.approved_at = user, now
    transition.decision_note = note.strip()
    if not approve:
        transition.status = TransitionStatus.REJECTED
    elif lifecycle.next_step("reviewed", transition.to_stage, project.is_major) and step == lifecycle.CITY_REVIEW:
        transition.status = TransitionStatus.REVIEWED
    else:
        transition.status = TransitionStatus.APPROVED
        if project.stage != transition.from_stage:
            raise ProjectError("项目阶段已变化，请重新提出")
        project.stage = transition.to_stage
        if transition.to_stage == Stage.CONSTRUCTION:
            project.actual_start = transition.effective_date
            project.start_year = transition.effective_date.year
        elif transition.to_stage == Stage.COMPLETED:
            project.actual_completion = transition.effective_date
        project.save()
    transition.save()
    return transition


@transaction.atomic
def record_visit(user, pk: int, visited_on: datetime.date, inspectors: str, findings: str,
                 attachment=None, problems: list[dict] | None = None) -> SupervisionVisit:
    """An on-site visit with the problems raised (description, responsible department, deadline)."""
    require(user, "investment.supervision.record")
    project = changeable_project(user, pk)
    if visited_on > timezone.localdate():
        raise ProjectError("督导日期：不能晚于今天")
    if not inspectors.strip() or not findings.strip():
        raise ProjectError("督导人员、督导情况：不能为空")
    visit = SupervisionVisit(project=project, visited_on=visited_on, inspectors=inspectors.strip(),
                             findings=findings.strip(), recorded_by=user, recorded_at=timezone.now())
    if attachment is not None:
        visit.attachment = attachment
    visit.save()
    for i, p in enumerate(problems or [], start=1):
        if not p.get("description") or not p.get("department") or not p.get("deadline"):
            raise ProjectError(f"第{i}个问题：问题、责任部门和办结期限须同时填写")
        SupervisionProblem.objects.create(visit=visit, description=p["description"], department=p["department"],
                                          deadline=p["deadline"])
    return visit


@transaction.atomic
def resolve_problem(user, problem_pk: int, resolved_on: datetime.date, resolution: str) -> SupervisionProblem:
    require(user, "investment.supervision.record")
    problem = SupervisionProblem.objects.restrict(user, "change").select_for_update().filter(pk=problem_pk).first()
    if problem is None:
        raise Http404("未找到该问题，或不在您的管理范围内")
    if not resolution.strip():
        raise ProjectError("解决情况：不能为空")
    problem.resolved_on, problem.resolution = resolved_on, resolution.strip()
    problem.save()
    return problem


def pending_transitions(user):
    """Transitions waiting for a decision this user may take (city: review; province: approval too)."""
    qs = StageTransition.objects.restrict(user, "change").select_related("project__division", "proposed_by")
    if user.role == "city_staff":
        return qs.filter(status=TransitionStatus.PROPOSED)
    if user.role == "province_staff" or user.is_superuser:
        return qs.filter(status__in=[TransitionStatus.PROPOSED, TransitionStatus.REVIEWED])
    return qs.none()
