"""Evaluation workflow: rounds, submissions, recusal, assignment (manual and batch), reviews,
aggregation, determination — and the hand-off to the registers' dynamic management.

Recusal (回避) is automatic and applies to manual and batch assignment alike (:func:`conflicts`): an expert is
never assigned to a submission when

1. the expert's employer is the applicant (same enterprise), or the employer's name equals the applicant's;
2. the expert's enterprise group equals the applicant's group (:class:`.models.EnterpriseGroup`), or the
   expert's employer belongs to the applicant's group;
3. the round's region rule says so (same county, or same city by code prefix);
4. the expert declared a relation with the applicant (:class:`.models.ConflictDeclaration`), before
   assignment or on opening the assignment (which then becomes 已回避).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from xinzhi.enterprises.models import Enterprise
from xinzhi.platforms import services as platform_services
from xinzhi.platforms.models import AnnualData, InstitutionStatus, Platform, RDInstitution

from . import scoring
from .models import (
    Assignment,
    ConflictDeclaration,
    EnterpriseGroup,
    ExpertProfile,
    Purpose,
    RegionRule,
    Round,
    Submission,
)


class WorkflowError(ValueError):
    """A step the workflow does not allow now (message in Chinese, shown to the user)."""


class RecusalError(WorkflowError):
    """The expert must recuse from this submission."""


# --- rounds and submissions ----------------------------------------------------------------------


def scheme_of(round_: Round) -> scoring.Scheme:
    return scoring.get_scheme(round_.scheme_code)


def create_round(
    *, name: str, purpose: str, year: int, scheme_code: str, deadline: datetime.date, actor=None, **options: Any,
) -> Round:
    scheme = scoring.get_scheme(scheme_code)
    if scheme.purpose != purpose:
        raise WorkflowError(f"方案“{scheme.name}”用于{scheme.purpose}，与批次用途不符")
    return Round.objects.create(name=name, purpose=purpose, year=year, scheme_code=scheme_code, deadline=deadline,
                                created_by=actor, **options)


def enrol_institutions(
    round_: Round, actor=None, institution_ids: Iterable[int] | None = None, platform_ids: Iterable[int] | None = None,
) -> int:
    """Put every institution the round's scheme applies to (not revoked, recognised before the round's
    year, not already enrolled) into an evaluation round — one bulk insert.

    ``institution_ids`` / ``platform_ids`` limit the round to a batch (e.g. those due this year); the
    same eligibility rules apply to them. Passing only one of them enrols none of the other register."""
    if round_.purpose == Purpose.RECOGNITION:
        raise WorkflowError("认定批次由企业申报，不能批量纳入")
    scheme = scheme_of(round_)
    enrolled_inst = set(round_.submissions.exclude(institution=None).values_list("institution_id", flat=True))
    enrolled_plat = set(round_.submissions.exclude(platform=None).values_list("platform_id", flat=True))
    institutions = (RDInstitution.objects.filter(level__in=scheme.applies_to, recognised_year__lt=round_.year + 1)
                    .exclude(status=InstitutionStatus.REVOKED).exclude(id__in=enrolled_inst))
    platforms = (Platform.objects.filter(kind__in=scheme.applies_to).exclude(status=InstitutionStatus.REVOKED)
                 .exclude(lead_enterprise=None).exclude(id__in=enrolled_plat))
    if institution_ids is not None or platform_ids is not None:
        institutions = institutions.filter(id__in=list(institution_ids or []))
        platforms = platforms.filter(id__in=list(platform_ids or []))
    rows = [
        Submission(round=round_, enterprise_id=r["enterprise_id"], division_id=r["enterprise__division_id"],
                   institution_id=r["id"], title=r["name"], submitted_by=actor)
        for r in institutions.order_by("id").values("id", "name", "enterprise_id", "enterprise__division_id")
    ]
    rows += [
        Submission(round=round_, enterprise_id=r["lead_enterprise_id"], division_id=r["division_id"],
                   platform_id=r["id"], title=r["name"], submitted_by=actor)
        for r in platforms.order_by("id").values("id", "name", "lead_enterprise_id", "division_id")
    ]
    Submission.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


@transaction.atomic
def apply_for_recognition(
    round_: Round, enterprise: Enterprise, declared: Mapping[str, Any], actor, title: str = "", level: str = "",
    today: datetime.date | None = None,
) -> Submission:
    """An enterprise (or staff for it) applies for a level in a recognition call; criteria are checked
    against its data and stored with the explanation."""
    today = today or timezone.localdate()
    if round_.purpose != Purpose.RECOGNITION:
        raise WorkflowError("该批次不是认定批次")
    if round_.status != Round.Status.OPEN or today > round_.deadline:
        raise WorkflowError(f"申报已截止（截止日期 {round_.deadline}）")
    level = level or round_.target_level
    if Submission.objects.filter(round=round_, enterprise=enterprise).exclude(status=Submission.Status.WITHDRAWN).exists():
        raise WorkflowError("本企业已在该批次申报")
    clean = {k: v for k, v in declared.items() if k in AnnualData.DATA_FIELDS and v not in (None, "")}
    rows = platform_services.check_recognition(enterprise, level, round_.year, clean)
    return Submission.objects.create(
        round=round_, enterprise=enterprise, division_id=enterprise.division_id, applied_level=level,
        title=title or f"{enterprise.name}研发机构", declared=clean, criteria_check=rows, submitted_by=actor,
    )


def defer(submission: Submission, reason: str, actor=None) -> Submission:
    """暂缓评价 on application (e.g. restructuring; policy_criteria.md §7.2). It defers an *evaluation* of a
    recognised institution or platform; an application for recognition is withdrawn instead."""
    if submission.round.purpose == Purpose.RECOGNITION:
        raise WorkflowError("认定申报不适用暂缓评价；如不再申报，请撤回申报")
    if submission.status == Submission.Status.DETERMINED:
        raise WorkflowError("已作出决定，不能暂缓")
    if not reason.strip():
        raise WorkflowError("暂缓评价须说明理由")
    submission.status = Submission.Status.DEFERRED
    submission.deferral_reason = reason
    submission.decision = Submission.Decision.DEFER
    submission.decided_by, submission.decided_at = actor, timezone.now()
    submission.save()
    submission.assignments.filter(status=Assignment.Status.PENDING).delete()
    subject = submission.subject
    platform_services.issue_notice(
        "deferral", f"{submission.title}暂缓评价", f"经申请，{submission.round.year}年度暂缓评价：{reason}",
        subject=subject, enterprise=submission.enterprise, actor=actor, submission=submission,
    )
    return submission


# --- recusal -------------------------------------------------------------------------------------


class _Context:
    """What recusal needs about a set of submissions and experts, read in a few queries."""

    def __init__(self, submissions: list[Submission], experts: list[ExpertProfile]):
        ids = {s.enterprise_id for s in submissions} | {e.employer_id for e in experts if e.employer_id}
        self.groups = dict(EnterpriseGroup.objects.filter(enterprise_id__in=ids).values_list("enterprise_id", "group_name"))
        self.names = dict(Enterprise.objects.filter(id__in={s.enterprise_id for s in submissions}).values_list("id", "name"))
        self.declared = set(
            ConflictDeclaration.objects.filter(expert__in=experts, enterprise_id__in={s.enterprise_id for s in submissions})
            .values_list("expert_id", "enterprise_id")
        )


def conflicts(expert: ExpertProfile, submission: Submission, ctx: _Context | None = None) -> list[str]:
    """Why ``expert`` must recuse from ``submission`` (empty: no conflict)."""
    ctx = ctx or _Context([submission], [expert])
    reasons = []
    ent = submission.enterprise_id
    if expert.employer_id == ent or (expert.employer_name and expert.employer_name == ctx.names.get(ent)):
        reasons.append("专家工作单位即申报企业")
    group = ctx.groups.get(ent)
    if group and (expert.enterprise_group == group or ctx.groups.get(expert.employer_id) == group):
        reasons.append(f"专家与申报企业同属{group}")
    rule = submission.round.region_rule
    if expert.division_id and rule != RegionRule.NONE:
        if rule == RegionRule.COUNTY and expert.division_id == submission.division_id:
            reasons.append("专家与申报企业在同一县（市、区）")
        elif rule == RegionRule.CITY and expert.division_id[:4] == submission.division_id[:4]:
            reasons.append("专家与申报企业在同一设区市")
    if (expert.pk, ent) in ctx.declared:
        reasons.append("专家已申报与该企业存在利益关系")
    return reasons


@transaction.atomic
def assign(submission: Submission, expert: ExpertProfile, actor=None, method: str = "manual") -> Assignment:
    """Assign one expert (manual). Refused with the reasons when the expert must recuse."""
    if submission.status in (Submission.Status.DEFERRED, Submission.Status.DETERMINED, Submission.Status.WITHDRAWN):
        raise WorkflowError("该项目已暂缓、已决定或已撤回，不能分配专家")
    if not expert.active or expert.user.role != "expert":
        raise WorkflowError("该专家不在库")
    reasons = conflicts(expert, submission)
    if reasons:
        raise RecusalError(f"{expert}须回避：" + "；".join(reasons))
    assignment, created = Assignment.objects.get_or_create(
        submission=submission, expert=expert, defaults={"assigned_by": actor, "method": method},
    )
    if not created:
        raise WorkflowError(f"{expert}已分配到该项目")
    if submission.status == Submission.Status.SUBMITTED:
        submission.status = Submission.Status.REVIEWING
        submission.save(update_fields=["status"])
    return assignment


@transaction.atomic
def batch_assign(round_: Round, actor=None, per_submission: int | None = None) -> dict[str, Any]:
    """Fill every open submission up to ``per_submission`` reviewers, load-balanced.

    For each submission (fewest reviewers first) the eligible experts — active, no conflict, under their
    ``max_load`` in this round, not already on it — are ranked by (current load in the round, no field
    match, id) and the first are taken. Recusal is the same function as manual assignment. Returns counts
    and the submissions that could not be filled, with why.
    """
    need = per_submission or round_.reviewers_per_submission
    subs = list(
        round_.submissions.filter(status__in=[Submission.Status.SUBMITTED, Submission.Status.REVIEWING])
        .select_related("round", "institution", "platform").annotate(n=Count("assignments")).order_by("n", "id")
    )
    experts = list(ExpertProfile.objects.filter(active=True, user__role="expert", user__is_active=True).select_related("user"))
    ctx = _Context(subs, experts)
    load = defaultdict(int, Assignment.objects.filter(submission__round=round_).values("expert_id")
                       .annotate(n=Count("id")).values_list("expert_id", "n"))
    taken = defaultdict(set)
    for sub_id, exp_id in Assignment.objects.filter(submission__round=round_).values_list("submission_id", "expert_id"):
        taken[sub_id].add(exp_id)
    created, short = [], []
    for sub in subs:
        missing = need - len(taken[sub.pk])
        if missing <= 0:
            continue
        field = (sub.subject.field if sub.subject is not None else "") or ""
        candidates = [
            e for e in experts
            if e.pk not in taken[sub.pk] and load[e.pk] < e.max_load and not conflicts(e, sub, ctx)
        ]
        candidates.sort(key=lambda e: (load[e.pk], not (field and field in e.field_list), e.pk))
        for e in candidates[:missing]:
            created.append(Assignment(submission=sub, expert=e, assigned_by=actor, method="batch"))
            load[e.pk] += 1
            taken[sub.pk].add(e.pk)
        if len(candidates) < missing:
            short.append({"submission": sub.title, "missing": missing - len(candidates)})
    Assignment.objects.bulk_create(created)
    ids = {a.submission_id for a in created}
    Submission.objects.filter(pk__in=ids, status=Submission.Status.SUBMITTED).update(status=Submission.Status.REVIEWING)
    platform_audit(created, actor)
    return {"assigned": len(created), "short": short}


def platform_audit(assignments: list[Assignment], actor) -> None:
    """bulk_create skips audit signals: write one audit entry per batch-created assignment."""
    from xinzhi.core.audit import log_bulk_changes

    saved = Assignment.objects.filter(
        submission_id__in={a.submission_id for a in assignments}, expert_id__in={a.expert_id for a in assignments},
        method="batch",
    ).values_list("pk", "submission_id", "expert_id")
    wanted = {(a.submission_id, a.expert_id) for a in assignments}
    log_bulk_changes(
        Assignment,
        ((pk, f"assignment {s}/{e}", {"submission": [None, s], "expert": [None, e], "method": [None, "batch"]})
         for pk, s, e in saved if (s, e) in wanted),
        actor=actor, action=0,
    )


# --- reviews -------------------------------------------------------------------------------------


def expert_assignments(user):
    """The only submissions an expert can see: those assigned to them (recused ones excluded)."""
    return Assignment.objects.filter(expert__user=user).exclude(status=Assignment.Status.RECUSED)


@transaction.atomic
def declare_conflict(assignment: Assignment, relation: str) -> Assignment:
    """The expert declares a conflict on opening an assignment: it becomes 已回避 and the declaration
    recuses the expert from this enterprise from now on (also in batch assignment)."""
    if not relation.strip():
        raise WorkflowError("请说明利益关系")
    ConflictDeclaration.objects.get_or_create(
        expert=assignment.expert, enterprise_id=assignment.submission.enterprise_id, defaults={"relation": relation},
    )
    assignment.status = Assignment.Status.RECUSED
    assignment.comment = f"回避：{relation}"
    assignment.save(update_fields=["status", "comment"])
    return assignment


@transaction.atomic
def submit_review(assignment: Assignment, scores: Mapping[str, Any], comment: str, no_conflict: bool) -> Assignment:
    """Store an expert's per-criterion scores with the weighted total (validated by the scheme)."""
    if assignment.status != Assignment.Status.PENDING:
        raise WorkflowError("该评审已提交或已回避")
    if not no_conflict:
        raise WorkflowError("提交前须声明与申报企业无利益冲突（如有冲突请选择回避）")
    round_ = assignment.submission.round
    if round_.review_deadline and timezone.localdate() > round_.review_deadline:
        raise WorkflowError(f"评审已截止（{round_.review_deadline}）")
    scheme = scheme_of(round_)
    try:
        total = scoring.score_review(scheme, scores)
    except scoring.ScoreError as exc:
        raise WorkflowError(str(exc)) from exc
    assignment.scores = {c.code: str(scores[c.code]) for c in scheme.criteria}
    assignment.total = total
    assignment.comment = comment
    assignment.no_conflict_confirmed = True
    assignment.status = Assignment.Status.SUBMITTED
    assignment.submitted_at = timezone.now()
    assignment.save()
    return assignment


# --- scoring and determination -------------------------------------------------------------------


def submission_data(submission: Submission) -> dict[str, Any]:
    """The figures the scheme's indicators read: the institution's annual data for the round's year, or,
    for a recognition, the statistics plus what the enterprise declared."""
    if submission.institution_id or submission.platform_id:
        q = Q(institution_id=submission.institution_id) if submission.institution_id else Q(platform_id=submission.platform_id)
        row = AnnualData.objects.filter(q, year=submission.round.year).first()
        return row.as_dict() if row else {}
    facts, _ = platform_services.enterprise_facts(submission.enterprise, submission.round.year, submission.declared)
    return {k: v for k, v in facts.items() if k in AnnualData.DATA_FIELDS}


def score_submission(submission: Submission) -> scoring.Evaluation:
    """Compute and store the submission's scores (quantitative, aggregated expert part, total, grade)."""
    round_ = submission.round
    scheme = scheme_of(round_)
    reviews = list(submission.assignments.filter(status=Assignment.Status.SUBMITTED).values_list("scores", flat=True))
    result = scoring.evaluate(scheme, submission_data(submission), reviews, trim=round_.trim_extremes)
    submission.scheme_code, submission.scheme_version, submission.scheme_text = scheme.code, scheme.version, scheme.text
    submission.indicator_results = [r.as_json() for r in result.indicators]
    submission.quantitative_score = result.quantitative
    submission.expert_score = result.expert
    submission.total_score = result.total
    submission.grade = result.result.grade
    submission.warning = result.result.warning
    submission.save()
    return result


def aggregate_round(round_: Round) -> int:
    """Score every submission in the round that is not deferred or withdrawn."""
    subs = round_.submissions.exclude(status__in=[Submission.Status.DEFERRED, Submission.Status.WITHDRAWN]).select_related("round", "enterprise")
    n = 0
    for sub in subs:
        score_submission(sub)
        n += 1
    return n


def _failed_last_time(submission: Submission) -> bool:
    q = Q(institution_id=submission.institution_id) if submission.institution_id else Q(platform_id=submission.platform_id)
    previous = (Submission.objects.filter(q, decision=Submission.Decision.GRADE, round__year__lt=submission.round.year)
                .order_by("-round__year").values_list("grade", flat=True).first())
    return previous == scoring.FAIL_GRADE


@transaction.atomic
def determine(submission: Submission, actor, reasons: str, decision: str | None = None) -> str:
    """The province's determination with reasons. Recognition: ``recognise`` creates the RDInstitution,
    ``reject`` sends a notice. Evaluation: the grade drives the status (:func:`platforms.services.apply_result`)."""
    if submission.status in (Submission.Status.DETERMINED, Submission.Status.DEFERRED, Submission.Status.WITHDRAWN):
        raise WorkflowError("该项目已决定、暂缓或撤回")
    if not reasons.strip():
        raise WorkflowError("决定须写明理由")
    round_ = submission.round
    result = score_submission(submission)
    if not result.complete:
        raise WorkflowError("尚无专家提交评分，不能作出决定")
    scheme = scheme_of(round_)
    if round_.purpose == Purpose.RECOGNITION:
        decision = decision or (Submission.Decision.RECOGNISE if result.result.passed else Submission.Decision.REJECT)
        if decision == Submission.Decision.RECOGNISE:
            inst = platform_services.recognise(
                submission.enterprise, submission.applied_level, submission.title, round_.year, actor, submission, reasons,
            )
            submission.institution = inst
            outcome = f"予以认定（总分 {result.total}）"
        elif decision == Submission.Decision.REJECT:
            platform_services.issue_notice("rejection", f"{submission.title}未通过认定", reasons,
                                           enterprise=submission.enterprise, actor=actor, submission=submission)
            outcome = f"不予认定（总分 {result.total}）"
        else:
            raise WorkflowError("认定决定须为予以认定或不予认定")
    else:
        decision = Submission.Decision.GRADE
        action = scoring.management_action(scheme, result.result, _failed_last_time(submission))
        outcome = platform_services.apply_result(
            submission.subject, action, result.result.grade, round_.year, f"{result.result.explanation}。{reasons}",
            actor, submission,
        )
    submission.decision, submission.decision_reasons = decision, reasons
    submission.decided_by, submission.decided_at = actor, timezone.now()
    submission.status = Submission.Status.DETERMINED
    submission.save()
    return outcome


def round_progress(round_: Round) -> dict[str, Any]:
    """Counts for the staff page (SQL aggregates)."""
    subs = round_.submissions.aggregate(
        total=Count("id"), determined=Count("id", filter=Q(status=Submission.Status.DETERMINED)),
        deferred=Count("id", filter=Q(status=Submission.Status.DEFERRED)),
    )
    assigned = Assignment.objects.filter(submission__round=round_).aggregate(
        total=Count("id"), submitted=Count("id", filter=Q(status=Assignment.Status.SUBMITTED)),
        recused=Count("id", filter=Q(status=Assignment.Status.RECUSED)),
    )
    return {"submissions": subs, "assignments": assigned}


def eligible_experts(submission: Submission, experts: Iterable[ExpertProfile] | None = None) -> list[tuple[ExpertProfile, list[str]]]:
    """Every active expert with their recusal reasons for this submission (for the assign form)."""
    experts = list(experts if experts is not None else ExpertProfile.objects.filter(active=True).select_related("user"))
    ctx = _Context([submission], experts)
    return [(e, conflicts(e, submission, ctx)) for e in experts]


def expert_part_summary(submission: Submission) -> dict[str, Decimal | None]:
    """Per-criterion mean across submitted reviews (for the staff page)."""
    scheme = scheme_of(submission.round)
    rows = list(submission.assignments.filter(status=Assignment.Status.SUBMITTED).values_list("scores", flat=True))
    return {c.name: (scoring.q2(sum(Decimal(r[c.code]) for r in rows) / len(rows)) if rows else None) for c in scheme.criteria}

