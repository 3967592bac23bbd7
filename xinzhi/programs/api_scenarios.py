"""JSON API of the application scenarios (应用场景, issue 17 item 4) — mounted at ``/api/v1/programs`` beside
the programmes' router. Reads go through the pages' scope (``scenario_services.visible_scenarios`` /
``visible_matches``); writes through the same services (capability, stored-record scope, state rules, audit)."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Path, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from xinzhi.accounts.permissions import require
from xinzhi.core.pagination import Pagination

from . import scenario_services as svc
from .services import Refused, enterprise_acted_for

router = Router(tags=["应用场景"])

ID = 2**31 - 1


class MatchOut(Schema):
    id: int
    scenario_id: int
    enterprise_id: int
    product_name: str
    selection_id: int | None
    new_product_id: int | None
    state: str
    state_label: str
    applied_on: datetime.date
    talking_on: datetime.date | None
    trial_on: datetime.date | None
    landed_on: datetime.date | None
    declined_on: datetime.date | None
    note: str


class ScenarioOut(Schema):
    id: int
    name: str
    provider_name: str
    provider_kind: str
    provider_enterprise_id: int | None
    division_id: str
    cluster_id: str | None
    field: str
    need: str
    opened_on: datetime.date
    deadline: datetime.date
    state: str
    state_label: str
    matched_on: datetime.date | None
    landed_on: datetime.date | None
    closed_on: datetime.date | None


class ScenarioIn(Schema):
    name: str = Field(..., max_length=200)
    provider: str = Field("", max_length=200)
    provider_uscc: str = Field("", max_length=18)
    provider_kind: str = ""
    division: str = Field(..., max_length=6)
    cluster: str = Field("", max_length=20)
    field: str = Field(..., max_length=100)
    need: str = Field(..., max_length=5000)
    opened_on: datetime.date | None = None
    deadline: datetime.date | None = None


class ApplyIn(Schema):
    uscc: str | None = Field(None, max_length=18, description="工作人员代本地区企业报名时填写；企业用户不填")
    selection: int | None = Field(None, ge=1, le=ID)
    new_product: int | None = Field(None, ge=1, le=ID)
    product: str = Field("", max_length=200)
    note: str = Field("", max_length=500)


class StepIn(Schema):
    action: str
    on: datetime.date | None = None
    note: str = Field("", max_length=500)


class CityCount(Schema):
    code: str
    name: str
    opened: int
    matched: int
    landed: int
    applied: int


def _errors(call):
    try:
        return call()
    except Refused as exc:
        raise HttpError(400, str(exc)) from exc
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc


@router.get("/scenarios", response=list[ScenarioOut], summary="应用场景（按角色与区划过滤；企业只见征集中的场景与本企业报名的场景）")
@paginate(Pagination)
def list_scenarios(request, state: str | None = None):
    require(request.auth, "programs.view")
    qs = svc.visible_scenarios(request.auth).order_by("-opened_on", "-id")
    return qs.filter(state=state) if state else qs


@router.get("/scenarios/counts", response=list[CityCount], summary="截至某日各设区市开放、对接、落地的场景数与报名产品数")
def scenario_counts(request, on: datetime.date | None = None):
    require(request.auth, "programs.overview")
    return svc.counts_by_city(request.auth, on or timezone.localdate())


@router.get("/scenarios/{scenario_id}", response=ScenarioOut, summary="一个应用场景")
def get_scenario(request, scenario_id: int = Path(..., ge=0, le=ID)):
    require(request.auth, "programs.view")
    return get_object_or_404(svc.visible_scenarios(request.auth), pk=scenario_id)


@router.get("/scenarios/{scenario_id}/matches", response=list[MatchOut], summary="场景的报名产品与对接进展（企业只见本企业的）")
def list_matches(request, scenario_id: int = Path(..., ge=0, le=ID)):
    require(request.auth, "programs.view")
    scenario = get_object_or_404(svc.visible_scenarios(request.auth), pk=scenario_id)
    return list(svc.visible_matches(request.auth, scenario))


@router.post("/scenarios", response={201: ScenarioOut}, summary="开放应用场景（本地区的县）")
def open_scenario(request, body: ScenarioIn):
    return Status(201, _errors(lambda: svc.open_scenario(request.auth, body.dict(), timezone.localdate())))


@router.post("/scenarios/{scenario_id}/steps", response=ScenarioOut, summary="办理场景（确认已对接、确认已落地、关闭）")
def scenario_step(request, body: StepIn, scenario_id: int = Path(..., ge=0, le=ID)):
    return _errors(lambda: svc.act_scenario(request.auth, scenario_id, body.action, body.on or timezone.localdate(),
                                            body.note))


@router.post("/scenarios/{scenario_id}/matches", response={201: MatchOut}, summary="以产品报名场景")
def apply(request, body: ApplyIn, scenario_id: int = Path(..., ge=0, le=ID)):
    user = request.auth
    require(user, "programs.scenario.apply")
    enterprise = enterprise_acted_for(user, body.uscc)
    if enterprise is None:
        raise HttpError(400, "统一社会信用代码未找到，或该企业不在本地区")
    data = body.dict()
    return Status(201, _errors(lambda: svc.apply_product(user, scenario_id, enterprise, data, timezone.localdate())))


@router.post("/scenario-matches/{match_id}/steps", response=MatchOut, summary="登记对接进展（开始对接、进入试用、确认落地、不予采用）")
def match_step(request, body: StepIn, match_id: int = Path(..., ge=0, le=ID)):
    return _errors(lambda: svc.act_match(request.auth, match_id, body.action, body.on or timezone.localdate(), body.note))
