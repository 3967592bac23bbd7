"""Domain operations of the closed loop and the registers. Every write checks the capability, the scope of
the **stored** record and the state machine (:mod:`xinzhi.programs.loop`), records a :class:`ProblemStep`
and is audited (django-auditlog, registered in ``apps.ready``)."""

from __future__ import annotations

import datetime as dt
import tomllib
from functools import cache
from pathlib import Path

import polars as pl
from django.core.cache import cache as shared_cache
from django.core.exceptions import EmptyResultSet, PermissionDenied
from django.db import transaction
from django.db.models import Q

from xinzhi.accounts.permissions import can, require
from xinzhi.core.bulk import read_frame
from xinzhi.core.scope import CHANGE, cacheable_scope, scope_q
from xinzhi.core.versioning import data_versions
from xinzhi.enterprises.models import Enterprise

from . import funnel as funnel_module
from . import loop, notices
from .models import (
    Acceptance,
    BrandCertificate,
    CertificateEnd,
    Contract,
    ContractMilestone,
    MajorProject,
    MarketEvaluation,
    NewProductProject,
    Problem,
    ProblemStep,
    ProjectProgramme,
    ProjectUnit,
    Proposal,
    Selection,
    SelectionKind,
    Solver,
    Standard,
    StandardLevel,
    StandardStatus,
    StandardTheme,
    UnitKind,
)

PARAMETERS = Path(__file__).parent / "data" / "parameters.toml"


@cache
def parameters() -> dict:
    with PARAMETERS.open("rb") as fh:
        return tomllib.load(fh)


def stalled_days() -> int:
    return int(parameters()["loop"]["stalled_days"])


def evaluation_months() -> tuple[int, ...]:
    return tuple(int(m) for m in parameters()["loop"]["evaluation_months"])


#: the largest amount (yuan) and count a form or file may carry (beyond it: a typing error, refused)
MAX_YUAN, MAX_COUNT = 10**15, 10**6


class Refused(Exception):
    """A step the state machine or the data refuses; the message is the Chinese reason. ``field`` optionally
    names the input it is about (the API's ``errors`` list carries it)."""

    def __init__(self, message: str = "", field: str = ""):
        super().__init__(message)
        self.field = field


# --------------------------------------------------------------------------- who is acting

def enterprise_acted_for(user, uscc: str | None):
    """The enterprise a form or an API call acts for: an enterprise user's own; for staff, the enterprise of their
    region with this credit code — None when there is none (unknown or out of scope: the same answer)."""
    if user.role == "enterprise":
        return user.enterprise
    return Enterprise.objects.restrict(user).filter(uscc=(uscc or "").strip().upper()).first()


def solver_of(user) -> Solver | None:
    """The registered solver whose account this enterprise user is (None for everyone else)."""
    if getattr(user, "role", None) != "enterprise" or not user.enterprise_id:
        return None
    return Solver.objects.filter(enterprise_id=user.enterprise_id, active=True).order_by("id").first()


def visible_problems(user):
    """What a user sees: staff and leaders their region, an enterprise its own problems, and a registered
    solver the published problems (the confidential ones only when it was invited) and those it answered."""
    q = scope_q(Problem, user)
    solver = solver_of(user)
    if solver is None:  # no join that repeats rows: no DISTINCT over every column (the list API's cost)
        return Problem.objects.filter(q)
    published = ~Q(state__in=[loop.POSED, loop.RETURNED, loop.VETTED, loop.WITHDRAWN])
    q |= (published & (Q(confidential=False) | Q(invited_solvers=solver))) | Q(proposals__solver=solver)
    return Problem.objects.filter(q).distinct()


def actor_of(user, problem: Problem) -> str | None:
    """The loop role of ``user`` on the stored ``problem``: owner, staff (in scope, may change), solver."""
    if getattr(user, "role", None) == "enterprise":
        if user.enterprise_id == problem.enterprise_id:
            return loop.OWNER
        return loop.SOLVER if solver_of(user) is not None else None
    if user.is_superuser or getattr(user, "role", None) in ("province_staff", "city_staff", "county_staff"):
        if Problem.objects.filter(scope_q(Problem, user, CHANGE), pk=problem.pk).exists():
            return loop.STAFF
    return None


# --------------------------------------------------------------------------- posing

POSE_FIELDS = ("title", "field", "goal", "acceptance_criteria")


def pose(user, enterprise, data: dict, on: dt.date) -> Problem:
    """An enterprise (or staff for an enterprise of their region) poses a problem (企业出题)."""
    require(user, "programs.problem.pose", enterprise)
    missing = [label for key, label in (("title", "难题名称"), ("field", "技术领域"), ("goal", "需要达到的目标"),
                                        ("acceptance_criteria", "可量化的验收指标")) if not str(data.get(key) or "").strip()]
    if missing:
        raise Refused("请填写：" + "、".join(missing))
    budget, deadline = data.get("budget"), data.get("deadline")
    if budget is None or int(budget) <= 0:
        raise Refused("预算须为正数（元）")
    if int(budget) > MAX_YUAN:
        raise Refused("预算超出合理范围，请核对单位")
    if deadline is None or deadline <= on:
        raise Refused("期望完成日期须晚于出题日期")
    with transaction.atomic():
        problem = Problem.objects.create(
            enterprise=enterprise, division_id=enterprise.division_id, cluster_id=data.get("cluster") or None,
            budget=int(budget), deadline=deadline, confidential=bool(data.get("confidential")),
            posed_at=on, last_step_at=on, **{k: str(data[k]).strip() for k in POSE_FIELDS},
        )
        ProblemStep.objects.create(problem=problem, action="pose", from_state="", to_state=loop.POSED, on=on, actor=user)
    return problem


# --------------------------------------------------------------------------- the steps

STAGE_DATE = {loop.VETTED: "vetted_at", loop.PUBLISHED: "published_at", loop.ANSWERED: "answered_at",
              loop.CONTRACTED: "contracted_at", loop.VERIFIED: "verified_at", loop.MARKET: "market_at",
              loop.WITHDRAWN: "withdrawn_at"}


def act(user, problem_id: int, action: str, on: dt.date, **data) -> Problem:
    """Take ``action`` on the stored problem ``problem_id`` as ``user``; raises ``PermissionDenied`` (role or
    scope) or :class:`Refused` (state or data) with the Chinese reason."""
    require(user, "programs.problem.act")
    with transaction.atomic():
        problem = Problem.objects.select_for_update().filter(pk=problem_id).first()
        if problem is None or not visible_problems(user).filter(pk=problem_id).exists():
            raise PermissionDenied("未找到该难题，或不在您的办理范围内")
        actor = actor_of(user, problem)
        if actor is None:
            raise PermissionDenied("您不能办理该难题")
        if on < problem.last_step_at:
            raise Refused(f"办理日期不能早于上一步的日期（{problem.last_step_at:%Y-%m-%d}）")
        for key in ("price", "amount", "sales", "cost_saved"):
            if data.get(key) is not None and abs(int(data[key])) > MAX_YUAN:
                raise Refused("金额超出合理范围，请核对单位")
        for key, bound in (("months", 600), ("adopters", MAX_COUNT)):
            if data.get(key) is not None and abs(int(data[key])) > bound:
                raise Refused("数值超出合理范围")
        facts, apply = _prepare(user, problem, action, on, data)
        decision = loop.decide(problem.state, action, actor, facts)
        if not decision:
            raise Refused(decision.reason)
        before = problem.state
        apply()
        if decision.target and decision.target != before:
            problem.state = decision.target
            date_field = STAGE_DATE.get(decision.target)
            if date_field and getattr(problem, date_field) is None:
                setattr(problem, date_field, on)
        problem.last_step_at = on
        problem.save()
        ProblemStep.objects.create(problem=problem, action=action, from_state=before, to_state=problem.state, on=on,
                                   actor=user, note=str(data.get("note") or "")[:500])
        notices.problem_stepped(problem, action, str(data.get("note") or ""), invited=data.get("solvers"))
    return problem


def _prepare(user, problem: Problem, action: str, on: dt.date, data: dict):
    """The facts the state machine needs for ``action`` and the writes to make once it allows the step."""
    facts = loop.Facts(confidential=problem.confidential, evaluation_months=evaluation_months())
    apply = lambda: None  # noqa: E731

    if action == "vet":
        support = data.get("support") or ""
        if not str(data.get("classification") or "").strip():
            raise Refused("请填写难题分类")
        if support == "recommend" and getattr(user, "role", "") == "county_staff":
            raise Refused("推荐申报省级项目须由市级或省级经信部门办理")

        def apply():
            problem.classification = str(data["classification"]).strip()[:100]
            problem.support = support or "none"
            problem.support_note = str(data.get("note") or "")[:500]
    elif action == "route":
        solvers = list(Solver.objects.filter(pk__in=data.get("solvers") or [], active=True))
        if not solvers:
            raise Refused("定向对接须至少选择一个在册解题方")

        def apply():
            problem.invited_solvers.add(*solvers)
    elif action == "propose":
        solver = solver_of(user)
        if solver is None:
            raise PermissionDenied("只有在册解题方可以提交解题方案")
        if Proposal.objects.filter(problem=problem, solver=solver).exists():
            raise Refused("贵单位已对该难题提交过方案")
        if not str(data.get("summary") or "").strip():
            raise Refused("请填写技术方案")
        price, months = int(data.get("price") or 0), int(data.get("months") or 0)
        if price <= 0 or months <= 0:
            raise Refused("报价和周期须为正数")

        def apply():
            Proposal.objects.create(problem=problem, solver=solver, summary=str(data["summary"]).strip(),
                                    price=price, months=months, submitted_on=on)
    elif action == "contract":
        proposal = Proposal.objects.filter(pk=data.get("proposal") or 0, problem=problem).first()
        milestones = [(str(t).strip(), d) for t, d in data.get("milestones") or [] if str(t).strip() and d]
        facts.proposal_valid, facts.milestones = proposal is not None, len(milestones)
        amount = int(data.get("amount") or 0)
        if proposal is not None and milestones and amount <= 0:
            raise Refused("合同金额须为正数（元）")
        if any(d < on for _, d in milestones):
            raise Refused("里程碑计划日期不能早于签约日期")

        def apply():
            proposal.chosen = True
            proposal.save(update_fields=["chosen"])
            contract = Contract.objects.create(problem=problem, proposal=proposal, signed_on=on, amount=amount)
            ContractMilestone.objects.bulk_create(
                [ContractMilestone(contract=contract, title=t[:200], due_on=d) for t, d in milestones])
    elif action == "milestone":
        milestone = ContractMilestone.objects.filter(pk=data.get("milestone") or 0, contract__problem=problem,
                                                     done_on__isnull=True).first()
        if milestone is None:
            raise Refused("请选择本合同尚未完成的里程碑")

        def apply():
            milestone.done_on = on
            milestone.save(update_fields=["done_on"])
    elif action == "accept":
        passed = data.get("passed")
        facts.acceptance_passed = None if passed is None else bool(passed)
        if not str(data.get("place") or "").strip() or not str(data.get("result") or "").strip():
            raise Refused("请填写验收地点和对照验收指标的验收结论")

        def apply():
            Acceptance.objects.create(problem=problem, on=on, place=str(data["place"]).strip()[:200],
                                      passed=bool(passed), result=str(data["result"]).strip(),
                                      pilot_platform_id=data.get("pilot_platform") or None)
    elif action == "evaluate":
        accepted = problem.acceptances.filter(passed=True).order_by("on").first()
        facts.evaluation_month = int(data.get("months") or 0)
        facts.evaluations_done = tuple(problem.evaluations.values_list("months", flat=True))
        facts.months_since_acceptance = loop.whole_months(accepted.on, on) if accepted else None
        values = [data.get(k) for k in ("sales", "cost_saved", "adopters")]
        if any(v is None or int(v) < 0 for v in values):
            raise Refused("请填写销售收入、节约成本和推广应用企业数（不小于0）")

        def apply():
            MarketEvaluation.objects.create(problem=problem, months=facts.evaluation_month, on=on,
                                            sales=int(values[0]), cost_saved=int(values[1]), adopters=int(values[2]))
    elif action in ("return", "withdraw", "resubmit", "publish"):
        if action == "return" and not str(data.get("note") or "").strip():
            raise Refused("退回须说明理由")
    return facts, apply


# --------------------------------------------------------------------------- funnel (columnar)

def problem_frame(user) -> pl.DataFrame:
    """The problems ``user`` sees, one row each, for :mod:`xinzhi.programs.funnel` (one SQL query)."""
    qs = Problem.objects.filter(scope_q(Problem, user)).values_list("id")
    try:
        sql, params = qs.query.sql_with_params()
    except EmptyResultSet:
        sql, params = "SELECT NULL WHERE 1 = 0", ()
    t = Problem._meta.db_table
    cols = ", ".join(["id", "title", "division_code", "cluster_id AS cluster_code", "state",
                      *[c for _, c in loop.FUNNEL], "withdrawn_at", "last_step_at"])
    frame = read_frame(f"SELECT {cols} FROM {t} WHERE id IN ({sql})", list(params))
    return frame


def loop_overview(user, on: dt.date, by: str = "city") -> dict:
    frame = problem_frame(user)
    days = stalled_days()
    return {
        "total": funnel_module.funnel(frame, on, "province"),
        "funnel": funnel_module.funnel(frame, on, by),
        "stage_days": funnel_module.stage_days(frame, on),
        "stalled": funnel_module.stalled(frame, on, days, min(evaluation_months())),
        "stalled_days": days,
    }


def may_pose(user) -> bool:
    return bool(can(user, "programs.problem.pose"))


def suggest_solvers(problem: Problem, limit: int = 5) -> list[dict]:
    """Solvers suggested for a problem, with the reason shown: same 415X cluster (3 points), the problem's
    field named in the solver's fields (2), each earlier problem it solved to a passed acceptance (1, at most
    3), same city (1). The weights are the platform's ordering rule, not an official one (docs/programmes.md)."""
    from django.db.models import Count

    city = problem.division_id[:4]
    rows = (Solver.objects.filter(active=True)
            .annotate(solved=Count("proposals", filter=Q(proposals__chosen=True, proposals__problem__verified_at__isnull=False)))
            .values("id", "name", "kind", "fields", "cluster_id", "division_id", "solved"))
    out = []
    for r in rows:  # the register of solvers is small (hundreds), scored in one pass
        reasons, score = [], 0
        if problem.cluster_id and r["cluster_id"] == problem.cluster_id:
            score += 3
            reasons.append("同属415X集群")
        if problem.field and problem.field in (r["fields"] or ""):
            score += 2
            reasons.append(f"擅长“{problem.field}”")
        if r["solved"]:
            score += min(r["solved"], 3)
            reasons.append(f"已有{r['solved']}项成果通过验题")
        if str(r["division_id"]).startswith(city):
            score += 1
            reasons.append("同一设区市")
        if score:
            out.append({**r, "score": score, "reason": "，".join(reasons)})
    out.sort(key=lambda r: (-r["score"], r["name"]))
    return out[:limit]


# --------------------------------------------------------------------------- major S&T projects

def register_major_project(user, data: dict, units: list[dict]) -> MajorProject:
    """Province staff register a major S&T project with its undertaking units in rank order. The project
    sits in the county of its first in-province unit that is in the enterprise register, else in the
    county given (``division``)."""
    require(user, "programs.major.edit")
    name = str(data.get("name") or "").strip()
    if not name:
        raise Refused("请填写项目名称")
    if data.get("programme") not in ProjectProgramme.values:
        raise Refused("计划类别须为：" + "、".join(ProjectProgramme.labels))
    approved_on = data.get("approved_on")
    if approved_on is None:
        raise Refused("请填写立项日期")
    if not units:
        raise Refused("须至少列明一个承担单位")
    for i, u in enumerate(units, start=1):
        if not str(u.get("name") or "").strip():
            raise Refused(f"第{i}个承担单位：请填写单位名称")
        if u.get("kind") not in UnitKind.values:
            raise Refused(f"第{i}个承担单位：单位性质须为" + "、".join(UnitKind.labels))
        if not isinstance(u.get("rank"), int) or u["rank"] < 1:
            raise Refused(f"第{i}个承担单位：排名须为正整数")
    first_ent = next((u["enterprise"] for u in sorted(units, key=lambda u: u["rank"])
                      if u.get("enterprise") is not None and u.get("in_province", True)), None)
    division = first_ent.division_id if first_ent else data.get("division")
    if not division:
        raise Refused("无省内企业承担单位时须填写项目所在县（市、区）")
    if MajorProject.objects.filter(programme=data["programme"], year=approved_on.year, name=name).exists():
        raise Refused(f"{approved_on.year}年同一计划类别下已有项目“{name}”")
    with transaction.atomic():
        project = MajorProject.objects.create(
            name=name, programme=data["programme"], year=approved_on.year, approved_on=approved_on,
            division_id=division, field=str(data.get("field") or "")[:100],
            recommended_by_province=bool(data.get("recommended_by_province")),
            lead_enterprise=units[0].get("enterprise") if units[0].get("kind") == "enterprise" else None,
        )
        ProjectUnit.objects.bulk_create([ProjectUnit(
            project=project, rank=u["rank"], name=str(u["name"]).strip()[:200], kind=u["kind"],
            in_province=bool(u.get("in_province", True)), enterprise=u.get("enterprise")) for u in units])
    return project


def st_shares(user, start: dt.date, end: dt.date, by: list[str]) -> pl.DataFrame:
    """The shares over the projects ``user`` sees (province staff and leaders: all), approved in the span."""
    from . import selectors, shares

    flags = selectors.st_project_flags(end.year)
    visible = set(MajorProject.objects.restrict(user).values_list("id", flat=True))
    flags = flags.filter(pl.col("project_id").is_in(list(visible)))
    return shares.shares(flags, start, end, by)


# --------------------------------------------------------------------------- new products (task 12)

def apply_new_product(user, enterprise, data: dict, on: dt.date) -> NewProductProject:
    """An enterprise (or staff for an enterprise of their region) files a new-product project."""
    require(user, "programs.new_product.apply", enterprise)
    name = str(data.get("name") or "").strip()
    if not name:
        raise Refused("请填写产品（技术）名称")
    if data.get("kind") not in ("product", "technology"):
        raise Refused("类型须为新产品或新技术")
    year = data.get("year") or on.year
    if NewProductProject.objects.filter(enterprise=enterprise, name=name, year=year).exists():
        raise Refused(f"本企业{year}年已申报“{name}”")
    return NewProductProject.objects.create(
        enterprise=enterprise, division_id=enterprise.division_id, name=name[:200], kind=data["kind"],
        cluster_id=data.get("cluster") or None, year=year, applied_on=on)


def review_new_product(user, project_id: int, action: str, on: dt.date, note: str = "") -> NewProductProject:
    """County → city → province review and the appraisal, each by its level, on the stored record."""
    from . import newproducts

    require(user, "programs.new_product.review")
    with transaction.atomic():
        project = NewProductProject.objects.restrict(user, CHANGE).select_for_update().filter(pk=project_id).first()
        if project is None:
            raise PermissionDenied("未找到该项目，或不在您的办理范围内")
        target, reason = newproducts.decide(project.stage, action, getattr(user, "role", ""))
        if target is None:
            raise Refused(reason)
        earlier = [d for d in (project.applied_on, project.county_on, project.city_on, project.approved_on) if d]
        if on < max(earlier):
            raise Refused(f"办理日期不能早于上一环节的日期（{max(earlier):%Y-%m-%d}）")
        if action.startswith("appraise") and not note.strip():
            raise Refused("请填写鉴定验收结论")
        if action.endswith("reject") and not note.strip():
            raise Refused("不通过须说明理由")
        setattr(project, newproducts.STEPS[action].date_field, on)
        project.stage = target
        if action.startswith("appraise"):
            project.appraisal_result = note.strip()[:500]
        elif note.strip():
            project.review_note = note.strip()[:500]
        project.save()
    return project


def record_selection(user, data: dict) -> Selection:
    """Province staff record an excellent new product or a published advanced technology achievement."""
    require(user, "programs.new_product.review")
    if getattr(user, "role", "") != "province_staff" and not user.is_superuser:
        raise PermissionDenied("优秀工业新产品和先进技术成果由省经信厅公布")
    if data.get("kind") not in SelectionKind.values:
        raise Refused("类别须为：" + "、".join(SelectionKind.labels))
    enterprise, name, published_on = data.get("enterprise"), str(data.get("name") or "").strip(), data.get("published_on")
    if enterprise is None or not name or published_on is None:
        raise Refused("请填写企业、名称和公布日期")
    return Selection.objects.create(kind=data["kind"], enterprise=enterprise, division_id=enterprise.division_id,
                                    name=name[:200], year=published_on.year, published_on=published_on,
                                    prize=str(data.get("prize") or "")[:20], new_product=data.get("new_product"))


# --------------------------------------------------------------------------- standards (task 13)

def record_standard(user, enterprise, data: dict) -> Standard:
    """An enterprise (for itself) or staff (for an enterprise of their region) records a standard it leads
    or takes part in."""
    require(user, "programs.standard.edit", enterprise)
    name = str(data.get("name") or "").strip()
    if not name:
        raise Refused("请填写标准名称")
    if data.get("level") not in StandardLevel.values:
        raise Refused("级别须为：" + "、".join(StandardLevel.labels))
    if data.get("status") not in StandardStatus.values:
        raise Refused("状态须为：" + "、".join(StandardStatus.labels))
    if data.get("role") not in ("lead", "participate"):
        raise Refused("角色须为主导制定或参与制定")
    if data["status"] == StandardStatus.PUBLISHED and not data.get("published_on"):
        raise Refused("已发布的标准须填写发布日期")
    theme = _choice(data.get("theme"), StandardTheme)
    if theme is None:
        raise Refused("专题方向须为：" + "、".join(StandardTheme.labels) + "，或留空", "theme")
    zhejiang_made = bool(data.get("zhejiang_made"))
    if zhejiang_made and data["level"] != StandardLevel.GROUP:
        raise Refused(ZHEJIANG_MADE_GROUP_ONLY, "zhejiang_made")
    if Standard.objects.filter(enterprise=enterprise, name=name, level=data["level"]).exists():
        raise Refused(f"本企业已登记{StandardLevel(data['level']).label}“{name}”")
    return Standard.objects.create(
        enterprise=enterprise, division_id=enterprise.division_id, name=name[:200], level=data["level"],
        number=str(data.get("number") or "").strip()[:60], revision=bool(data.get("revision")), status=data["status"],
        role=data["role"], drafter_rank=data.get("drafter_rank"), issuer=str(data.get("issuer") or "")[:100],
        published_on=data.get("published_on"), cluster_id=data.get("cluster") or None, theme=theme,
        zhejiang_made=zhejiang_made)


#: "浙江制造" standards are group standards (团体标准) of the brand (programmes.md §3.3): the form, the service
#: and the import refuse the flag on any other level with this reason
ZHEJIANG_MADE_GROUP_ONLY = "“浙江制造”标准为团体标准，级别须为团体标准"


def _choice(value, choices) -> str | None:
    """The stored code of an optional choice given by code or Chinese label: "" when blank, None when invalid."""
    value = str(value or "").strip()
    if not value or value in choices.values:
        return value
    return next((code for code, label in choices.choices if label == value), None)


def record_certificate(user, enterprise, data: dict) -> BrandCertificate:
    """An enterprise (for itself) or staff (for an enterprise of their region) records a 品字标 certificate
    (capability ``programs.standard.edit``, as for standards). ``data``: product, number (unique), standard_number
    (the 浙江制造 standard certified against), certifier, issued_on, valid_until, end (code or label; blank for
    none) and ended_on (with an end only). A refusal names its field (``Refused.field``)."""
    require(user, "programs.standard.edit", enterprise)
    text = {k: str(data.get(k) or "").strip() for k in ("product", "number", "standard_number", "certifier")}
    for key, label in (("product", "认证产品"), ("number", "证书编号"), ("standard_number", "依据的浙江制造标准号"),
                       ("certifier", "认证机构")):
        if not text[key]:
            raise Refused(f"请填写{label}", key)
    issued_on, valid_until, ended_on = data.get("issued_on"), data.get("valid_until"), data.get("ended_on")
    if not isinstance(issued_on, dt.date):
        raise Refused("请填写发证日期", "issued_on")
    if not isinstance(valid_until, dt.date):
        raise Refused("请填写有效期至", "valid_until")
    if valid_until < issued_on:
        raise Refused(f"有效期至不能早于发证日期（{issued_on:%Y-%m-%d}）", "valid_until")
    end = _choice(data.get("end"), CertificateEnd)
    if end is None:
        raise Refused("证书终止须为：" + "、".join(CertificateEnd.labels) + "，或留空", "end")
    if end and not isinstance(ended_on, dt.date):
        raise Refused(f"证书已{CertificateEnd(end).label}的须填写终止日期", "ended_on")
    if not end and ended_on:
        raise Refused("填写终止日期的须选择证书终止方式（撤销、注销或暂停）", "end")
    if end and ended_on < issued_on:
        raise Refused(f"终止日期不能早于发证日期（{issued_on:%Y-%m-%d}）", "ended_on")
    if BrandCertificate.objects.filter(number=text["number"]).exists():
        raise Refused(f"证书编号“{text['number']}”已登记", "number")
    return BrandCertificate.objects.create(
        enterprise=enterprise, division_id=enterprise.division_id, product=text["product"][:200],
        number=text["number"][:60], standard_number=text["standard_number"][:60], certifier=text["certifier"][:100],
        issued_on=issued_on, valid_until=valid_until, end_kind=end, ended_on=ended_on if end else None)


def link_problem(user, problem_id: int, major_project: int | None = None, new_product: int | None = None) -> Problem:
    """Staff link a problem to the major S&T project or the new-product project it led to (or unlink: None).
    The linked project must be one the user sees; the link is audited and recorded as a step note."""
    require(user, "programs.problem.act")
    with transaction.atomic():
        problem = Problem.objects.select_for_update().filter(pk=problem_id).first()
        if problem is None or actor_of(user, problem) != loop.STAFF:
            raise PermissionDenied("只有本地区经信部门工作人员可以关联项目")
        if major_project and not MajorProject.objects.restrict(user).filter(pk=major_project).exists():
            raise Refused("未找到该重大科技项目，或不在您的查看范围内")
        if new_product and not NewProductProject.objects.restrict(user).filter(pk=new_product).exists():
            raise Refused("未找到该新产品项目，或不在您的查看范围内")
        problem.major_project_id, problem.new_product_id = major_project or None, new_product or None
        problem.save(update_fields=["major_project", "new_product"])
    return problem


def loop_summary(user, on: dt.date) -> dict | None:
    """The funnel's totals and the stalled count for the cockpit, or None when ``user`` sees no problem.

    Every cockpit request asks for it, so the answer is cached per scope and date until the problem table is
    written (its data version, ``core.versioning``): at 8× the demo's size, computing it took 8 of the
    cockpit's 12 ms of CPU."""
    scope = cacheable_scope(user)
    key = f"loop-summary:{scope}:{on.isoformat()}:{data_versions([Problem._meta.db_table])}" if scope else None
    cached = shared_cache.get(key) if key else None
    if cached is not None:
        return cached.get("summary")
    summary = _loop_summary(user, on)
    if key:
        shared_cache.set(key, {"summary": summary}, 3600)
    return summary


def _loop_summary(user, on: dt.date) -> dict | None:
    frame = problem_frame(user)
    if frame.height == 0:
        return None
    total = funnel_module.funnel(frame, on, "province")
    if total.height == 0:
        return None
    row = total.row(0, named=True)
    stalled = funnel_module.stalled(frame, on, stalled_days(), min(evaluation_months())).height
    return {"on": on, "stages": [(loop.STATE_LABELS[s], row[s]) for s, _c in loop.FUNNEL], "stalled": stalled,
            "stalled_days": stalled_days()}
