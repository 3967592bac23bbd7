"""Risk signals and the seeded stratified draw for on-site verification (实地核查) and enforcement
inspection (执法检查) of certified HTEs and tech-SMEs (seed task 4). Pure: numpy + Polars.

Risk signals (each 0/1, computed from the current and previous year's packages, columnar):

=====================  ==========================================================================  ======
signal                 rule                                                                        weight
=====================  ==========================================================================  ======
``rd_ratio_margin``    latest-year R&D (HTE scope) / sales within 0.5 percentage points above       2.0
                       the tier threshold (5% / 4% / 3%, 国科发火〔2016〕32号 第十一条第（五）项)
``ht_revenue_margin``  high-tech revenue / total revenue in [60%, 62%) (第十一条第（六）项)         2.0
``st_staff_near_10``   S&T staff / total staff in [10%, 11%) (第十一条第（四）项)                  2.0
``jump``               R&D expenses or high-tech revenue up more than 50% on the previous           1.5
                       year's package, or the S&T staff share up more than 5 points
``sme_score_margin``   tech-SME score in [60, 65) (国科发政〔2017〕115号 第六条第（五）项)        1.5
=====================  ==========================================================================  ======

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

from fractions import Fraction

import numpy as np
import polars as pl

from xinzhi.policy.bulk import hte_rd_now
from xinzhi.policy.params import ParameterView

WEIGHTS = {"rd_ratio_margin": 2.0, "ht_revenue_margin": 2.0, "st_staff_near_10": 2.0, "jump": 1.5,
           "sme_score_margin": 1.5}
SIGNAL_LABELS = {"rd_ratio_margin": "研发费用占比刚过门槛", "ht_revenue_margin": "高新技术产品收入占比刚过60%",
                 "st_staff_near_10": "科技人员占比接近10%", "jump": "指标较上年跳升", "sme_score_margin": "科小评价得分刚过60分"}


def _ratio_at_least(num: pl.Expr, den: pl.Expr, t: Fraction) -> pl.Expr:
    return (den > 0) & (num * t.denominator >= den * t.numerator)


def signals(current: pl.DataFrame, previous: pl.DataFrame | None, v: ParameterView,
            sme_scores: pl.DataFrame | None = None) -> pl.DataFrame:
    """``enterprise_id`` + one boolean column per signal + ``weight``.

    ``current``/``previous``: flat frames (:mod:`xinzhi.cultivation.flat`) with ``enterprise_id``;
    ``sme_scores``: ``enterprise_id, tech_sme_score`` from the screening.
    """
    tiers = v("hte.rd_ratio_scale")
    cur = current.with_columns(_rd=hte_rd_now(v).cast(pl.Int64))
    sales, rd = pl.col("sales").cast(pl.Int128), pl.col("_rd").cast(pl.Int128)
    margin = Fraction(1, 200)
    tier_exprs = []
    lower = None
    for t in tiers:
        threshold = Fraction(t["min_ratio"])
        in_tier = sales <= t["sales_up_to"] * 100 if "sales_up_to" in t else pl.lit(True)
        if lower is not None:
            in_tier = in_tier & (sales > lower)
        lower = t.get("sales_up_to", 0) * 100
        tier_exprs.append(in_tier & _ratio_at_least(rd, sales, threshold)
                          & ~_ratio_at_least(rd, sales, threshold + margin))
    ht = pl.col("high_tech_revenue").cast(pl.Int128)
    tr = pl.col("total_revenue").cast(pl.Int128)
    st, total = pl.col("st_staff").cast(pl.Int128), pl.col("staff_total").cast(pl.Int128)
    share = v.fraction("hte.st_staff_min_share")
    out = cur.select(
        "enterprise_id",
        rd_ratio_margin=pl.any_horizontal(tier_exprs).fill_null(False),
        ht_revenue_margin=(_ratio_at_least(ht, tr, v.fraction("hte.high_tech_revenue_min_share"))
                           & ~_ratio_at_least(ht, tr, Fraction(62, 100))).fill_null(False),
        st_staff_near_10=(_ratio_at_least(st, total, share) & ~_ratio_at_least(st, total, share + Fraction(1, 100)))
        .fill_null(False),
        _rd=pl.col("_rd"), _ht=pl.col("high_tech_revenue"), _st=pl.col("st_staff"), _total=pl.col("staff_total"),
    )
    if previous is not None and previous.height:
        prev = previous.with_columns(_rd=hte_rd_now(v).cast(pl.Int64)).select(
            "enterprise_id", _prd=pl.col("_rd"), _pht=pl.col("high_tech_revenue"), _pst=pl.col("st_staff"),
            _ptotal=pl.col("staff_total"))
        out = out.join(prev, on="enterprise_id", how="left")
        jump = (((pl.col("_prd") > 0) & (pl.col("_rd") * 2 > pl.col("_prd") * 3))
                | ((pl.col("_pht") > 0) & (pl.col("_ht") * 2 > pl.col("_pht") * 3))
                | ((pl.col("_ptotal") > 0) & (pl.col("_total") > 0)
                   & (pl.col("_st").cast(pl.Float64) / pl.col("_total") - pl.col("_pst").cast(pl.Float64) / pl.col("_ptotal")
                      > 0.05)))
        out = out.with_columns(jump=jump.fill_null(False))
    else:
        out = out.with_columns(jump=pl.lit(False))
    if sme_scores is not None and sme_scores.height:
        out = out.join(sme_scores.select("enterprise_id", "tech_sme_score"), on="enterprise_id", how="left")
        out = out.with_columns(sme_score_margin=pl.col("tech_sme_score").is_between(60, 64).fill_null(False))
    else:
        out = out.with_columns(sme_score_margin=pl.lit(False))
    weight = pl.lit(1.0) + pl.sum_horizontal([pl.col(k).cast(pl.Float64) * w for k, w in WEIGHTS.items()])
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
