"""JSON API of benchmarking (对标达标, seed task 13) — mounted at ``/api/v1/programs`` beside the programmes'
router. Reads go through the same scope as the pages (``restrict``); an enterprise sees its own plans. Writes (a
plan, its result) go through the page's service functions (:func:`.benchmarking.record_plan`,
:func:`.benchmarking.record_result`): the same capability, the scope of the **stored** record, the same rules and
the same audit (django-auditlog). A refusal is 400 with the Chinese reason and the field it is about; out of
scope or no right is 403.

No ``from __future__ import annotations`` here: the paginated view's date parameter must be a real type for
django-ninja to build its query model."""

import datetime

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from xinzhi.accounts.permissions import require
from xinzhi.core.pagination import Pagination

from . import benchmarking
from .models import BenchmarkLevel, BenchmarkResult
from .services import Refused, enterprise_acted_for

router = Router(tags=["对标达标"])

ID = 2**31 - 1


class BenchmarkPlanOut(Schema):
    id: int
    enterprise_id: int
    division_id: str
    product: str
    benchmark: str
    standard_id: int | None
    level: str
    indicators: str
    planned_on: datetime.date
    cluster_id: str | None
    cluster_inferred: bool = Field(..., description="集群未填写、按企业所属行业推断")
    result: str
    result_on: datetime.date | None
    result_note: str


class BenchmarkPlanIn(Schema):
    uscc: str | None = Field(None, max_length=18, description="工作人员代本地区企业登记时填写统一社会信用代码；企业用户不填（只能为本企业登记）")
    product: str = Field(..., max_length=200, description="产品名称")
    benchmark: str = Field("", max_length=200, description="对标对象：标准号及名称，或国内外先进产品；填写标准号时可空")
    standard_number: str = Field("", max_length=60, description="标准库中的标准号（可空；须为本人可见的标准）")
    level: str = Field(..., max_length=20, description="对标水平：" + "、".join(
        f"{code}（{label}）" for code, label in BenchmarkLevel.choices) + "，代码或中文均可")
    indicators: str = Field("", max_length=2000, description="对比的关键指标")
    planned_on: datetime.date = Field(..., description="方案发布日期 YYYY-MM-DD")
    cluster: str = Field("", max_length=40, description="415X集群代码；none 为不属于任何集群；空则按企业所属行业推断"
                         "（行业对应多个集群或不对应集群时不推断，见返回的 cluster_note）")


class BenchmarkPlanCreated(BenchmarkPlanOut):
    cluster_note: str = Field("", description="未填写集群时：按行业推断的结果，或未能推断的原因")


class BenchmarkResultIn(Schema):
    result: str = Field(..., max_length=10, description="对标结果：met（达标）、leading（领先）、not_met（未达标），代码或中文均可")
    on: datetime.date = Field(..., description="结果日期 YYYY-MM-DD，不早于方案发布日期")
    note: str = Field("", max_length=2000, description="结果说明")


class FieldError(Schema):
    field: str
    reason: str


class ErrorOut(Schema):
    detail: str
    errors: list[FieldError]


def _refusal(exc: Exception) -> tuple[int, dict]:
    if isinstance(exc, PermissionDenied):
        return 403, {"detail": str(exc) or "无权执行此操作", "errors": []}
    field = getattr(exc, "field", "")
    return 400, {"detail": str(exc), "errors": [{"field": field, "reason": str(exc)}] if field else []}


class BenchmarkClusterOut(Schema):
    code: str
    name: str
    enterprises: int
    plans: int
    met: int
    leading: int
    not_met: int
    pending: int
    overdue: int
    standard_lead_enterprises: int
    standard_participant_enterprises: int


@router.get("/benchmarking-plans", response=list[BenchmarkPlanOut], summary="对标达标方案及结果")
@paginate(Pagination)
def list_benchmark_plans(request, cluster: str | None = Query(None, max_length=40, description="集群代码；none 为未归属集群"),
                         result: str | None = Query(None, max_length=10, description="met、leading、not_met"),
                         on: datetime.date | None = None):
    """Plans published on or before ``on`` (all when omitted); ``result`` filters by the result known by then."""
    require(request.auth, "programs.view")
    qs = benchmarking.plans_as_of(request.auth, on or datetime.date.max).order_by("id")
    if cluster:
        qs = qs.filter(cluster__isnull=True) if cluster == benchmarking.NO_CLUSTER else qs.filter(cluster_id=cluster)
    if result:
        if result not in BenchmarkResult.values:
            raise HttpError(422, "对标结果只能是 met、leading 或 not_met")
        qs = qs.filter(result=result, **({"result_on__lte": on} if on else {}))
    return qs


@router.get("/benchmarking/by-cluster", response=list[BenchmarkClusterOut], summary="对标达标按415X集群汇总")
def benchmarking_by_cluster(request, on: datetime.date | None = None):
    require(request.auth, "programs.view")
    return benchmarking.by_cluster(request.auth, on or timezone.localdate())


@router.post("/benchmarking-plans", response={201: BenchmarkPlanCreated, 400: ErrorOut, 403: ErrorOut},
             summary="登记对标技术方案（企业为本企业；工作人员为本地区企业）")
def create_benchmark_plan(request, body: BenchmarkPlanIn):
    user = request.auth
    require(user, "programs.benchmark.edit")
    if user.role == "enterprise" and body.uscc and user.enterprise and body.uscc.strip().upper() != user.enterprise.uscc:
        return Status(403, {"detail": "企业用户只能为本企业办理", "errors": []})
    enterprise = enterprise_acted_for(user, body.uscc)
    if enterprise is None:
        return Status(400, {"detail": "统一社会信用代码未找到，或该企业不在本地区",
                            "errors": [{"field": "uscc", "reason": "统一社会信用代码未找到，或该企业不在本地区"}]})
    try:
        plan = benchmarking.record_plan(user, enterprise, body.dict())
    except (Refused, PermissionDenied) as exc:
        return Status(*_refusal(exc))
    return Status(201, plan)


@router.post("/benchmarking-plans/{plan_id}/result", response={200: BenchmarkPlanOut, 400: ErrorOut, 403: ErrorOut},
             summary="登记（或更正）对标结果")
def record_benchmark_result(request, body: BenchmarkResultIn, plan_id: int = Path(..., ge=1, le=ID)):
    try:
        return benchmarking.record_result(request.auth, plan_id, body.result, body.on, body.note)
    except (Refused, PermissionDenied) as exc:
        return Status(*_refusal(exc))
