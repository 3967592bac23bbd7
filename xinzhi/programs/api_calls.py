"""JSON API of the research-needs call (issue 17 item 2) — mounted at ``/api/v1/programs`` beside the
programmes' router. Reads go through the same scope as the pages (``research.visible_needs``); writes
through the same services (capability, stored-record scope, state rules, audit)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Path, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from xinzhi.accounts.permissions import require
from xinzhi.core.pagination import Pagination
from xinzhi.enterprises.models import Enterprise

from . import calls, research
from .models import ResearchCall, UnitKind
from .services import Refused

router = Router(tags=["科技攻关需求征集"])

ID = 2**31 - 1
MONEY = 10**15


class CallOut(Schema):
    id: int
    year: int
    name: str
    deadline: datetime.date
    recommend_quota: int
    state: str
    state_label: str
    round_id: int | None
    published_on: datetime.date | None
    recommended_on: datetime.date | None

    @staticmethod
    def resolve_state_label(obj) -> str:
        return calls.CALL_LABELS[obj.state]


class PartnerOut(Schema):
    rank: int
    name: str
    kind: str
    enterprise_id: int | None
    in_province: bool


class NeedOut(Schema):
    id: int
    call_id: int
    enterprise_id: int
    division_id: str
    title: str
    field: str
    budget: int
    self_funded: int
    months: int
    state: str
    state_label: str
    total_score: Decimal | None
    rank: int | None
    tied: bool
    major_project_id: int | None
    partners: list[PartnerOut]

    @staticmethod
    def resolve_state_label(obj) -> str:
        return calls.LABELS[obj.state]

    @staticmethod
    def resolve_partners(obj) -> list:
        return list(obj.partners.all())


class PartnerIn(Schema):
    name: str = Field(..., max_length=200)
    kind: str
    uscc: str | None = None
    in_province: bool = True


class NeedIn(Schema):
    title: str = Field(..., max_length=200)
    field: str = Field(..., max_length=100)
    problem: str
    targets: str
    budget: int = Field(..., ge=0, le=MONEY)
    self_funded: int = Field(0, ge=0, le=MONEY)
    months: int = Field(36, ge=1, le=120)
    partners: list[PartnerIn] = Field(default_factory=list, max_length=20)


class NeedStepIn(Schema):
    action: str
    on: datetime.date | None = None
    note: str = ""


@router.get("/calls", response=list[CallOut], summary="科技攻关需求征集")
def list_calls(request):
    require(request.auth, "programs.view")
    return list(ResearchCall.objects.restrict(request.auth))


@router.get("/calls/{call_id}/needs", response=list[NeedOut], summary="征集的需求（按角色与区划过滤；公布后按排序）")
@paginate(Pagination)
def list_needs(request, call_id: int = Path(..., ge=0, le=ID), state: str | None = None):
    require(request.auth, "programs.view")
    qs = research.visible_needs(request.auth).filter(call_id=call_id).prefetch_related("partners").order_by("rank", "id")
    return qs.filter(state=state) if state else qs


@router.post("/calls/{call_id}/needs", response={201: NeedOut}, summary="牵头企业申报需求（金额单位：元；合作单位按排名）")
def submit_need(request, body: NeedIn, call_id: int = Path(..., ge=0, le=ID)):
    user = request.auth
    require(user, "programs.call.submit")
    call = get_object_or_404(ResearchCall, pk=call_id)
    enterprise = get_object_or_404(Enterprise, pk=user.enterprise_id)
    partners = []
    for p in body.partners:
        if p.kind not in UnitKind.values:
            raise HttpError(400, f"合作单位“{p.name}”：单位性质须为 " + "、".join(UnitKind.values))
        ent = Enterprise.objects.filter(uscc=p.uscc.strip().upper()).first() if p.uscc else None
        partners.append({"name": p.name, "kind": p.kind, "enterprise": ent, "in_province": p.in_province})
    data = body.dict()
    data.pop("partners")
    try:
        return Status(201, research.submit_need(user, call, enterprise, data, partners, timezone.localdate()))
    except Refused as exc:
        raise HttpError(400, str(exc)) from exc


@router.post("/needs/{need_id}/steps", response=NeedOut, summary="办理需求（撤回、修改后重新提交、县级审核、市级推荐）")
def need_step(request, body: NeedStepIn, need_id: int = Path(..., ge=0, le=ID)):
    try:
        return research.act(request.auth, need_id, body.action, body.on or timezone.localdate(), body.note)
    except Refused as exc:
        raise HttpError(400, str(exc)) from exc
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc
