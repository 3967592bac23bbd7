"""Columnar screening of the register: the HTE and tech-SME rules as Polars expressions.

One row per enterprise (``frame_from_packages``), every rule an expression over the columns, so
the whole register is screened in one pass. The expressions implement the same rules, with the
same parameters and the same exact integer arithmetic (money in fen, ratios compared by
cross-multiplication in Int128) as the scalar engine in :mod:`xinzhi.policy.rules`; a test checks
that both agree row by row.

``what_if`` changes parameters (an override dict, never the files) and counts who becomes or stops
being eligible.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from fractions import Fraction
from typing import Any

import polars as pl

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
    }


EXPERT_KEYS = ("ip_advancement", "ip_core_support", "ip_quantity", "ip_acquisition", "ip_standards_bonus",
               "conversion", "rd_org_rules", "rd_institution", "rd_conversion_rules", "rd_talent",
               "growth_net_assets", "growth_sales")

SCHEMA = {
    "uscc": pl.String, "year": pl.Int32, "assessment_date": pl.Date, "registration_date": pl.Date,
    "industry_code": pl.String, "industry_section": pl.String, "industry_division": pl.String,
    "hte_field": pl.String, "hte_issue": pl.Date, "last_hte_incident": pl.Date,
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
    """All met → True; any False → False; otherwise null (undetermined)."""
    any_false = pl.any_horizontal([c.fill_null(True).not_() for c in conds])
    any_null = pl.any_horizontal([c.is_null() for c in conds])
    return pl.when(any_false).then(pl.lit(False)).when(any_null).then(pl.lit(None, dtype=pl.Boolean)) \
        .otherwise(pl.lit(True))


# --------------------------------------------------------------------------- HTE


def hte_rd_now(v: ParameterView) -> pl.Expr:
    """R&D expense, HTE scope (see :func:`xinzhi.policy.rules.hte.rd_total`)."""
    base = sum((col(c) for c in ("rd_personnel", "rd_direct", "rd_depr", "rd_amort", "rd_design", "rd_equip")),
               lit(0))
    base = base + scale_floor(col("rd_ent_dom") + col("rd_ent_abr"), v.fraction("hte.rd_entrusted_counted_share"))
    share = v.fraction("hte.rd_other_max_share")
    cap = scale_floor(base, share / (1 - share))
    return base + pl.min_horizontal(col("rd_other"), cap)


def _years_missing(v: ParameterView) -> pl.Expr:
    operated = col("year") - pl.col("registration_date").dt.year().cast(I128) + lit(1)
    expected = pl.max_horizontal(lit(1), pl.min_horizontal(lit(v("hte.rd_years")), operated))
    have = lit(1) + col("sales_p1").is_not_null().cast(I128) + col("sales_p2").is_not_null().cast(I128)
    return pl.max_horizontal(lit(0), expected - have)


def _growth_tests(prefix_p2: str, prefix_p1: str, now: str, bands: Sequence[Mapping[str, Any]]) -> dict[str, pl.Expr]:
    """Grade of a growth rate (hte.growth_rate) as expressions: status and band index."""
    a, b, c = col(prefix_p2), col(prefix_p1), col(now)
    three = a.is_not_null() & b.is_not_null() & (a != lit(0))
    # two values (x, y): either (b, c) when the first of three is 0 or missing, or the actual period
    x = pl.when(b.is_not_null()).then(b).otherwise(a)
    two = ~three & (x.is_not_null())
    undetermined = (three & ((a < lit(0)) | (b < lit(0)))) | (two & (x < lit(0)))
    zero = (~three & ~two) | (three & (b == lit(0))) | (two & (x == lit(0)))

    def reaches(t: Fraction, strict: bool) -> pl.Expr:
        p, q = t.numerator, t.denominator
        lhs3 = lit(q) * (b * b + c * a)
        rhs3 = lit(2 * (q + p)) * a * b
        lhs2, rhs2 = lit(q) * c, lit(q + p) * x
        if strict:
            return pl.when(three).then(lhs3 > rhs3).otherwise(lhs2 > rhs2)
        return pl.when(three).then(lhs3 >= rhs3).otherwise(lhs2 >= rhs2)

    tests = []
    for i, band in enumerate(bands):
        if "min" in band:
            tests.append((reaches(Fraction(band["min"]), False), i))
        elif "above" in band:
            tests.append((reaches(Fraction(band["above"]), True), i))
    index = band_expr(tests, len(bands) - 1)
    status = pl.when(undetermined).then(pl.lit("undetermined")).when(zero).then(pl.lit("zero")).otherwise(pl.lit("ok"))
    return {"index": index, "status": status}


def _pick(lo: pl.Expr, hi: pl.Expr, expert: str) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """(points, best possible, missing) as in hte._pick."""
    e = col(f"expert_{expert}")
    fixed = lo == hi
    points = pl.when(fixed).then(lo).when(e.is_null()).then(lo).otherwise(pl.min_horizontal(pl.max_horizontal(e, lo), hi))
    missing = ~fixed & e.is_null()
    best = pl.when(missing).then(hi).otherwise(points)
    return points, best, missing


def _band_lookup(index: pl.Expr, bands: Sequence[Mapping[str, Any]], key: str) -> pl.Expr:
    return band_expr([(index == lit(i), b[key]) for i, b in enumerate(bands)], bands[-1][key]).cast(I128)


def hte_score_exprs(v: ParameterView) -> dict[str, pl.Expr]:
    used = pl.min_horizontal(col("class2_used"), col("class2"))
    class2 = col("class2") - used
    own = (col("class1_own") + pl.max_horizontal(lit(0), col("class2_own") - used)) > lit(0)
    qb = v("hte.score.ip_quantity_bands")
    q_lo = ip_band_expr(col("class1"), class2, qb, "points_min").cast(I128)
    q_hi = ip_band_expr(col("class1"), class2, qb, "points_max").cast(I128)
    ab = {b["own"]: b for b in v("hte.score.ip_acquisition_bands")}
    has_ip = (col("class1") + class2) > lit(0)
    a_lo = pl.when(~has_ip).then(lit(0)).when(own).then(lit(ab[True]["points_min"])).otherwise(lit(ab[False]["points_min"]))
    a_hi = pl.when(~has_ip).then(lit(0)).when(own).then(lit(ab[True]["points_max"])).otherwise(lit(ab[False]["points_max"]))
    bonus = v("hte.score.ip_standards_bonus_max")
    b_lo = pl.when(pl.col("participated_standard")).then(lit(1)).otherwise(lit(0))
    b_hi = pl.when(pl.col("participated_standard")).then(lit(bonus)).otherwise(lit(0))
    cb = v("hte.score.conversion_bands")
    # annual average = sum / years ≥ min ⇔ sum × q ≥ years × p; no year reported → average 0
    conv_tests = [((col("conv_n") > lit(0))
                   & (col("conv_sum") * lit(Fraction(b["min"]).denominator) >= col("conv_n") * lit(Fraction(b["min"]).numerator)), i)
                  for i, b in enumerate(cb) if "min" in b]
    c_index = band_expr(conv_tests, len(cb) - 1)
    mgmt = v("hte.score.rd_management_max")
    items = {
        "ip_advancement": _pick(lit(0), lit(v("hte.score.ip_advancement_max")), "ip_advancement"),
        "ip_core_support": _pick(lit(0), lit(v("hte.score.ip_core_support_max")), "ip_core_support"),
        "ip_quantity": _pick(q_lo, q_hi, "ip_quantity"),
        "ip_acquisition": _pick(a_lo, a_hi, "ip_acquisition"),
        "ip_standards_bonus": _pick(b_lo, b_hi, "ip_standards_bonus"),
        "conversion": _pick(_band_lookup(c_index, cb, "points_min"), _band_lookup(c_index, cb, "points_max"), "conversion"),
        "rd_org_rules": _pick(lit(0), lit(mgmt["org_rules"]), "rd_org_rules"),
        "rd_institution": _pick(lit(0), lit(mgmt["institution"]), "rd_institution"),
        "rd_conversion_rules": _pick(lit(0), lit(mgmt["conversion_rules"]), "rd_conversion_rules"),
        "rd_talent": _pick(lit(0), lit(mgmt["talent"]), "rd_talent"),
    }
    gb = v("hte.score.growth_bands")
    missing_years = col("_years_missing") > lit(0)
    for key in ("growth_net_assets", "growth_sales"):
        status, g_index = pl.col(f"_{key}_status"), pl.col(f"_{key}_index")
        undetermined = missing_years | (status == "undetermined")
        index = pl.when(status == "zero").then(pl.lit(len(gb) - 1)).otherwise(g_index)
        lo = pl.when(undetermined).then(lit(0)).otherwise(_band_lookup(index, gb, "points_min"))
        hi = pl.when(undetermined).then(lit(gb[0]["points_max"])).otherwise(_band_lookup(index, gb, "points_max"))
        items[key] = _pick(lo, hi, key)
    cap = lit(v("hte.score.ip_cap"))
    ip_keys = hte_rules.IP_KEYS
    ip_points = pl.min_horizontal(cap, sum((items[k][0] for k in ip_keys), lit(0)))
    ip_best = pl.min_horizontal(cap, sum((items[k][1] for k in ip_keys), lit(0)))
    rest = [k for k in items if k not in ip_keys]
    total = ip_points + sum((items[k][0] for k in rest), lit(0))
    best = ip_best + sum((items[k][1] for k in rest), lit(0))
    complete = ~pl.any_horizontal([items[k][2] for k in items])
    need = lit(v("hte.score.pass_min"))
    met = pl.when(total >= need).then(pl.lit(True)).when(complete | (best < need)).then(pl.lit(False)) \
        .otherwise(pl.lit(None, dtype=pl.Boolean))
    return {"hte_score": total, "hte_score_max": best, "hte_score_complete": complete, "hte_score_met": met,
            "hte_score_gap": pl.max_horizontal(lit(0), need - total)}


def hte_exprs(v: ParameterView) -> dict[str, pl.Expr]:
    """All HTE columns: each condition, eligibility (null = undetermined), score and gaps."""
    rd_now = col("_rd_now")
    rd_sum = rd_now + zero_if_null("rd_p1") + zero_if_null("rd_p2")
    sales_sum = col("sales") + zero_if_null("sales_p1") + zero_if_null("sales_p2")
    tiers = v("hte.rd_ratio_scale")
    threshold_tests = [(col("sales") <= lit(t["sales_up_to"] * 100), i) for i, t in enumerate(tiers) if "sales_up_to" in t]
    tier = band_expr(threshold_tests, len(tiers) - 1)
    rd_tests = [at_least(rd_sum, sales_sum, Fraction(t["min_ratio"])) for t in tiers]
    rd_met = pl.when(tier == lit(0)).then(rd_tests[0])
    for i in range(1, len(tiers)):
        rd_met = rd_met.when(tier == lit(i)).then(rd_tests[i])
    rd_met = pl.when(col("_years_missing") > lit(0)).then(pl.lit(None, dtype=pl.Boolean)).otherwise(rd_met.otherwise(pl.lit(False)))
    num = band_expr([(tier == lit(i), Fraction(t["min_ratio"]).numerator) for i, t in enumerate(tiers)], 0).cast(I128)
    den = band_expr([(tier == lit(i), Fraction(t["min_ratio"]).denominator) for i, t in enumerate(tiers)], 1).cast(I128)
    rd_gap = pl.max_horizontal(lit(0), ceil_div_expr(num * sales_sum - den * rd_sum, den))
    share = v.fraction("hte.st_staff_min_share")
    st_met = at_least(col("st_staff"), col("staff_total"), share)
    st_gap = pl.when(st_met).then(lit(0)).otherwise(pl.max_horizontal(lit(0), ceil_div(
        lit(share.numerator) * col("staff_total") - lit(share.denominator) * col("st_staff"),
        share.denominator - share.numerator)))
    abroad = scale_floor(col("rd_ent_abr"), v.fraction("hte.rd_entrusted_counted_share"))
    domestic = pl.when(col("rd_in_china").is_not_null()).then(pl.min_horizontal(col("rd_in_china"), rd_now)) \
        .otherwise(rd_now - abroad)
    used = pl.min_horizontal(col("class2_used"), col("class2"))
    registered_from = pl.col("registration_date").dt.offset_by(f"{v('hte.registration_min_years')}y")
    window_start = pl.col("assessment_date").dt.offset_by(f"-{v('hte.incident_lookback_years')}y")
    fields = v("hte.key_fields")
    conds = {
        "hte_registration": pl.col("assessment_date") >= registered_from,
        "hte_ip": (col("class1") + col("class2") - used) >= lit(v("hte.ip_min_count")),
        "hte_field_ok": pl.when(pl.col("hte_field").is_null()).then(pl.lit(None, dtype=pl.Boolean))
        .otherwise(pl.col("hte_field").is_in(fields)),
        "hte_st_staff": st_met,
        "hte_rd_ratio": rd_met,
        "hte_rd_domestic": at_least(domestic, rd_now, v.fraction("hte.rd_domestic_min_share")),
        "hte_high_tech_revenue": at_least(col("high_tech_revenue"), col("total_revenue"),
                                          v.fraction("hte.high_tech_revenue_min_share")),
    }
    score = hte_score_exprs(v)
    conds["hte_innovation_score"] = score["hte_score_met"]
    conds["hte_no_incidents"] = ~(pl.col("last_hte_incident").is_not_null()
                                  & (pl.col("last_hte_incident") > window_start))
    return {**conds, "hte_eligible": tri_and(list(conds.values())), "hte_score": score["hte_score"],
            "hte_score_max": score["hte_score_max"], "hte_score_gap": score["hte_score_gap"],
            "hte_rd_gap_fen": pl.when(rd_met.fill_null(True)).then(lit(0)).otherwise(rd_gap),
            "hte_st_staff_gap": st_gap}


def ceil_div_expr(numer: pl.Expr, den: pl.Expr) -> pl.Expr:
    return (numer + den - lit(1)) // den


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
    expiry = pl.col("hte_issue").dt.offset_by(f"{v('hte.validity_years')}y").dt.offset_by("-1d")
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


def screen_frame(frame: pl.DataFrame, on: date, tree: ParameterTree | None = None) -> pl.DataFrame:
    """Add the HTE and tech-SME columns, with the parameters in force on ``on``."""
    view = (tree or load_parameters()).at(on)
    staged = frame.with_columns(_rd_now=hte_rd_now(view), _sme_rd=sme_rd(view), _years_missing=_years_missing(view))
    staged = staged.with_columns(**_growth_columns(view))
    out = staged.with_columns(**{**hte_exprs(view), **tech_sme_exprs(view)})
    ints = [c for c, dt in out.schema.items() if dt == I128]
    return out.with_columns([pl.col(c).cast(pl.Int64) for c in ints]).drop(
        [c for c in out.columns if c.startswith("_")])


def _growth_columns(v: ParameterView) -> dict[str, pl.Expr]:
    """Growth grade index and status per indicator, materialised once (keeps the plan small)."""
    out = {}
    for key, p2, p1, now in (("growth_net_assets", "na_p2", "na_p1", "net_assets"),
                             ("growth_sales", "sales_p2", "sales_p1", "sales")):
        g = _growth_tests(p2, p1, now, v("hte.score.growth_bands"))
        out[f"_{key}_index"] = g["index"]
        out[f"_{key}_status"] = g["status"]
    return out


def what_if(frame: pl.DataFrame, overrides: Mapping[str, Any], on: date,
            tree: ParameterTree | None = None) -> dict[str, Any]:
    """Count who becomes / stops being eligible if the parameters change (files untouched)."""
    base_tree = tree or load_parameters()
    before = screen_frame(frame, on, base_tree)
    after = screen_frame(frame, on, base_tree.with_overrides(overrides))
    out: dict[str, Any] = {"overrides": {k: str(v) for k, v in overrides.items()}, "on": on.isoformat(),
                           "enterprises": frame.height}
    for program in ("hte", "tech_sme"):
        b = before[f"{program}_eligible"].fill_null(False)
        a = after[f"{program}_eligible"].fill_null(False)
        out[program] = {
            "eligible_before": int(b.sum()), "eligible_after": int(a.sum()),
            "newly_eligible": int((a & ~b).sum()), "no_longer_eligible": int((b & ~a).sum()),
            "newly_eligible_uscc": frame.filter(a & ~b)["uscc"].to_list(),
            "no_longer_eligible_uscc": frame.filter(b & ~a)["uscc"].to_list(),
        }
    return out
