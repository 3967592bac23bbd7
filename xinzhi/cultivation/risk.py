"""Risk signals and the seeded stratified draw for on-site verification (实地核查) and enforcement
inspection (执法检查) of certified HTEs and tech-SMEs (seed task 4). Pure: numpy + Polars.

Risk signals (each 0/1, from the current and previous year's packages, columnar). Each sits just above an
official threshold read from the parameters; the margins and weights are this platform's heuristics, in
``risk_signals.toml`` (not official figures):

* ``rd_ratio_margin``: latest-year R&D (HTE scope) / sales just above the tier's ratio (``hte.rd_ratio_scale``);
* ``ht_revenue_margin``: high-tech revenue / total revenue just above ``hte.high_tech_revenue_min_share``;
* ``st_staff_near_10``: S&T staff / total staff just above ``hte.st_staff_min_share``;
* ``jump``: R&D expenses or high-tech revenue up sharply on the previous year's package, or the S&T share;
* ``sme_score_margin``: tech-SME score just above ``tech_sme.score.pass_min``.

weight = 1 + Σ signal × weight: an enterprise with no signal can still be drawn (every certified
enterprise has a chance — the draw is a check, not an accusation).

The draw: strata = cities (the first 4 digits of the county code); the sample size is allocated
to strata in proportion to their population (largest remainder, at least 1 per non-empty stratum
while the size allows); within a stratum, weighted sampling without replacement by Gumbel top-k
(Efraimidis–Spirakis) with one ``numpy.random.default_rng(seed)``; strata and their members are
visited in a fixed order (stratum code, programme, enterprise id), so the same population and seed
give the same list.
"""

from __future__ import annotations

import tomllib
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from xinzhi.policy.conditions import WIDE, reaches
from xinzhi.policy.params import ParameterView, as_fraction
from xinzhi.policy.variables.hte import rd_now

with open(Path(__file__).with_name("risk_signals.toml"), "rb") as _fh:
    SIGNALS: dict[str, dict[str, Any]] = tomllib.load(_fh, parse_float=Decimal)

WEIGHTS = {key: float(s["weight"]) for key, s in SIGNALS.items()}
SIGNAL_LABELS = {key: s["label"] for key, s in SIGNALS.items()}


def _just_above(num: pl.Expr, den: pl.Expr, t: Fraction, margin: Fraction) -> pl.Expr:
    """t ≤ num / den < t + margin (exact)."""
    return reaches(num, den, t) & ~reaches(num, den, t + margin)


def signals(current: pl.DataFrame, previous: pl.DataFrame | None, v: ParameterView,
            sme_scores: pl.DataFrame | None = None) -> pl.DataFrame:
    """``enterprise_id`` + one boolean column per signal + ``weight``.

    ``current``/``previous``: flat frames (:mod:`xinzhi.policy.frame`) with ``enterprise_id``;
    ``sme_scores``: ``enterprise_id, tech_sme_score`` from the screening.
    """
    k = WIDE
    tiers = v("hte.rd_ratio_scale")
    cur = current.with_columns(_rd=rd_now(v, k).cast(pl.Int64))
    sales, rd = k.col("sales"), k.col("_rd")
    rd_margin = as_fraction(SIGNALS["rd_ratio_margin"]["above"])
    tier_exprs = []
    lower = None
    for t in tiers:
        in_tier = sales <= k.lit(t["sales_up_to"] * 100) if "sales_up_to" in t else pl.lit(True)
        if lower is not None:
            in_tier = in_tier & (sales > k.lit(lower))
        lower = t.get("sales_up_to", 0) * 100
        tier_exprs.append(in_tier & _just_above(rd, sales, Fraction(t["min_ratio"]), rd_margin))
    ht, tr = k.col("high_tech_revenue"), k.col("total_revenue")
    st, total = k.col("st_staff"), k.col("staff_total")
    out = cur.select(
        "enterprise_id",
        rd_ratio_margin=pl.any_horizontal(tier_exprs).fill_null(False),
        ht_revenue_margin=_just_above(ht, tr, v.fraction("hte.high_tech_revenue_min_share"),
                                      as_fraction(SIGNALS["ht_revenue_margin"]["above"])).fill_null(False),
        st_staff_near_10=_just_above(st, total, v.fraction("hte.st_staff_min_share"),
                                     as_fraction(SIGNALS["st_staff_near_10"]["above"])).fill_null(False),
        _rd=pl.col("_rd"), _ht=pl.col("high_tech_revenue"), _st=pl.col("st_staff"), _total=pl.col("staff_total"),
    )
    if previous is not None and previous.height:
        jump = SIGNALS["jump"]
        growth = 1 + as_fraction(jump["growth"])
        points = as_fraction(jump["share_points"])
        prev = previous.with_columns(_rd=rd_now(v, k).cast(pl.Int64)).select(
            "enterprise_id", _prd=pl.col("_rd"), _pht=pl.col("high_tech_revenue"), _pst=pl.col("st_staff"),
            _ptotal=pl.col("staff_total"))
        out = out.join(prev, on="enterprise_id", how="left")
        c = {name: pl.col(name).cast(pl.Int128) for name in ("_rd", "_prd", "_ht", "_pht", "_st", "_pst", "_total", "_ptotal")}

        def up(now: pl.Expr, before: pl.Expr) -> pl.Expr:  # now / before > 1 + growth
            return (before > 0) & (now * growth.denominator > before * growth.numerator)

        # st/total − pst/ptotal > points ⇔ q·(st·ptotal − pst·total) > p·total·ptotal (totals > 0)
        share_up = (c["_ptotal"] > 0) & (c["_total"] > 0) & (
            (c["_st"] * c["_ptotal"] - c["_pst"] * c["_total"]) * points.denominator
            > c["_total"] * c["_ptotal"] * points.numerator)
        out = out.with_columns(jump=(up(c["_rd"], c["_prd"]) | up(c["_ht"], c["_pht"]) | share_up).fill_null(False))
    else:
        out = out.with_columns(jump=pl.lit(False))
    if sme_scores is not None and sme_scores.height:
        need = v("tech_sme.score.pass_min")
        out = out.join(sme_scores.select("enterprise_id", "tech_sme_score"), on="enterprise_id", how="left")
        out = out.with_columns(sme_score_margin=pl.col("tech_sme_score").is_between(
            need, need + int(SIGNALS["sme_score_margin"]["points"]), closed="left").fill_null(False))
    else:
        out = out.with_columns(sme_score_margin=pl.lit(False))
    weight = pl.lit(1.0) + pl.sum_horizontal([pl.col(k_).cast(pl.Float64) * w for k_, w in WEIGHTS.items()])
    return out.select("enterprise_id", *WEIGHTS, weight=weight)


def allocate(sizes: np.ndarray, total: int) -> np.ndarray:
    """Sample size per stratum: proportional (largest remainder), ≥ 1 per non-empty stratum while
    ``total`` allows, never more than the stratum holds."""
    sizes = np.asarray(sizes, dtype=np.int64)
    total = int(min(total, sizes.sum()))
    out = np.zeros(len(sizes), dtype=np.int64)
    if total <= 0:
        return out
    nonempty = np.flatnonzero(sizes > 0)
    if total >= len(nonempty):
        out[nonempty] = 1
    remaining = total - out.sum()
    while remaining > 0:
        room = sizes - out
        raw = sizes / sizes.sum() * total - out
        raw = np.where(room > 0, raw, -np.inf)
        order = np.argsort(-raw, kind="stable")
        for i in order[:remaining]:
            if room[i] > 0:
                out[i] += 1
        remaining = total - out.sum()
    return out


def draw(population: pl.DataFrame, size: int, seed: int) -> pl.DataFrame:
    """Seeded stratified weighted draw. ``population``: ``enterprise_id, program, stratum, weight``
    (+ any columns, carried). Returns the drawn rows with ``rank`` (1…) in draw order."""
    pop = population.sort(["stratum", "program", "enterprise_id"])
    strata = pop["stratum"].unique(maintain_order=True).to_list()
    counts = np.array([pop.filter(pl.col("stratum") == s).height for s in strata])
    quota = allocate(counts, size)
    rng = np.random.default_rng(seed)
    picked = []
    for stratum, k in zip(strata, quota.tolist(), strict=True):
        members = pop.filter(pl.col("stratum") == stratum)
        weights = members["weight"].to_numpy().astype(float)
        keys = np.log(weights) + rng.gumbel(size=len(weights))
        if k == 0:
            continue
        order = np.argsort(-keys, kind="stable")[:k]
        picked.append(members[order.tolist()])
    if not picked:
        return pop.head(0).with_columns(rank=pl.lit(0, dtype=pl.Int64))
    out = pl.concat(picked)
    return out.with_columns(rank=pl.int_range(1, out.height + 1, dtype=pl.Int64))
