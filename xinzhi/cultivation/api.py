"""Cultivation API: counts by region (cockpit/map) and the enterprise's own policy answers."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from ninja import Router
from ninja.errors import HttpError

from xinzhi.enterprises.models import Enterprise

from .services import screening

router = Router(tags=["培育与政策兑现"])


@router.get("/counts", summary="分地区统计：符合条件、应享未享、培育对象（按县或市）")
def counts(request, year: int, level: str = "county"):
    user = request.auth
    if not (user.is_superuser or user.role in screening.REGION_ROLES):
        raise HttpError(403, "无权查看")
    if level not in ("county", "city"):
        raise HttpError(422, "level 应为 county 或 city")
    return {"year": year, "level": level, "rows": screening.counts_by_region(year, user, level).to_dicts()}


@router.get("/enterprises/{enterprise_id}/answers", summary="企业可享受的政策（当前年度数据包的匹配结果）")
def answers(request, enterprise_id: int, year: int | None = None):
    enterprise = get_object_or_404(Enterprise.objects.restrict(request.auth), pk=enterprise_id)
    if request.auth.role == "expert":
        raise HttpError(403, "无权查看")
    result = screening.enterprise_answers(enterprise, year)
    if result is None:
        raise HttpError(404, "该企业尚未报送有效的年度数据包")
    if "errors" in result:
        return {"errors": result["errors"]}
    return result["result"]
