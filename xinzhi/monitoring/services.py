"""Monitoring operations that touch the database: compute and store a month, allocate and edit targets."""

from __future__ import annotations

import polars as pl
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from xinzhi.core.bulk import insert_frame
from xinzhi.core.faults import checkpoint
from xinzhi.core.locks import MONITORING_MONTH, hold
from xinzhi.regions.models import Division

from .allocation import allocate_count, allocate_level
from .catalogue import load_catalogue
from .engine import compute_period
from .models import EarlyWarning, IndicatorValue, StaleMonth, Target
from .ratings import rate
from .sources import load_facts
from .warnings import early_warnings

SNAPSHOT_COLUMNS = [
    "indicator", "region", "region_level", "scope_code", "year", "month", "kind", "unit", "value", "last_year_value",
    "yoy", "yoy_unit", "target", "comparator", "gap", "progress", "time_elapsed", "projected", "rank", "peer_count",
    "peer_mean", "available", "rating", "rating_reason", "level_group", "ruleset_version", "computed_at",
    "level_reason", "value_text", "yoy_text", "projected_text", "display_unit", "target_text", "change_group",
    "schedule_basis", "coverage_missing",
]
WARNING_COLUMNS = [
    "indicator", "region", "region_level", "scope_code", "year", "month", "rating", "previous_rating",
    "projected_miss", "rating_drop", "message", "created_at",
]
REGION_LEVELS = ("province", "city", "county")


def _scope_code() -> pl.Expr:
    """Regions are scoped by their own code; cluster and category totals are province-wide."""
    return pl.when(pl.col("region_level").is_in(REGION_LEVELS)).then(pl.col("region")).otherwise(pl.lit("330000"))


def targets_for(year: int) -> dict[str, dict[str, float]]:
    """The year's stored targets by indicator and region. A value outside its unit's range (``inf``,
    ``NaN``, ``1e308`` — stored before the checks, or by hand) is left out and logged: that region and
    indicator has no target, and every other one is computed as usual (issue 12 item 4)."""
    import logging

    from xinzhi.core.inputs import check_number

    units = {ind.id: (ind.unit, ind.kind == "relative") for ind in load_catalogue()}
    out: dict[str, dict[str, float]] = {}
    for indicator, division, value in Target.objects.filter(year=year).values_list("indicator", "division_id", "value"):
        unit, signed = units.get(indicator, ("", False))
        try:
            check_number(value, unit, signed=signed)
        except ValidationError as exc:
            logging.getLogger("xinzhi.monitoring").warning("target %s %s %s left out: %s", indicator, division, year,
                                                           exc.messages[0])
            continue
        out.setdefault(indicator, {})[division] = value
    return out


def compute(year: int, month: int) -> pl.DataFrame:
    """Compute and rate every indicator × region for a month, from the facts in the database."""
    frame = compute_period(load_facts(year, month), year, month, targets=targets_for(year))
    return rate(frame)


def _snapshot_frame(rated: pl.DataFrame) -> pl.DataFrame:
    from django.utils import timezone

    texts = ("level_reason", "value_text", "yoy_text", "projected_text", "display_unit", "target_text", "change_group",
             "schedule_basis")
    floats = [c for c, dtype in rated.schema.items() if dtype in (pl.Float32, pl.Float64)]
    return rated.with_columns(
        # no NaN or ±Infinity in stored snapshots (a bad input or a division by zero): null, i.e. no value
        *(pl.when(pl.col(c).is_finite()).then(pl.col(c)).otherwise(None).alias(c) for c in floats),
    ).with_columns(
        *(pl.col(c).fill_null("") for c in texts),
        scope_code=_scope_code(),
        rating=pl.col("rating").fill_null(""),
        rating_reason=pl.col("rating_reason").fill_null(""),
        level_group=pl.col("level_group").fill_null(""),
        ruleset_version=pl.col("rules_version").fill_null(""),
        comparator=pl.col("comparator").fill_null(""),
        yoy_unit=pl.col("yoy_unit").fill_null(""),
        available=pl.col("available").fill_null(False),
        computed_at=pl.lit(timezone.now().isoformat()),
    ).select(SNAPSHOT_COLUMNS)


def _previous_ratings(year: int, month: int) -> pl.DataFrame | None:
    """Last month's stored ratings (within the same year: ratings are against the year's target)."""
    if month == 1:
        return None
    rows = list(
        IndicatorValue.objects.filter(year=year, month=month - 1).values_list("indicator", "region_level", "region", "rating")
    )
    if not rows:
        return None
    return pl.DataFrame(rows, schema=["indicator", "region_level", "region", "rating"], orient="row", infer_schema_length=None)


def _warning_frame(rated: pl.DataFrame, previous: pl.DataFrame | None) -> pl.DataFrame:
    from django.utils import timezone

    warnings = early_warnings(rated, previous)
    return warnings.with_columns(
        scope_code=_scope_code(),
        year=pl.col("period").str.slice(0, 4).cast(pl.Int64),
        month=pl.col("period").str.slice(5, 2).cast(pl.Int64),
        rating=pl.col("rating").fill_null(""),
        previous_rating=pl.col("previous_rating").fill_null(""),
        created_at=pl.lit(timezone.now().isoformat()),
    ).select(WARNING_COLUMNS)


def refresh(year: int, month: int) -> int:
    """Recompute a month; replace its stored snapshot rows and its warnings (at once: a reader sees the
    old month or the new one, never none). Returns the rows stored.

    Serialised per month (``core.locks``): the lock is taken before the facts are read, so a second
    recomputation of the month waits, then reads the facts the first one could not see — two imports of
    one month committing together both end up in the snapshots. The month's stale mark is removed in the
    same transaction, unless an import marked it again meanwhile (its token changed)."""
    with transaction.atomic():
        hold(MONITORING_MONTH, year * 100 + month)
        token = StaleMonth.objects.filter(year=year, month=month).values_list("token", flat=True).first()
        rated = compute(year, month)
        # a month computed for the first time is the one every page asks for next: the planner must know it
        new_month = not IndicatorValue.objects.filter(year=year, month=month).exists()
        IndicatorValue.objects.filter(year=year, month=month).delete()
        EarlyWarning.objects.filter(year=year, month=month).delete()
        stored = insert_frame(IndicatorValue._meta.db_table, _snapshot_frame(rated), new_key_range=new_month)
        insert_frame(EarlyWarning._meta.db_table, _warning_frame(rated, _previous_ratings(year, month)),
                     new_key_range=new_month)
        checkpoint("monitoring:refresh-written")
        if token is not None:
            StaleMonth.objects.filter(year=year, month=month, token=token).delete()
    return stored


def months_with_filings(year: int) -> list[int]:
    from xinzhi.enterprises.models import MonthlyStat

    return sorted(MonthlyStat.objects.filter(year=year).values_list("month", flat=True).distinct())


def prepare(years: list[int]) -> int:
    """Snapshots for every month with filings of ``years`` (in order), allocating each year's default
    targets from the year before as soon as that year's December is computed. Used after a bulk load."""
    stored = 0
    for year in sorted(years):
        if Target.objects.filter(year=year).count() == 0 and IndicatorValue.objects.filter(year=year - 1, month=12).exists():
            allocate_default_targets(year)
        for month in months_with_filings(year):
            stored += refresh(year, month)
    return stored


# ------------------------------------------------------------------------------------------------
# Stale months: marked with the data that made them stale, recomputed after the commit or on restart
# ------------------------------------------------------------------------------------------------

#: tables whose rows belong to one month: a change reaches that month, the later months of its year
#: (warnings compare with the month before), the same month of the next two years (year-on-year, the
#: investment growth reads two years back) and, for a December, every month of the next year (projection)
MONTHLY_TABLES = ("enterprises_monthlystat", "investment_projectprogress", "investment_regioninvestment")
#: tables of attributes the facts join to every month (``sources.load_facts``), with the columns read
ATTRIBUTE_TABLES = {
    "enterprises_enterprise": {"division_code", "industry_code"},
    "enterprises_enterpriseyear": {"above_scale", "year", "enterprise_id"},
    "investment_investmentproject": {"division_code", "is_high_tech"},
    # the programme registers (issue 17): counted on their dates, every computed month may change
    "programs_newproductproject": {"approved_on", "division_code", "enterprise_id"},
    "programs_selection": {"published_on", "kind", "enterprise_id"},
    "programs_majorproject": {"approved_on", "division_code", "programme"},
    "programs_projectunit": {"rank", "kind", "in_province", "enterprise_id"},
}


def computed_or_filed_months() -> set[tuple[int, int]]:
    """The months that have snapshots or filings: the only ones worth recomputing."""
    from xinzhi.enterprises.models import MonthlyStat

    filed = MonthlyStat.objects.values_list("year", "month").distinct()
    computed = IndicatorValue.objects.values_list("year", "month").distinct()
    return {tuple(p) for p in filed} | {tuple(p) for p in computed}


def months_affected(changes) -> list[tuple[int, int]]:
    """The months whose snapshots an import's ``changes`` (``core.imports.TableChange``) made stale."""
    wanted: set[tuple[int, int]] = set()
    every_month = False
    for change in changes:
        if change.table in MONTHLY_TABLES:
            for year, month in change.months:
                wanted |= {(year, m) for m in range(month, 13)}
                wanted |= {(year + 1, month), (year + 2, month)}
                if month == 12:
                    wanted |= {(year + 1, m) for m in range(1, 13)}
        elif change.table in ATTRIBUTE_TABLES and change.columns & ATTRIBUTE_TABLES[change.table]:
            every_month = True
    if not wanted and not every_month:
        return []
    candidates = computed_or_filed_months()
    return sorted(candidates if every_month else wanted & candidates)


def mark_stale(months, source: str = "") -> None:
    """Record ``months`` as needing recomputation (in the caller's transaction); a new token every time."""
    import uuid

    from django.utils import timezone

    now = timezone.now()
    StaleMonth.objects.bulk_create(
        [StaleMonth(year=y, month=m, token=uuid.uuid4().hex, marked_at=now, source=source[:100]) for y, m in months],
        update_conflicts=True, unique_fields=["year", "month"], update_fields=["token", "marked_at", "source"])


def stale_months() -> list[tuple[int, int]]:
    return [tuple(p) for p in StaleMonth.objects.order_by("year", "month").values_list("year", "month")]


def refresh_stale(months=None) -> list[tuple[int, int]]:
    """Recompute the stale months (or those of ``months`` still stale), oldest first. Returns them."""
    stale = stale_months()
    todo = [p for p in stale if months is None or p in set(months)]
    for year, month in todo:
        refresh(year, month)
    return todo


def latest_period() -> tuple[int, int] | None:
    from xinzhi.enterprises.models import MonthlyStat

    row = MonthlyStat.objects.order_by("-year", "-month").values_list("year", "month").first()
    return tuple(row) if row else None


# ------------------------------------------------------------------------------------------------
# Targets
# ------------------------------------------------------------------------------------------------

def _base_values(indicator: str, base_year: int) -> dict[str, float | None]:
    rows = IndicatorValue.objects.filter(indicator=indicator, year=base_year, month=12).values_list("region", "value")
    return dict(rows)


@transaction.atomic
def allocate_default_targets(year: int) -> int:
    """Allocate the catalogue's province targets for ``year`` to cities, and cities' to counties.

    Reads the base year (``year − 1``, December snapshot; computed if missing). Rows staff have set
    by hand (``method = manual``) are never overwritten. Returns the number of rows written.
    """
    base_year = year - 1
    if not IndicatorValue.objects.filter(year=base_year, month=12).exists() and 12 in months_with_filings(base_year):
        refresh(base_year, 12)  # a staff POST (or the demo's preparation), never a read
    cities = list(Division.objects.filter(level="city").values_list("code", flat=True))
    counties = list(Division.objects.filter(level="county").values_list("code", "parent_id"))
    manual = set(Target.objects.filter(year=year, method=Target.Method.MANUAL).values_list("indicator", "division_id"))
    written = 0
    for ind in load_catalogue():
        target = ind.target or {}
        if target.get("year") != year or target.get("comparator") == "faster_than" or target.get("value") is None:
            continue
        base = _base_values(ind.id, base_year)
        province_target = float(target["value"])
        if ind.kind == "count":
            city_targets = allocate_count(int(province_target), {c: base.get(c) or 0 for c in cities}, floor_share=0.2)
        else:
            level = {"direction": ind.direction, "decimals": ind.precision}
            city_targets = allocate_level(province_target, base.get("330000"), {c: base.get(c) for c in cities}, **level)
        county_targets: dict[str, float] = {}
        for city in cities:
            members = {code: base.get(code) for code, parent in counties if parent == city}
            if ind.kind == "count":
                county_targets.update(
                    allocate_count(int(city_targets[city]), {k: v or 0 for k, v in members.items()}, floor_share=0.2)
                )
            else:
                county_targets.update(allocate_level(city_targets[city], base.get(city), members, **level))
        for code, value in {**city_targets, **county_targets}.items():
            if (ind.id, code) in manual:
                continue
            Target.objects.update_or_create(
                indicator=ind.id, division_id=code, year=year,
                defaults={"value": float(value), "method": Target.Method.DEFAULT},
            )
            written += 1
    return written


def can_edit_target(user, division: Division) -> bool:
    """Province staff edit their cities' targets; city staff their counties'. Nobody else."""
    if user.is_superuser:
        return True
    if user.role == "province_staff" and division.level == "city":
        return True
    return user.role == "city_staff" and division.level == "county" and division.parent_id == user.division_id


def set_target(user, indicator: str, division_code: str, year: int, value: float, note: str = "") -> Target:
    """Edit a region's target (audited through the model's save)."""
    from xinzhi.core.inputs import check_number

    division = Division.objects.get(code=division_code)
    if not can_edit_target(user, division):
        raise PermissionDenied("无权修改该地区的目标")
    ind = next((i for i in load_catalogue() if i.id == indicator), None)
    if ind is None:
        raise ValidationError({"indicator": f"未知指标“{indicator}”"})
    # finite, within the unit's range (percent 0–100, counts non-negative integers; growth rates signed)
    value = check_number(value, ind.unit, signed=ind.kind == "relative", label="目标值")
    target, _ = Target.objects.update_or_create(
        indicator=indicator, division=division, year=year,
        defaults={"value": value, "method": Target.Method.MANUAL, "note": note},
    )
    return target
