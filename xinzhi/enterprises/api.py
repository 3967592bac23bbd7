from __future__ import annotations

import datetime

from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.pagination import paginate
from pydantic import Field as PydanticField

from xinzhi.core.pagination import Pagination
from xinzhi.core.response_cache import cached_response
from xinzhi.core.schemas import RowOut

from .models import Enterprise, MonthlyStat
from .services import search_enterprises

router = Router(tags=["企业库"])


class EnterpriseOut(RowOut):
    id: int
    uscc: str
    name: str
    division_code: str = PydanticField(validation_alias="division_id")
    industry_code: str = PydanticField(validation_alias="industry_id")
    registered_on: datetime.date | None
    ownership: str
    is_listed: bool


class MonthlyStatOut(Schema):
    year: int
    month: int
    output_value: int
    value_added: int
    revenue: int
    rd_expense: int
    new_product_output: int
    employees: int
    is_revision: bool


ENTERPRISE_COLUMNS = [field.validation_alias or name for name, field in EnterpriseOut.model_fields.items()]


@router.get("/", response=list[EnterpriseOut], summary="企业检索（按名称、代码、区划、行业）")
@cached_response(Enterprise)
@paginate(Pagination, page_size=50)
def list_enterprises(
    request, q: str | None = None, division: str | None = None, industry: str | None = None,
):
    # plain rows of the columns given out (no model instances for a page of the register)
    return search_enterprises(request.auth, q, division, industry).order_by("id").values(*ENTERPRISE_COLUMNS)


@router.get("/{enterprise_id}", response=EnterpriseOut, summary="企业详情")
def get_enterprise(request, enterprise_id: int):
    return get_object_or_404(Enterprise.objects.restrict(request.auth), pk=enterprise_id)


@router.get("/{enterprise_id}/monthly-stats", response=list[MonthlyStatOut], summary="企业月度统计（1—N月累计，单位：元）")
def enterprise_monthly_stats(request, enterprise_id: int, year: int | None = None):
    enterprise = get_object_or_404(Enterprise.objects.restrict(request.auth), pk=enterprise_id)
    qs = MonthlyStat.objects.restrict(request.auth).filter(enterprise=enterprise).order_by("year", "month")
    if year:
        qs = qs.filter(year=year)
    return list(qs)
