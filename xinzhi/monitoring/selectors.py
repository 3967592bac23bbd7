"""Read-side helpers for the monitoring pages and API: what a user may see of the snapshots."""

from __future__ import annotations

from django.core.cache import cache
from django.db import connection
from django.db.models import QuerySet
from django.utils import translation

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


def snapshots_state() -> tuple[tuple[int, int] | None, str]:
    """(latest month with snapshots, a stamp that changes whenever any snapshot is written or removed),
    read on every cockpit and map request to key their cached parts.

    The stamp is the data version of the snapshots table (``core.versioning``: a trigger raises it in
    the transaction that writes), one primary-key lookup. The latest month is an aggregate over the
    province rows of one indicator (``refresh`` writes a month's rows together), computed once per
    version and per process.
    """
    version = data_versions([IndicatorValue._meta.db_table])
    key = f"snapshots_latest:{version}"
    latest = cache.get(key)
    if latest is None:
        latest = _latest_month()
        cache.set(key, latest, 3600)
    return (latest or None), version


def _latest_month() -> tuple[int, int] | tuple[()]:
    table = connection.ops.quote_name(IndicatorValue._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(year * 100 + month) FROM {table} "  # noqa: S608
                       "WHERE indicator = %s AND region_level = %s", ["rd_intensity", "province"])
        (latest,) = cursor.fetchone()
    return (latest // 100, latest % 100) if latest else ()


def latest_snapshot_period() -> tuple[int, int] | None:
    return snapshots_state()[0]


def available_periods() -> list[tuple[int, int]]:
    """Months with snapshots, newest first (the rows :func:`snapshots_state` reads)."""
    qs = IndicatorValue.objects.filter(indicator="rd_intensity", region_level="province")
    return list(qs.order_by("-year", "-month").values_list("year", "month"))


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
