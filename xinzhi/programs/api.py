"""JSON API of the innovation programmes — mounted at ``/api/v1/programs``. Reads go through the same scope
as the pages (``visible_problems`` / ``restrict``); steps through the same services as the pages."""

from __future__ import annotations

import datetime

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from xinzhi.accounts.permissions import require
from xinzhi.core.pagination import Pagination
from xinzhi.core.response_cache import cached_response

from . import loop, services
from .models import (
    MajorProject,
    NewProductProject,
    Problem,
    Proposal,
    Selection,
    Solver,
    Standard,
)

router = Router(tags=["企业出题与创新项目"])

ID = 2**31 - 1          # ids and counts within the database's integer range
MONEY = 10**15          # yuan
YEAR = {"ge": 1900, "le": 2999}


class ProblemOut(Schema):
    id: int
    title: str
    enterprise_id: int
    division_id: str
    field: str
    cluster_id: str | None
    budget: int
    deadline: datetime.date
    confidential: bool
    state: str
    state_label: str
    posed_at: datetime.date
    vetted_at: datetime.date | None
    published_at: datetime.date | None
    answered_at: datetime.date | None
    contracted_at: datetime.date | None
    verified_at: datetime.date | None
    market_at: datetime.date | None

    @staticmethod
    def resolve_state_label(obj) -> str:
        return loop.STATE_LABELS[obj.state]


class StepIn(Schema):
    action: str
    on: datetime.date | None = None
    note: str = ""
    classification: str = ""
    support: str = ""
    solvers: list[int] = Field(default_factory=list, max_length=100)
    summary: str = ""
    price: int | None = Field(None, ge=0, le=MONEY)
    months: int | None = Field(None, ge=0, le=600)
    proposal: int | None = Field(None, ge=0, le=ID)
    amount: int | None = Field(None, ge=0, le=MONEY)
    milestones: list[tuple[str, datetime.date]] = []
    passed: bool | None = None
    place: str = ""
    result: str = ""
    pilot_platform: int | None = Field(None, ge=0, le=ID)
    sales: int | None = Field(None, ge=0, le=MONEY)
    cost_saved: int | None = Field(None, ge=0, le=MONEY)
    adopters: int | None = Field(None, ge=0, le=10**6)
    milestone: int | None = Field(None, ge=0, le=ID)


class FunnelRow(Schema):
    group: str
    posed: int
    vetted: int
    published: int
    answered: int
    contracted: int
    verified: int
    market: int


def _may_view_programmes(request) -> None:
    require(request.auth, "programs.view")


@router.get("/problems", response=list[ProblemOut], summary="企业技术难题（按角色与区划过滤）")
@cached_response(Problem, Problem.invited_solvers.through, Solver, Proposal, guard=_may_view_programmes)
@paginate(Pagination)
def list_problems(request, state: str | None = None):
    """Cached until one of the tables a user's view reads is written (``core.response_cache``): staff and
    enterprises read the problems only; a solver also its own entry, its invitations and its proposals."""
    qs = services.visible_problems(request.auth).order_by("-posed_at", "-id")
    return qs.filter(state=state) if state else qs


@router.get("/problems/{problem_id}", response=ProblemOut, summary="一个难题")
def get_problem(request, problem_id: int = Path(..., ge=0, le=ID)):
    require(request.auth, "programs.view")
    return get_object_or_404(services.visible_problems(request.auth), pk=problem_id)


class ProblemIn(Schema):
    enterprise_id: int | None = Field(None, ge=0, le=ID)
    title: str
    field: str
    cluster: str | None = None
    goal: str
    acceptance_criteria: str
    budget: int = Field(..., le=MONEY)
    deadline: datetime.date
    confidential: bool = False


@router.post("/problems", response={201: ProblemOut}, summary="企业出题（金额单位：元；企业用户为本企业，工作人员须给出本地区企业）")
def pose_problem(request, body: ProblemIn):
    from xinzhi.enterprises.models import Enterprise

    user = request.auth
    data = body.dict()
    enterprise_id = data.pop("enterprise_id") or getattr(user, "enterprise_id", None)
    enterprise = Enterprise.objects.restrict(user).filter(pk=enterprise_id).first() if enterprise_id else None
    if enterprise is None:
        raise HttpError(404, "未找到该企业，或不在您的范围内")
    try:
        return Status(201, services.pose(user, enterprise, data, timezone.localdate()))
    except services.Refused as exc:
        raise HttpError(400, str(exc)) from exc


@router.post("/problems/{problem_id}/steps", response=ProblemOut, summary="办理一个环节（金额单位：元）")
def take_step(request, body: StepIn, problem_id: int = Path(..., ge=0, le=ID)):
    data = body.dict()
    action, on = data.pop("action"), data.pop("on") or timezone.localdate()
    try:
        return services.act(request.auth, problem_id, action, on, **data)
    except services.Refused as exc:
        raise HttpError(400, str(exc)) from exc


@router.get("/loop/funnel", response=list[FunnelRow], summary="闭环漏斗（截至某日，按市/县/集群/年度）")
def loop_funnel(request, on: datetime.date | None = None, by: str = "city"):
    require(request.auth, "programs.overview")
    if by not in ("province", "city", "county", "cluster", "year"):
        raise HttpError(422, "分组只能是 province、city、county、cluster 或 year")
    return services.loop_overview(request.auth, on or timezone.localdate(), by)["funnel"].to_dicts()


class UnitOut(Schema):
    rank: int
    name: str
    kind: str
    in_province: bool
    enterprise_id: int | None


class ProjectOut(Schema):
    id: int
    name: str
    programme: str
    year: int
    approved_on: datetime.date
    division_id: str
    recommended_by_province: bool
    units: list[UnitOut]

    @staticmethod
    def resolve_units(obj) -> list:
        return list(obj.units.all())


class ShareRow(Schema):
    group: str
    projects: int
    involved: int
    led: int
    no_units: int
    involved_share: float | None
    led_share: float | None


@router.get("/projects", response=list[ProjectOut], summary="重大科技项目及承担单位（按排名）")
@paginate(Pagination)
def list_projects(request, year: int | None = Query(None, **YEAR), programme: str | None = None):
    require(request.auth, "programs.view")
    qs = MajorProject.objects.restrict(request.auth).prefetch_related("units").order_by("-year", "name")
    if year:
        qs = qs.filter(year=year)
    return qs.filter(programme=programme) if programme else qs


@router.get("/projects/shares", response=list[ShareRow],
            summary="企业牵头或参与、企业主导（排名前三）项目占比（截至某日，按年度/计划类别/设区市）")
def project_shares(request, year: int = Query(..., **YEAR), on: datetime.date | None = None, by: str = "province"):
    require(request.auth, "programs.overview")
    if by not in ("province", "programme", "city"):
        raise HttpError(422, "分组只能是 province、programme 或 city")
    end = min(on or datetime.date(year, 12, 31), datetime.date(year, 12, 31))
    frame = services.st_shares(request.auth, datetime.date(year, 1, 1), end, [by])
    return [{**r, "group": str(r[by])} for r in frame.to_dicts()]


class NewProductOut(Schema):
    id: int
    enterprise_id: int
    division_id: str
    name: str
    kind: str
    year: int
    stage: str
    applied_on: datetime.date
    county_on: datetime.date | None
    city_on: datetime.date | None
    approved_on: datetime.date | None
    appraised_on: datetime.date | None
    appraisal_result: str


class SelectionOut(Schema):
    id: int
    kind: str
    enterprise_id: int
    division_id: str
    name: str
    year: int
    published_on: datetime.date
    prize: str


class StandardOut(Schema):
    id: int
    enterprise_id: int
    division_id: str
    number: str
    name: str
    level: str
    revision: bool
    status: str
    role: str
    drafter_rank: int | None
    issuer: str
    published_on: datetime.date | None
    cluster_id: str | None
    theme: str = Field(description="专题方向（任务13）：digital 数字产业化 / carbon 双碳 / green 绿色制造 / "
                                   "energy_intensive 高耗能行业标准修订；空为无")
    zhejiang_made: bool = Field(description="浙江制造标准（团体标准）")


@router.get("/new-products", response=list[NewProductOut], summary="省级工业新产品（新技术）项目")
@paginate(Pagination)
def list_new_products(request, year: int | None = Query(None, **YEAR), stage: str | None = None):
    require(request.auth, "programs.view")
    qs = NewProductProject.objects.restrict(request.auth).order_by("-year", "id")
    if year:
        qs = qs.filter(year=year)
    return qs.filter(stage=stage) if stage else qs


@router.get("/selections", response=list[SelectionOut], summary="优秀工业新产品与先进技术成果")
@paginate(Pagination)
def list_selections(request, year: int | None = Query(None, **YEAR), kind: str | None = None):
    require(request.auth, "programs.view")
    qs = Selection.objects.restrict(request.auth).order_by("-year", "kind", "id")
    if year:
        qs = qs.filter(year=year)
    return qs.filter(kind=kind) if kind else qs


@router.get("/standards", response=list[StandardOut], summary="企业参与的标准")
@paginate(Pagination)
def list_standards(request, level: str | None = None, theme: str | None = None, zhejiang_made: bool | None = None):
    require(request.auth, "programs.view")
    qs = Standard.objects.restrict(request.auth).order_by("id")
    if theme is not None:
        qs = qs.filter(theme=theme)
    if zhejiang_made is not None:
        qs = qs.filter(zhejiang_made=zhejiang_made)
    return qs.filter(level=level) if level else qs
