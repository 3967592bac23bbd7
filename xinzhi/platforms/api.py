"""JSON API for the registers, coverage, and the expert's assignments — mounted at ``/api/v1/platforms``.

Every list reads through ``restrict(request.auth)`` (the page scope). Experts read only their assignments:
an unassigned submission is 404, as on the pages.
"""

from __future__ import annotations

from decimal import Decimal

from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from xinzhi.core.pagination import Pagination
from xinzhi.core.response_cache import cached_response
from xinzhi.enterprises.models import Enterprise
from xinzhi.evaluation import services as ev
from xinzhi.evaluation.models import Round, Submission
from xinzhi.evaluation.permissions import has_permission

from . import services
from .models import Platform, RDInstitution, StatusChange

router = Router(tags=["研发机构与创新平台"])


class InstitutionOut(Schema):
    id: int
    name: str
    enterprise_id: int
    level: str
    level_label: str
    recognised_year: int
    status: str
    status_label: str
    field: str
    cluster_id: str | None
    next_evaluation_year: int | None

    @staticmethod
    def resolve_level_label(obj) -> str:
        return obj.get_level_display()

    @staticmethod
    def resolve_status_label(obj) -> str:
        return obj.get_status_display()


class PlatformOut(Schema):
    id: int
    kind: str
    level: str
    name: str
    lead_enterprise_id: int | None
    division_id: str
    field: str
    cluster_id: str | None
    status: str
    recognised_year: int | None


class StatusChangeOut(Schema):
    from_status: str
    to_status: str
    from_level: str
    to_level: str
    changed_on: str
    reason: str

    @staticmethod
    def resolve_changed_on(obj) -> str:
        return obj.changed_on.isoformat()


class AssignmentOut(Schema):
    id: int
    submission_id: int
    title: str
    round: str
    status: str
    total: Decimal | None

    @staticmethod
    def resolve_title(obj) -> str:
        return obj.submission.title

    @staticmethod
    def resolve_round(obj) -> str:
        return obj.submission.round.name


class ReviewIn(Schema):
    scores: dict[str, Decimal]
    comment: str = ""
    no_conflict: bool = False


class DetermineIn(Schema):
    reasons: str
    decision: str | None = None


@router.get("/institutions", response=list[InstitutionOut], summary="企业研发机构库")
@cached_response(RDInstitution, Enterprise)  # a county sees the institutions of its enterprises
@paginate(Pagination, page_size=50)
def list_institutions(request, level: str | None = None, status: str | None = None, cluster: str | None = None):
    qs = RDInstitution.objects.restrict(request.auth).order_by("id")
    if level:
        qs = qs.filter(level=level)
    if status:
        qs = qs.filter(status=status)
    if cluster:
        qs = qs.filter(cluster_id=cluster)
    return qs


@router.get("/institutions/{pk}", response=InstitutionOut, summary="研发机构详情")
def get_institution(request, pk: int):
    return get_object_or_404(RDInstitution.objects.restrict(request.auth), pk=pk)


@router.get("/institutions/{pk}/history", response=list[StatusChangeOut], summary="研发机构状态历史")
def institution_history(request, pk: int):
    inst = get_object_or_404(RDInstitution.objects.restrict(request.auth), pk=pk)
    return list(StatusChange.objects.restrict(request.auth).filter(institution=inst))


@router.get("/platforms", response=list[PlatformOut], summary="创新平台库（制造业创新中心、中试平台、联盟等）")
@cached_response(Platform)
@paginate(Pagination, page_size=50)
def list_platforms(request, kind: str | None = None, cluster: str | None = None):
    qs = Platform.objects.restrict(request.auth).order_by("id")
    if kind:
        qs = qs.filter(kind=kind)
    if cluster:
        qs = qs.filter(cluster_id=cluster)
    return qs


@router.get("/coverage", summary="规上工业企业研发机构与研发活动覆盖率")
def coverage(request, year: int, by: str = "city"):
    if by not in ("city", "county", "industry"):
        raise HttpError(422, "by 须为 city、county 或 industry")
    return services.coverage(request.auth, year, by)


@router.get("/counts", summary="研发机构数量与目标")
def counts(request, year: int | None = None):
    return services.counts_vs_targets(request.auth, year)


@router.get("/my-assignments", response=list[AssignmentOut], summary="专家：我的评审任务")
def my_assignments(request):
    return list(ev.expert_assignments(request.auth).select_related("submission__round"))


@router.post("/my-assignments/{pk}/review", response=AssignmentOut, summary="专家：提交评分")
def submit_review(request, pk: int, payload: ReviewIn):
    assignment = get_object_or_404(ev.expert_assignments(request.auth).select_related("submission__round"), pk=pk)
    try:
        return ev.submit_review(assignment, payload.scores, payload.comment, payload.no_conflict)
    except ev.WorkflowError as exc:
        raise HttpError(422, str(exc)) from exc


@router.post("/submissions/{pk}/determine", summary="省级：作出决定（认定/评定等次）")
def determine(request, pk: int, payload: DetermineIn):
    ok, reason = has_permission("run_round", request.auth)
    if not ok:
        raise HttpError(403, reason)
    submission = get_object_or_404(Submission.objects.restrict(request.auth).select_related("round", "enterprise"), pk=pk)
    try:
        outcome = ev.determine(submission, request.auth, payload.reasons, payload.decision)
    except ev.WorkflowError as exc:
        raise HttpError(422, str(exc)) from exc
    submission.refresh_from_db()
    return {"outcome": outcome, "grade": submission.grade, "total": str(submission.total_score),
            "institution_id": submission.institution_id}


@router.get("/rounds", summary="评审批次")
def rounds(request):
    ok, _ = has_permission("view_round", request.auth)
    qs = Round.objects.restrict(request.auth) if ok else Round.objects.none()
    return [{"id": r.id, "name": r.name, "purpose": r.purpose, "year": r.year, "deadline": r.deadline.isoformat(),
             "status": r.status, "scheme": r.scheme_code} for r in qs]

