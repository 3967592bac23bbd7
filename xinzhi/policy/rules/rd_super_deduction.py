"""R&D expense super deduction — 研发费用加计扣除.

* Rates: 财政部 税务总局公告2023年第7号 (100% / 200% from 2023-01-01, permanent); 公告2023年第44号
  (IC and industrial mother-machine enterprises 120% / 220%, 2023-01-01 to 2027-12-31); earlier
  75% / 175% (2018–2022, 100% in 2022 Q4). Parameters in ``parameters/rd_super_deduction.toml``.
* Excluded industries: 财税〔2015〕119号 Art. 4 (the negative list).
* 其他相关费用 ≤ 10%: limit = (items 1–5) × 10% ÷ (1 − 10%), pooled over all projects from 2021
  (国家税务总局公告2021年第28号).
* Entrusted R&D counted at 80%; abroad-entrusted deductible up to 2/3 of qualifying domestic R&D
  (财税〔2018〕64号).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ..package import AnnualPackage, RdExpense, industry_ancestors
from ..params import ParameterView
from .common import Condition, ProgramResult, pct, scale_down, wan

PROGRAM = "rd_super_deduction"
LABEL = "研发费用加计扣除"
P = "rd_super_deduction."


def deductible_base(rd: RdExpense, v: ParameterView) -> dict[str, Decimal]:
    """The R&D expense that qualifies for the super deduction (before the extra rate).

    Items 1–5 = personnel, direct input, depreciation, intangible amortisation, new-product design
    and trials; 其他相关费用 capped; entrusted domestic at 80%; abroad at 80% up to 2/3 of domestic.
    """
    items = rd.personnel + rd.direct_input + rd.depreciation + rd.amortisation + rd.design_and_trials
    share = v.fraction(P + "other_related_cap_share")
    other_cap = scale_down(items, share / (1 - share))
    other = min(rd.other, other_cap)
    entrusted = scale_down(rd.entrusted_domestic, v.fraction(P + "entrusted_domestic_counted_share"))
    domestic = items + other + entrusted
    abroad_counted = abroad = Decimal("0.00")
    if v.in_force(P + "entrusted_abroad_counted_share"):
        abroad_counted = scale_down(rd.entrusted_abroad, v.fraction(P + "entrusted_abroad_counted_share"))
        abroad = min(abroad_counted, scale_down(domestic, v.fraction(P + "entrusted_abroad_cap_of_domestic")))
    return {"items_1_5": items, "other_related_actual": rd.other, "other_related_cap": other_cap,
            "other_related": other, "entrusted_domestic": entrusted, "domestic": domestic,
            "entrusted_abroad_counted": abroad_counted, "entrusted_abroad": abroad, "total": domestic + abroad}


def negative_list_match(p: AnnualPackage, v: ParameterView) -> dict[str, str] | None:
    """The negative-list entry the enterprise's industry falls in, if any."""
    codes = set(industry_ancestors(p.industry_code))
    return next((item for item in v(P + "negative_list") if item["code"] in codes), None)


def rates(p: AnnualPackage, v: ParameterView) -> tuple[str, str]:
    """Names of the (expensed, capitalised) rate parameters that apply to this enterprise."""
    special = p.tax.ic_enterprise or p.tax.industrial_mother_machine_enterprise
    if special and v.in_force(P + "ic_expensed_extra_rate"):
        return P + "ic_expensed_extra_rate", P + "ic_capitalised_amortisation_rate"
    return P + "expensed_extra_rate", P + "capitalised_amortisation_rate"


def in_year_changes(v: ParameterView, names: tuple[str, ...], year: int) -> list[str]:
    notes = []
    for name in names:
        for change in v.tree.get(name).changes_between(date(year, 1, 1), date(year, 12, 31)):
            notes.append(f"参数 {name} 于{change.start.isoformat()}起变为 {change.value}（{change.reference}）；"
                         "本计算按年初取值，年内分段请按费用发生期间拆分计算")
    return notes


def evaluate(p: AnnualPackage, v: ParameterView, year: int, tax_rate: Decimal) -> ProgramResult:
    """Who may claim, and the extra deduction for ``year`` (``v`` is the view at 1 January)."""
    result = ProgramResult(PROGRAM, LABEL)
    if not v.in_force(P + "expensed_extra_rate"):
        result.status, result.eligible = "not_in_force", False
        return result
    allowed = v(P + "allowed_collection_methods")
    method_ok = p.tax.collection_method in allowed
    result.conditions.append(Condition(
        "collection_method", "企业所得税查账征收", method_ok, p.tax.collection_method, allowed,
        v.reference(P + "allowed_collection_methods"),
        gap=None if method_ok else "核定征收企业不适用加计扣除，改为查账征收后方可享受"))
    hit = negative_list_match(p, v)
    result.conditions.append(Condition(
        "negative_list", "所属行业不在负面清单", hit is None, p.industry_code,
        [f"{i['code']} {i['name']}" for i in v(P + "negative_list")], v.reference(P + "negative_list"),
        gap=None if hit is None else f"所属行业属于负面清单（{hit['name']}），不适用加计扣除"))
    base = deductible_base(p.rd_expense, v)
    result.decide()
    expensed_name, capital_name = rates(p, v)
    expensed_rate, capital_rate = v.fraction(expensed_name), v.fraction(capital_name)
    expensed = max(Decimal("0.00"), base["total"] - p.rd_expense.capitalised)
    extra = scale_down(expensed, expensed_rate) + scale_down(p.rd_expense.capitalised_amortisation, capital_rate - 1)
    if not result.eligible:
        extra = Decimal("0.00")
    result.benefit = {
        "extra_deduction": extra,
        "expensed_rate": v(expensed_name),
        "capitalised_amortisation_rate": v(capital_name),
        "base": base,
        "income_tax_rate_used": tax_rate,
        "tax_value_estimate": scale_down(extra, tax_rate),
    }
    result.notes += in_year_changes(v, (expensed_name, capital_name), year)
    if not v(P + "other_related_cap_pooled"):
        result.notes.append("该年度其他相关费用限额应按项目分别计算；本计算按全部项目汇总，可能偏高")
    if not v.in_force(P + "entrusted_abroad_counted_share") and p.rd_expense.entrusted_abroad:
        result.notes.append("委托境外研发费用规则（财税〔2018〕64号）自2018年起适用，此前年度未计入")
    result.notes.append("税额价值按适用税率估算，未考虑应纳税所得额不足以抵扣的情形")
    if result.eligible and extra > 0:
        result.extra["summary"] = f"可加计扣除{wan(extra)}，按{pct(tax_rate)}税率约减少企业所得税{wan(scale_down(extra, tax_rate))}"
    return result
