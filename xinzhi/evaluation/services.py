"""Evaluation workflow: rounds, submissions, recusal, assignment (manual, batch and refill), reviews,
aggregation, determination, corrections (复核) — and the hand-off to the registers through the
:mod:`.subjects` provider (this module imports no domain app).

Recusal (回避) is automatic and applies to manual and batch assignment alike (:func:`conflicts`): an expert is
never assigned to a submission when

1. the expert's employer is the applicant (same enterprise), or the employer's name equals the applicant's;
2. the expert's enterprise group equals the applicant's group (:class:`.models.EnterpriseGroup`), or the
   expert's employer belongs to the applicant's group;
3. the round's region rule says so (same county, or same city by code prefix);
4. the expert declared a relation with the applicant (:class:`.models.ConflictDeclaration`), before
   assignment or on opening the assignment — which recuses every pending assignment of that expert for
   that enterprise and refills each panel from the pool.

Panels stay full: a recused assignment does not count towards the round's reviewers per submission;
batch assignment and the refill after a declared conflict take the next eligible experts. When the pool
is exhausted the round shows the shortfall and a submission is not aggregated or decided until its panel
is full or province staff approve a reduced panel (:func:`approve_reduced_panel`).

A decided round stays decided: once closed, nothing in it is written again (the models refuse it too);
a decided result changes only through :func:`correct` (复核), which records who, why, before and after.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from xinzhi.enterprises.models import Enterprise

from . import scoring
from .models import (
    Assignment,
    ConflictDeclaration,
    Correction,
    EnterpriseGroup,
    ExpertProfile,
    Purpose,
    RegionRule,
    Round,
    Submission,
)
from .subjects import provider


class WorkflowError(ValueError):
    """A step the workflow does not allow now (message in Chinese, shown to the user)."""


class RecusalError(WorkflowError):
    """The expert must recuse from this submission."""


CLOSED_MESSAGE = "评审批次已结束，批次内的参评记录、评分、等次和方案均为只读；如需更正已决定的结果，请使用复核"
OPEN_STATUSES = (Submission.Status.SUBMITTED, Submission.Status.REVIEWING)


def _require_open(round_: Round) -> None:
    """Refuse any write to a closed round (read from the database, not the possibly stale object)."""
    if Round.objects.filter(pk=round_.pk, status=Round.Status.CLOSED).exists():
        raise WorkflowError(CLOSED_MESSAGE)


# --- rounds and submissions ----------------------------------------------------------------------


def scheme_of(round_: Round) -> scoring.Scheme:
    return scoring.get_scheme(round_.scheme_code)


def provider_of(round_: Round):
    """The registered provider of the round's subjects (its scheme's ``subject`` kind)."""
    return provider(round_.subject_kind)


def _generic(submission: Submission) -> bool:
    return bool(submission.subject_kind)


def create_round(
    *, name: str, purpose: str, year: int, scheme_code: str, deadline: datetime.date, actor=None, **options: Any,
) -> Round:
    scheme = scoring.get_scheme(scheme_code)
    if scheme.purpose != purpose:
        purposes = dict(Purpose.choices)
        raise WorkflowError(f"方案“{scheme.name}”用于{purposes.get(scheme.purpose, scheme.purpose)}，与批次用途不符")
    return Round.objects.create(name=name, purpose=purpose, year=year, scheme_code=scheme_code, deadline=deadline,
                                created_by=actor, **options)


ROUND_STEPS = {
    Round.Status.OPEN: {Round.Status.REVIEWING, Round.Status.CLOSED},
    Round.Status.REVIEWING: {Round.Status.OPEN, Round.Status.CLOSED},
    Round.Status.CLOSED: set(),
}


@transaction.atomic
def set_round_status(round_: Round, status: str, actor=None) -> Round:
    """申报中 ⇄ 评审中 → 已结束. Closing is final and needs every submission decided, deferred or withdrawn."""
    _require_open(round_)
    if status not in Round.Status.values:
        raise WorkflowError("未知的批次状态")
    if status == round_.status:
        return round_
    if status not in ROUND_STEPS[round_.status]:
        raise WorkflowError(f"批次不能从“{round_.get_status_display()}”改为“{Round.Status(status).label}”")
    if status == Round.Status.CLOSED:
        undecided = round_.submissions.filter(status__in=OPEN_STATUSES).count()
        if undecided:
            raise WorkflowError(f"尚有 {undecided} 个项目未作出决定，不能结束批次")
        round_.closed_by, round_.closed_at = actor, timezone.now()
    round_.status = status
    round_.save()
    return round_


def enrol_institutions(
    round_: Round, actor=None, institution_ids: Iterable[int] | None = None, platform_ids: Iterable[int] | None = None,
) -> int:
    """Put every subject the round's purpose and scheme apply to (the registers decide which: not revoked,
    recognised by the round's year, provincial designations only, the innovation-centre cycle) and not
    already enrolled into an evaluation round — one bulk insert, one audit entry per row.

    ``institution_ids`` / ``platform_ids`` limit the round to a batch (e.g. those due this year); the
    same eligibility rules apply to them. Passing only one of them enrols none of the other register."""
    _require_open(round_)
    if round_.purpose == Purpose.RECOGNITION:
        raise WorkflowError("认定批次由企业申报，不能批量纳入")
    scheme = scheme_of(round_)
    subjects = provider(scheme.subject)
    if subjects.generic:
        return enrol_subjects(round_, actor, institution_ids)
    enrolled = (
        set(round_.submissions.exclude(institution=None).values_list("institution_id", flat=True)),
        set(round_.submissions.exclude(platform=None).values_list("platform_id", flat=True)),
    )
    if institution_ids is not None or platform_ids is not None:
        institution_ids, platform_ids = list(institution_ids or []), list(platform_ids or [])
    rows = subjects.eligible(round_, scheme.applies_to, institution_ids, platform_ids, enrolled)
    created = Submission.objects.bulk_create(
        [Submission(round=round_, submitted_by=actor, **r) for r in rows], batch_size=1000)
    _audit_created(Submission, [s.pk for s in created if s.pk], lambda pk: f"submission {pk}", actor)
    return len(rows)


def enrol_subjects(round_: Round, actor=None, subject_ids: Iterable[int] | None = None) -> int:
    """Enrol the subjects of a generic provider (research-needs submissions, excellent-product
    candidates…): the provider lists the eligible ones not yet enrolled, each with the units an expert
    must not come from (``parties``); one bulk insert, one audit entry per row."""
    _require_open(round_)
    scheme = scheme_of(round_)
    subjects = provider(scheme.subject)
    if not subjects.generic:
        raise WorkflowError("该批次的评价对象不是按编号纳入的类别")
    enrolled = set(round_.submissions.filter(subject_kind=scheme.subject).values_list("subject_id", flat=True))
    ids = None if subject_ids is None else list(subject_ids)
    rows = subjects.eligible(round_, scheme.applies_to, ids, None, enrolled)
    created = Submission.objects.bulk_create(
        [Submission(round=round_, submitted_by=actor, subject_kind=scheme.subject, **r) for r in rows], batch_size=1000)
    _audit_created(Submission, [s.pk for s in created if s.pk], lambda pk: f"submission {pk}", actor)
    return len(rows)


def enrol_refusal(round_: Round, subject) -> str:
    """Why ``subject`` cannot join ``round_`` ("" when it can) — for the subject's page."""
    if round_.is_closed:
        return CLOSED_MESSAGE
    subjects = provider_of(round_)
    refusal = subjects.refusal(round_, subject)
    if refusal:
        return refusal
    try:
        if subjects.subject_kind(subject) not in scheme_of(round_).applies_to:
            return "该批次的评价方案不适用于该对象"
    except scoring.SchemeError as exc:
        return str(exc)
    return ""


def rounds_open_for(subject, held: Q) -> list[Round]:
    """Evaluation rounds (not recognition, not closed) that ``subject`` may join and does not hold yet."""
    rounds = (Round.objects.exclude(purpose__in=(Purpose.RECOGNITION, Purpose.SELECTION))
              .exclude(status=Round.Status.CLOSED)
              .exclude(submissions__in=Submission.objects.filter(held)).order_by("-year", "-deadline"))
    return [r for r in rounds if r.subject_kind == "platforms" and not enrol_refusal(r, subject)]


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
    subjects = provider()
    clean = {k: v for k, v in declared.items() if k in subjects.data_fields and v not in (None, "")}
    rows = subjects.check_recognition(enterprise, level, round_.year, clean)
    return Submission.objects.create(
        round=round_, enterprise=enterprise, division_id=enterprise.division_id, applied_level=level,
        title=title or f"{enterprise.name}研发机构", declared=clean, criteria_check=rows, submitted_by=actor,
    )


def defer(submission: Submission, reason: str, actor=None) -> Submission:
    """暂缓评价 on application (e.g. restructuring; policy_criteria.md §7.2). It defers an *evaluation* of a
    recognised institution or platform; an application for recognition is withdrawn instead."""
    _require_open(submission.round)
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
    provider_of(submission.round).notice(
        "deferral", f"{submission.title}暂缓评价", f"经申请，{submission.round.year}年度暂缓评价：{reason}",
        subject=submission.subject, enterprise=submission.enterprise, actor=actor, submission=submission,
    )
    return submission


# --- recusal -------------------------------------------------------------------------------------


class _Context:
    """What recusal needs about a set of submissions and experts, read in a few queries."""

    def __init__(self, submissions: list[Submission], experts: list[ExpertProfile]):
        parties = {p.get("enterprise_id") for s in submissions for p in (s.parties or []) if p.get("enterprise_id")}
        ids = {s.enterprise_id for s in submissions} | {e.employer_id for e in experts if e.employer_id} | parties
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
    for party in submission.parties or []:
        pid, name = party.get("enterprise_id"), (party.get("name") or "").strip()
        if (pid and expert.employer_id == pid) or (name and expert.employer_name.strip() == name):
            reasons.append(f"专家工作单位为合作单位“{name}”")
        elif pid and ctx.groups.get(pid) and ctx.groups.get(pid) in (expert.enterprise_group, ctx.groups.get(expert.employer_id)):
            reasons.append(f"专家与合作单位“{name}”同属{ctx.groups[pid]}")
    return reasons


# --- panels --------------------------------------------------------------------------------------


def panel(submission: Submission) -> dict[str, Any]:
    """The submission's panel: reviewers assigned and not recused (``active``), reviews in, the round's
    size, pending reviews, the shortfall, and whether a reduced panel was approved."""
    counts = submission.assignments.aggregate(
        active=Count("id", filter=~Q(status=Assignment.Status.RECUSED)),
        submitted=Count("id", filter=Q(status=Assignment.Status.SUBMITTED)),
        recused=Count("id", filter=Q(status=Assignment.Status.RECUSED)),
    )
    need = submission.round.reviewers_per_submission
    return {**counts, "need": need, "pending": counts["active"] - counts["submitted"],
            "short": max(0, need - counts["active"]), "approved": submission.reduced_panel_at is not None}


def panel_refusal(submission: Submission, info: Mapping[str, Any] | None = None) -> str:
    """Why the submission cannot be aggregated or decided yet ("" when it can)."""
    info = info or panel(submission)
    if info["short"] and not info["approved"]:
        return (f"评审专家不足：应为 {info['need']} 人，现有 {info['active']} 人（已回避 {info['recused']} 人），"
                f"请补充专家或批准减员评审")
    if info["pending"]:
        return f"尚有 {info['pending']} 名专家未提交评分"
    if not info["submitted"]:
        return "尚无专家提交评分"
    return ""


def shortfalls(round_: Round, submissions: QuerySet | None = None) -> list[dict[str, Any]]:
    """Open submissions whose panel is short of the round's size and not approved as reduced (one query).
    ``submissions`` narrows it to what the reader may see (a city or county user's own)."""
    subs = round_.submissions.all() if submissions is None else submissions.filter(round=round_)
    rows = (subs.filter(status__in=OPEN_STATUSES, reduced_panel_at=None)
            .annotate(active=Count("assignments", filter=~Q(assignments__status=Assignment.Status.RECUSED)))
            .filter(active__lt=round_.reviewers_per_submission).order_by("id").values("id", "title", "active"))
    return [{"id": r["id"], "title": r["title"], "active": r["active"],
             "missing": round_.reviewers_per_submission - r["active"]} for r in rows]


@transaction.atomic
def approve_reduced_panel(submission: Submission, actor, reason: str) -> Submission:
    """Province staff accept a panel smaller than the round's size when the pool is exhausted."""
    _require_open(submission.round)
    if submission.status not in OPEN_STATUSES:
        raise WorkflowError("该项目已决定、暂缓或撤回")
    if not reason.strip():
        raise WorkflowError("批准减员评审须说明理由")
    info = panel(submission)
    if not info["short"]:
        raise WorkflowError("评审专家人数已满足，无需批准减员")
    if not info["active"]:
        raise WorkflowError("尚未分配任何专家，不能减员评审")
    submission.reduced_panel_reason = reason
    submission.reduced_panel_by, submission.reduced_panel_at = actor, timezone.now()
    submission.save()
    return submission


@transaction.atomic
def assign(submission: Submission, expert: ExpertProfile, actor=None, method: str = "manual") -> Assignment:
    """Assign one expert (manual). Refused with the reasons when the expert must recuse."""
    _require_open(submission.round)
    if submission.status not in OPEN_STATUSES:
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
    _notify_assigned([assignment])
    return assignment


def _notify_assigned(assignments: list[Assignment]) -> None:
    """Each expert is told of their new reviews (站内通知; by mail if they chose it)."""
    from xinzhi.notifications.services import notify

    by_expert: dict[int, list[Assignment]] = defaultdict(list)
    for a in assignments:
        by_expert[a.expert.user_id].append(a)
    for user_id, items in by_expert.items():
        first = items[0]
        title = (f"新的评审任务：{first.submission.title}" if len(items) == 1
                 else f"新的评审任务{len(items)}项（{first.submission.round}）")
        notify(user_id, "assignment", title, "请在“我的评审”中查看材料并评分，如有需回避的关系请申报。",
               f"/evaluation/my/{first.pk}/" if len(items) == 1 else "/evaluation/my/")


@transaction.atomic
def batch_assign(round_: Round, actor=None, per_submission: int | None = None) -> dict[str, Any]:
    """Fill every open submission up to ``per_submission`` active (not recused) reviewers, load-balanced.

    Returns counts and the submissions still short after the fill, with how many are missing."""
    _require_open(round_)
    subs = list(round_.submissions.filter(status__in=OPEN_STATUSES).select_related("round", "institution", "platform")
                .order_by("id"))
    return _fill(round_, subs, actor, per_submission or round_.reviewers_per_submission, "batch", {})


def _fill(round_: Round, subs: list[Submission], actor, need: int, method: str,
          replaces: Mapping[int, int]) -> dict[str, Any]:
    """For each submission (fewest active reviewers first) the eligible experts — active, no conflict,
    under their ``max_load`` in this round, never on this submission before (a recused expert is not
    asked again) — are ranked by (current load in the round, no field match, id) and the first taken.

    ``replaces`` maps a submission to the recused assignment the new reviewer replaces (refill)."""
    experts = list(ExpertProfile.objects.filter(active=True, user__role="expert", user__is_active=True).select_related("user"))
    ctx = _Context(subs, experts)
    live = Assignment.objects.filter(submission__round=round_).exclude(status=Assignment.Status.RECUSED)
    load = defaultdict(int, live.values("expert_id").annotate(n=Count("id")).values_list("expert_id", "n"))
    taken: dict[int, set[int]] = defaultdict(set)
    active: dict[int, int] = defaultdict(int)
    for sub_id, exp_id, status in (Assignment.objects.filter(submission__in=subs)
                                   .values_list("submission_id", "expert_id", "status")):
        taken[sub_id].add(exp_id)
        active[sub_id] += status != Assignment.Status.RECUSED
    created, short = [], []
    for sub in sorted(subs, key=lambda s: (active[s.pk], s.pk)):
        missing = need - active[sub.pk]
        if missing <= 0:
            continue
        field = getattr(sub.subject, "field", "") or ""
        candidates = [
            e for e in experts
            if e.pk not in taken[sub.pk] and load[e.pk] < e.max_load and not conflicts(e, sub, ctx)
        ]
        candidates.sort(key=lambda e: (load[e.pk], not (field and field in e.field_list), e.pk))
        for e in candidates[:missing]:
            created.append(Assignment(submission=sub, expert=e, assigned_by=actor, method=method,
                                      replaces_id=replaces.get(sub.pk)))
            load[e.pk] += 1
            taken[sub.pk].add(e.pk)
        if len(candidates) < missing:
            short.append({"submission": sub.title, "id": sub.pk, "missing": missing - len(candidates)})
    Assignment.objects.bulk_create(created)
    ids = {a.submission_id for a in created}
    Submission.objects.filter(pk__in=ids, status=Submission.Status.SUBMITTED).update(status=Submission.Status.REVIEWING)
    _audit_created(Assignment, [a.pk for a in created if a.pk], lambda pk: f"assignment {pk}", actor,
                   {"method": [None, method]})
    _notify_assigned(created)
    return {"assigned": len(created), "short": short}


def _audit_created(model, pks: list[int], text, actor, extra: Mapping[str, list] | None = None) -> None:
    """bulk_create skips audit signals: one audit entry per created row."""
    from xinzhi.core.audit import log_bulk_changes

    if pks:
        log_bulk_changes(model, ((pk, text(pk), {"id": [None, pk], **(extra or {})}) for pk in pks),
                         actor=actor, action=0)


# --- reviews -------------------------------------------------------------------------------------


def expert_assignments(user):
    """The only submissions an expert can see: those assigned to them (recused ones excluded)."""
    return Assignment.objects.filter(expert__user=user).exclude(status=Assignment.Status.RECUSED)


@transaction.atomic
def declare_conflict(assignment: Assignment, relation: str, actor=None) -> dict[str, Any]:
    """The expert declares a conflict on opening an assignment. The declaration recuses the expert from
    this enterprise from now on: every pending assignment of this expert for the enterprise (in any open
    round) becomes 已回避, and each of those panels is refilled from the pool at once."""
    _require_open(assignment.submission.round)
    if not relation.strip():
        raise WorkflowError("请说明利益关系")
    if assignment.status != Assignment.Status.PENDING:
        raise WorkflowError("该评审已提交或已回避")
    enterprise_id = assignment.submission.enterprise_id
    ConflictDeclaration.objects.get_or_create(
        expert=assignment.expert, enterprise_id=enterprise_id, defaults={"relation": relation},
    )
    affected = list(Assignment.objects.filter(
        expert=assignment.expert, submission__enterprise_id=enterprise_id, status=Assignment.Status.PENDING,
    ).exclude(submission__round__status=Round.Status.CLOSED).select_related("submission__round"))
    for a in affected:
        a.status = Assignment.Status.RECUSED
        a.comment = f"回避：{relation}"
        a.save(update_fields=["status", "comment"])
    out = {"recused": len(affected), "assigned": 0, "short": []}
    by_round: dict[int, list[Assignment]] = defaultdict(list)
    for a in affected:
        by_round[a.submission.round_id].append(a)
    for items in by_round.values():
        round_ = items[0].submission.round
        subs = [a.submission for a in items if a.submission.status in OPEN_STATUSES]
        result = _fill(round_, subs, actor, round_.reviewers_per_submission, "refill",
                       {a.submission_id: a.pk for a in items})
        out["assigned"] += result["assigned"]
        out["short"] += result["short"]
    return out


@transaction.atomic
def submit_review(assignment: Assignment, scores: Mapping[str, Any], comment: str, no_conflict: bool) -> Assignment:
    """Store an expert's per-criterion scores with the weighted total (validated by the scheme)."""
    round_ = assignment.submission.round
    _require_open(round_)
    if assignment.status != Assignment.Status.PENDING:
        raise WorkflowError("该评审已提交或已回避")
    if not no_conflict:
        raise WorkflowError("提交前须声明与申报企业无利益冲突（如有冲突请选择回避）")
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
    """The figures the scheme's indicators read: the subject's data for the round's year (from the
    registers), or, for a recognition, the statistics plus what the enterprise declared."""
    if _generic(submission):
        return provider(submission.subject_kind).data(submission)
    subjects = provider()
    if submission.institution_id or submission.platform_id:
        return subjects.data(submission)
    facts = subjects.recognition_facts(submission.enterprise, submission.round.year, submission.declared)
    return {k: v for k, v in facts.items() if k in subjects.data_fields}


def field_labels(kind: str | None = None) -> dict[str, str]:
    """The Chinese names of the data fields, for the indicators' explanations (no codes on screen)."""
    subjects = provider(kind)
    return {f: subjects.field_label(f) for f in subjects.data_fields}


def _reviews(submission: Submission) -> list[dict]:
    return list(submission.assignments.filter(status=Assignment.Status.SUBMITTED).values_list("scores", flat=True))


def _store(submission: Submission, scheme: scoring.Scheme, result: scoring.Evaluation) -> None:
    submission.scheme_code, submission.scheme_version, submission.scheme_text = scheme.code, scheme.version, scheme.text
    submission.indicator_results = [r.as_json() for r in result.indicators]
    submission.quantitative_score = result.quantitative
    submission.expert_score = result.expert
    submission.total_score = result.total
    submission.grade = result.result.grade
    submission.warning = result.result.warning


def score_submission(submission: Submission) -> scoring.Evaluation:
    """Compute and store the scores of an undecided submission (quantitative, aggregated expert part,
    total, grade) and the scheme snapshot. A decided submission is never re-scored here."""
    _require_open(submission.round)
    if submission.status not in OPEN_STATUSES:
        raise WorkflowError("该项目已决定、暂缓或撤回，得分不再重新计算；如需更正请使用复核")
    round_ = submission.round
    scheme = scheme_of(round_)
    result = scoring.evaluate(scheme, submission_data(submission), _reviews(submission), trim=round_.trim_extremes,
                              labels=field_labels(scheme.subject))
    _store(submission, scheme, result)
    submission.save()
    return result


def aggregate_round(round_: Round) -> dict[str, Any]:
    """Score every undecided submission whose panel is complete (or approved as reduced). Decided,
    deferred and withdrawn submissions are left as they are; the others are listed with why."""
    _require_open(round_)
    subs = round_.submissions.filter(status__in=OPEN_STATUSES).select_related("round", "enterprise")
    scored, waiting = 0, []
    for sub in subs:
        why = panel_refusal(sub)
        if why:
            waiting.append({"submission": sub.title, "id": sub.pk, "reason": why})
            continue
        score_submission(sub)
        scored += 1
    return {"scored": scored, "waiting": waiting}


def _failed_last_time(submission: Submission) -> bool:
    if _generic(submission):
        return False
    q = Q(institution_id=submission.institution_id) if submission.institution_id else Q(platform_id=submission.platform_id)
    previous = (Submission.objects.filter(q, decision=Submission.Decision.GRADE, round__year__lt=submission.round.year)
                .order_by("-round__year").values_list("grade", flat=True).first())
    return previous == scoring.FAIL_GRADE


@transaction.atomic
def record_condition_exception(submission: Submission, actor, reason: str) -> Submission:
    """Province staff record why an applicant that fails a recognition condition may still be recognised."""
    _require_open(submission.round)
    if submission.round.purpose != Purpose.RECOGNITION:
        raise WorkflowError("条件例外只适用于认定申报")
    if submission.status not in OPEN_STATUSES:
        raise WorkflowError("该申报已决定或已撤回")
    if not submission.failed_conditions:
        raise WorkflowError("该申报各项认定条件均已符合，无需记录例外")
    if not reason.strip():
        raise WorkflowError("记录条件例外须写明理由")
    submission.condition_exception = reason.strip()
    submission.exception_by, submission.exception_at = actor, timezone.now()
    submission.save()
    return submission


def _condition_refusal(submission: Submission) -> str:
    failed = submission.failed_conditions
    if not failed or submission.condition_exception:
        return ""
    items = "；".join(f"{c['label']}（{c['result']}：{c['value']}）" for c in failed)
    return f"认定条件未全部符合，不能予以认定：{items}。如确需认定，须由省级工作人员记录例外理由"


@transaction.atomic
def determine(submission: Submission, actor, reasons: str, decision: str | None = None) -> str:
    """The province's determination with reasons.

    Recognition needs the conditions **and** the score: ``recognise`` is refused when the total is below
    the pass mark, or when a condition is not met (不符合 or 缺少数据) and no exception is recorded; without
    an explicit decision those applicants are rejected. Evaluation: the grade drives the status through
    the registers (``apply_result``). The panel must be complete (or approved as reduced)."""
    _require_open(submission.round)
    if submission.status not in OPEN_STATUSES:
        raise WorkflowError("该项目已决定、暂缓或撤回")
    if not reasons.strip():
        raise WorkflowError("决定须写明理由")
    why = panel_refusal(submission)
    if why:
        raise WorkflowError(why)
    round_ = submission.round
    result = score_submission(submission)
    scheme = scheme_of(round_)
    subjects = provider(scheme.subject)
    if round_.purpose == Purpose.SELECTION:
        # a selection drives no status: the subject's app records the score; the ranking is its own
        decision = Submission.Decision.GRADE
        outcome = subjects.apply_result(submission.subject, "selection", result.result.grade, round_.year,
                                        f"{result.result.explanation}。{reasons}", actor, submission)
    elif round_.purpose == Purpose.RECOGNITION:
        blocked = _condition_refusal(submission)
        if decision is None:
            ok = result.result.passed and not blocked
            decision = Submission.Decision.RECOGNISE if ok else Submission.Decision.REJECT
            if not ok:
                reasons = f"{reasons}（{blocked or result.result.explanation}）"
        if decision == Submission.Decision.RECOGNISE:
            if not result.result.passed:
                raise WorkflowError(f"总分未达到认定分数线，不能予以认定：{result.result.explanation}")
            if blocked:
                raise WorkflowError(blocked)
            submission.institution = subjects.recognise(submission, actor, reasons)
            outcome = f"予以认定（总分 {result.total}）"
        elif decision == Submission.Decision.REJECT:
            subjects.notice("rejection", f"{submission.title}未通过认定", reasons,
                            enterprise=submission.enterprise, actor=actor, submission=submission)
            outcome = f"不予认定（总分 {result.total}）"
        else:
            raise WorkflowError("认定决定须为予以认定或不予认定")
    else:
        decision = Submission.Decision.GRADE
        action = scoring.management_action(scheme, result.result, _failed_last_time(submission))
        outcome = subjects.apply_result(
            submission.subject, action, result.result.grade, round_.year, f"{result.result.explanation}。{reasons}",
            actor, submission,
        )
    submission.decision, submission.decision_reasons = decision, reasons
    submission.decided_by, submission.decided_at = actor, timezone.now()
    submission.status = Submission.Status.DETERMINED
    submission.save()
    _notify_decision(submission, outcome)
    return outcome


def _notify_decision(submission: Submission, outcome: str) -> None:
    """The applicant (who submitted, and the enterprise's users) is told of the determination."""
    from django.contrib.auth import get_user_model

    from xinzhi.notifications.services import notify

    users = set(get_user_model().objects.filter(enterprise_id=submission.enterprise_id, is_active=True)
                .values_list("pk", flat=True))
    if submission.submitted_by_id:
        users.add(submission.submitted_by_id)
    notify(sorted(users), "decision", f"评审决定：{submission.title}", f"{outcome}。理由：{submission.decision_reasons}",
           "/evaluation/calls/")


# --- corrections (复核) ----------------------------------------------------------------------------

CORRECTABLE = ("quantitative_score", "expert_score", "total_score", "grade", "warning", "decision_reasons")


def _result_values(submission: Submission) -> dict[str, Any]:
    out = {f: getattr(submission, f) for f in CORRECTABLE}
    for f in ("quantitative_score", "expert_score", "total_score"):
        out[f] = None if out[f] is None else str(out[f])
    return out


@transaction.atomic
def correct(
    submission: Submission, actor, reason: str, *, rescore: bool = False, grade: str | None = None,
    total: str | Decimal | None = None, warning: bool | None = None, decision_reasons: str | None = None,
) -> Correction:
    """复核: change a decided result — by re-scoring with the stored scheme snapshot (``rescore``), or by
    setting the grade / total / warning / reasons — and record who, why, before and after.

    For an evaluation, when the corrected grade calls for another status action (e.g. 不合格 → 合格), the
    registers apply it with the correction's reason; a step the status rules forbid (a revoked title is
    final) is not taken, and the record says so. A recognition decision itself is not corrected here."""
    if submission.status != Submission.Status.DETERMINED:
        raise WorkflowError("只有已作出决定的结果才能复核")
    if not reason.strip():
        raise WorkflowError("复核须写明理由")
    if submission.decision not in (Submission.Decision.GRADE, Submission.Decision.RECOGNISE, Submission.Decision.REJECT):
        raise WorkflowError("该决定不适用复核")
    scheme = scoring.load_scheme(submission.scheme_text) if submission.scheme_text else scheme_of(submission.round)
    before = _result_values(submission)
    if rescore:
        result = scoring.evaluate(scheme, submission_data(submission), _reviews(submission),
                                  trim=submission.round.trim_extremes, labels=field_labels(scheme.subject))
        submission.indicator_results = [r.as_json() for r in result.indicators]
        submission.quantitative_score, submission.expert_score = result.quantitative, result.expert
        submission.total_score, submission.grade, submission.warning = result.total, result.result.grade, result.result.warning
    if total not in (None, ""):
        try:
            value = scoring.q2(Decimal(str(total)))
        except InvalidOperation as exc:
            raise WorkflowError("总分须为数字") from exc
        if not value.is_finite():
            raise WorkflowError("总分须为有限的数")
        if not (0 <= value <= 100):
            raise WorkflowError("总分须在 0–100 之间")
        submission.total_score = value
        submission.grade = scoring.grade(scheme, value).grade if grade in (None, "") else submission.grade
        submission.warning = scoring.grade(scheme, value).warning if warning is None else submission.warning
    if grade not in (None, ""):
        names = [g.name for g in scheme.grades] + [scoring.FAIL_GRADE]
        if grade not in names:
            raise WorkflowError(f"等次须为：{'、'.join(names)}")
        submission.grade = grade
    if warning is not None:
        submission.warning = bool(warning)
    if decision_reasons not in (None, ""):
        submission.decision_reasons = decision_reasons
    after = _result_values(submission)
    if after == before:
        raise WorkflowError("复核未改变任何结果")
    outcome = ""
    if submission.round.purpose == Purpose.SELECTION:
        outcome = provider(submission.round.subject_kind).apply_result(
            submission.subject, "selection", after["grade"], submission.round.year, f"复核更正：{reason}", actor,
            submission) or ""
    elif submission.decision == Submission.Decision.GRADE and (before["grade"], before["warning"]) != (after["grade"], after["warning"]):
        failed_before = _failed_last_time(submission)
        old = scoring.management_action(scheme, _grade_result(before), failed_before)
        new = scoring.management_action(scheme, _grade_result(after), failed_before)
        if old != new:
            try:
                outcome = provider().apply_result(submission.subject, new, after["grade"], submission.round.year,
                                                  f"复核更正：{reason}", actor, submission)
            except ValueError as exc:
                outcome = f"状态未自动调整：{exc}"
    submission._correcting = True
    submission.save()
    return Correction.objects.create(submission=submission, actor=actor, reason=reason.strip(), before=before,
                                     after=after, outcome=outcome[:300])


def _grade_result(values: Mapping[str, Any]) -> scoring.GradeResult:
    passed = values["grade"] != scoring.FAIL_GRADE
    return scoring.GradeResult(values["grade"], bool(values["warning"]), passed, "")


# --- pages ---------------------------------------------------------------------------------------


def round_progress(round_: Round, submissions: QuerySet | None = None) -> dict[str, Any]:
    """Counts for the round's page (SQL aggregates). ``submissions`` narrows them to what the reader may
    see: a county user's page counts the county's submissions, never the province's."""
    scoped = round_.submissions.all() if submissions is None else submissions.filter(round=round_)
    subs = scoped.aggregate(
        total=Count("id"), determined=Count("id", filter=Q(status=Submission.Status.DETERMINED)),
        deferred=Count("id", filter=Q(status=Submission.Status.DEFERRED)),
    )
    assigned = Assignment.objects.filter(submission__in=scoped.values("id")).aggregate(
        total=Count("id"), submitted=Count("id", filter=Q(status=Assignment.Status.SUBMITTED)),
        recused=Count("id", filter=Q(status=Assignment.Status.RECUSED)),
    )
    return {"submissions": subs, "assignments": assigned}


def eligible_experts(submission: Submission, experts: Iterable[ExpertProfile] | None = None) -> list[tuple[ExpertProfile, list[str]]]:
    """Every active expert with their recusal reasons for this submission (for the assign form)."""
    experts = list(experts if experts is not None else ExpertProfile.objects.filter(active=True).select_related("user"))
    ctx = _Context([submission], experts)
    return [(e, conflicts(e, submission, ctx)) for e in experts]


def subject_description(submission: Submission) -> list[tuple[str, str]]:
    """What the subject's app shows the experts and staff about a generic subject (label, text)."""
    if not _generic(submission):
        return []
    return provider(submission.subject_kind).describe(submission)


def expert_part_summary(submission: Submission) -> dict[str, Decimal | None]:
    """Per-criterion mean across submitted reviews (for the staff page)."""
    scheme = scoring.load_scheme(submission.scheme_text) if submission.scheme_text else scheme_of(submission.round)
    rows = _reviews(submission)
    return {c.name: (scoring.q2(sum(Decimal(r[c.code]) for r in rows) / len(rows)) if rows else None) for c in scheme.criteria}
