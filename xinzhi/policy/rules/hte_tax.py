"""HTE income-tax preference and the 10-year loss carry-forward.

* 企业所得税法 Art. 28 para 2: 15% for HTEs (the 25% standard rate, Art. 4, is flagged unverified:
  policy_criteria.md does not source it); from the year the certificate is issued.
* Losses: 5 years (Art. 18); 财税〔2018〕76号 from 2018-01-01: an enterprise with HTE or tech-SME
  status in a year carries forward the losses of the 5 years before that year for up to 10 years.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ..package import AnnualPackage
from ..params import ParameterView
from .common import Condition, ProgramResult, pct, scale_down, wan

PROGRAM = "hte_income_tax"
LABEL = "高新技术企业所得税优惠（15%税率）与亏损结转10年"
P = "income_tax."
ZERO = Decimal("0.00")


def hte_tax_year(p: AnnualPackage, year: int, v: ParameterView) -> bool:
    """The certificate covers the tax year: from its issue year, for ``hte_tax_years`` years."""
    issued = p.holdings.hte_certificate_issue_date
    return issued is not None and issued.year <= year < issued.year + v(P + "hte_tax_years")


def qualified_years(p: AnnualPackage, year: int, v: ParameterView, tech_sme_now: bool) -> set[int]:
    """Years with HTE or tech-SME status: the package's list, the certificate years, this year's screen."""
    years = set(p.holdings.qualified_years)
    issued = p.holdings.hte_certificate_issue_date
    if issued is not None:
        years |= set(range(issued.year, issued.year + v(P + "hte_tax_years")))
    if tech_sme_now:
        years.add(year)
    return {y for y in years if y <= year}


def loss_window(loss_year: int, year: int, qualified: set[int], v: ParameterView) -> int:
    """Carry-forward years of a loss: 10 if a qualifying year follows it within 5 years (from 2018)."""
    general = v(P + "loss_years_general")
    if not v.in_force(P + "loss_years_qualified"):
        return general
    lookback = v(P + "loss_lookback_years")
    start = v.entry(P + "loss_years_qualified").start.year
    if any(max(start, loss_year + 1) <= q <= loss_year + lookback for q in qualified):
        return v(P + "loss_years_qualified")
    return general


def offset_losses(p: AnnualPackage, year: int, income: Decimal, windows: dict[int, int]) -> Decimal:
    """Losses usable this year, oldest first, up to the income."""
    used = ZERO
    for loss in sorted(p.tax.losses, key=lambda x: x.year):
        if year - loss.year <= windows[loss.year] and used < income:
            used += min(loss.amount, income - used)
    return used


def evaluate(p: AnnualPackage, v: ParameterView, year: int, tech_sme_now: bool) -> ProgramResult:
    result = ProgramResult(PROGRAM, LABEL)
    is_hte = hte_tax_year(p, year, v)
    qualified = qualified_years(p, year, v, tech_sme_now)
    result.conditions = [Condition(
        "hte_status", "该纳税年度持有有效的高新技术企业证书", is_hte, p.holdings.hte_certificate_issue_date,
        f"证书颁发年度起{v(P + 'hte_tax_years')}个纳税年度", v.reference(P + "hte_rate"),
        gap=None if is_hte else "取得高新技术企业证书后，自颁发证书之日所在年度起享受15%税率")]
    result.decide()
    income = p.tax.taxable_income_before_losses
    standard, reduced = v.fraction(P + "standard_rate"), v.fraction(P + "hte_rate")
    general = {loss.year: v(P + "loss_years_general") for loss in p.tax.losses}
    extended = {loss.year: loss_window(loss.year, year, qualified, v) for loss in p.tax.losses}
    windows = {str(y): n for y, n in extended.items()}
    if income is None:
        result.notes.append("未填报弥补亏损前应纳税所得额，无法计算节税额")
        result.extra["loss_carry_forward_years"] = windows
        return result
    positive = max(ZERO, income)
    base_losses = offset_losses(p, year, positive, general)
    pref_losses = offset_losses(p, year, positive, extended)
    tax_general = scale_down(positive - base_losses, standard)
    tax_pref = scale_down(positive - pref_losses, reduced if is_hte else standard)
    result.benefit = {
        "taxable_income_before_losses": income,
        "losses_offset_general": base_losses,
        "losses_offset_with_preference": pref_losses,
        "tax_at_standard_rate": tax_general,
        "tax_with_preference": tax_pref,
        "benefit_yuan": tax_general - tax_pref,
        "rate_saving": scale_down(positive - pref_losses, standard - reduced) if is_hte else ZERO,
        "extra_loss_offset": pref_losses - base_losses,
        "loss_carry_forward_years": windows,
    }
    if is_hte or pref_losses > base_losses:
        result.extra["summary"] = f"较按{pct(standard)}税率和5年亏损结转少缴企业所得税{wan(tax_general - tax_pref)}"
    if date(year, 1, 1) < date(2018, 1, 1):
        result.notes.append("亏损结转10年政策（财税〔2018〕76号）自2018年起执行")
    result.notes.append("未考虑小型微利企业等其他所得税优惠；技术先进型服务企业15%税率与本项不叠加")
    return result
