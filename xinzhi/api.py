"""The JSON API under ``/api/v1/`` (django-ninja). OpenAPI at ``/api/v1/openapi.json``, docs at ``/api/v1/docs``.

Authentication: the browser session (with CSRF) or a personal token (``Authorization: Bearer xz_…``).
Every endpoint reads through ``Model.objects.restrict(request.auth)``, the same scope as the pages.
Errors always have the body ``{"detail": "<Chinese message>", "errors": [...]}``.
"""

from __future__ import annotations

import logging

from django.core.exceptions import BadRequest, PermissionDenied
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.renderers import JSONRenderer
from ninja.security import HttpBearer, SessionAuth

from xinzhi.accounts.services import user_for_token


class TokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


class SessionUser(SessionAuth):
    """Session authentication that hands the user on as ``request.auth``."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        return user if user and user.is_active else None


class FiniteJSONRenderer(JSONRenderer):
    """JSON has no NaN or Infinity (Python writes them, and a browser's ``JSON.parse`` then fails): a
    non-finite number anywhere in an answer is given out as null (issue 12 item 4). The answer is first
    encoded with ``allow_nan=False``; only an answer that holds such a number is walked and encoded again."""

    def render(self, request, data, *, response_status: int):
        import json

        from xinzhi.core.inputs import finite_json

        try:
            return json.dumps(data, cls=self.encoder_class, allow_nan=False, **self.json_dumps_params)
        except ValueError:
            return json.dumps(finite_json(data), cls=self.encoder_class, allow_nan=False, **self.json_dumps_params)


class FiniteJSONParser(Parser):
    """Request bodies: JSON without NaN/Infinity (refused with 400 before any schema sees them)."""

    def parse_body(self, request):
        import json

        from xinzhi.core.inputs import refuse_json_constant

        return json.loads(request.body, parse_constant=refuse_json_constant)


api = NinjaAPI(
    title="新质 Xinzhi API", version="1", urls_namespace="api-v1", auth=[TokenAuth(), SessionUser()],
    renderer=FiniteJSONRenderer(), parser=FiniteJSONParser(),
    description="工业科技创新平台数据接口。所有数据按用户角色与区划范围过滤。",
)


@api.exception_handler(ValidationError)
def _validation_error(request, exc: ValidationError):
    errors = [
        {"field": ".".join(str(p) for p in e.get("loc", [])[1:]), "reason": e.get("msg", "")} for e in exc.errors
    ]
    return api.create_response(request, {"detail": "请求参数有误", "errors": errors}, status=422)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(request, {"detail": "未找到，或不在您的查看范围内", "errors": []}, status=404)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return api.create_response(request, {"detail": "未登录或令牌无效", "errors": []}, status=401)


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    """An endpoint's own refusal (``raise HttpError(403, "无权查看")``) in the documented body."""
    message = str(exc.message)
    if message.startswith("Cannot parse request body"):  # ninja's own words for a body it cannot read
        message = "请求体不是有效的 JSON（数值须为有限的数，不能为 NaN 或 Infinity）"
    return api.create_response(request, {"detail": message, "errors": []}, status=exc.status_code)


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc: PermissionDenied):
    """``accounts.permissions.require`` and services refuse with the Chinese reason."""
    return api.create_response(request, {"detail": str(exc) or "无权执行此操作", "errors": []}, status=403)


@api.exception_handler(BadRequest)
def _bad_request(request, exc: BadRequest):
    """A malformed parameter (``core.params.BadParameter``): the parameter and the reason, in Chinese."""
    return api.create_response(request, {"detail": str(exc) or "请求参数有误", "errors": []}, status=400)


@api.exception_handler(Exception)
def _server_error(request, exc: Exception):
    """Anything unexpected: logged with its traceback, answered in Chinese without internals."""
    logging.getLogger("xinzhi.api").exception("API error on %s %s", request.method, request.path)
    return api.create_response(request, {"detail": "系统出错，已记录在系统日志中，请稍后再试", "errors": []},
                               status=500)


def _mount_routers() -> None:
    from xinzhi.enterprises.api import router as enterprises_router
    from xinzhi.monitoring.api import router as monitoring_router
    from xinzhi.regions.api import router as regions_router

    api.add_router("/regions", regions_router)
    api.add_router("/enterprises", enterprises_router)
    api.add_router("/monitoring", monitoring_router)
    api.add_router("/platforms", "xinzhi.platforms.api.router")
    api.add_router("/platforms", "xinzhi.evaluation.api.router")  # the evaluation endpoints keep their URLs
    api.add_router("/policy", "xinzhi.cultivation.api.policy_router")  # POST /policy/screen
    api.add_router("/cultivation", "xinzhi.cultivation.api.router")
    api.add_router("/supervision", "xinzhi.supervision.api.router")
    api.add_router("/investment", "xinzhi.investment.api.router")
    api.add_router("/unicorns", "xinzhi.unicorns.api.router")
    api.add_router("/programs", "xinzhi.programs.api.router")
    api.add_router("/programs", "xinzhi.programs.api_calls.router")  # the research-needs call (issue 17)
    api.add_router("/programs", "xinzhi.programs.api_scenarios.router")  # application scenarios (issue 17)
    api.add_router("/programs", "xinzhi.programs.api_benchmarking.router")  # 对标达标 (issue 17)
    api.add_router("/programs", "xinzhi.programs.api_brand.router")  # 品字标认证证书 (issue 17)


_mount_routers()
