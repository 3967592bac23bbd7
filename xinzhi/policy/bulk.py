"""Columnar screening of the register: the HTE and tech-SME rules as Polars expressions.

One row per enterprise (``frame_from_packages``), every rule an expression over the columns, so
the whole register is screened in one pass. The expressions implement the same rules, with the
same parameters and the same exact integer arithmetic (money in fen, ratios compared by
cross-multiplication in Int128, or Int64 where a bound check shows it cannot overflow) as the scalar
engine in :mod:`xinzhi.policy.rules`; a test checks that both agree row by row.

The what-if (parameters changed in memory, never the files) compares two runs of every programme:
:func:`xinzhi.cultivation.programs.compare`.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from fractions import Fraction
from typing import Any

import polars as pl

from . import validity
from .package import AnnualPackage
from .params import ParameterTree, ParameterView, load_parameters
from .rules import hte as hte_rules
from .rules import rd_super_deduction as rd_rules
from .rules.common import to_fen

I128 = pl.Int128

# --------------------------------------------------------------------------- flattening


def _fen(value: Any) -> int | None:
    return None if value is None else to_fen(value)


def flatten(p: AnnualPackage) -> dict[str, Any]:
    """One row of plain columns (money in fen) for a package.

    Lists are reduced to what the rules read: the last incident dates, the latest award/standard
    years, the conversion sum and count.
    """
    prior = {y.year: y for y in p.prior_years}
    p1, p2 = prior.get(p.year - 1), prior.get(p.year - 2)
    on = p.assessment_date
    hte_incidents = [i.date for i in p.incidents if i.type in hte_rules.HTE_INCIDENTS and i.date <= on]
    any_incident_years = [i.date.year for i in p.incidents if i.date.year <= on.year]
    rd = p.rd_expense
    return {
        "uscc": p.uscc, "year": p.year, "assessment_date": on, "registration_date": p.registration_date,
        "industry_code": p.industry_code, "industry_section": p.industry_section, "industry_division": p.industry_code[:2],
        "sales": to_fen(p.revenue.sales_revenue), "total_revenue": to_fen(p.revenue.total_revenue),
        "high_tech_revenue": to_fen(p.revenue.high_tech_revenue), "total_costs": _fen(p.revenue.total_costs_expenses),
        "total_assets": to_fen(p.total_assets), "net_assets": to_fen(p.net_assets),
        "rd_personnel": to_fen(rd.personnel), "rd_direct": to_fen(rd.direct_input), "rd_depr": to_fen(rd.depreciation),
        "rd_amort": to_fen(rd.amortisation), "rd_design": to_fen(rd.design_and_trials),
        "rd_equip": to_fen(rd.equipment_debugging), "rd_other": to_fen(rd.other),
        "rd_ent_dom": to_fen(rd.entrusted_domestic), "rd_ent_abr": to_fen(rd.entrusted_abroad),
        "rd_in_china": _fen(rd.in_china),
        "staff_total": p.staff.total, "st_staff": p.staff.st_staff,
        "sales_p1": _fen(p1.sales_revenue if p1 else None), "sales_p2": _fen(p2.sales_revenue if p2 else None),
        "na_p1": _fen(p1.net_assets if p1 else None), "na_p2": _fen(p2.net_assets if p2 else None),
        "rd_p1": _fen(p1.rd_expense if p1 else None), "rd_p2": _fen(p2.rd_expense if p2 else None),
        "class1": p.ip.class1, "class1_own": p.ip.class1_own, "class2": p.ip.class2, "class2_own": p.ip.class2_own,
        "class2_used": p.ip.class2_used_before,
        "conv_sum": sum(p.conversions), "conv_n": len(p.conversions),
        "participated_standard": p.holdings.participated_standard, "hte_field": p.holdings.hte_field,
        **{f"expert_{k}": getattr(p.expert_scores, k) for k in EXPERT_KEYS},
        "last_hte_incident": max(hte_incidents) if hte_incidents else None,
        "last_incident_year": max(any_incident_years) if any_incident_years else None,
        "registered_in_mainland": p.compliance.registered_in_mainland,
        "restricted_category": p.compliance.restricted_category,
        "collection_audit": p.tax.collection_method == "audit",
        "hte_issue": p.holdings.hte_certificate_issue_date,
        "provincial_rd_institution": p.holdings.provincial_rd_institution,
        "last_award_year": max((y for y in p.holdings.national_award_years if y <= on.year), default=None),
        "last_led_standard_year": max((y for y in p.holdings.led_standard_years if y <= on.year), default=None),
        **tax_columns(p),
    }


def tax_columns(p: AnnualPackage) -> dict[str, Any]:
    """The columns the tax incentives read (money in fen; losses and qualified years kept as lists)."""
    t, r = p.tax, p.revenue
    return {
        "rd_capitalised": to_fen(p.rd_expense.capitalised), "rd_cap_amort": to_fen(p.rd_expense.capitalised_amortisation),
        "rd_special": t.ic_enterprise or t.industrial_mother_machine_enterprise,
        "mfg_sales": to_fen(r.manufacturing_sales), "export_sales": to_fen(r.export_sales),
        "vat_general": t.vat_general_taxpayer, "other_vat_chosen": t.other_vat_deduction_chosen,
        "input_vat": to_fen(t.creditable_input_vat), "input_vat_out": to_fen(t.input_vat_transferred_out),
        "export_input_vat": to_fen(t.export_input_vat), "unsplittable_input_vat": to_fen(t.unsplittable_input_vat),
        "vat_payable": _fen(t.vat_payable_before_deduction), "vat_bf": to_fen(t.vat_credit_brought_forward),
        "taxable_income": _fen(t.taxable_income_before_losses),
        "loss_years": [x.year for x in t.losses], "loss_amounts": [to_fen(x.amount) for x in t.losses],
        "qualified_years": list(p.holdings.qualified_years),
        "claims_rd": t.claims_rd_super_deduction, "claims_vat": t.claims_vat_additional_deduction,
        "claims_hte_rate": t.claims_hte_rate,
    }


#: tax columns of :func:`tax_columns`, in order (the columnar JSON path builds the same)
TAX_COLUMNS = ("rd_capitalised", "rd_cap_amort", "rd_special", "mfg_sales", "export_sales", "vat_general",
               "other_vat_chosen", "input_vat", "input_vat_out", "export_input_vat", "unsplittable_input_vat",
               "vat_payable", "vat_bf", "taxable_income", "loss_years", "loss_amounts", "qualified_years",
               "claims_rd", "claims_vat", "claims_hte_rate")


EXPERT_KEYS = ("ip_advancement", "ip_core_support", "ip_quantity", "ip_acquisition", "ip_standards_bonus",
               "conversion", "rd_org_rules", "rd_institution", "rd_conversion_rules", "rd_talent",
               "growth_net_assets", "growth_sales")

SCHEMA = {
    "uscc": pl.String, "year": pl.Int32, "assessment_date": pl.Date, "registration_date": pl.Date,
    "industry_code": pl.String, "industry_section": pl.String, "industry_division": pl.String,
    "hte_field": pl.String, "hte_issue": pl.Date, "last_hte_incident": pl.Date,
    "vat_payable": pl.Int64, "taxable_income": pl.Int64, "loss_years": pl.List(pl.Int64),
    "loss_amounts": pl.List(pl.Int64), "qualified_years": pl.List(pl.Int64),
    "claims_rd": pl.Boolean, "claims_vat": pl.Boolean, "claims_hte_rate": pl.Boolean,
    **{f"expert_{k}": pl.Int64 for k in EXPERT_KEYS},
}


def frame_from_packages(packages: Iterable[AnnualPackage]) -> pl.DataFrame:
    rows = [flatten(p) for p in packages]
    return pl.DataFrame(rows, schema_overrides=SCHEMA, infer_schema_length=None)


# --------------------------------------------------------------------------- expression helpers


def col(name: str) -> pl.Expr:
    return pl.col(name).cast(I128)


def lit(value: int) -> pl.Expr:
    return pl.lit(value, dtype=I128)


def zero_if_null(name: str) -> pl.Expr:
    return col(name).fill_null(lit(0))


def scale_floor(expr: pl.Expr, ratio: Fraction) -> pl.Expr:
    """floor(expr × ratio) for non-negative expr, exact."""
    return (expr * lit(ratio.numerator)) // lit(ratio.denominator)


def ceil_div(expr: pl.Expr, den: int) -> pl.Expr:
    return (expr + lit(den - 1)) // lit(den)


def at_least(num: pl.Expr, den: pl.Expr, threshold: Fraction) -> pl.Expr:
    """num / den ≥ threshold, exact; False when den ≤ 0."""
    return (den > lit(0)) & (num * lit(threshold.denominator) >= den * lit(threshold.numerator))


def band_expr(tests: Sequence[tuple[pl.Expr, Any]], default: Any) -> pl.Expr:
    """``when(test1) → value1, …, otherwise default``: the first band reached."""
    expr = pl.when(tests[0][0]).then(pl.lit(tests[0][1]))
    for test, value in tests[1:]:
        expr = expr.when(test).then(pl.lit(value))
    return expr.otherwise(pl.lit(default))


def ratio_band(num: pl.Expr, den: pl.Expr, bands: Sequence[Mapping[str, Any]], key: str) -> pl.Expr:
    """The ``key`` of the first band (``min`` inclusive) whose threshold num/den reaches."""
    tests = [(at_least(num, den, Fraction(b["min"])), b[key]) for b in bands if "min" in b]
    return band_expr(tests, bands[-1][key])


def ip_band_expr(class1: pl.Expr, class2: pl.Expr, bands: Sequence[Mapping[str, Any]], key: str) -> pl.Expr:
    tests = []
    for b in bands:
        if "class1_min" in b:
            tests.append((class1 >= lit(b["class1_min"]), b[key]))
        elif "class2_min" in b:
            tests.append((class2 >= lit(b["class2_min"]), b[key]))
    return band_expr(tests, bands[-1][key])


def tri_and(conds: Sequence[pl.Expr]) -> pl.Expr:
    """All met → True; any False → False; otherwise null (undetermined): ``all_horizontal`` is Kleene AND."""
    return pl.all_horizontal(conds)


# --------------------------------------------------------------------------- HTE
#
# ``screen_frame`` runs the HTE rules as one lazy query of a few ``with_columns`` stages (see
# :func:`hte_stages`): each stage reads the package columns and the ``_`` columns of the stages
# before it, so every intermediate (R&D sums, growth products and grades, point ranges, score
# totals) is computed once.
#
# Integer width. Money is in fen, and a product of two amounts (the growth formula) can exceed
# Int64, so the growth products are always Int128. Everything else multiplies an amount (or a head
# count) only by a parameter's numerator or denominator; that is done in Int64 when the frame's
# magnitudes and the parameters bound every intermediate below ``INT64_LIMIT``
# (:func:`_int64_bounds`, checked on every call), else in Int128 — the same expressions either way.
# Points, years and IP counts are small integers (Int64).

#: every intermediate of the Int64 path must stay below this (the bound check uses it)
INT64_LIMIT = 2**62

#: the columns of the money / head-count arithmetic done in the working width (Int64 or Int128)
WIDE_COLUMNS = ("rd_personnel", "rd_direct", "rd_depr", "rd_amort", "rd_design", "rd_equip", "rd_other",
                "rd_ent_dom", "rd_ent_abr", "rd_in_china", "rd_p1", "rd_p2", "sales", "sales_p1", "sales_p2",
                "total_revenue", "high_tech_revenue", "staff_total", "st_staff", "class1", "class2", "class2_used")

_RD_ITEMS = ("rd_personnel", "rd_direct", "rd_depr", "rd_amort", "rd_design", "rd_equip")


def hte_rd_now(v: ParameterView, dtype: pl.DataType = I128) -> pl.Expr:
    """R&D expense, HTE scope (see :func:`xinzhi.policy.rules.hte.rd_total`), in ``dtype``."""
    def c(name: str) -> pl.Expr:
        return pl.col(name).cast(dtype)

    def k(value: int) -> pl.Expr:
        return pl.lit(value, dtype=dtype)

    base = c(_RD_ITEMS[0])
    for name in _RD_ITEMS[1:]:
        base = base + c(name)
    counted = v.fraction("hte.rd_entrusted_counted_share")
    base = base + (c("rd_ent_dom") + c("rd_ent_abr")) * k(counted.numerator) // k(counted.denominator)
    share = v.fraction("hte.rd_other_max_share")
    cap = share / (1 - share)
    return base + pl.min_horizontal(c("rd_other"), base * k(cap.numerator) // k(cap.denominator))


def _years_missing(v: ParameterView) -> pl.Expr:
    """Prior years missing for the 3-year rules (hte.years_missing), Int64."""
    operated = pl.col("year").cast(pl.Int64) - pl.col("registration_date").dt.year().cast(pl.Int64) + 1
    expected = pl.max_horizontal(_i64(1), pl.min_horizontal(_i64(v("hte.rd_years")), operated))
    have = 1 + pl.col("sales_p1").is_not_null().cast(pl.Int64) + pl.col("sales_p2").is_not_null().cast(pl.Int64)
    return pl.max_horizontal(_i64(0), expected - have)


GROWTH_OK, GROWTH_ZERO, GROWTH_UNDETERMINED = 0, 1, 2  # status of a growth rate (hte.Growth.status)

#: (score item, two years before, one year before, this year) of the two growth indicators
GROWTH_ITEMS = (("growth_net_assets", "na_p2", "na_p1", "net_assets"), ("growth_sales", "sales_p2", "sales_p1", "sales"))


def _growth_products(p2: str, p1: str, now: str) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """(growth rate + 1) as n / d (Int128, d > 0 when the status is ok) and the status (hte.growth_rate).

    3 years ½(b/a + c/b) ⇒ n = b² + ca, d = 2ab; 2 years c/x ⇒ n = c, d = x (x the earlier year).
    """
    a, b = pl.col(p2), pl.col(p1)  # the status compares with 0: the columns' own type
    three = a.is_not_null() & b.is_not_null() & (a != 0)
    x = pl.when(b.is_not_null()).then(b).otherwise(a)
    two = ~three & x.is_not_null()
    undetermined = (three & ((a < 0) | (b < 0))) | (two & (x < 0))
    zero = (~three & ~two) | (three & (b == 0)) | (two & (x == 0))
    a, b, c = a.cast(I128), b.cast(I128), pl.col(now).cast(I128)
    n = pl.when(three).then(b * b + c * a).otherwise(c)
    d = pl.when(three).then(lit(2) * a * b).otherwise(pl.when(b.is_not_null()).then(b).otherwise(a))
    status = pl.when(undetermined).then(pl.lit(GROWTH_UNDETERMINED)).when(zero).then(pl.lit(GROWTH_ZERO)) \
        .otherwise(pl.lit(GROWTH_OK))
    return n, d, status


def _growth_index(key: str, bands: Sequence[Mapping[str, Any]]) -> pl.Expr:
    """Index into ``bands`` + one extra entry (the undetermined range 0 – top maximum): the growth grade.

    rate ≥ t = p/q ⇔ q·n ≥ (q + p)·d (``above``: >), on the ``_<key>_n/_d`` products.
    """
    n, d = pl.col(f"_{key}_n"), pl.col(f"_{key}_d")
    tests = []
    for i, band in enumerate(bands):
        for bound, strict in (("min", False), ("above", True)):
            if bound in band:
                t = Fraction(band[bound])
                lhs, rhs = lit(t.denominator) * n, lit(t.denominator + t.numerator) * d
                tests.append((lhs > rhs if strict else lhs >= rhs, i))
                break
    status = pl.col(f"_{key}_status")
    return pl.when(pl.col("_years_missing") | (status == GROWTH_UNDETERMINED)).then(pl.lit(len(bands))) \
        .when(status == GROWTH_ZERO).then(pl.lit(len(bands) - 1)).otherwise(band_expr(tests, len(bands) - 1))


def _i64(value: int) -> pl.Expr:
    return pl.lit(value, dtype=pl.Int64)


def _band_lookup(index: pl.Expr, bands: Sequence[Mapping[str, Any]], key: str, *extra: int) -> pl.Expr:
    """``(bands[i][key] for i) + extra`` at ``index``: a gather from a literal, not a when-chain."""
    return pl.lit(pl.Series([*(b[key] for b in bands), *extra], dtype=pl.Int64)).gather(index)


def _ip_band_index(class1: pl.Expr, class2: pl.Expr, bands: Sequence[Mapping[str, Any]]) -> pl.Expr:
    tests = []
    for i, b in enumerate(bands):
        if "class1_min" in b:
            tests.append((class1 >= b["class1_min"], i))
        elif "class2_min" in b:
            tests.append((class2 >= b["class2_min"], i))
    return band_expr(tests, len(bands) - 1)


SCORE_ITEM_KEYS = ("ip_advancement", "ip_core_support", "ip_quantity", "ip_acquisition", "ip_standards_bonus",
                   "conversion", "rd_org_rules", "rd_institution", "rd_conversion_rules", "rd_talent",
                   "growth_net_assets", "growth_sales")

#: score items whose grade (hence the range of points) is computed from the package
GRADED_ITEMS = ("ip_quantity", "ip_acquisition", "ip_standards_bonus", "conversion", "growth_net_assets",
                "growth_sales")


def _expert(key: str) -> pl.Expr:
    return pl.col(f"expert_{key}").cast(pl.Int64)


def _pick_fixed_range(key: str, lo: int, hi: int) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """(points, best possible, missing) of an item whose range is a parameter (as hte._pick): the expert's
    points clamped to [lo, hi], a missing score at lo (points) / hi (best)."""
    e = _expert(key)
    if lo >= hi:  # one value (a degenerate range lo > hi keeps lo, as max(min(e, hi), lo))
        return _i64(lo), pl.when(e.is_null()).then(_i64(hi)).otherwise(_i64(lo)), \
            (e.is_null() if lo != hi else pl.lit(False))
    clamped = e.clip(lo, hi)
    return clamped.fill_null(lo), clamped.fill_null(hi), e.is_null()


def _pick_graded(key: str) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """(points, best possible, missing) of a graded item, its range in the ``_lo_<key>``/``_hi_<key>`` columns."""
    e, lo, hi = _expert(key), pl.col(f"_lo_{key}"), pl.col(f"_hi_{key}")
    clamped = pl.max_horizontal(pl.min_horizontal(e, hi), lo)
    return (pl.when(e.is_null()).then(lo).otherwise(clamped), pl.when(e.is_null()).then(hi).otherwise(clamped),
            e.is_null() & (lo != hi))


def hte_stages(v: ParameterView, wide: bool = True, tech_sme: bool = False) -> list[dict[str, pl.Expr]]:
    """The HTE columns (and the tech-SME ones with ``tech_sme``) as ``with_columns`` stages.

    ``wide``: money and head-count arithmetic in Int128 (else Int64: only when :func:`_int64_bounds`
    allows it). Columns starting with ``_`` are intermediates.
    """
    W = I128 if wide else pl.Int64

    def w(name: str) -> pl.Expr:
        return pl.col(name).cast(W)

    def k(value: int) -> pl.Expr:
        return pl.lit(value, dtype=W)

    def w_or_0(name: str) -> pl.Expr:
        return w(name).fill_null(k(0))

    def reaches(num: pl.Expr, den: pl.Expr, t: Fraction) -> pl.Expr:  # num / den ≥ t, exact; False if den ≤ 0
        return (den > k(0)) & (num * k(t.denominator) >= den * k(t.numerator))

    def up(expr: pl.Expr, den: int) -> pl.Expr:  # ceil(expr / den)
        return (expr + k(den - 1)) // k(den)

    # stage 1: from the package columns only
    used = pl.min_horizontal(w("class2_used"), w("class2"))
    share = v.fraction("hte.st_staff_min_share")
    st_met = reaches(w("st_staff"), w("staff_total"), share)
    fields = v("hte.key_fields")
    first: dict[str, pl.Expr] = {
        "_rd_now": hte_rd_now(v, W), "_years_missing": _years_missing(v) > 0,
        "hte_registration": pl.col("assessment_date")
        >= pl.col("registration_date").dt.offset_by(f"{v('hte.registration_min_years')}y"),
        "hte_ip": (w("class1") + w("class2") - used) >= k(v("hte.ip_min_count")),
        "hte_field_ok": pl.when(pl.col("hte_field").is_null()).then(pl.lit(None, dtype=pl.Boolean))
        .otherwise(pl.col("hte_field").is_in(fields)),
        "hte_st_staff": st_met,
        "hte_high_tech_revenue": reaches(w("high_tech_revenue"), w("total_revenue"),
                                         v.fraction("hte.high_tech_revenue_min_share")),
        "hte_no_incidents": ~(pl.col("last_hte_incident").is_not_null() & (
            pl.col("last_hte_incident")
            > pl.col("assessment_date").dt.offset_by(f"-{v('hte.incident_lookback_years')}y"))),
        "hte_st_staff_gap": pl.when(st_met).then(k(0)).otherwise(pl.max_horizontal(k(0), up(
            k(share.numerator) * w("staff_total") - k(share.denominator) * w("st_staff"),
            share.denominator - share.numerator))).cast(pl.Int64),
        "_sales_sum": w("sales") + w_or_0("sales_p1") + w_or_0("sales_p2"),
    }
    # the R&D ratio of the sales tier (numerator / denominator)
    tiers = v("hte.rd_ratio_scale")
    tier = band_expr([(w("sales") <= k(t["sales_up_to"] * 100), i) for i, t in enumerate(tiers) if "sales_up_to" in t],
                     len(tiers) - 1)
    ratios = [Fraction(t["min_ratio"]) for t in tiers]
    first["_tier_num"] = pl.lit(pl.Series([r.numerator for r in ratios], dtype=pl.Int64)).gather(tier).cast(W)
    first["_tier_den"] = pl.lit(pl.Series([r.denominator for r in ratios], dtype=pl.Int64)).gather(tier).cast(W)
    # the grades of the score items computed from the package (band indexes; points looked up in stage 2)
    class2_all = pl.col("class2").cast(pl.Int64)
    used64 = pl.min_horizontal(pl.col("class2_used").cast(pl.Int64), class2_all)
    class1, class2 = pl.col("class1").cast(pl.Int64), class2_all - used64
    own = (pl.col("class1_own").cast(pl.Int64) + pl.max_horizontal(_i64(0), pl.col("class2_own").cast(pl.Int64) - used64)) > 0
    first["_ip_quantity_i"] = _ip_band_index(class1, class2, v("hte.score.ip_quantity_bands"))
    by_own = {b["own"]: b for b in v("hte.score.ip_acquisition_bands")}
    ab = [by_own[True], by_own[False]]  # index 0 own-developed, 1 acquired only, 2 no IP (0 points)
    first["_ip_acquisition_i"] = pl.when((class1 + class2) <= 0).then(pl.lit(2)).when(own).then(pl.lit(0)) \
        .otherwise(pl.lit(1))
    cb = v("hte.score.conversion_bands")
    # annual average = sum / years ≥ min ⇔ sum × q ≥ years × p; no year reported → average 0
    conv_sum, conv_n = pl.col("conv_sum").cast(pl.Int64), pl.col("conv_n").cast(pl.Int64)
    first["_conversion_i"] = band_expr(
        [((conv_n > 0) & (conv_sum * Fraction(b["min"]).denominator >= conv_n * Fraction(b["min"]).numerator), i)
         for i, b in enumerate(cb) if "min" in b], len(cb) - 1)
    for key, p2, p1, now in GROWTH_ITEMS:
        first[f"_{key}_n"], first[f"_{key}_d"], first[f"_{key}_status"] = _growth_products(p2, p1, now)
    # the items whose range is a parameter (expert points only), summed: IP part / the rest
    mgmt = v("hte.score.rd_management_max")
    fixed = {"ip_advancement": v("hte.score.ip_advancement_max"), "ip_core_support": v("hte.score.ip_core_support_max"),
             "rd_org_rules": mgmt["org_rules"], "rd_institution": mgmt["institution"],
             "rd_conversion_rules": mgmt["conversion_rules"], "rd_talent": mgmt["talent"]}
    picks = {key: _pick_fixed_range(key, 0, hi) for key, hi in fixed.items()}
    for part, keys in (("ip", [k_ for k_ in fixed if k_ in hte_rules.IP_KEYS]),
                       ("rest", [k_ for k_ in fixed if k_ not in hte_rules.IP_KEYS])):
        first[f"_fixed_{part}_p"] = pl.sum_horizontal([picks[k_][0] for k_ in keys])
        first[f"_fixed_{part}_b"] = pl.sum_horizontal([picks[k_][1] for k_ in keys])
    first["_fixed_m"] = pl.any_horizontal([m for _, _, m in picks.values()])
    if tech_sme:
        first["_sme_rd"] = sme_rd(v)

    # stage 2: R&D sums, growth grades, point ranges of the graded items
    qb, gb = v("hte.score.ip_quantity_bands"), v("hte.score.growth_bands")
    rd_now, counted = pl.col("_rd_now"), v.fraction("hte.rd_entrusted_counted_share")
    # R&D inside China: as reported (at most the total), else the total minus the counted abroad part
    domestic = pl.when(pl.col("rd_in_china").is_not_null()).then(pl.min_horizontal(w("rd_in_china"), rd_now)) \
        .otherwise(rd_now - w("rd_ent_abr") * k(counted.numerator) // k(counted.denominator))
    second = {
        "_rd_sum": rd_now + w_or_0("rd_p1") + w_or_0("rd_p2"),
        "hte_rd_domestic": reaches(domestic, rd_now, v.fraction("hte.rd_domestic_min_share")),
        "_lo_ip_quantity": _band_lookup(pl.col("_ip_quantity_i"), qb, "points_min"),
        "_hi_ip_quantity": _band_lookup(pl.col("_ip_quantity_i"), qb, "points_max"),
        "_lo_ip_acquisition": _band_lookup(pl.col("_ip_acquisition_i"), ab, "points_min", 0),
        "_hi_ip_acquisition": _band_lookup(pl.col("_ip_acquisition_i"), ab, "points_max", 0),
        "_lo_ip_standards_bonus": pl.col("participated_standard").cast(pl.Int64),
        "_hi_ip_standards_bonus": pl.col("participated_standard").cast(pl.Int64) * v("hte.score.ip_standards_bonus_max"),
        "_lo_conversion": _band_lookup(pl.col("_conversion_i"), cb, "points_min"),
        "_hi_conversion": _band_lookup(pl.col("_conversion_i"), cb, "points_max"),
        **{f"_{key}_i": _growth_index(key, gb) for key, *_ in GROWTH_ITEMS},
    }

    # stage 3: the R&D ratio (3 years), growth point ranges
    rd_sum, sales_sum, num, den = pl.col("_rd_sum"), pl.col("_sales_sum"), pl.col("_tier_num"), pl.col("_tier_den")
    third = {
        "hte_rd_ratio": pl.when(pl.col("_years_missing")).then(pl.lit(None, dtype=pl.Boolean)).otherwise(
            (sales_sum > k(0)) & (rd_sum * den >= sales_sum * num)),
        "_rd_gap": pl.max_horizontal(k(0), (num * sales_sum - den * rd_sum + den - k(1)) // den),
    }
    for key, *_ in GROWTH_ITEMS:
        third[f"_lo_{key}"] = _band_lookup(pl.col(f"_{key}_i"), gb, "points_min", 0)
        third[f"_hi_{key}"] = _band_lookup(pl.col(f"_{key}_i"), gb, "points_max", gb[0]["points_max"])

    # stage 4: score totals (IP part capped)
    graded = {key: _pick_graded(key) for key in GRADED_ITEMS}
    cap = _i64(v("hte.score.ip_cap"))

    def total(j: int) -> pl.Expr:
        part = "pb"[j]
        ip = pl.sum_horizontal([pl.col(f"_fixed_ip_{part}"), *(graded[k_][j] for k_ in graded if k_ in hte_rules.IP_KEYS)])
        rest = pl.sum_horizontal([pl.col(f"_fixed_rest_{part}"),
                                  *(graded[k_][j] for k_ in graded if k_ not in hte_rules.IP_KEYS)])
        return pl.min_horizontal(cap, ip) + rest

    fourth = {
        "hte_rd_gap_fen": pl.when(pl.col("hte_rd_ratio").fill_null(True)).then(k(0)).otherwise(pl.col("_rd_gap"))
        .cast(pl.Int64),
        "hte_score": total(0), "hte_score_max": total(1),
        "_hte_score_complete": ~pl.any_horizontal([pl.col("_fixed_m"), *(m for _, _, m in graded.values())]),
    }

    # stage 5: the pass mark, gaps; stage 6: eligibility
    need = v("hte.score.pass_min")
    points, best = pl.col("hte_score"), pl.col("hte_score_max")
    fifth = {
        "hte_innovation_score": pl.when(points >= need).then(pl.lit(True))
        .when(pl.col("_hte_score_complete") | (best < need)).then(pl.lit(False))
        .otherwise(pl.lit(None, dtype=pl.Boolean)),
        "hte_score_gap": pl.max_horizontal(_i64(0), _i64(need) - points),
    }
    last = {"hte_eligible": tri_and([pl.col(c) for c in HTE_CONDITION_COLUMNS])}
    if tech_sme:
        last.update(tech_sme_exprs(v))
    return [first, second, third, fourth, fifth, last]


#: the nine HTE condition columns
HTE_CONDITION_COLUMNS = ("hte_registration", "hte_ip", "hte_field_ok", "hte_st_staff", "hte_rd_ratio",
                         "hte_rd_domestic", "hte_high_tech_revenue", "hte_innovation_score", "hte_no_incidents")

#: the HTE output columns of ``screen_frame``, in order
HTE_COLUMNS = ("hte_registration", "hte_ip", "hte_field_ok", "hte_st_staff", "hte_rd_ratio", "hte_rd_domestic",
               "hte_high_tech_revenue", "hte_no_incidents", "hte_rd_gap_fen", "hte_st_staff_gap", "hte_score",
               "hte_score_max", "hte_innovation_score", "hte_score_gap", "hte_eligible")


def _int64_constants(v: ParameterView) -> dict[str, int]:
    """The parameters' numerators, denominators and limits that the Int64 path multiplies or compares by."""
    def nd(name: str) -> tuple[int, int]:
        f = v.fraction(name)
        return abs(f.numerator), f.denominator

    ratios = [Fraction(t["min_ratio"]) for t in v("hte.rd_ratio_scale")]
    share = v.fraction("hte.rd_other_max_share")
    cap = share / (1 - share)
    (en, ed), (sn, sd) = nd("hte.rd_entrusted_counted_share"), nd("hte.st_staff_min_share")
    return {
        "en": en, "ed": ed, "cn": abs(cap.numerator), "cd": cap.denominator, "sn": sn, "sd": sd,
        "tn": max(abs(r.numerator) for r in ratios), "td": max(r.denominator for r in ratios),
        "dn": nd("hte.rd_domestic_min_share")[0], "dd": nd("hte.rd_domestic_min_share")[1],
        "hn": nd("hte.high_tech_revenue_min_share")[0], "hd": nd("hte.high_tech_revenue_min_share")[1],
        "limits": max([abs(t["sales_up_to"] * 100) for t in v("hte.rd_ratio_scale") if "sales_up_to" in t]
                      + [abs(v("hte.ip_min_count"))]),
    }


def _int64_bounds(c: Mapping[str, int], m: int) -> int:
    """An upper bound of |every intermediate| of the Int64 path when |each WIDE_COLUMNS value| ≤ m."""
    entrusted = 2 * m * c["en"]                      # (dom + abr) × n
    base = 6 * m + entrusted // c["ed"] + 1          # items + floor(entrusted / d)
    cap = base * c["cn"]                             # base × n (the other-expenses cap)
    rd_now = base + max(m, cap // c["cd"] + 1)
    rd_sum, sales_sum = rd_now + 2 * m, 3 * m
    abroad = m * c["en"]
    domestic = rd_now + abroad // c["ed"] + 1
    sd_minus_sn = abs(c["sd"] - c["sn"])
    return max(
        entrusted, cap, rd_sum, abroad,
        rd_sum * c["td"] + sales_sum * c["tn"] + c["td"],                   # the R&D ratio and its gap
        m * (c["sn"] + c["sd"]) + sd_minus_sn,                              # S&T staff share and gap
        (domestic + rd_now) * max(c["dn"], c["dd"]),                        # domestic share
        m * max(c["hn"], c["hd"]),                                          # high-tech revenue share
        3 * m, c["limits"],
    )


# --------------------------------------------------------------------------- tech-SME


def sme_rd(v: ParameterView) -> pl.Expr:
    """R&D in the super-deduction scope (see :func:`rd_super_deduction.deductible_base`)."""
    p = rd_rules.P
    items = sum((col(c) for c in ("rd_personnel", "rd_direct", "rd_depr", "rd_amort", "rd_design")), lit(0))
    share = v.fraction(p + "other_related_cap_share")
    other = pl.min_horizontal(col("rd_other"), scale_floor(items, share / (1 - share)))
    domestic = items + other + scale_floor(col("rd_ent_dom"), v.fraction(p + "entrusted_domestic_counted_share"))
    if not v.in_force(p + "entrusted_abroad_counted_share"):
        return domestic
    abroad = pl.min_horizontal(scale_floor(col("rd_ent_abr"), v.fraction(p + "entrusted_abroad_counted_share")),
                               scale_floor(domestic, v.fraction(p + "entrusted_abroad_cap_of_domestic")))
    return domestic + abroad


def tech_sme_exprs(v: ParameterView) -> dict[str, pl.Expr]:
    P = "tech_sme."
    rd = col("_sme_rd")
    personnel = ratio_band(col("st_staff"), col("staff_total"), v(P + "score.personnel_bands"), "points").cast(I128)
    by_sales = ratio_band(rd, col("sales"), v(P + "score.rd_sales_bands"), "points").cast(I128)
    by_costs = pl.when(col("total_costs").is_null()).then(lit(-1)).otherwise(
        ratio_band(rd, col("total_costs"), v(P + "score.rd_cost_bands"), "points").cast(I128))
    rd_points = pl.max_horizontal(by_sales, by_costs)
    ip_points = ip_band_expr(col("class1"), col("class2"), v(P + "score.ip_bands"), "points").cast(I128)
    total = personnel + rd_points + ip_points
    year = pl.col("assessment_date").dt.year().cast(I128)
    first_incident = year - lit(v(P + "incident_lookback_years"))
    basics = [
        pl.col("registered_in_mainland"),
        col("staff_total") <= lit(v(P + "max_employees")),
        col("sales") <= lit(v(P + "max_sales_revenue") * 100),
        col("total_assets") <= lit(v(P + "max_total_assets") * 100),
        ~pl.col("restricted_category"),
        ~(col("last_incident_year").is_not_null() & (col("last_incident_year") >= first_incident)),
    ]
    if v(P + "requires_audit_collection"):
        basics.append(pl.col("collection_audit"))
    if v(P + "excludes_negative_list_industries"):
        codes = [i["code"] for i in v(rd_rules.P + "negative_list")]
        basics.append(~(pl.col("industry_section").is_in(codes) | pl.col("industry_division").is_in(codes)))
    first = year - lit(v(P + "direct.lookback_years") - 1)
    v("hte.validity_years")  # in the trace
    expiry = validity.expiry_expr(pl.col("hte_issue"), v.tree)  # the one definition (policy/validity.py)
    direct = ((pl.col("hte_issue").is_not_null() & (pl.col("hte_issue") <= pl.col("assessment_date"))
               & (pl.col("assessment_date") <= expiry)).fill_null(False)
              | (col("last_award_year") >= first).fill_null(False)
              | pl.col("provincial_rd_institution")
              | (col("last_led_standard_year") >= first).fill_null(False))
    need = lit(v(P + "score.pass_min"))
    passed = (total >= need) & (personnel > lit(0))
    scoring = [b for b in v(P + "score.personnel_bands") if b["points"] > 0]
    low = Fraction(scoring[-1]["min"])
    hires = pl.when(at_least(col("st_staff"), col("staff_total"), low)).then(lit(0)).otherwise(
        pl.max_horizontal(lit(0), ceil_div(lit(low.numerator) * col("staff_total") - lit(low.denominator) * col("st_staff"),
                                           low.denominator - low.numerator)))
    return {"tech_sme_basic": pl.all_horizontal(basics), "tech_sme_direct": direct,
            "tech_sme_eligible": pl.all_horizontal(basics) & (direct | passed),
            "tech_sme_score": total, "tech_sme_score_gap": pl.max_horizontal(lit(0), need - total),
            "tech_sme_hires_to_nonzero": hires}


# --------------------------------------------------------------------------- entry points

#: built stages per parameter tree (weakly: an overridden what-if tree and its stages go together)
#: and per (date, programmes, width); a tree's parameters never change (overrides give a new tree)
_STAGES: weakref.WeakKeyDictionary[ParameterTree, dict[tuple[Any, ...], Any]] = weakref.WeakKeyDictionary()
_STAGES_LOCK = threading.Lock()
_STAGES_PER_TREE = 32

#: integer outputs (Int128 inside the plan) returned as Int64
_INT_OUTPUTS = ("hte_rd_gap_fen", "hte_st_staff_gap", "tech_sme_score", "tech_sme_score_gap", "tech_sme_hires_to_nonzero")
TECH_SME_COLUMNS = ("tech_sme_basic", "tech_sme_direct", "tech_sme_eligible", "tech_sme_score", "tech_sme_score_gap",
                    "tech_sme_hires_to_nonzero")


def _cached(tree: ParameterTree, key: tuple[Any, ...], build: Any) -> Any:
    with _STAGES_LOCK:
        built = _STAGES.setdefault(tree, {})
        if key in built:
            return built[key]
    value = build()
    with _STAGES_LOCK:
        if len(built) >= _STAGES_PER_TREE:
            built.clear()
        built[key] = value
    return value


def _magnitude(frame: pl.DataFrame) -> int:
    """max |value| of the WIDE_COLUMNS (0 for an empty frame)."""
    row = frame.select(pl.col(WIDE_COLUMNS).max().name.suffix("__hi"), pl.col(WIDE_COLUMNS).min().name.suffix("__lo")).row(0)
    return max((abs(int(x)) for x in row if x is not None), default=0)


def _build_stages(view: ParameterView, hte: bool, tech_sme: bool, wide: bool) -> list[dict[str, pl.Expr]]:
    if hte:
        return hte_stages(view, wide, tech_sme)
    return [{"_sme_rd": sme_rd(view)}, tech_sme_exprs(view)] if tech_sme else []


def screen_frame(frame: pl.DataFrame, on: date, tree: ParameterTree | None = None,
                 programs: tuple[str, ...] = ("hte", "tech_sme")) -> pl.DataFrame:
    """Add the HTE and tech-SME columns (or only ``programs``), with the parameters in force on ``on``.

    The expressions are built once per (parameter tree, date, programmes, integer width) and kept
    with the tree; the HTE money arithmetic runs in Int64 when the frame's magnitudes allow it
    (:func:`_int64_bounds`), else in Int128 — the same results either way.
    """
    tree = tree or load_parameters()
    hte, tech_sme = "hte" in programs, "tech_sme" in programs
    wide = True
    if hte:
        constants = _cached(tree, ("int64", on), lambda: _int64_constants(tree.at(on)))
        wide = _int64_bounds(constants, _magnitude(frame)) >= INT64_LIMIT
    stages = _cached(tree, (on, hte, tech_sme, wide), lambda: _build_stages(tree.at(on), hte, tech_sme, wide))
    plan = frame.lazy()
    for stage in stages:
        plan = plan.with_columns(**stage)
    outputs = [*(HTE_COLUMNS if hte else ()), *(TECH_SME_COLUMNS if tech_sme else ())]
    # the frame's columns (``_`` ones dropped), then the new ones; integers out as Int64
    schema = frame.schema
    to_int64 = {c for c in outputs if c in _INT_OUTPUTS} | {c for c, dt in schema.items() if dt == I128}
    names = [c for c in schema if not c.startswith("_")] + [c for c in outputs if c not in schema]
    return plan.select([pl.col(c).cast(pl.Int64) if c in to_int64 else pl.col(c) for c in names]).collect()


# --------------------------------------------------------------------------- tax incentives
#
# Same rules and parameters as rules/rd_super_deduction.py, rules/vat_additional_deduction.py and
# rules/hte_tax.py, with the parameters in force on 1 January of the tax year (as ``screen.run``).


def rd_super_deduction_exprs(v: ParameterView) -> dict[str, pl.Expr]:
    """研发费用加计扣除: eligibility, extra deduction and its tax value (fen). Needs ``_sme_rd``, ``_hte_tax_year``."""
    p = rd_rules.P
    if not v.in_force(p + "expensed_extra_rate"):
        false = pl.lit(False)
        return {"rd_sd_method_ok": false, "rd_sd_negative": false, "rd_sd_eligible": false,
                "rd_sd_extra_fen": pl.lit(None, dtype=I128), "rd_sd_tax_fen": pl.lit(None, dtype=I128)}
    allowed = v(p + "allowed_collection_methods")
    method_ok = pl.when(pl.col("collection_audit")).then(pl.lit("audit" in allowed)).otherwise(
        pl.lit(any(m != "audit" for m in allowed)))
    codes = [i["code"] for i in v(p + "negative_list")]
    code = pl.col("industry_code")
    negative = (pl.col("industry_section").is_in(codes) | code.str.slice(0, 2).is_in(codes)
                | code.str.slice(0, 3).is_in(codes) | code.is_in(codes)).fill_null(False)
    eligible = method_ok & ~negative

    def rate_pair(general: str, special: str) -> tuple[pl.Expr, Fraction, Fraction]:
        g = v.fraction(p + general)
        s = v.fraction(p + special) if v.in_force(p + special) else g
        return pl.col("rd_special") & pl.lit(v.in_force(p + special)), g, s

    special, e_g, e_s = rate_pair("expensed_extra_rate", "ic_expensed_extra_rate")
    _, c_g, c_s = rate_pair("capitalised_amortisation_rate", "ic_capitalised_amortisation_rate")
    expensed = pl.max_horizontal(lit(0), col("_sme_rd") - col("rd_capitalised"))
    extra = pl.when(special).then(scale_floor(expensed, e_s) + scale_floor(col("rd_cap_amort"), c_s - 1)).otherwise(
        scale_floor(expensed, e_g) + scale_floor(col("rd_cap_amort"), c_g - 1))
    extra = pl.when(eligible).then(extra).otherwise(lit(0))
    hte_rate, standard = v.fraction("income_tax.hte_rate"), v.fraction("income_tax.standard_rate")
    tax = pl.when(pl.col("_hte_tax_year")).then(scale_floor(extra, hte_rate)).otherwise(scale_floor(extra, standard))
    return {"rd_sd_method_ok": method_ok, "rd_sd_negative": negative, "rd_sd_eligible": eligible,
            "rd_sd_extra_fen": extra, "rd_sd_tax_fen": tax}


def vat_conditions(v: ParameterView, year: int) -> dict[str, pl.Expr]:
    """The conditions of the VAT 5% additional deduction (43号), which are also the advanced-manufacturing
    list's criteria: a valid HTE certificate during the year, industry section C, manufacturing sales strictly
    above the minimum share of sales, general VAT taxpayer, no other additional-deduction policy chosen; and
    the manufacturing sales still missing for the share (fen, 0 when met). Each caller combines them."""
    p = "vat_additional_deduction."
    share = v.fraction(p + "manufacturing_sales_min_share")
    sp, sq = share.numerator, share.denominator
    v("hte.validity_years")  # in the trace
    expiry = validity.expiry_expr(pl.col("hte_issue"), v.tree)  # the one definition (policy/validity.py)
    hte_during = (pl.col("hte_issue").is_not_null() & (pl.col("hte_issue") <= pl.lit(date(year, 12, 31)))
                  & (expiry >= pl.lit(date(year, 1, 1)))).fill_null(False)
    sales, mfg = col("sales"), col("mfg_sales")
    share_ok = (sales > lit(0)) & (mfg * lit(sq) > sales * lit(sp))
    need = pl.max_horizontal(lit(0), (lit(sp) * sales - lit(sq) * mfg) // lit(sq - sp) + lit(1))
    return {
        "hte": hte_during,
        "section": pl.col("industry_section") == v(p + "manufacturing_industry_section"),
        "share": share_ok,
        "general": pl.col("vat_general"),
        "no_other": ~pl.col("other_vat_chosen"),
        "share_gap_fen": pl.when(share_ok).then(lit(0)).otherwise(need),
    }


def vat_deduction_exprs(v: ParameterView, year: int) -> dict[str, pl.Expr]:
    """先进制造业企业增值税加计抵减 (43号): eligibility, accrual, credit available/used and the benefit (fen)."""
    p = "vat_additional_deduction."
    if not v.in_force(p + "rate"):
        return {"vat_eligible": pl.lit(False), **{k: pl.lit(None, dtype=I128) for k in (
            "vat_accrued_fen", "vat_available_fen", "vat_used_fen", "vat_benefit_fen", "vat_share_gap_fen")}}
    c = vat_conditions(v, year)
    sales, share_ok = col("sales"), c["share"]
    eligible = c["hte"] & c["section"].fill_null(False) & share_ok & c["general"] & c["no_other"]
    rate = v.fraction(p + "rate")
    # unsplittable input VAT × min(export / sales, 1), floored (no export share when sales ≤ 0)
    uns = col("unsplittable_input_vat")
    unsplittable_export = pl.when(sales <= lit(0)).then(lit(0)).when(col("export_sales") >= sales).then(uns) \
        .otherwise((uns * col("export_sales")) // pl.when(sales > lit(0)).then(sales).otherwise(lit(1)))
    accruable = pl.max_horizontal(lit(0), col("input_vat") - col("export_input_vat") - unsplittable_export)
    accrued = scale_floor(accruable, rate)
    available = pl.max_horizontal(lit(0), col("vat_bf") + accrued - scale_floor(col("input_vat_out"), rate))
    payable = col("vat_payable")
    used = pl.when(payable.is_null()).then(pl.lit(None, dtype=I128)).when(payable <= lit(0)).then(lit(0)) \
        .otherwise(pl.min_horizontal(payable, available))
    benefit = pl.when(payable.is_null()).then(available).otherwise(used)

    def only(e: pl.Expr) -> pl.Expr:
        return pl.when(eligible).then(e).otherwise(pl.lit(None, dtype=I128))

    return {"vat_eligible": eligible, "vat_hte": c["hte"], "vat_accrued_fen": only(accrued),
            "vat_available_fen": only(available), "vat_used_fen": only(used), "vat_benefit_fen": only(benefit),
            "vat_share_gap_fen": c["share_gap_fen"]}


def hte_tax_year_expr(v: ParameterView, year: int) -> pl.Expr:
    """The HTE certificate covers the tax year (issue year … issue year + hte_tax_years − 1)."""
    issued = pl.col("hte_issue").dt.year().cast(I128)
    return ((issued <= lit(year)) & (lit(year) < issued + lit(v("income_tax.hte_tax_years")))).fill_null(False)


def _losses_offset(frame: pl.DataFrame, v: ParameterView, year: int) -> pl.DataFrame:
    """Per row (``_i``): usable losses (fen) under the general 5 years and with the 10-year extension.

    A loss's window is 10 years when a year with HTE/tech-SME status (the package's list, the
    certificate years, this year's tech-SME screen) falls within the 5 years after it (from 2018,
    财税〔2018〕76号); losses are offset up to the income, so the sum is min(income, Σ usable).
    """
    general = v("income_tax.loss_years_general")
    losses = (frame.select("_i", "_hte_issue_year", "_sme_now", ly="loss_years", amt="loss_amounts")
              .explode(["ly", "amt"]).drop_nulls("ly"))
    if losses.height == 0:
        return pl.DataFrame(schema={"_i": pl.UInt32, "_loss_general": pl.Int64, "_loss_extended": pl.Int64})
    if v.in_force("income_tax.loss_years_qualified"):
        lookback = v("income_tax.loss_lookback_years")
        start = v.entry("income_tax.loss_years_qualified").start.year
        years = v("income_tax.hte_tax_years")
        lo = pl.max_horizontal(pl.lit(start), pl.col("ly") + 1)
        hi = pl.min_horizontal(pl.col("ly") + lookback, pl.lit(year))
        iy = pl.col("_hte_issue_year")
        by_cert = (iy.is_not_null() & (pl.max_horizontal(lo, iy) <= pl.min_horizontal(hi, iy + years - 1))).fill_null(False)
        by_sme = pl.col("_sme_now") & (lo <= year) & (pl.col("ly") + lookback >= year)
        listed = (frame.select("_i", q="qualified_years").explode("q").drop_nulls("q")
                  .join(losses.select("_i", "ly").unique(), on="_i")
                  .filter((pl.col("q") <= year) & (pl.col("q") >= lo) & (pl.col("q") <= hi))
                  .select("_i", "ly").unique().with_columns(_listed=pl.lit(True)))
        losses = losses.join(listed, on=["_i", "ly"], how="left", maintain_order="left").with_columns(
            window=pl.when(by_cert | by_sme | pl.col("_listed").fill_null(False))
            .then(pl.lit(v("income_tax.loss_years_qualified"))).otherwise(pl.lit(general)))
    else:
        losses = losses.with_columns(window=pl.lit(general))
    age = year - pl.col("ly")
    return losses.group_by("_i").agg(
        _loss_general=pl.when(age <= general).then(pl.col("amt")).otherwise(0).sum(),
        _loss_extended=pl.when(age <= pl.col("window")).then(pl.col("amt")).otherwise(0).sum())


def hte_income_tax_exprs(v: ParameterView) -> dict[str, pl.Expr]:
    """高新技术企业15%税率与亏损结转10年: saving (fen) = tax at 25%/5 years − tax with the preferences."""
    income = col("taxable_income")
    positive = pl.max_horizontal(lit(0), income)
    base = pl.min_horizontal(positive, zero_if_null("_loss_general"))
    pref = pl.min_horizontal(positive, zero_if_null("_loss_extended"))
    standard, reduced = v.fraction("income_tax.standard_rate"), v.fraction("income_tax.hte_rate")
    tax_general = scale_floor(positive - base, standard)
    tax_pref = pl.when(pl.col("_hte_tax_year")).then(scale_floor(positive - pref, reduced)).otherwise(
        scale_floor(positive - pref, standard))
    benefit = pl.when(income.is_null()).then(pl.lit(None, dtype=I128)).otherwise(tax_general - tax_pref)
    return {"hte_tax_eligible": pl.col("_hte_tax_year"), "hte_tax_benefit_fen": benefit}


def screen_taxes(frame: pl.DataFrame, year: int, tree: ParameterTree | None = None,
                 tech_sme_now: pl.Series | None = None) -> pl.DataFrame:
    """Add the tax-incentive columns for tax year ``year`` (parameters in force on 1 January).

    ``tech_sme_now`` (this year's tech-SME answer, for the 10-year loss rule) defaults to the
    frame's ``tech_sme_eligible`` column, or to a tech-SME screen on 31 December.
    """
    view = (tree or load_parameters()).at(date(year, 1, 1))
    if tech_sme_now is None:
        tech_sme_now = (frame["tech_sme_eligible"] if "tech_sme_eligible" in frame.columns
                        else screen_frame(frame, date(year, 12, 31), tree)["tech_sme_eligible"])
    staged = frame.with_row_index("_i").with_columns(
        _sme_rd=sme_rd(view), _hte_tax_year=hte_tax_year_expr(view, year),
        _hte_issue_year=pl.col("hte_issue").dt.year().cast(pl.Int64),
        _sme_now=pl.Series(tech_sme_now).fill_null(False))
    staged = staged.join(_losses_offset(staged, view, year), on="_i", how="left", maintain_order="left")
    out = staged.with_columns(**rd_super_deduction_exprs(view), **vat_deduction_exprs(view, year),
                              **hte_income_tax_exprs(view))
    ints = [c for c, dt in out.schema.items() if dt == I128]
    return out.with_columns([pl.col(c).cast(pl.Int64) for c in ints]).drop(
        [c for c in out.columns if c.startswith("_")])
