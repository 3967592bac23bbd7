from __future__ import annotations

from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat, LPad
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate
from pydantic import Field

from xinzhi.core.pagination import Pagination
from xinzhi.core.periods import PeriodError, parse_bounded
from xinzhi.core.response_cache import cached_response
from xinzhi.core.schemas import OptionalText, RowOut

from . import selectors
from .models import EarlyWarning, IndicatorValue

router = Router(tags=["高新技术产业监测"])


class IndicatorValueOut(RowOut):
    indicator: str
    region: str
    region_level: str
    period: str = Field(validation_alias="period_text")
    value: float | None
    unit: str
    last_year_value: float | None
    yoy: float | None
    yoy_unit: str
    target: float | None
    comparator: str
    gap: float | None
    progress: float | None
    projected: float | None
    rank: int | None
    peer_count: int | None
    rating: OptionalText
    reason: str = Field(validation_alias="rating_reason")
    level_group: str
    change_group: str
    ruleset_version: str
    # display fields: what pages and documents print (yoy_text carries its sign: "-5.0", "+1.2")
    value_text: str
    yoy_text: str
    target_text: str
    display_unit: str
    coverage_missing: int | None


class WarningOut(Schema):
    indicator: str
    region: str
    region_level: str
    period: str
    rating: str
    previous_rating: str
    projected_miss: bool
    rating_drop: bool
    message: str

    @staticmethod
    def resolve_period(obj: EarlyWarning) -> str:
        return f"{obj.year:04d}-{obj.month:02d}"


def _period(request, text: str | None) -> tuple[int, int]:
    """The month asked for — checked: well-formed and within bounds (400), filed and computed (404), with
    the Chinese reason — else the latest month with filings. A read never computes a month."""
    if text:
        try:
            p = parse_bounded(text)
        except PeriodError as exc:
            raise HttpError(400, str(exc)) from exc
        problem = selectors.period_unavailable(p.year, p.month, request)
        if problem:
            raise HttpError(*problem)
        return p.year, p.month
    latest = selectors.latest_snapshot_period(request)
    if latest is None:
        raise HttpError(404, "尚无企业填报数据，没有监测结果")
    return latest


VALUE_COLUMNS = [name for name, field in IndicatorValueOut.model_fields.items()
                 if field.validation_alias is None] + ["rating_reason"]
#: the month as "YYYY-MM", computed in SQL for rows read with .values()
PERIOD_TEXT = Concat(Cast("year", CharField()), Value("-"), LPad(Cast("month", CharField()), 2, Value("0")),
                     output_field=CharField())


@router.get("/values", response=list[IndicatorValueOut], summary="指标监测值（含红黄蓝评价与说明）")
@cached_response(IndicatorValue)
@paginate(Pagination, page_size=200)
def list_values(request, period: str | None = None, indicator: str | None = None, region: str | None = None,
                region_level: str | None = None):
    year, month = _period(request, period)
    qs = IndicatorValue.objects.restrict(request.auth).filter(year=year, month=month)
    if indicator:
        qs = qs.filter(indicator=indicator)
    if region:
        qs = qs.filter(region=region)
    if region_level:
        qs = qs.filter(region_level=region_level)
    # plain rows of the columns given out (a page is up to 500 rows: no model instances)
    return qs.order_by("indicator", "region_level", "region").values(*VALUE_COLUMNS, period_text=PERIOD_TEXT)


@router.get("/warnings", response=list[WarningOut], summary="预警清单（预计未达标、评级由蓝转黄/红）")
@cached_response(EarlyWarning, IndicatorValue)
@paginate(Pagination, page_size=100)
def list_warnings(request, period: str | None = None):
    year, month = _period(request, period)
    return EarlyWarning.objects.restrict(request.auth).filter(year=year, month=month).order_by("id")
