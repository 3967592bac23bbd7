"""Advanced manufacturing enterprise VAT additional deduction — 先进制造业企业增值税加计抵减.

财政部 税务总局公告2023年第43号: from 2023-01-01 to 2027-12-31 an advanced manufacturing enterprise
(a high-tech enterprise that is a manufacturing general VAT taxpayer) accrues 5% of its creditable
input VAT as a credit against VAT payable. The list criteria (manufacturing section C, manufacturing
sales > 50%) come from the list-making notices, whose number is unverified.

The package is annual, so the computation is an annual approximation of the per-period rules.
"""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal
from fractions import Fraction

from ..package import AnnualPackage
from ..params import ParameterView
from . import hte
from .common import Condition, ProgramResult, from_fen, pct, ratio, ratio_text, scale_down, wan

PROGRAM = "vat_additional_deduction"
LABEL = "先进制造业企业增值税加计抵减"
P = "vat_additional_deduction."
ZERO = Decimal("0.00")


def more_than_needed(part: Decimal, whole: Decimal, share: Fraction) -> Decimal:
    """Smallest whole-fen amount x with (part + x) / (whole + x) strictly above ``share``."""
    exact = (share * Fraction(whole) - Fraction(part)) / (1 - share)
    return from_fen(max(0, math.floor(exact * 100) + 1))


def hte_during(p: AnnualPackage, year: int, v: ParameterView) -> bool:
    """Valid HTE at some time in the year (the list uses HTE status within the year)."""
    expiry = hte.certificate_expiry(p, v)
    issued = p.holdings.hte_certificate_issue_date
    return issued is not None and expiry is not None and issued <= date(year, 12, 31) and expiry >= date(year, 1, 1)


def accrual(p: AnnualPackage, rate: Fraction) -> dict[str, Decimal]:
    """5% of the accruable input VAT, less 5% of input VAT transferred out (43号 第二、四条)."""
    t = p.tax
    export_share = ratio(p.revenue.export_sales, p.revenue.sales_revenue) or Fraction(0)
    unsplittable_export = scale_down(t.unsplittable_input_vat, min(export_share, Fraction(1)))
    accruable = max(ZERO, t.creditable_input_vat - t.export_input_vat - unsplittable_export)
    gross = scale_down(accruable, rate)
    reduction = scale_down(t.input_vat_transferred_out, rate)
    return {"accruable_input_vat": accruable, "non_accruable_export_share": unsplittable_export + t.export_input_vat,
            "accrued": gross, "reduction_for_transfers_out": reduction}


def apply_credit(payable: Decimal | None, available: Decimal) -> dict[str, Decimal | None]:
    """The three cases of 43号: payable 0 → carry all; payable > credit → use all; else use up to payable."""
    if payable is None:
        return {"used": None, "carried_forward": None}
    if payable <= 0:
        return {"used": ZERO, "carried_forward": available}
    used = min(payable, available)
    return {"used": used, "carried_forward": available - used}


def evaluate(p: AnnualPackage, v: ParameterView, year: int) -> ProgramResult:
    result = ProgramResult(PROGRAM, LABEL)
    if not v.in_force(P + "rate"):
        result.status, result.eligible = "not_in_force", False
        result.notes.append("该年度不在财政部 税务总局公告2023年第43号执行期（2023-01-01至2027-12-31）内")
        return result
    share = v.fraction(P + "manufacturing_sales_min_share")
    section = v(P + "manufacturing_industry_section")
    mfg, sales = p.revenue.manufacturing_sales, p.revenue.sales_revenue
    mfg_ok = sales > 0 and Fraction(mfg) > share * Fraction(sales)
    need = ZERO if mfg_ok else more_than_needed(mfg, sales, share)
    is_hte = hte_during(p, year, v)
    result.conditions = [
        Condition("hte", "年度内为有效期内的高新技术企业", is_hte, p.holdings.hte_certificate_issue_date, True,
                  v.reference(P + "rate"), gap=None if is_hte else "须先取得高新技术企业资格"),
        Condition("manufacturing_industry", "所属行业为制造业（GB/T 4754-2017 门类C）", p.industry_section == section,
                  p.industry_code, section, v.reference(P + "manufacturing_industry_section")),
        Condition("manufacturing_sales_share", "制造业销售额占全部销售额比例（不含增值税）", mfg_ok,
                  {"manufacturing_sales": mfg, "sales_revenue": sales, "ratio": ratio_text(ratio(mfg, sales))},
                  f">{pct(share)}（不含）", v.reference(P + "manufacturing_sales_min_share"),
                  gap=None if mfg_ok else f"制造业销售额还差{wan(need)}可超过{pct(share)}", gap_value=need),
        Condition("general_taxpayer", "增值税一般纳税人", p.tax.vat_general_taxpayer, p.tax.vat_general_taxpayer,
                  True, v.reference(P + "rate")),
        Condition("no_other_policy", "未选择适用其他增值税加计抵减政策", not p.tax.other_vat_deduction_chosen,
                  p.tax.other_vat_deduction_chosen, False, v.reference(P + "rate"),
                  detail="同时符合多项增值税加计抵减政策的，只能择优选择一项，不得叠加"),
    ]
    result.decide()
    if not result.eligible:
        return result
    acc = accrual(p, v.fraction(P + "rate"))
    available = max(ZERO, p.tax.vat_credit_brought_forward + acc["accrued"] - acc["reduction_for_transfers_out"])
    applied = apply_credit(p.tax.vat_payable_before_deduction, available)
    result.benefit = {**acc, "brought_forward": p.tax.vat_credit_brought_forward, "available": available, **applied,
                      "rate": v(P + "rate"), "benefit_yuan": applied["used"] if applied["used"] is not None else available}
    end = v.entry(P + "rate").end
    if end is not None and end.year == year and applied["carried_forward"]:
        result.notes.append(f"{end.isoformat()}后未抵减完的加计抵减额不再抵减，结转额{wan(applied['carried_forward'])}将作废")
    result.notes.append("按年度汇总近似计算；实际按纳税申报期逐期计提与抵减")
    return result
