"""``POST /api/v1/policy/screen``: a report-once package in (JSON), ``screen()``'s answer out.

The same engine as ``xinzhi screen`` and the enterprise page. Authenticated; an enterprise user may
screen its own package or an ad-hoc one (no USCC, or a USCC not in the register), never another
registered enterprise's; staff may screen packages of enterprises in their region or ad-hoc ones.
Invalid packages → 422 with the Chinese field errors. Money in the response is strings (yuan).
"""

from __future__ import annotations

import json
from decimal import Decimal

from ninja import Router, Status
from ninja.errors import HttpError

from xinzhi.enterprises.models import Enterprise

from .package import PackageValidationError, parse_package
from .screen import screen

router = Router(tags=["政策匹配"])


@router.post("/screen", summary="政策匹配：年度数据包 → 各项政策资格、得分、差距与依据", response={200: dict, 422: dict})
def screen_package(request, year: int | None = None):
    try:
        data = json.loads(request.body or b"null", parse_float=Decimal)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return Status(422, {"detail": "请求体不是有效的 JSON", "errors": [{"field": "", "label": "", "reason": str(exc)}]})
    try:
        package = parse_package(data if isinstance(data, dict) else {"__invalid__": data})
    except PackageValidationError as exc:
        return Status(422, {"detail": "数据包校验未通过", "errors": exc.as_list()})
    user = request.auth
    if package.uscc:
        registered = Enterprise.objects.filter(uscc=package.uscc).values_list("pk", flat=True).first()
        if registered is not None and not Enterprise.objects.restrict(user).filter(pk=registered).exists():
            raise HttpError(403, "无权对该企业的数据包进行匹配")
    if getattr(user, "role", None) == "expert":
        raise HttpError(403, "无权使用政策匹配")
    return Status(200, screen(package, year))
