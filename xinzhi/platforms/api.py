"""JSON API for the registers, coverage and counts — mounted at ``/api/v1/platforms``.

Every list reads through ``restrict(request.auth)`` (the page scope). The evaluation endpoints under the
same prefix (rounds, my-assignments, determine) are :mod:`xinzhi.evaluation.api`.
"""

from __future__ import annotations

import datetime

from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from xinzhi.core.pagination import Pagination
from xinzhi.core.response_cache import cached_response
from xinzhi.enterprises.models import Enterprise

from . import services
from .models import Platform, RDInstitution, StatusChange

router = Router(tags=["研发机构与创新平台"])


class InstitutionOut(Schema):
    id: int
    name: str
    enterprise_id: int
    level: str
    level_label: str
    recognised_year: int
    recognised_on: datetime.date | None
    status: str
    status_label: str
    field: str
    cluster_id: str | None
    next_evaluation_year: int | None

    @staticmethod
    def resolve_level_label(obj) -> str:
        return obj.get_level_display()

    @staticmethod
    def resolve_status_label(obj) -> str:
        return obj.get_status_display()


class PlatformOut(Schema):
    id: int
    kind: str
    level: str
    name: str
    lead_enterprise_id: int | None
    division_id: str
    field: str
    cluster_id: str | None
    status: str
    recognised_year: int | None


class StatusChangeOut(Schema):
    from_status: str
    to_status: str
    from_level: str
    to_level: str
    changed_on: str
    reason: str

    @staticmethod
    def resolve_changed_on(obj) -> str:
        return obj.changed_on.isoformat()


@router.get("/institutions", response=list[InstitutionOut], summary="企业研发机构库")
@cached_response(RDInstitution, Enterprise)  # a county sees the institutions of its enterprises
@paginate(Pagination, page_size=50)
def list_institutions(request, level: str | None = None, status: str | None = None, cluster: str | None = None):
    qs = RDInstitution.objects.restrict(request.auth).order_by("id")
    if level:
        qs = qs.filter(level=level)
    if status:
        qs = qs.filter(status=status)
    if cluster:
        qs = qs.filter(cluster_id=cluster)
    return qs


@router.get("/institutions/{pk}", response=InstitutionOut, summary="研发机构详情")
def get_institution(request, pk: int):
    return get_object_or_404(RDInstitution.objects.restrict(request.auth), pk=pk)


@router.get("/institutions/{pk}/history", response=list[StatusChangeOut], summary="研发机构状态历史")
def institution_history(request, pk: int):
    inst = get_object_or_404(RDInstitution.objects.restrict(request.auth), pk=pk)
    return list(StatusChange.objects.restrict(request.auth).filter(institution=inst))


@router.get("/platforms", response=list[PlatformOut], summary="创新平台库（制造业创新中心、中试平台、联盟等）")
@cached_response(Platform)
@paginate(Pagination, page_size=50)
def list_platforms(request, kind: str | None = None, cluster: str | None = None):
    qs = Platform.objects.restrict(request.auth).order_by("id")
    if kind:
        qs = qs.filter(kind=kind)
    if cluster:
        qs = qs.filter(cluster_id=cluster)
    return qs


@router.get("/coverage", summary="规上工业企业研发机构与研发活动覆盖率")
def coverage(request, year: int, by: str = "city"):
    if by not in ("city", "county", "industry"):
        raise HttpError(422, "by 须为 city、county 或 industry")
    return services.coverage(request.auth, year, by)


@router.get("/counts", summary="研发机构数量与目标（新认定，截至日期；本地区分解目标）")
def counts(request, year: int | None = None, as_of: datetime.date | None = None):
    if year is not None and not 1990 <= year <= 2100:
        raise HttpError(422, "year 须在 1990—2100 之间")
    return services.counts_vs_targets(request.auth, year, as_of)
