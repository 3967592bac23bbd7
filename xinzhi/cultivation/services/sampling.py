"""On-site verification and enforcement sampling (seed task 4): a seeded, stratified, risk-weighted draw.

The method (signals, weights, strata, the draw) is in :mod:`xinzhi.cultivation.risk`; here the
population (certified HTEs and tech-SMEs of the year in the drawing user's region) and the records.
"""

from __future__ import annotations

import secrets
from datetime import date

import polars as pl
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from xinzhi.accounts.permissions import require
from xinzhi.core.bulk import read_frame
from xinzhi.core.scope import region_prefix
from xinzhi.policy.params import load_parameters

from .. import risk
from ..models import Outcome, SamplingDraw, SamplingItem
from .screening import current_frame, hte_holders, latest_run

PROGRAMS = ("hte", "tech_sme")


def population(year: int, division: str, programs: tuple[str, ...] = PROGRAMS) -> pl.DataFrame:
    """Certified enterprises of ``year`` under ``division`` with their risk signals and weight."""
    prefix = region_prefix(division)
    # HTEs: a valid certificate on 31 December of the year (the one definition, xinzhi.policy.validity)
    hte = hte_holders(date(year, 12, 31), prefix).with_columns(program=pl.lit("hte"))
    certified = read_frame(
        "SELECT DISTINCT c.enterprise_id, c.program, e.division_code FROM cultivation_certification c "
        "JOIN enterprises_enterprise e ON e.id = c.enterprise_id WHERE e.division_code LIKE %s AND "
        "c.program = 'tech_sme' AND c.year = %s",
        [prefix + "%", year],
    )
    divisions = read_frame("SELECT id AS enterprise_id, division_code FROM enterprises_enterprise WHERE division_code LIKE %s",
                           [prefix + "%"]) if hte.height else None
    parts = []
    if certified.height:
        parts.append(certified.select(pl.col("enterprise_id").cast(pl.Int64), pl.col("program").cast(pl.String),
                                      pl.col("division_code").cast(pl.String)))
    if hte.height:
        divisions = divisions.select(pl.col("enterprise_id").cast(pl.Int64), pl.col("division_code").cast(pl.String))
        parts.append(hte.join(divisions, on="enterprise_id", how="inner").select("enterprise_id", "program", "division_code"))
    if not parts:
        return pl.DataFrame()
    certified = pl.concat(parts).sort("program", "enterprise_id").filter(pl.col("program").is_in(programs))
    view = load_parameters().at(date(year, 12, 31))
    current = current_frame(year, prefix)
    if current.height:
        previous = current_frame(year - 1, prefix)
        run = latest_run(year)
        scores = None
        if run is not None:
            scores = read_frame("SELECT enterprise_id, score AS tech_sme_score FROM cultivation_screeningresult "
                                "WHERE run_id = %s AND program = 'tech_sme' AND division_code LIKE %s",
                                [run.pk, prefix + "%"])
            scores = scores.select(pl.col("enterprise_id").cast(pl.Int64), pl.col("tech_sme_score").cast(pl.Int64)) \
                if scores.height else None
        sig = risk.signals(current, previous if previous.height else None, view, scores)
        certified = certified.join(sig, on="enterprise_id", how="left")
    for key in risk.WEIGHTS:
        if key not in certified.columns:
            certified = certified.with_columns(pl.lit(False).alias(key))
    if "weight" not in certified.columns:
        certified = certified.with_columns(weight=pl.lit(1.0))
    certified = certified.with_columns([pl.col(k).fill_null(False) for k in risk.WEIGHTS]).with_columns(
        pl.col("weight").fill_null(1.0), stratum=pl.col("division_code").str.slice(0, 4) + "00")
    # an HTE's tech-SME-only signal does not count for its HTE check and vice versa
    return certified.with_columns(
        sme_score_margin=pl.col("sme_score_margin") & (pl.col("program") == "tech_sme"),
    ).with_columns(weight=pl.lit(1.0) + pl.sum_horizontal([pl.col(k).cast(pl.Float64) * w
                                                          for k, w in risk.WEIGHTS.items()]))


def select(year: int, division: str, size: int, seed: int, programs: tuple[str, ...] = PROGRAMS) -> pl.DataFrame:
    """The drawn rows (deterministic for the same data, size and seed)."""
    pop = population(year, division, programs)
    if pop.height == 0:
        return pop
    return risk.draw(pop, size, seed)


@transaction.atomic
def create_draw(user, year: int, size: int, seed: int | None = None, programs: tuple[str, ...] = PROGRAMS,
                division: str | None = None) -> SamplingDraw:
    """Draw and record: the seed (given or fresh), the method and weights, one item per enterprise drawn."""
    require(user, "cultivation.sampling.draw")
    division = division or user.division_id
    if not division or (user.division_id and not division.startswith(region_prefix(user.division_id))):
        raise PermissionDenied("抽查范围超出您的管辖区域")
    if size <= 0 or size > 5000:
        raise ValidationError("抽取数量应在1至5000之间")
    seed = int(seed) if seed is not None else secrets.randbelow(2**31)
    pop = population(year, division, programs)
    drawn = risk.draw(pop, size, seed) if pop.height else pop
    sampling = SamplingDraw(year=year, seed=seed, size=size, programs=list(programs), division_id=division,
                            population=pop.height, created_by=user,
                            method={"weights": risk.WEIGHTS, "strata": "city", "algorithm": "gumbel-top-k",
                                    "signals": risk.SIGNAL_LABELS})
    sampling.save()
    items = [
        SamplingItem(draw=sampling, enterprise_id=row["enterprise_id"], division_id=row["division_code"],
                     program=row["program"], rank=row["rank"], stratum=row["stratum"], weight=row["weight"],
                     signals=[k for k in risk.WEIGHTS if row[k]])
        for row in drawn.iter_rows(named=True)
    ]
    SamplingItem.objects.bulk_create(items)
    return sampling


def redraw(sampling: SamplingDraw) -> list[tuple[int, str]]:
    """Re-run a recorded draw with its seed: the (enterprise, programme) list in draw order."""
    drawn = select(sampling.year, sampling.division_id, sampling.size, sampling.seed, tuple(sampling.programs))
    return [(r["enterprise_id"], r["program"]) for r in drawn.iter_rows(named=True)] if drawn.height else []


def record_outcome(user, item: SamplingItem, outcome: str, note: str = "") -> SamplingItem:
    """Record an inspection outcome (staff whose region covers the enterprise)."""
    require(user, "cultivation.sampling.record")
    if not SamplingItem.objects.restrict(user, "change").filter(pk=item.pk).exists():
        raise PermissionDenied("无权记录该企业的核查结果")
    if outcome not in Outcome.values:
        raise ValidationError("核查结果无效")
    if outcome in (Outcome.DISCREPANCY, Outcome.REVOKE) and not note.strip():
        raise ValidationError("发现问题或建议取消资格须填写核查说明")
    item.outcome, item.note = outcome, note.strip()[:500]
    item.inspected_by, item.inspected_at = user, timezone.now()
    item.save(update_fields=["outcome", "note", "inspected_by", "inspected_at"])
    return item
