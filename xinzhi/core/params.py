"""Query parameters of pages, parsed once, refused with a 400 and a Chinese message when malformed.

A page reads its query string through these helpers instead of ``int(request.GET.get(...))`` in a
try/except of its own (or none: ``?year=abc`` on the targets page and ``?rev_min=NaN`` on the register
were 500s). Each helper names the parameter and the reason in the message; ``BadParameter`` is a
``django.core.exceptions.BadRequest`` answered by ``web.middleware.BadParameterMiddleware`` (the page's
400 with the message; JSON ``{"detail", "errors"}`` under ``/api/``) — the same in DEBUG as in
production. Absent or empty parameters give the default.

Every parameter is text without NUL characters (PostgreSQL refuses them in strings); the middleware
refuses a query string carrying one before any view runs.
"""

from __future__ import annotations

import datetime
import math
from decimal import Decimal, InvalidOperation

from django.core.exceptions import BadRequest
from django.utils.translation import gettext as _

#: the longest text a query parameter may carry (a search box, a name)
MAX_TEXT = 200
#: years a page may be asked about (reference data begin in 2021; plans look a few years ahead)
YEAR_MIN, YEAR_MAX = 2000, 2100
#: the largest page number a paginated list accepts (Django clamps past the last page)
PAGE_MAX = 1_000_000


#: how the pages' query parameters are named to users (the parameter's own name otherwise)
LABELS = {
    "year": "年度", "period": "期别", "page": "页码", "on": "日期", "step": "培育环节", "rev_min": "营业收入下限",
    "rev_max": "营业收入上限", "enterprise": "企业", "q": "搜索内容", "division": "地区", "region": "地区",
    "by": "汇总方式", "level": "层级", "format": "格式", "kind": "类型", "indicator": "指标", "parent": "上级地区",
    "sort": "排序",
}


class BadParameter(BadRequest):
    """A malformed query parameter; ``str(exc)`` is the Chinese message shown to the user."""

    def __init__(self, name: str, reason: str):
        self.name, self.reason = name, reason
        super().__init__(_("查询参数“%(name)s”有误：%(reason)s") % {"name": LABELS.get(name, name), "reason": reason})


def _raw(params, name: str) -> str | None:
    value = params.get(name)
    if value is None:
        return None
    value = str(value).strip()
    if "\x00" in value:
        raise BadParameter(name, "含有空字符（NUL）")
    return value or None


def text_param(params, name: str, default: str = "", max_length: int = MAX_TEXT) -> str:
    """Free text (a search, a code): trimmed, at most ``max_length`` characters."""
    value = _raw(params, name)
    if value is None:
        return default
    if len(value) > max_length:
        raise BadParameter(name, f"长度超过{max_length}个字符")
    return value


def int_param(params, name: str, default: int | None = None, minimum: int | None = None,
              maximum: int | None = None) -> int | None:
    """A whole number within [minimum, maximum]."""
    value = _raw(params, name)
    if value is None:
        return default
    if not (value.isascii() and value.lstrip("-").isdigit()) or len(value) > 19:
        raise BadParameter(name, f"“{value[:20]}”不是整数")
    number = int(value)
    if minimum is not None and number < minimum:
        raise BadParameter(name, f"不能小于{minimum}")
    if maximum is not None and number > maximum:
        raise BadParameter(name, f"不能大于{maximum}")
    return number


def year_param(params, name: str = "year", default: int | None = None) -> int | None:
    """A calendar year (四位数字, 2000–2100)."""
    value = _raw(params, name)
    if value is None:
        return default
    if not (value.isascii() and value.isdigit() and len(value) == 4):
        raise BadParameter(name, f"“{value[:20]}”不是四位数字的年份")
    return int_param(params, name, default, YEAR_MIN, YEAR_MAX)


def decimal_param(params, name: str, default: Decimal | None = None, minimum: Decimal | None = None,
                  maximum: Decimal | None = None) -> Decimal | None:
    """A finite decimal number (no NaN, no infinities, no exponent beyond the range)."""
    value = _raw(params, name)
    if value is None:
        return default
    try:
        number = Decimal(value.replace(",", ""))
    except InvalidOperation:
        raise BadParameter(name, f"“{value[:20]}”不是数字") from None
    if not number.is_finite() or not math.isfinite(float(number)):
        raise BadParameter(name, "须为有限的数字")
    if minimum is not None and number < minimum:
        raise BadParameter(name, f"不能小于{minimum}")
    if maximum is not None and number > maximum:
        raise BadParameter(name, f"不能大于{maximum}")
    return number


def date_param(params, name: str, default: datetime.date | None = None) -> datetime.date | None:
    """A date ``YYYY-MM-DD`` within the years pages may ask about."""
    value = _raw(params, name)
    if value is None:
        return default
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError:
        raise BadParameter(name, f"“{value[:20]}”不是有效日期（格式 YYYY-MM-DD）") from None
    if not YEAR_MIN <= day.year <= YEAR_MAX:
        raise BadParameter(name, f"年份须在{YEAR_MIN}—{YEAR_MAX}之间")
    return day


def choice_param(params, name: str, choices, default: str | None = None) -> str | None:
    """One of ``choices``; anything else is refused (use for a parameter that selects a code path)."""
    value = _raw(params, name)
    if value is None:
        return default
    if value not in choices:
        raise BadParameter(name, f"“{value[:20]}”不是可选值")
    return value
