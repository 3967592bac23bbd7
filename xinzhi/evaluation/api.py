"""The evaluation API — rounds, the expert's assignments and reviews, determinations — mounted under
``/api/v1/platforms`` beside the registers' router (the URLs existing clients use).

Experts read only their assignments: an unassigned submission is 404, as on the pages. Running a round
is province staff's (:mod:`.permissions`).
"""

from __future__ import annotations

from decimal import Decimal

from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.errors import HttpError

from xinzhi.accounts.permissions import can, require

from . import services as ev
from .models import ClosedRoundError, Round, Submission

router = Router(tags=["认定与评价"])


class AssignmentOut(Schema):
    id: int
    submission_id: int
    title: str
    round: str
    status: str
    status_label: str
    total: Decimal | None

    @staticmethod
    def resolve_title(obj) -> str:
        return obj.submission.title

    @staticmethod
    def resolve_round(obj) -> str:
        return obj.submission.round.name

    @staticmethod
    def resolve_status_label(obj) -> str:
        return obj.get_status_display()


class ReviewIn(Schema):
    scores: dict[str, Decimal]
    comment: str = ""
    no_conflict: bool = False


class DetermineIn(Schema):
    reasons: str
    decision: str | None = None


@router.get("/my-assignments", response=list[AssignmentOut], summary="专家：我的评审任务")
def my_assignments(request):
    return list(ev.expert_assignments(request.auth).select_related("submission__round"))


@router.post("/my-assignments/{pk}/review", response=AssignmentOut, summary="专家：提交评分")
def submit_review(request, pk: int, payload: ReviewIn):
    assignment = get_object_or_404(ev.expert_assignments(request.auth).select_related("submission__round"), pk=pk)
    try:
        return ev.submit_review(assignment, payload.scores, payload.comment, payload.no_conflict)
    except (ev.WorkflowError, ClosedRoundError) as exc:
        raise HttpError(422, str(exc)) from exc


@router.post("/submissions/{pk}/determine", summary="省级：作出决定（认定/评定等次）")
def determine(request, pk: int, payload: DetermineIn):
    require(request.auth, "evaluation.round.run")
    submission = get_object_or_404(Submission.objects.restrict(request.auth).select_related("round", "enterprise"), pk=pk)
    try:
        outcome = ev.determine(submission, request.auth, payload.reasons, payload.decision)
    except (ev.WorkflowError, ClosedRoundError) as exc:
        raise HttpError(422, str(exc)) from exc
    submission.refresh_from_db()
    return {"outcome": outcome, "grade": submission.grade, "total": str(submission.total_score),
            "institution_id": submission.institution_id}


@router.get("/rounds", summary="评审批次")
def rounds(request):
    qs = Round.objects.restrict(request.auth) if can(request.auth, "evaluation.round.view") else Round.objects.none()
    return [{"id": r.id, "name": r.name, "purpose": r.purpose, "purpose_label": r.get_purpose_display(), "year": r.year,
             "deadline": r.deadline.isoformat(), "status": r.status, "status_label": r.get_status_display(),
             "scheme": r.scheme_code, "scheme_name": r.scheme_name} for r in qs]
