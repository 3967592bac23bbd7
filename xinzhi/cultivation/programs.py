"""Columnar screening of the register for every programme the lists use (pure: no Django).

* HTE and tech-SME: :func:`xinzhi.policy.bulk.screen_frame` (the same rules and parameters as the
  scalar engine; not rewritten here);
* advanced-manufacturing enterprise list (VAT 5% additional deduction, 财政部 税务总局公告2023年第43号):
  the eligibility conditions of :mod:`xinzhi.policy.rules.vat_additional_deduction` as expressions —
  valid HTE during the year, industry section C, manufacturing sales strictly above 50% of sales,
  general VAT taxpayer, no other VAT additional-deduction policy chosen;
* the tax incentives — R&D super deduction, the VAT 5% additional deduction (accrual, credit used) and the
  HTE 15% income tax with the 10-year losses: :func:`xinzhi.policy.bulk.screen_taxes` (parameters of
  1 January of the tax year; ``xinzhi/policy/tests/test_bulk.py`` checks them against the scalar rules row
  by row). Their ``holds`` comes from the package (``tax.claims_*``): it is False only where the package
  says it does not claim a positive benefit, so the 应享尽享 list shows "eligible but not claiming".

:func:`long_results` turns the wide frame into one row per enterprise and programme with the gap
sentence, the gap amount and whether the enterprise is *near-eligible* (cultivation pool: it fails
only conditions it can close — R&D spend, S&T staff, the score, the manufacturing share).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

import polars as pl

from xinzhi.policy.bulk import col, lit, screen_frame, screen_taxes, vat_conditions
from xinzhi.policy.params import ParameterTree, ParameterView, load_parameters

VAT = "vat_additional_deduction."
PROGRAMS = ("hte", "tech_sme", "advanced_manufacturing", "rd_super_deduction", "vat_additional_deduction",
            "hte_income_tax")
#: tax incentives: "holds" = the package says it claims (``tax.claims_*``), see :func:`long_results`
TAX_PROGRAMS = {"rd_super_deduction": "claims_rd", "vat_additional_deduction": "claims_vat",
                "hte_income_tax": "claims_hte_rate"}

HTE_CONDITIONS = {
    "hte_registration": "注册成立满1年", "hte_ip": "知识产权", "hte_field_ok": "技术领域",
    "hte_st_staff": "科技人员占比", "hte_rd_ratio": "研发费用占比", "hte_rd_domestic": "境内研发占比",
    "hte_high_tech_revenue": "高新技术产品收入占比", "hte_innovation_score": "创新能力评价",
    "hte_no_incidents": "无重大事故",
}
#: conditions an enterprise can close by spending, hiring or improving (cultivation pool)
HTE_CLOSABLE = ("hte_rd_ratio", "hte_st_staff", "hte_innovation_score")
AM_CONDITIONS = {"am_hte": "高新技术企业资格", "am_section": "制造业（门类C）", "am_share": "制造业销售额占比",
                 "am_general": "增值税一般纳税人", "am_no_other": "未选择其他加计抵减政策"}
AM_CLOSABLE = ("am_share",)


def am_exprs(v: ParameterView, year: int) -> dict[str, pl.Expr]:
    """Advanced-manufacturing list criteria (43号 and the list notice) and the accrual estimate in fen."""
    in_force = v.in_force(VAT + "rate")
    c = vat_conditions(v, year)
    conds = {"am_hte": c["hte"], "am_section": c["section"], "am_share": c["share"], "am_general": c["general"],
             "am_no_other": c["no_other"]}
    eligible = pl.all_horizontal(list(conds.values())) & pl.lit(in_force)
    rate = v.fraction(VAT + "rate") if in_force else Fraction(0)
    accrual = (col("input_vat") * lit(rate.numerator)) // lit(rate.denominator)
    return {**conds, "am_eligible": eligible, "am_share_gap_fen": c["share_gap_fen"],
            "am_benefit_fen": pl.when(eligible).then(accrual).otherwise(lit(0))}


def hte_benefit(v: ParameterView) -> pl.Expr:
    """HTE income-tax saving estimate in fen: (standard − HTE rate) × positive taxable income (before losses)."""
    diff = Fraction(v("income_tax.standard_rate")) - Fraction(v("income_tax.hte_rate"))
    base = pl.max_horizontal(lit(0), col("taxable_income").fill_null(lit(0)))
    return (base * lit(diff.numerator)) // lit(diff.denominator)


def screen_all(frame: pl.DataFrame, year: int, tree: ParameterTree | None = None) -> pl.DataFrame:
    """HTE, tech-SME and advanced-manufacturing columns for every row, parameters in force on 31 Dec ``year``;
    then the tax incentives (R&D super deduction, VAT 5% additional deduction, HTE income tax) with the
    parameters in force on 1 January (:func:`xinzhi.policy.bulk.screen_taxes`)."""
    tree = tree or load_parameters()
    on = date(year, 12, 31)
    screened = screen_frame(frame, on, tree)
    view = tree.at(on)
    extra = am_exprs(view, year)
    out = screened.with_columns(**extra, hte_benefit_fen=hte_benefit(view))
    out = screen_taxes(out, year, tree)  # tax incentives, parameters of 1 January (as the scalar screen)
    ints = [c for c, dt in out.schema.items() if dt == pl.Int128]
    return out.with_columns([pl.col(c).cast(pl.Int64) for c in ints])


def _wan(fen: pl.Expr) -> pl.Expr:
    """Fen → 万元 text rounded up to 0.01万 (as the scalar gap sentences do)."""
    hundredths = (fen + 9_999) // 10_000  # 0.01万元 = 100 yuan = 10,000 fen
    whole = (hundredths // 100).cast(pl.String)
    frac = (hundredths % 100).cast(pl.String).str.zfill(2).str.strip_chars_end("0")
    return pl.when(frac == "").then(whole).otherwise(whole + "." + frac) + "万元"


def _failed(conds: Mapping[str, str]) -> pl.Expr:
    parts = [pl.when(pl.col(c) == False).then(pl.lit(label)) for c, label in conds.items()]  # noqa: E712
    return pl.concat_str(parts, separator="、", ignore_nulls=True)


def _only_closable(conds: Mapping[str, str], closable: tuple[str, ...]) -> pl.Expr:
    hard = [c for c in conds if c not in closable]
    return pl.all_horizontal([pl.col(c).fill_null(True) for c in hard])


def hte_gap_exprs(pct: str) -> dict[str, pl.Expr]:
    """The HTE gap: sentence (R&D spend, S&T staff, score) and the amounts the pool is ranked by."""
    text = pl.concat_str([
        pl.when(pl.col("hte_rd_gap_fen") > 0).then(pl.lit("研发费用还差") + _wan(pl.col("hte_rd_gap_fen")) + "可达到比例要求"),
        pl.when(pl.col("hte_st_staff") == False).then(  # noqa: E712
            pl.format("科技人员还差{}人可达到" + pct, pl.col("hte_st_staff_gap"))),
        pl.when((pl.col("hte_innovation_score") == False) & (pl.col("hte_score_gap") > 0)).then(  # noqa: E712
            pl.format("创新能力评价还差{}分可达到71分", pl.col("hte_score_gap"))),
    ], separator="；", ignore_nulls=True)
    return {
        "gap_text": text,
        "gap_amount": pl.when(pl.col("hte_rd_gap_fen") > 0).then((pl.col("hte_rd_gap_fen") + 99) // 100),
        "gap_staff": pl.when(pl.col("hte_st_staff") == False).then(pl.col("hte_st_staff_gap")),  # noqa: E712
        "gap_points": pl.when(pl.col("hte_innovation_score") == False).then(pl.col("hte_score_gap")),  # noqa: E712
    }


def hte_near() -> pl.Expr:
    """Near-eligible for HTE: not eligible, and every failed condition is one it can close."""
    return (pl.col("hte_eligible") == False) & _only_closable(HTE_CONDITIONS, HTE_CLOSABLE)  # noqa: E712


def long_results(screened: pl.DataFrame, st_share: Fraction | None = None) -> pl.DataFrame:
    """One row per enterprise and programme: eligible, score, failed conditions, gap text/amounts, near."""
    pct = f"{float(st_share) * 100:g}%" if st_share is not None else "比例要求"
    keep = [c for c in ("enterprise_id", "division_code") if c in screened.columns]
    hte = screened.select(
        *keep, program=pl.lit("hte"), eligible=pl.col("hte_eligible"), score=pl.col("hte_score"),
        failed=_failed(HTE_CONDITIONS), **hte_gap_exprs(pct), near=hte_near(),
        benefit=pl.when(pl.col("hte_eligible").fill_null(False)).then(pl.col("hte_benefit_fen") // 100),
    )
    sme_score_gap = pl.col("tech_sme_score_gap")
    passed_needs = pl.col("tech_sme_basic") & ~pl.col("tech_sme_direct") & ~pl.col("tech_sme_eligible")
    sme = screened.select(
        *keep, program=pl.lit("tech_sme"), eligible=pl.col("tech_sme_eligible"), score=pl.col("tech_sme_score"),
        failed=pl.when(~pl.col("tech_sme_basic")).then(pl.lit("基本条件（规模、合规等）"))
        .when(~pl.col("tech_sme_eligible")).then(pl.lit("综合评价")).otherwise(pl.lit("")),
        gap_text=pl.when(passed_needs).then(pl.concat_str([
            pl.when(sme_score_gap > 0).then(pl.format("综合评价得分还差{}分可达到60分", sme_score_gap)),
            pl.when(pl.col("tech_sme_hires_to_nonzero") > 0).then(
                pl.format("科技人员指标为0分，还需新增{}名科技人员", pl.col("tech_sme_hires_to_nonzero"))),
        ], separator="；", ignore_nulls=True)).otherwise(pl.lit("")),
        gap_amount=pl.lit(None, dtype=pl.Int64),
        gap_staff=pl.when(passed_needs & (pl.col("tech_sme_hires_to_nonzero") > 0)).then(pl.col("tech_sme_hires_to_nonzero")),
        gap_points=pl.when(passed_needs).then(sme_score_gap),
        near=passed_needs,
        benefit=pl.lit(None, dtype=pl.Int64),
    )
    am = screened.select(
        *keep, program=pl.lit("advanced_manufacturing"), eligible=pl.col("am_eligible"),
        score=pl.lit(None, dtype=pl.Int64), failed=_failed(AM_CONDITIONS),
        gap_text=pl.concat_str([
            pl.when(~pl.col("am_hte")).then(pl.lit("须先取得高新技术企业资格")),
            pl.when(pl.col("am_share_gap_fen") > 0).then(
                pl.lit("制造业销售额还差") + _wan(pl.col("am_share_gap_fen")) + "可超过50%"),
        ], separator="；", ignore_nulls=True),
        gap_amount=pl.when(pl.col("am_share_gap_fen") > 0).then((pl.col("am_share_gap_fen") + 99) // 100),
        gap_staff=pl.lit(None, dtype=pl.Int64), gap_points=pl.lit(None, dtype=pl.Int64),
        near=~pl.col("am_eligible") & _only_closable(AM_CONDITIONS, AM_CLOSABLE) & (pl.col("am_share_gap_fen") > 0),
        benefit=pl.when(pl.col("am_eligible")).then(pl.col("am_benefit_fen") // 100),
    )
    out = pl.concat([hte, sme, am, *tax_results(screened, keep, pct)], how="diagonal_relaxed")
    if "holds_pkg" not in out.columns:
        out = out.with_columns(holds_pkg=pl.lit(None, dtype=pl.Boolean))
    return out.with_columns(pl.col("gap_text").fill_null(""), pl.col("failed").fill_null(""),
                            pl.col("near").fill_null(False))


def _claims(flag: str, benefit_fen: pl.Expr) -> pl.Expr:
    """``holds`` of a tax incentive: False only where the package says it does not claim a positive benefit."""
    return pl.when(benefit_fen.fill_null(0) <= 0).then(pl.lit(True)).otherwise(pl.col(flag).fill_null(True))


def tax_results(screened: pl.DataFrame, keep: list[str], pct: str = "比例要求") -> list[pl.DataFrame]:
    """Long rows of the three tax incentives (benefit in yuan, rounded down; ``holds_pkg`` from the claim flags).

    Near-eligible (cultivation pool), as for the certifications: the VAT 5% additional deduction when the
    manufacturing share is the only condition it fails (the gap in yuan of manufacturing sales, as the
    advanced-manufacturing list); the HTE 15% rate when the enterprise is near-eligible for HTE itself (the
    HTE gap). The R&D super deduction never is: what it fails (the collection method, a negative-list
    industry) is not closed by spending or hiring. A near-eligible enterprise does not claim (``holds`` False).
    """
    if "rd_sd_eligible" not in screened.columns:
        return []
    none_i, none_s = pl.lit(None, dtype=pl.Int64), pl.lit(None, dtype=pl.String)
    rd = screened.select(
        *keep, program=pl.lit("rd_super_deduction"), eligible=pl.col("rd_sd_eligible"), score=none_i,
        failed=pl.concat_str([pl.when(~pl.col("rd_sd_method_ok")).then(pl.lit("查账征收")),
                              pl.when(pl.col("rd_sd_negative")).then(pl.lit("行业不在负面清单"))],
                             separator="、", ignore_nulls=True),
        gap_text=pl.concat_str([
            pl.when(~pl.col("rd_sd_method_ok")).then(pl.lit("核定征收企业不适用加计扣除，改为查账征收后方可享受")),
            pl.when(pl.col("rd_sd_negative")).then(pl.lit("所属行业属于负面清单，不适用加计扣除"))],
            separator="；", ignore_nulls=True),
        gap_amount=none_i, gap_staff=none_i, gap_points=none_i, near=pl.lit(False),
        benefit=pl.when(pl.col("rd_sd_eligible")).then(pl.col("rd_sd_tax_fen") // 100),
        holds_pkg=_claims("claims_rd", pl.col("rd_sd_tax_fen")),
    )
    vat_near = (~pl.col("vat_eligible") & (pl.col("vat_share_gap_fen") > 0)
                & (_only_closable(AM_CONDITIONS, AM_CLOSABLE) if "am_hte" in screened.columns else pl.lit(False)))
    vat = screened.select(
        *keep, program=pl.lit("vat_additional_deduction"), eligible=pl.col("vat_eligible"), score=none_i,
        failed=_failed(AM_CONDITIONS) if "am_hte" in screened.columns else none_s,
        gap_text=pl.concat_str([
            pl.when(~pl.col("vat_hte")).then(pl.lit("须先取得高新技术企业资格")),
            pl.when(pl.col("vat_share_gap_fen") > 0).then(
                pl.lit("制造业销售额还差") + _wan(pl.col("vat_share_gap_fen")) + "可超过50%"),
        ], separator="；", ignore_nulls=True),
        gap_amount=pl.when(pl.col("vat_share_gap_fen") > 0).then((pl.col("vat_share_gap_fen") + 99) // 100),
        gap_staff=none_i, gap_points=none_i, near=vat_near,
        benefit=pl.when(pl.col("vat_eligible")).then(pl.col("vat_benefit_fen") // 100),
        holds_pkg=pl.when(vat_near).then(pl.lit(False)).otherwise(_claims("claims_vat", pl.col("vat_benefit_fen"))),
    )
    hte_gap = hte_gap_exprs(pct)
    ht_near = ~pl.col("hte_tax_eligible") & hte_near()
    ht = screened.select(
        *keep, program=pl.lit("hte_income_tax"), eligible=pl.col("hte_tax_eligible"), score=none_i,
        failed=pl.when(~pl.col("hte_tax_eligible")).then(pl.lit("有效高企证书")),
        gap_text=pl.when(~pl.col("hte_tax_eligible")).then(pl.concat_str([
            pl.lit("取得高新技术企业证书后，自颁发证书之日所在年度起享受15%税率"),
            pl.when(ht_near & (hte_gap["gap_text"] != "")).then(pl.lit("高企认定：") + hte_gap["gap_text"]),
        ], separator="；", ignore_nulls=True)),
        gap_amount=pl.when(ht_near).then(hte_gap["gap_amount"]), gap_staff=pl.when(ht_near).then(hte_gap["gap_staff"]),
        gap_points=pl.when(ht_near).then(hte_gap["gap_points"]), near=ht_near,
        benefit=pl.when(pl.col("hte_tax_eligible")).then(pl.col("hte_tax_benefit_fen") // 100),
        holds_pkg=pl.when(ht_near).then(pl.lit(False)).otherwise(
            _claims("claims_hte_rate", pl.when(pl.col("hte_tax_eligible")).then(pl.col("hte_tax_benefit_fen")))),
    )
    return [rd, vat, ht]


def compare(before: pl.DataFrame, after: pl.DataFrame, group: str = "city_code") -> pl.DataFrame:
    """Per region and programme: eligible before/after, newly eligible, no longer eligible, fiscal cost change.

    Both frames come from :func:`screen_all` on the same rows (with ``group`` and the benefit columns).
    """
    parts = []
    for program, flag, benefit in (("hte", "hte_eligible", "hte_benefit_fen"),
                                   ("tech_sme", "tech_sme_eligible", None),
                                   ("advanced_manufacturing", "am_eligible", "am_benefit_fen"),
                                   ("rd_super_deduction", "rd_sd_eligible", "rd_sd_tax_fen"),
                                   ("vat_additional_deduction", "vat_eligible", "vat_benefit_fen"),
                                   ("hte_income_tax", "hte_tax_eligible", "hte_tax_benefit_fen")):
        if flag not in before.columns:
            continue
        b = before[flag].fill_null(False)
        a = after[flag].fill_null(False)
        cost_b = (before[benefit] if benefit else pl.Series([0] * before.height)).fill_null(0)
        cost_a = (after[benefit] if benefit else pl.Series([0] * after.height)).fill_null(0)
        frame = pl.DataFrame({
            group: before[group], "b": b, "a": a,
            "cost_b": pl.Series(cost_b).cast(pl.Int64) * b.cast(pl.Int64),
            "cost_a": pl.Series(cost_a).cast(pl.Int64) * a.cast(pl.Int64),
        })
        parts.append(frame.group_by(group).agg(
            program=pl.lit(program),
            eligible_before=pl.col("b").sum(), eligible_after=pl.col("a").sum(),
            newly_eligible=(pl.col("a") & ~pl.col("b")).sum(), no_longer_eligible=(pl.col("b") & ~pl.col("a")).sum(),
            cost_before=pl.col("cost_b").sum() // 100, cost_after=pl.col("cost_a").sum() // 100,
        ))
    out = pl.concat(parts).with_columns(cost_change=pl.col("cost_after") - pl.col("cost_before"))
    return out.sort(["program", group])


def numeric_parameters(tree: ParameterTree, on: date) -> list[dict[str, Any]]:
    """Scalar thresholds and rates in force on ``on`` that a what-if may change (name, value, description)."""
    out = []
    view = tree.at(on)
    for param in tree:
        if not param.in_force(on):
            continue
        value = view(param.name)
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            continue
        out.append({"name": param.name, "value": str(value), "description": param.description, "unit": param.unit})
    return out
