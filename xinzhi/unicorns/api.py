"""JSON API of unicorn cultivation — mounted at ``/api/v1/unicorns``. Reads through ``restrict``."""

import datetime

import polars as pl
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from xinzhi.accounts.permissions import require
from xinzhi.core.pagination import Pagination

from . import lists, services
from .models import Company, FinancingRound

router = Router(tags=["独角兽企业培育"])


class CompanyOut(Schema):
    id: int
    name: str
    division_id: str
    field: str
    founded_on: datetime.date
    listed_on: datetime.date | None
    exited_on: datetime.date | None
    tier: str
    on_watch: bool


class RoundOut(Schema):
    announced_on: datetime.date
    round_name: str
    currency: str
    amount: int
    post_valuation: int | None
    usd_rate: float
    investors: str


class AssessedOut(Schema):
    id: int
    name: str
    division_id: str
    confirmed_tier: str
    tier: str
    next_tier: str | None
    valuation_usd: int | None
    financing_usd: int | None
    valuation_gap: int | None
    financing_gap: int | None
    approaching: bool
    missing: list[str] | None
    alerts: list[str]


@router.get("/companies", response=list[CompanyOut], summary="创新型企业培育库（按地区范围）")
@paginate(Pagination, page_size=50)
def list_companies(request, tier: str | None = None):
    require(request.auth, "unicorns.view")
    qs = Company.objects.restrict(request.auth).order_by("id")
    return qs.filter(tier=tier) if tier else qs


@router.get("/companies/{pk}/rounds", response=list[RoundOut], summary="企业融资轮次")
def company_rounds(request, pk: int):
    require(request.auth, "unicorns.view")
    company = get_object_or_404(Company.objects.restrict(request.auth), pk=pk)
    return list(FinancingRound.objects.restrict(request.auth).filter(company=company))


@router.get("/assessment", response=list[AssessedOut], summary="层级测算、差距与监测提示（截至日期）")
@paginate(Pagination, page_size=100)
def assessment(request, as_of: datetime.date | None = None, changes_only: bool = False):
    require(request.auth, "unicorns.view")
    day = as_of or timezone.localdate()
    out = services.assessed(request.auth, day)
    if changes_only:
        out = out.filter(pl.col("change"))
    return out.sort("id").to_dicts()


class ListMovementOut(Schema):
    list_name: str
    year: int
    count: int
    compared: bool
    by_tier: dict[str, int]
    entered: list[str]
    left: list[str]


@router.get("/lists", response=list[ListMovementOut],
            summary="榜单入选与进出（某年各榜单：入选家数、按层级、与上年同一榜单相比新入选和落榜的企业）")
def list_movements(request, year: int = Query(..., ge=2000, le=2100, description="榜单年度")):
    require(request.auth, "unicorns.view")
    return lists.movements(request.auth, year)
