"""JSON API of the project workspace — mounted at ``/api/v1/investment``.

Reads go through ``restrict(request.auth)`` (the page scope); writes through ``services`` (capability,
stored-record scope, audit). Errors carry a Chinese ``detail``."""


import datetime

import polars as pl
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from xinzhi.accounts.permissions import require
from xinzhi.core.pagination import Pagination
from xinzhi.core.response_cache import cached_response

from . import selectors, services, warnings
from .models import InvestmentProject, StageTransition

router = Router(tags=["投资项目"])

LIST_FIELDS = ("id", "code", "name", "division_id", "industry_id", "cluster_id", "stage", "is_high_tech", "is_major",
               "dual_candidate", "planned_total", "planned_start", "planned_completion", "actual_start",
               "actual_completion", "responsible_unit", "responsible_person")


class ProjectOut(Schema):
    id: int
    code: str
    name: str
    division_id: str
    industry_id: str
    cluster_id: str | None
    stage: str
    is_high_tech: bool
    is_major: bool
    dual_candidate: bool
    planned_total: int
    planned_start: datetime.date | None
    planned_completion: datetime.date | None
    actual_start: datetime.date | None
    actual_completion: datetime.date | None
    responsible_unit: str
    responsible_person: str


class TransitionOut(Schema):
    id: int
    from_stage: str
    to_stage: str
    effective_date: datetime.date
    status: str
    proposed_by_id: int | None
    reviewed_by_id: int | None
    approved_by_id: int | None


class ProposeIn(Schema):
    effective_date: datetime.date
    reason: str = ""


class DecisionIn(Schema):
    approve: bool
    note: str = ""


def _may_view_projects(request) -> None:
    require(request.auth, "investment.view")


@router.get("/projects", response=list[ProjectOut], summary="投资项目列表（按地区范围）")
@cached_response(InvestmentProject, guard=_may_view_projects)
@paginate(Pagination, page_size=50)
def list_projects(request, q: str | None = None, stage: str | None = None, division: str | None = None,
                  cluster: str | None = None, major: bool | None = None):
    """Only columns of the project table are read (the list's ``division`` filter is on the key itself), so
    the answer is cached until a project is written (``core.response_cache``)."""
    params = {"q": q, "stage": stage, "division": division, "cluster": cluster, "major": "1" if major else ""}
    return selectors.filtered_projects(request.auth, params).order_by("code").values(*LIST_FIELDS)


@router.get("/projects/{pk}", response=ProjectOut, summary="投资项目详情")
def get_project(request, pk: int):
    require(request.auth, "investment.view")
    return get_object_or_404(InvestmentProject.objects.restrict(request.auth), pk=pk)


@router.get("/projects/{pk}/transitions", response=list[TransitionOut], summary="项目阶段变更记录")
def project_transitions(request, pk: int):
    require(request.auth, "investment.view")
    project = get_object_or_404(InvestmentProject.objects.restrict(request.auth), pk=pk)
    return list(StageTransition.objects.restrict(request.auth).filter(project=project))


@router.post("/projects/{pk}/transitions", response={201: TransitionOut}, summary="提出阶段变更（下一阶段）")
def propose(request, pk: int, body: ProposeIn):
    try:
        return Status(201, services.propose_transition(request.auth, pk, body.effective_date, body.reason))
    except services.ProjectError as exc:
        raise HttpError(422, str(exc)) from None


@router.post("/transitions/{pk}/decision", response=TransitionOut, summary="审核或审批阶段变更")
def decide(request, pk: int, body: DecisionIn):
    try:
        return services.decide_transition(request.auth, pk, body.approve, body.note)
    except services.ProjectError as exc:
        raise HttpError(422, str(exc)) from None


class WarningOut(Schema):
    id: int
    code: str
    name: str
    division_id: str
    colour: str
    reasons: list[str]


def _as_of(request, as_of: datetime.date | None) -> datetime.date:
    return as_of or selectors.latest_period(request.auth) or datetime.date.today()


@router.get("/warnings", response=list[WarningOut], summary="项目预警（截至日期；默认最近报送月份末）")
@paginate(Pagination, page_size=100)
def project_warnings(request, as_of: datetime.date | None = None, colour: str | None = None):
    require(request.auth, "investment.view")
    if colour not in (None, "red", "yellow", "green"):
        raise HttpError(422, "colour 须为 red、yellow 或 green")
    day = _as_of(request, as_of)
    result = warnings.evaluate(selectors.project_frame(request.auth, day), day, warnings.load_rules())
    result = result.filter(pl.col("colour") == colour) if colour else result.filter(pl.col("level") > 0)
    return result.sort(["level", "code"], descending=[True, False]).select(
        "id", "code", "name", "division_id", "colour", "reasons").to_dicts()


@router.get("/rates", summary="开工率、竣工率、投资完成率（截至日期；按 city、county、cluster 或 category 分组）")
def project_rates(request, as_of: datetime.date | None = None, by: str | None = None):
    require(request.auth, "investment.view")
    groups = {"city": "city_id", "county": "division_id", "cluster": "cluster_id", "category": "category"}
    if by is not None and by not in groups:
        raise HttpError(422, "by 须为 city、county、cluster 或 category")
    day = _as_of(request, as_of)
    frame = selectors.project_frame(request.auth, day)
    return {"as_of": day.isoformat(), "rows": warnings.rates(frame, day, groups.get(by)).to_dicts()}
