"""JSON API of the innovation programmes — mounted at ``/api/v1/programs``. Reads go through the same scope
as the pages (``visible_problems`` / ``restrict``); steps through the same services as the pages."""

from __future__ import annotations

import datetime

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from xinzhi.accounts.permissions import require
from xinzhi.core.pagination import Pagination

from . import loop, services

router = Router(tags=["企业出题与创新项目"])


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
    solvers: list[int] = []
    summary: str = ""
    price: int | None = None
    months: int | None = None
    proposal: int | None = None
    amount: int | None = None
    milestones: list[tuple[str, datetime.date]] = []
    passed: bool | None = None
    place: str = ""
    result: str = ""
    pilot_platform: int | None = None
    sales: int | None = None
    cost_saved: int | None = None
    adopters: int | None = None


class FunnelRow(Schema):
    group: str
    posed: int
    vetted: int
    published: int
    answered: int
    contracted: int
    verified: int
    market: int


@router.get("/problems", response=list[ProblemOut], summary="企业技术难题（按角色与区划过滤）")
@paginate(Pagination)
def list_problems(request, state: str | None = None):
    require(request.auth, "programs.view")
    qs = services.visible_problems(request.auth).order_by("-posed_at", "-id")
    return qs.filter(state=state) if state else qs


@router.get("/problems/{problem_id}", response=ProblemOut, summary="一个难题")
def get_problem(request, problem_id: int):
    require(request.auth, "programs.view")
    return get_object_or_404(services.visible_problems(request.auth), pk=problem_id)


@router.post("/problems/{problem_id}/steps", response=ProblemOut, summary="办理一个环节（金额单位：元）")
def take_step(request, problem_id: int, body: StepIn):
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
