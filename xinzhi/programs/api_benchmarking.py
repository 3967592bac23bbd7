"""JSON API of benchmarking (对标达标, seed task 13) — mounted at ``/api/v1/programs`` beside the programmes'
router. Reads only, through the same scope as the pages (``restrict``); an enterprise sees its own plans.

No ``from __future__ import annotations`` here: the paginated view's date parameter must be a real type for
django-ninja to build its query model."""

import datetime

from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from xinzhi.accounts.permissions import require
from xinzhi.core.pagination import Pagination

from . import benchmarking
from .models import BenchmarkResult

router = Router(tags=["对标达标"])


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
    result: str
    result_on: datetime.date | None
    result_note: str


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
