"""Read-side helpers for the monitoring pages and API: what a user may see of the snapshots."""

from __future__ import annotations

from django.core.cache import cache
from django.db import connection
from django.db.models import QuerySet
from django.utils import translation

from xinzhi.core.periods import Period, bounds_error, current_period
from xinzhi.core.scope import region_prefix
from xinzhi.core.versioning import data_versions
from xinzhi.regions.models import Division

from .catalogue import load_catalogue
from .models import EarlyWarning, IndicatorValue

#: the seed's five province targets, in the order of the work plan's table
KEY_INDICATORS = ["ht_va_share", "ht_investment_growth", "ht_investment_share", "rd_intensity", "new_product_rate"]
#: the counting targets of the seed (task 4, 5, 12, 14)
COUNT_INDICATORS = [
    "hte_recognitions", "new_hte", "new_tech_sme", "new_advanced_service", "new_national_tech_centre", "new_provincial_tech_centre",
    "new_provincial_key_institute", "new_provincial_institute", "new_product_approvals", "excellent_new_products",
    "advanced_achievements", "st_projects_enterprise_involved", "st_projects_enterprise_led",
]
RATING_ZH = {"blue": "蓝", "yellow": "黄", "red": "红", "grey": "灰", "": "—"}
VIEWS = ("trajectory", "peers", "change")


def rating_views() -> dict:
    """The colourings of the map and the region tables (ratings.toml §4): the default view, each view's
    label and each class's label, so pages and the map legend read them from the rule file."""
    from .catalogue import load_rules

    rules = load_rules()
    views = rules.get("views", {})
    return {
        "default": views.get("default", "trajectory"),
        "labels": {v: views.get("labels", {}).get(v, v) for v in VIEWS},
        "classes": {
            "trajectory": {k: rules["labels"][k] for k in ("blue", "yellow", "red", "grey")},
            "peers": dict(rules["peers"]["labels"]) | {"grey": "无数据"},
            "change": dict(rules.get("change", {}).get("labels", {"up": "提高", "flat": "持平", "down": "下降"})),
        },
    }


def view_from(request) -> str:
    """``?view=`` if it names a view, else the rule file's default."""
    wanted = request.GET.get("view")
    return wanted if wanted in VIEWS else rating_views()["default"]


def home_division(user) -> Division:
    """The region a user's cockpit is about (superusers and unbound staff: the province)."""
    if getattr(user, "division_id", None):
        return user.division  # loaded with the user (xinzhi.accounts.backends)
    return Division.objects.get(level="province")


def snapshots_state(request=None) -> tuple[tuple[int, int] | None, str]:
    """(latest month, a stamp that changes whenever any snapshot is written or removed), read on every
    cockpit and map request to key their cached parts.

    The latest month is the latest month **with filings** (and its snapshots, no later than the current
    month): snapshots of a month nobody filed for — computed by hand, or stored by a read before reads
    stopped writing — never become the month pages and the API show by default (issue 12 items 2, 3).

    The stamp is the data version of the snapshots table (``core.versioning``: a trigger raises it in
    the transaction that writes), one primary-key lookup. The months are computed once per version, per
    current month and per process (an import recomputes its months at once, so a newly filed month
    raises the version when its snapshots are written). Given the ``request``, the answer is kept on it:
    one lookup per request however often a view asks.
    """
    periods, version = periods_state(request)
    return (periods[0] if periods else None), version


def periods_state(request=None) -> tuple[list[tuple[int, int]], str]:
    """(months with filings and snapshots up to the current month, newest first; the snapshots stamp)."""
    memo = getattr(request, "_xinzhi_snapshot_periods", None) if request is not None else None
    if memo is not None:
        return memo
    version = data_versions([IndicatorValue._meta.db_table])
    key = f"snapshots_periods:{version}:{current_period()}"
    periods = cache.get(key)
    if periods is None:
        periods = _available_periods()
        cache.set(key, periods, 3600)
    state = [tuple(p) for p in periods], version
    if request is not None:
        request._xinzhi_snapshot_periods = state
    return state


def latest_snapshot_period(request=None) -> tuple[int, int] | None:
    """The latest month with filings whose snapshots are stored (see :func:`snapshots_state`)."""
    return snapshots_state(request)[0]


def available_periods(request=None) -> list[tuple[int, int]]:
    """Months with filings and snapshots, up to the current month, newest first."""
    return periods_state(request)[0]


def _available_periods() -> list[tuple[int, int]]:
    """Months whose snapshots were computed from filings: the province's R&D intensity (研发费用 ÷ 营业收入
    of the month's filings) has a value only when enterprises filed for the month — a month computed
    without filings has none. Read from the snapshots alone, so that the cached API answers depend only on
    the snapshots table (``core.response_cache``)."""
    table = connection.ops.quote_name(IndicatorValue._meta.db_table)
    current = current_period()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT v.year, v.month FROM {table} v "  # noqa: S608
                       "WHERE v.indicator = %s AND v.region_level = %s AND v.value IS NOT NULL "
                       "AND v.year * 100 + v.month <= %s ORDER BY v.year DESC, v.month DESC",
                       ["rd_intensity", "province", current.year * 100 + current.month])
        return [tuple(row) for row in cursor.fetchall()]


def period_unavailable(year: int, month: int, request=None) -> tuple[int, str] | None:
    """Why the month asked for cannot be shown — (HTTP status, Chinese reason) — or None when it can.

    Outside the months data may be for (before the first month with reference data, after the current
    month): 400. No filings for the month: 404. Filed but not computed yet: 404 "监测结果待更新" (the
    recomputation runs after each import, on the next start, or by ``xinzhi monitor --refresh-stale``).
    A read never computes the month itself."""
    from xinzhi.enterprises.models import MonthlyStat

    period = Period(year, month)
    reason = bounds_error(period)
    if reason:
        return 400, reason
    if (year, month) in available_periods(request):
        return None
    label = period.label_zh()
    if not MonthlyStat.objects.filter(year=year, month=month).exists():
        return 404, f"{label}尚无企业填报数据，没有监测结果"
    if not IndicatorValue.objects.filter(year=year, month=month).exists():
        return 404, f"{label}的监测结果待更新（数据已导入，正在重新计算），请稍后再试"
    return None


def values(user, year: int, month: int) -> QuerySet[IndicatorValue]:
    return IndicatorValue.objects.restrict(user).filter(year=year, month=month)


def children_of(division: Division) -> list[Division]:
    if division.level == "county":
        return [division]
    return list(Division.objects.filter(parent=division).order_by("code"))


def indicator_names() -> dict[str, dict]:
    """Each indicator's name for pages, in the interface language (the catalogue's ``name_en`` in English)."""
    english = (translation.get_language() or "").startswith("en")
    return {ind.id: {"id": ind.id, "name": ind.name_en if english and ind.name_en else ind.name_zh,
                     "short": ind.name_en if english and ind.name_en else ind.short_zh,
                     "unit": ind.display_unit or ind.unit,
                     "available": ind.available, "kind": ind.kind, "target": ind.target or {},
                     "precision": ind.display_precision if ind.display_precision is not None else ind.precision}
            for ind in load_catalogue()}


def warnings_for(user, year: int, month: int, limit: int = 20, division: Division | None = None) -> list[EarlyWarning]:
    """The user's warnings of a month; with ``division``, only those of that region and below (a cockpit
    shows its own region's warnings, also to a superuser bound to a county)."""
    qs = EarlyWarning.objects.restrict(user).filter(year=year, month=month)
    if division is not None and division.level != "province":
        qs = qs.filter(scope_code__startswith=region_prefix(division.code))
    return list(qs.order_by("id")[:limit])
