"""Screening: one enterprise (``xinzhi.policy.screen``, the one-row case) and the whole register
(``xinzhi.policy.register`` over the same engine), the 应享尽享 list, the cultivation pool and the counts
by region.
"""

from __future__ import annotations

import time
from datetime import date
from typing import Any

import polars as pl
from django.db import connection, transaction
from django.db.models import Count, F, Q, Value
from django.db.models.functions import Concat, Substr

from xinzhi.core.audit import log_bulk_changes
from xinzhi.core.bulk import insert_frame, read_frame
from xinzhi.core.scope import region_prefix
from xinzhi.policy.engine import YearNotCovered, check_year
from xinzhi.policy.frame import frame_from_json
from xinzhi.policy.params import ParameterTree, load_parameters
from xinzhi.policy.register import long_results, screen_all
from xinzhi.policy.screen import screen
from xinzhi.policy.validity import holders

from ..models import AnnualPackage, ScreeningResult, ScreeningRun
from .packages import validate

RESULT_COLUMNS = ("run_id", "enterprise_id", "division_code", "year", "program", "eligible", "score", "failed",
                  "gap_text", "gap_amount", "gap_staff", "gap_points", "near", "holds", "benefit")


# --------------------------------------------------------------------------- one enterprise


def enterprise_answers(enterprise, year: int | None = None) -> dict[str, Any] | None:
    """``screen()`` of the enterprise's current valid package (latest year if ``year`` is None):
    ``{"result", "package"}``, ``{"errors", "package"}`` when it no longer validates, or
    ``{"refused", "package"}`` (a Chinese sentence) for a year the parameters do not cover."""
    qs = AnnualPackage.objects.filter(enterprise=enterprise, is_current=True, status="valid")
    if year:
        qs = qs.filter(year=year)
    package = qs.order_by("-year").first()
    if package is None:
        return None
    parsed, errors = validate(package.data)
    if parsed is None:  # parameters or rules changed since it was stored
        return {"errors": errors, "package": package}
    try:
        return {"result": screen(parsed, package.year), "package": package}
    except YearNotCovered as exc:
        return {"refused": str(exc), "package": package}


# --------------------------------------------------------------------------- the register


def _data_sql() -> str:
    return "p.data::text" if connection.vendor == "postgresql" else "p.data"


def current_frame(year: int, prefix: str = "") -> pl.DataFrame:
    """Flat frame (``enterprise_id``, ``division_code`` + the screening columns) of the year's current
    valid packages, optionally limited to counties starting with ``prefix``."""
    sql = (f"SELECT p.enterprise_id, p.division_code, {_data_sql()} AS data FROM cultivation_annualpackage p "
           "WHERE p.year = %s AND p.is_current = %s AND p.status = 'valid'")
    params: list[Any] = [year, True]
    if prefix:
        sql += " AND p.division_code LIKE %s"
        params.append(prefix + "%")
    raw = read_frame(sql + " ORDER BY p.enterprise_id", params)
    if raw.height == 0:
        return pl.DataFrame()
    ids = raw.select(pl.col("enterprise_id").cast(pl.Int64), pl.col("division_code").cast(pl.String))
    frame = frame_from_json(raw["data"].cast(pl.String), ids)
    return frame.with_columns(city_code=pl.col("division_code").str.slice(0, 4) + "00")


def hte_holders(on: date, prefix: str = "") -> pl.DataFrame:
    """``enterprise_id`` (Int64) of enterprises holding a valid HTE certificate on ``on`` — the one definition
    (:mod:`xinzhi.policy.validity`, validity from ``hte.validity_years``), optionally within a region prefix."""
    sql = ("SELECT c.enterprise_id, c.program, c.year, c.issued_on, c.expires_on FROM cultivation_certification c "
           "JOIN enterprises_enterprise e ON e.id = c.enterprise_id WHERE c.program = 'hte' AND e.division_code LIKE %s")
    certs = read_frame(sql, [prefix + "%"])
    if certs.height == 0:
        return pl.DataFrame(schema={"enterprise_id": pl.Int64})
    certs = certs.with_columns(
        pl.col("enterprise_id").cast(pl.Int64), pl.col("program").cast(pl.String), pl.col("year").cast(pl.Int64),
        *[pl.col(c).cast(pl.String).str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False) for c in ("issued_on", "expires_on")],
    )
    return holders(certs, on, load_parameters())


def holdings_frame(year: int) -> pl.DataFrame:
    """(enterprise_id, program) pairs already certified / listed for ``year`` (``holds`` = True).

    HTE: a valid certificate on the screening's assessment date (31 December of ``year``)."""
    frame = read_frame(
        "SELECT enterprise_id, 'advanced_service' AS program FROM cultivation_certification "
        "WHERE program = 'advanced_service' AND issued_on <= %s AND (expires_on IS NULL OR expires_on >= %s) "
        "UNION SELECT enterprise_id, 'tech_sme' FROM cultivation_certification WHERE program = 'tech_sme' AND year = %s "
        "UNION SELECT enterprise_id, 'advanced_manufacturing' FROM cultivation_listentry "
        "WHERE year = %s AND status = 'published'",
        [date(year, 12, 31).isoformat(), date(year, 1, 1).isoformat(), year, year],
    )
    hte = hte_holders(date(year, 12, 31)).with_columns(program=pl.lit("hte"))
    if frame.height:
        frame = frame.select(pl.col("enterprise_id").cast(pl.Int64), pl.col("program").cast(pl.String))
        frame = pl.concat([hte.select("enterprise_id", "program"), frame])
    else:
        frame = hte.select("enterprise_id", "program")
    if frame.height == 0:
        return pl.DataFrame(schema={"enterprise_id": pl.Int64, "program": pl.String, "holds": pl.Boolean})
    return frame.select(pl.col("enterprise_id").cast(pl.Int64), pl.col("program").cast(pl.String),
                        holds=pl.lit(True))


def results_for(frame: pl.DataFrame, year: int, tree: ParameterTree | None = None) -> pl.DataFrame:
    """Long results (one row per enterprise and programme) of a flat frame, with ``holds``."""
    tree = tree or load_parameters()
    long = long_results(screen_all(frame, year, tree), year, tree)
    # recognitions: certified / listed in the database; tax incentives: the package's claim flags
    return long.join(holdings_frame(year), on=["enterprise_id", "program"], how="left", maintain_order="left") \
        .with_columns(holds=pl.coalesce("holds", "holds_pkg", pl.lit(False)), year=pl.lit(year)).drop("holds_pkg")


@transaction.atomic
def run_screening(year: int, user=None, frame: pl.DataFrame | None = None) -> ScreeningRun:
    """Screen every current valid package of ``year`` and replace the year's stored results.

    Columnar end to end: JSON → flat frame → expressions → ``insert_frame``. The run is audited
    (django-auditlog on ``ScreeningRun``); the removed results of earlier runs are noted on it.
    """
    started = time.perf_counter()
    check_year(year)  # a year the parameters do not cover: YearNotCovered (a Chinese sentence), nothing written
    frame = current_frame(year) if frame is None else frame
    old = list(ScreeningRun.objects.filter(year=year).values_list("pk", flat=True))
    if old:
        ScreeningResult.objects.filter(run_id__in=old).delete()
        ScreeningRun.objects.filter(pk__in=old).delete()
    run = ScreeningRun.objects.create(year=year, assessed_on=date(year, 12, 31),
                                      created_by=user if getattr(user, "pk", None) else None)
    if frame.height:
        long = results_for(frame, year).with_columns(
            run_id=pl.lit(run.pk, dtype=pl.Int64),
            failed=pl.col("failed").str.slice(0, 200), gap_text=pl.col("gap_text").str.slice(0, 1000))
        insert_frame(ScreeningResult._meta.db_table, long.select(RESULT_COLUMNS))
        run.result_count = long.height
    run.enterprise_count = frame.height
    run.duration_ms = int((time.perf_counter() - started) * 1000)
    run.save(update_fields=["enterprise_count", "result_count", "duration_ms"])
    if old:
        log_bulk_changes(ScreeningRun, [(run.pk, str(run), {"replaced_runs": [",".join(map(str, old)), str(run.pk)]})],
                         actor=user if getattr(user, "pk", None) else None)
    return run


def latest_run(year: int | None = None) -> ScreeningRun | None:
    qs = ScreeningRun.objects.all()
    if year:
        qs = qs.filter(year=year)
    return qs.order_by("-id").first()


def results(user, run: ScreeningRun, program: str, division: str = ""):
    """The run's results for ``program`` the user may see (``restrict``), optionally within a region."""
    qs = ScreeningResult.objects.restrict(user).filter(run=run, program=program).select_related(
        "enterprise", "division")
    if division:
        qs = qs.filter(division__code__startswith=region_prefix(division))
    return qs


def unclaimed(user, run: ScreeningRun, program: str, division: str = ""):
    """应享尽享: eligible but not certified / not listed."""
    return results(user, run, program, division).filter(eligible=True, holds=False).order_by("division_id", "enterprise_id")


def pool(user, run: ScreeningRun, program: str, division: str = ""):
    """Cultivation pool: near-eligible, smallest gap first (yuan, then staff, then points)."""
    from django.db.models import F

    return results(user, run, program, division).filter(near=True, holds=False).order_by(
        F("gap_amount").asc(nulls_first=True), F("gap_staff").asc(nulls_first=True),
        F("gap_points").asc(nulls_first=True), "enterprise_id")


def counts_by_region(year: int, user=None, level: str = "county") -> pl.DataFrame:
    """Per county (or city) and programme: screened, eligible, unclaimed (应享未享), near-eligible.

    Scoped through ``restrict()``: a user gets the counties under their division, a user without a valid
    scope nothing. ``user`` None: the whole province (commands). Used by the cockpit/map (JSON endpoint).
    """
    run = latest_run(year)
    schema = {"division_code": pl.String, "program": pl.String, "screened": pl.Int64, "eligible": pl.Int64,
              "unclaimed": pl.Int64, "near": pl.Int64}
    if run is None:
        return pl.DataFrame(schema=schema)
    results = ScreeningResult.objects.filter(run=run) if user is None else ScreeningResult.objects.restrict(user).filter(run=run)
    region = F("division_id") if level == "county" else Concat(Substr("division_id", 1, 4), Value("00"))
    rows = list(results.annotate(region=region).values("region", "program").annotate(
        screened=Count("pk"), eligible_n=Count("pk", filter=Q(eligible=True)),
        unclaimed=Count("pk", filter=Q(eligible=True, holds=False)),
        near_n=Count("pk", filter=Q(near=True, holds=False)),
    ).order_by("region", "program"))
    if not rows:
        return pl.DataFrame(schema=schema)
    frame = pl.DataFrame(rows).rename({"region": "division_code", "eligible_n": "eligible", "near_n": "near"})
    return frame.select([pl.col(c).cast(t) for c, t in schema.items()])
