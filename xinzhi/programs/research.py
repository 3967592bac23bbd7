"""The research-needs call and the expert-reviewed selections (issue 17 items 2 and 4): domain operations.

Every write checks the capability, the scope of the **stored** record and the rules of
:mod:`xinzhi.programs.calls`; every step on a submission is a :class:`NeedStep` and is audited
(django-auditlog, ``apps.ready``). The expert review is the evaluation framework's: a round of purpose
``selection`` whose scheme names the subject kind this app registers (``evaluation_subjects.py``) —
assignments, automatic recusal (partners included), trimmed aggregation and determinations are done there.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count

from xinzhi.accounts.permissions import require
from xinzhi.core.scope import CHANGE
from xinzhi.evaluation import services as ev
from xinzhi.evaluation.models import Purpose, Round, Submission
from xinzhi.industries.models import Cluster

from . import calls, notices
from .models import (
    MajorProject,
    NeedPartner,
    NeedStep,
    NewProductProject,
    NewProductStage,
    ProjectProgramme,
    ResearchCall,
    ResearchNeed,
    Selection,
    SelectionKind,
    UnitKind,
)
from .services import MAX_YUAN, Refused, parameters, register_major_project

# --------------------------------------------------------------------------- parameters


def call_parameters() -> dict:
    return parameters()["research_call"]


def selection_parameters() -> dict:
    return parameters()["selections"]


# --------------------------------------------------------------------------- the call


def open_call(user, *, year: int, name: str, deadline: dt.date, on: dt.date, quota: int | None = None,
              guide: str = "") -> ResearchCall:
    """Province staff open the year's call (征集中)."""
    require(user, "programs.call.run")
    name = name.strip()
    if not name:
        raise Refused("请填写征集名称")
    if deadline < on:
        raise Refused("申报截止日期不能早于发布日期")
    quota = int(call_parameters()["recommend_quota"] if quota in (None, "") else quota)
    if quota < 1:
        raise Refused("推荐名额须为正整数")
    if ResearchCall.objects.filter(year=year, name=name).exists():
        raise Refused(f"{year}年已有同名征集")
    return ResearchCall.objects.create(year=year, name=name[:200], deadline=deadline, recommend_quota=quota,
                                       guide=guide.strip(), opened_by=user, opened_on=on)


NEED_TEXT = (("title", "需求名称"), ("field", "技术领域"), ("problem", "需解决的关键技术难题"), ("targets", "攻关目标与考核指标"))


def submit_need(user, call: ResearchCall, enterprise, data: dict, partners: list[dict], on: dt.date) -> ResearchNeed:
    """The lead enterprise submits a need with its partners (rank 2, 3, … after the lead)."""
    require(user, "programs.call.submit", enterprise)
    if call.state != calls.OPEN or on > call.deadline:
        raise Refused(f"征集已截止（截止日期 {call.deadline:%Y-%m-%d}）" if call.state == calls.OPEN
                      else f"征集当前为“{calls.CALL_LABELS[call.state]}”，不再接受申报")
    missing = [label for key, label in NEED_TEXT if not str(data.get(key) or "").strip()]
    if missing:
        raise Refused("请填写：" + "、".join(missing))
    budget, own = data.get("budget"), data.get("self_funded") or 0
    if budget is None or int(budget) <= 0:
        raise Refused("总预算须为正数（元）")
    if int(budget) > MAX_YUAN or int(own) > MAX_YUAN:
        raise Refused("金额超出合理范围，请核对单位")
    if int(own) < 0 or int(own) > int(budget):
        raise Refused("企业自筹须在 0 与总预算之间")
    months = int(data.get("months") or 36)
    if not 1 <= months <= 120:
        raise Refused("实施周期须在 1–120 个月之间")
    title = str(data["title"]).strip()[:200]
    if ResearchNeed.objects.filter(call=call, enterprise=enterprise, title=title).exclude(state=calls.WITHDRAWN).exists():
        raise Refused(f"本企业已在该征集中申报“{title}”")
    cluster = str(data.get("cluster") or "").strip() or None  # a 415X cluster's code, as the form lists them
    if cluster and not Cluster.objects.filter(code=cluster).exists():
        raise Refused("请从列表中选择415X集群")
    clean = []
    for p in partners:
        name = str(p.get("name") or "").strip()
        if not name:
            continue
        if p.get("kind") not in UnitKind.values:
            raise Refused(f"合作单位“{name}”：单位性质须为" + "、".join(UnitKind.labels))
        if name == enterprise.name:
            raise Refused("合作单位不能是牵头企业本身")
        clean.append(NeedPartner(rank=len(clean) + 2, name=name[:200], kind=p["kind"], enterprise=p.get("enterprise"),
                                 in_province=bool(p.get("in_province", True))))
    with transaction.atomic():
        need = ResearchNeed.objects.create(
            call=call, enterprise=enterprise, division_id=enterprise.division_id, title=title,
            field=str(data["field"]).strip()[:100], cluster_id=cluster,
            problem=str(data["problem"]).strip(), targets=str(data["targets"]).strip(), budget=int(budget),
            self_funded=int(own), months=months, loop_problem=data.get("loop_problem"), submitted_on=on,
            submitted_by=user)
        for partner in clean:
            partner.need = need
            partner.save()
        NeedStep.objects.create(need=need, action="submit", from_state="", to_state=calls.SUBMITTED, on=on, actor=user)
    return need


def visible_needs(user):
    """Staff and leaders: their region; an enterprise: the needs it leads; experts: none (they read what
    is assigned to them on the evaluation pages)."""
    return ResearchNeed.objects.restrict(user)


def actor_of(user, need: ResearchNeed) -> str | None:
    """The role ``user`` plays on the stored ``need`` (calls.OWNER, COUNTY_STAFF, …) or None."""
    role = getattr(user, "role", "")
    if role == "enterprise":
        return calls.OWNER if user.enterprise_id == need.enterprise_id else None
    if role in ("county_staff", "city_staff", "province_staff") or user.is_superuser:
        if not ResearchNeed.objects.restrict(user, CHANGE).filter(pk=need.pk).exists():
            return None
        return "province_staff" if user.is_superuser else role
    return None


def act(user, need_id: int, action: str, on: dt.date, note: str = "") -> ResearchNeed:
    """A person's step on a submission (resubmit, withdraw, county/city vetting)."""
    require(user, "programs.view")
    if action.startswith(("county_", "city_")):
        require(user, "programs.call.vet")
    with transaction.atomic():
        need = ResearchNeed.objects.select_for_update().filter(pk=need_id).first()
        if need is None or not visible_needs(user).filter(pk=need_id).exists():
            raise PermissionDenied("未找到该需求，或不在您的办理范围内")
        if action in ("resubmit", "withdraw"):
            require(user, "programs.call.submit", need.enterprise)
        actor = actor_of(user, need)
        if actor is None:
            raise PermissionDenied("您不能办理该需求")
        target, reason = calls.decide(need.state, action, actor, need.call.state, note)
        if target is None:
            raise Refused(reason)
        last = need.steps.order_by("-on").values_list("on", flat=True).first()
        if last and on < last:
            raise Refused(f"办理日期不能早于上一步的日期（{last:%Y-%m-%d}）")
        _step(need, action, target, on, user, note)
        notices.need_stepped(need, action, note)
    return need


def _step(need: ResearchNeed, action: str, target: str, on: dt.date, user, note: str = "") -> None:
    before = need.state
    need.state = target
    if action == "county_pass":
        need.county_on = on
    elif action == "city_pass":
        need.city_on = on
    if note.strip() and action.startswith(("county_", "city_")):
        need.review_note = note.strip()[:500]
    need.save()
    NeedStep.objects.create(need=need, action=action, from_state=before, to_state=target, on=on, actor=user,
                            note=note.strip()[:500])


def start_review(user, call: ResearchCall, on: dt.date, *, review_deadline: dt.date | None = None,
                 reviewers: int | None = None, region_rule: str = "county") -> Round:
    """Close the collection and open the expert review: an evaluation round (purpose 评审遴选, the call's
    scheme) with every city-recommended submission enrolled — partners listed for recusal. Submissions
    not recommended by their city stay where they are and are not reviewed."""
    require(user, "programs.call.run")
    target, reason = calls.decide_call(call.state, "start_review")
    if target is None:
        raise Refused(reason)
    ready = call.needs.filter(state=calls.CITY)
    if not ready.exists():
        raise Refused("尚无市级推荐的需求，不能启动专家评审")
    with transaction.atomic():
        round_ = ev.create_round(
            name=f"{call.name}专家评审", purpose=Purpose.SELECTION, year=call.year,
            scheme_code=call_parameters()["scheme"], deadline=on, review_deadline=review_deadline, actor=user,
            reviewers_per_submission=int(reviewers or call_parameters()["reviewers"]), region_rule=region_rule)
        round_.status = Round.Status.REVIEWING
        round_.save()
        call.round, call.state = round_, target
        call.save()
        ev.enrol_institutions(round_, user)
        enrolled = set(round_.submissions.values_list("subject_id", flat=True))
        for need in call.needs.filter(pk__in=enrolled):
            _step(need, "enrol", calls.UNDER_REVIEW, on, user, "纳入专家评审")
    return round_


def determine_reviewed(user, call: ResearchCall) -> dict:
    """Record the experts' result of every submission whose panel is complete (the evaluation framework's
    determination: trimmed mean, scheme snapshot, audited); the others are listed with why."""
    require(user, "programs.call.run")
    if call.round is None or call.state != calls.REVIEWING:
        raise Refused("征集尚未进入专家评审")
    done, waiting = 0, []
    for sub in call.round.submissions.filter(status__in=ev.OPEN_STATUSES).select_related("round", "enterprise"):
        why = ev.panel_refusal(sub)
        if why:
            waiting.append({"title": sub.title, "reason": why})
            continue
        ev.determine(sub, user, "按评审方案汇总专家评分（去掉最高分和最低分后取平均）")
        done += 1
    return {"determined": done, "waiting": waiting}


def determine_pending(call: ResearchCall) -> dict[str, int]:
    """How far the review is: submissions in the round, decided, still open (for the call's page)."""
    if call.round is None:
        return {"total": 0, "decided": 0, "open": 0}
    subs = call.round.submissions
    total = subs.count()
    decided = subs.filter(status=Submission.Status.DETERMINED).count()
    return {"total": total, "decided": decided, "open": total - decided}


def ranking(call: ResearchCall) -> list[calls.Ranked]:
    """The ranked list from the experts' totals (the determined submissions of the call's round)."""
    if call.round is None:
        return []
    rows = (Submission.objects.filter(round=call.round, status=Submission.Status.DETERMINED)
            .exclude(total_score=None).values_list("subject_id", "total_score"))
    return calls.rank(rows, call.recommend_quota)


@transaction.atomic
def publish_ranking(user, call: ResearchCall, on: dt.date) -> list[calls.Ranked]:
    """Publish the ranked list: every reviewed submission gets its rank; the first ``recommend_quota``
    ranks (ties across the line included) are 已推荐, the rest 未推荐. The review round is closed (read-only;
    a correction goes through the evaluation framework's 复核)."""
    require(user, "programs.call.run")
    target, reason = calls.decide_call(call.state, "publish")
    if target is None:
        raise Refused(reason)
    pending = call.needs.filter(state=calls.UNDER_REVIEW).count()
    if pending:
        raise Refused(f"尚有 {pending} 项需求未完成专家评审，不能公布排序")
    ranked = ranking(call)
    if not ranked:
        raise Refused("没有已评审的需求，不能公布排序")
    needs = {n.pk: n for n in call.needs.filter(pk__in=[r.id for r in ranked])}
    for r in ranked:
        need = needs[r.id]
        need.rank, need.tied, need.total_score = r.rank, r.tied, r.total
        _step(need, "rank", calls.SELECTED if r.recommended else calls.NOT_SELECTED, on, user,
              f"第{r.rank}名{'（并列）' if r.tied else ''}，总分 {r.total}")
    ev.set_round_status(call.round, Round.Status.CLOSED, user)
    call.state, call.published_on = target, on
    call.save()
    return ranked


def recommend(user, call: ResearchCall, on: dt.date) -> ResearchCall:
    """The published list is recommended to the provincial S&T programme (已推荐省科技计划)."""
    require(user, "programs.call.run")
    target, reason = calls.decide_call(call.state, "recommend")
    if target is None:
        raise Refused(reason)
    if on < call.published_on:
        raise Refused(f"推荐日期不能早于排序公布日期（{call.published_on:%Y-%m-%d}）")
    call.state, call.recommended_on = target, on
    call.save()
    return call


def create_project(user, need_id: int, programme: str, approved_on: dt.date) -> MajorProject:
    """A recommended submission becomes a major S&T project: the lead enterprise is unit 1, the partners
    follow in their order (so the enterprise-led share counts it)."""
    require(user, "programs.call.run")
    require(user, "programs.major.edit")
    with transaction.atomic():
        need = ResearchNeed.objects.select_for_update().select_related("call", "enterprise").filter(pk=need_id).first()
        if need is None:
            raise PermissionDenied("未找到该需求")
        target, reason = calls.decide(need.state, "create_project", calls.PROVINCE_STAFF, need.call.state)
        if target is None:
            raise Refused(reason)
        if need.call.state != calls.RECOMMENDED:
            raise Refused("须先将排序名单推荐至省科技计划，才能转为项目")
        if programme not in ProjectProgramme.values or programme == ProjectProgramme.NATIONAL:
            raise Refused("计划类别须为省级计划：" + "、".join(
                label for v, label in ProjectProgramme.choices if v != ProjectProgramme.NATIONAL))
        units = [{"rank": 1, "name": need.enterprise.name, "kind": UnitKind.ENTERPRISE, "enterprise": need.enterprise}]
        units += [{"rank": p.rank, "name": p.name, "kind": p.kind, "enterprise": p.enterprise,
                   "in_province": p.in_province} for p in need.partners.all()]
        project = register_major_project(user, {"name": need.title, "programme": programme, "approved_on": approved_on,
                                                "field": need.field}, units)
        need.major_project = project
        _step(need, "create_project", target, approved_on, user, f"立项：{project.name}")
    return project


def call_counts(call: ResearchCall, user) -> dict[str, int]:
    """Submissions of the call by state, in the user's scope (one query)."""
    rows = visible_needs(user).filter(call=call).values("state").annotate(n=Count("id"))
    counts = Counter({r["state"]: r["n"] for r in rows})
    return {label: counts.get(state, 0) for state, label in calls.LABELS.items()}


# --------------------------------------------------------------------------- excellent products / achievements

SCHEME_KEYS = {SelectionKind.EXCELLENT: "excellent_scheme", SelectionKind.ACHIEVEMENT: "achievement_scheme"}
COUNT_KEYS = {SelectionKind.EXCELLENT: "excellent_count", SelectionKind.ACHIEVEMENT: "achievement_count"}


def candidates(kind: str, year: int):
    """Appraised new-product projects that may be candidates in ``year``: appraised within the parameter's
    years (213号 Art. 3, repealed — unverified) and not already selected for this kind."""
    within = int(selection_parameters()["appraised_within_years"])
    chosen = Selection.objects.filter(kind=kind).exclude(new_product=None).values("new_product_id")
    return (NewProductProject.objects.filter(stage=NewProductStage.APPRAISED, appraised_on__year__gt=year - within,
                                             appraised_on__year__lte=year)
            .exclude(pk__in=chosen))


def start_selection_review(user, kind: str, year: int, on: dt.date, *, review_deadline: dt.date | None = None,
                           reviewers: int = 5, region_rule: str = "county") -> Round:
    """Province staff open the expert review of the year's excellent new products (or advanced technology
    achievements): an evaluation round with every candidate enrolled."""
    require(user, "programs.selection.run")
    if kind not in SCHEME_KEYS:
        raise Refused("类别须为：" + "、".join(SelectionKind.labels))
    label = SelectionKind(kind).label
    if Round.objects.filter(purpose=Purpose.SELECTION, year=year,
                            scheme_code=selection_parameters()[SCHEME_KEYS[kind]]).exists():
        raise Refused(f"{year}年度{label}评审批次已存在")
    with transaction.atomic():
        round_ = ev.create_round(name=f"{year}年度{label}评审", purpose=Purpose.SELECTION, year=year,
                                 scheme_code=selection_parameters()[SCHEME_KEYS[kind]], deadline=on,
                                 review_deadline=review_deadline, actor=user, reviewers_per_submission=reviewers,
                                 region_rule=region_rule)
        if not ev.enrol_institutions(round_, user):
            raise Refused(f"没有符合条件的{label}候选项目（鉴定验收通过且未入选）")
        round_.status = Round.Status.REVIEWING
        round_.save()
    return round_


def selection_kind_of(round_: Round) -> str | None:
    schemes = {selection_parameters()[key]: kind for kind, key in SCHEME_KEYS.items()}
    return schemes.get(round_.scheme_code)


def selection_ranking(round_: Round, count: int | None = None) -> list[calls.Ranked]:
    kind = selection_kind_of(round_)
    count = int(selection_parameters()[COUNT_KEYS[kind]] if count is None else count)
    rows = (round_.submissions.filter(status=Submission.Status.DETERMINED, grade__in=_passing(round_))
            .exclude(total_score=None).values_list("subject_id", "total_score"))
    return calls.rank(rows, count)


def _passing(round_: Round) -> list[str]:
    return [g.name for g in ev.scheme_of(round_).grades]


@transaction.atomic
def publish_selection(user, round_: Round, published_on: dt.date, count: int | None = None) -> int:
    """Publish the review's result: the ranked candidates that passed, the first ``count`` ranks (ties
    across the line included), each recorded as a :class:`Selection` (its grade as 等次); the round is closed."""
    require(user, "programs.selection.run")
    kind = selection_kind_of(round_)
    if kind is None:
        raise Refused("该批次不是优秀新产品或先进技术成果评审")
    if round_.is_closed:
        raise Refused("该评审已公布，批次已结束")
    open_left = round_.submissions.filter(status__in=ev.OPEN_STATUSES).count()
    if open_left:
        raise Refused(f"尚有 {open_left} 个候选项目未作出评审决定，不能公布")
    ranked = [r for r in selection_ranking(round_, count) if r.recommended]
    projects = NewProductProject.objects.in_bulk([r.id for r in ranked])
    grades = dict(round_.submissions.values_list("subject_id", "grade"))
    for r in ranked:
        project = projects[r.id]
        Selection.objects.create(kind=kind, enterprise_id=project.enterprise_id, division_id=project.division_id,
                                 name=project.name, year=published_on.year, published_on=published_on,
                                 prize=grades.get(r.id, "")[:20], new_product=project)
    ev.set_round_status(round_, Round.Status.CLOSED, user)
    return len(ranked)
