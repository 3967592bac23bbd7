"""Cultivation API: counts by region (cockpit/map), an enterprise's own policy answers, and
``POST /api/v1/policy/screen`` (a report-once package in, ``xinzhi.policy.screen``'s answer out).

The screen endpoint is here because this app owns the register's scope: an enterprise user may screen its
own package or an ad-hoc one (no USCC, or a USCC not in the register), never another registered
enterprise's; staff may screen packages of enterprises in their region or ad-hoc ones; experts may not.
Invalid packages → 422 with the Chinese field errors; a year the policy parameters do not cover → 400
with a Chinese sentence naming the programme and the first year covered. Money is strings (yuan).
"""

from __future__ import annotations

import json
from decimal import Decimal

from django.shortcuts import get_object_or_404
from ninja import Router, Status
from ninja.errors import HttpError

from xinzhi.accounts.permissions import require
from xinzhi.core.inputs import refuse_json_constant
from xinzhi.enterprises.models import Enterprise
from xinzhi.policy.engine import YearNotCovered
from xinzhi.policy.package import PackageValidationError, parse_package
from xinzhi.policy.screen import screen

from .services import screening

router = Router(tags=["培育与政策兑现"])
policy_router = Router(tags=["政策匹配"])


@router.get("/counts", summary="分地区统计：符合条件、应享未享、培育对象（按县或市）")
def counts(request, year: int, level: str = "county"):
    user = request.auth
    require(user, "cultivation.view")
    if level not in ("county", "city"):
        raise HttpError(422, "level 应为 county 或 city")
    return {"year": year, "level": level, "rows": screening.counts_by_region(year, user, level).to_dicts()}


@router.get("/enterprises/{enterprise_id}/answers", summary="企业可享受的政策（当前年度数据包的匹配结果）",
           response={200: dict, 422: dict})
def answers(request, enterprise_id: int, year: int | None = None):
    require(request.auth, "cultivation.package.view")
    enterprise = get_object_or_404(Enterprise.objects.restrict(request.auth), pk=enterprise_id)
    result = screening.enterprise_answers(enterprise, year)
    if result is None:
        raise HttpError(404, "该企业尚未报送有效的年度数据包")
    if "refused" in result:
        raise HttpError(400, result["refused"])
    if "errors" in result:  # stored before a rule or parameter changed: it must be filed again
        return Status(422, {"detail": "该企业的年度数据包已不符合现行校验规则，请重新填报后再查看匹配结果",
                            "errors": result["errors"]})
    return Status(200, result["result"])


@policy_router.post("/screen", summary="政策匹配：年度数据包 → 各项政策资格、得分、差距与依据",
                    response={200: dict, 400: dict, 422: dict})
def screen_package(request, year: int | None = None):
    user = request.auth
    require(user, "policy.screen")
    try:
        data = json.loads(request.body or b"null", parse_float=Decimal, parse_constant=refuse_json_constant)
    except (ValueError, UnicodeDecodeError) as exc:  # JSONDecodeError, and NaN/Infinity (not JSON)
        return Status(422, {"detail": "请求体不是有效的 JSON", "errors": [{"field": "", "label": "", "reason": str(exc)}]})
    try:
        package = parse_package(data if isinstance(data, dict) else {"__invalid__": data})
    except PackageValidationError as exc:
        return Status(422, {"detail": "数据包校验未通过", "errors": exc.as_list()})
    if package.uscc:
        registered = Enterprise.objects.filter(uscc=package.uscc).values_list("pk", flat=True).first()
        if registered is not None and not Enterprise.objects.restrict(user).filter(pk=registered).exists():
            raise HttpError(403, "无权对该企业的数据包进行匹配")
    try:
        return Status(200, screen(package, year))
    except YearNotCovered as exc:
        return Status(400, {"detail": str(exc), "errors": [{"field": "year", "label": "计算年度", "reason": str(exc)}]})
