"""Technology-based SME evaluation — 科技型中小企业评价.

国科发政〔2017〕115号《科技型中小企业评价办法》: Art. 6 (conditions), Art. 7 (the 100-point score:
S&T personnel 20, R&D input 50 by either ratio, S&T achievements 30), Art. 8 (direct
qualification); with the 2022 service guideline 国科火字〔2022〕67号 (audit-based tax collection,
the industry restriction — both flagged unverified in ``parameters/tech_sme.toml``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

from ..package import INCIDENT_TYPES, AnnualPackage
from ..params import ParameterView
from . import hte, rd_super_deduction
from .common import (
    Condition,
    ProgramResult,
    band_for,
    hires_needed,
    ip_band,
    needed_up,
    pct,
    ratio,
    ratio_text,
    wan,
)

PROGRAM = "tech_sme"
LABEL = "科技型中小企业评价"
P = "tech_sme."


def rd_expense(p: AnnualPackage, v: ParameterView) -> Decimal:
    """R&D expense in the super-deduction scope (115号: 按研发费用加计扣除口径归集)."""
    return rd_super_deduction.deductible_base(p.rd_expense, v)["total"]


def personnel_score(p: AnnualPackage, v: ParameterView) -> Mapping[str, Any]:
    share = ratio(p.staff.st_staff, p.staff.total)
    return band_for(share, v(P + "score.personnel_bands"))


def rd_score(p: AnnualPackage, v: ParameterView, rd: Decimal) -> tuple[Mapping[str, Any], str]:
    """The better of the two R&D ratios (the enterprise chooses one, 115号 Art. 7 (二))."""
    by_sales = band_for(ratio(rd, p.revenue.sales_revenue), v(P + "score.rd_sales_bands"))
    costs = p.revenue.total_costs_expenses
    if costs is None:
        return by_sales, "sales"
    by_costs = band_for(ratio(rd, costs), v(P + "score.rd_cost_bands"))
    return (by_costs, "costs") if by_costs["points"] > by_sales["points"] else (by_sales, "sales")


def ip_score(p: AnnualPackage, v: ParameterView) -> Mapping[str, Any]:
    return ip_band(p.ip.class1, p.ip.class2, v(P + "score.ip_bands"))


def score(p: AnnualPackage, v: ParameterView) -> dict[str, Any]:
    rd = rd_expense(p, v)
    personnel = personnel_score(p, v)
    rd_band, method = rd_score(p, v, rd)
    ip = ip_score(p, v)
    total = personnel["points"] + rd_band["points"] + ip["points"]
    return {
        "total": total,
        "pass_min": v(P + "score.pass_min"),
        "parts": {"personnel": personnel["points"], "rd_input": rd_band["points"], "achievements": ip["points"]},
        "grades": {"personnel": personnel["grade"], "rd_input": rd_band["grade"], "achievements": ip["grade"]},
        "rd_method": method,
        "values": {
            "st_staff_share": ratio_text(ratio(p.staff.st_staff, p.staff.total)),
            "rd_expense": rd,
            "rd_to_sales": ratio_text(ratio(rd, p.revenue.sales_revenue)),
            "rd_to_costs": (ratio_text(ratio(rd, p.revenue.total_costs_expenses))
                            if p.revenue.total_costs_expenses is not None else None),
            "class1": p.ip.class1, "class2": p.ip.class2,
        },
    }


def score_pass(s: Mapping[str, Any]) -> bool:
    return s["total"] >= s["pass_min"] and s["parts"]["personnel"] > 0


def personnel_hires_to_nonzero(p: AnnualPackage, v: ParameterView) -> int:
    """New S&T staff needed for a non-zero personnel score (the lowest scoring band)."""
    bands = [b for b in v(P + "score.personnel_bands") if b["points"] > 0]
    return hires_needed(p.staff.st_staff, p.staff.total, Fraction(bands[-1]["min"]))


def _next_band(bands: Sequence[Mapping[str, Any]], current: Mapping[str, Any]) -> Mapping[str, Any] | None:
    better = [b for b in bands if b["points"] > current["points"]]
    return better[-1] if better else None


def score_options(p: AnnualPackage, v: ParameterView, s: Mapping[str, Any]) -> list[str]:
    """One step up in each indicator, with its cost and the points it brings."""
    out = []
    bands = v(P + "score.personnel_bands")
    nxt = _next_band(bands, personnel_score(p, v))
    if nxt:
        n = hires_needed(p.staff.st_staff, p.staff.total, Fraction(nxt["min"]))
        out.append(f"科技人员再增加{n}人（占比达到{pct(nxt['min'])}，得分+{nxt['points'] - s['parts']['personnel']}）")
    sales_bands = v(P + "score.rd_sales_bands")
    current = band_for(ratio(s["values"]["rd_expense"], p.revenue.sales_revenue), sales_bands)
    nxt = _next_band(sales_bands, current)
    if nxt and nxt["points"] > s["parts"]["rd_input"] and p.revenue.sales_revenue > 0:
        need = needed_up(Fraction(nxt["min"]) * Fraction(p.revenue.sales_revenue) - Fraction(s["values"]["rd_expense"]))
        out.append(f"研发费用再增加{wan(need)}（占销售收入达到{pct(nxt['min'])}，得分+{nxt['points'] - s['parts']['rd_input']}）")
    ip_bands = v(P + "score.ip_bands")
    nxt = _next_band(ip_bands, ip_score(p, v))
    if nxt:
        if "class1_min" in nxt:
            out.append(f"获得1件Ⅰ类知识产权（得分+{nxt['points'] - s['parts']['achievements']}）")
        else:
            out.append(f"再获得{nxt['class2_min'] - p.ip.class2}件Ⅱ类知识产权（得分+{nxt['points'] - s['parts']['achievements']}）")
    return out


def direct_paths(p: AnnualPackage, v: ParameterView) -> list[str]:
    """Direct qualification (115号 Art. 8): any one of the four."""
    year = p.assessment_date.year
    first = year - v(P + "direct.lookback_years") + 1
    paths = []
    if hte.certificate_valid_on(p, p.assessment_date, v):
        paths.append("持有有效期内高新技术企业资格证书")
    if any(first <= y <= year for y in p.holdings.national_award_years):
        paths.append(f"近五年内获得国家级科技奖励并在获奖单位中排名前{v(P + 'direct.award_max_rank')}名")
    if p.holdings.provincial_rd_institution:
        paths.append("拥有经认定的省部级以上研发机构")
    if any(first <= y <= year for y in p.holdings.led_standard_years):
        paths.append("近五年内主导制定过国际标准、国家标准或行业标准")
    return paths


def basic_conditions(p: AnnualPackage, v: ParameterView) -> list[Condition]:
    """115号 Art. 6 (一)–(四), plus the 2022 guideline's items where in force."""
    ref = v.reference
    out = [
        Condition("resident", "在中国境内（不含港澳台）注册的居民企业", p.compliance.registered_in_mainland,
                  p.compliance.registered_in_mainland, True, "国科发政〔2017〕115号 第六条第（一）项"),
        _cap("employees", "职工总数", p.staff.total, v(P + "max_employees"), "人", ref(P + "max_employees")),
        _cap("sales_revenue", "年销售收入", p.revenue.sales_revenue, v(P + "max_sales_revenue"), "元",
             ref(P + "max_sales_revenue")),
        _cap("total_assets", "资产总额", p.total_assets, v(P + "max_total_assets"), "元", ref(P + "max_total_assets")),
        Condition("not_restricted", "产品（服务）不属于国家禁止、限制和淘汰类", not p.compliance.restricted_category,
                  p.compliance.restricted_category, False, "国科发政〔2017〕115号 第六条第（三）项"),
        _incidents(p, v),
    ]
    if v(P + "requires_audit_collection"):
        ok = p.tax.collection_method == "audit"
        out.append(Condition("audit_collection", "企业所得税查账征收", ok, p.tax.collection_method, "audit",
                             ref(P + "requires_audit_collection"),
                             gap=None if ok else "须为查账征收企业"))
    if v(P + "excludes_negative_list_industries"):
        hit = rd_super_deduction.negative_list_match(p, v)
        out.append(Condition("industry", "所在行业不属于研发费用加计扣除负面清单行业", hit is None, p.industry_code,
                             "负面清单以外", ref(P + "excludes_negative_list_industries"),
                             gap=None if hit is None else f"所在行业属于{hit['name']}"))
    return out


def _cap(key: str, label: str, value: Any, cap: Any, unit: str, reference: str) -> Condition:
    met = value <= cap
    shown = wan(Decimal(cap)) if unit == "元" else f"{cap}{unit}"
    return Condition(key, f"{label}不超过{shown}", met, value, cap, reference,
                     gap=None if met else f"{label}超过科技型中小企业上限（{shown}）")


def _incidents(p: AnnualPackage, v: ParameterView) -> Condition:
    year = p.assessment_date.year
    first = year - v(P + "incident_lookback_years")
    found = sorted((i for i in p.incidents if first <= i.date.year <= year), key=lambda i: i.date)
    met = not found
    gap = None
    if found:
        gap = (f"{first}–{year}年内有{'、'.join(sorted({INCIDENT_TYPES[i.type] for i in found}))}，"
               f"{found[-1].date.year + v(P + 'incident_lookback_years') + 1}年起方可参加评价")
    return Condition("no_incidents", "上一会计年度至当年未发生重大安全、质量事故、严重环境违法、科研严重失信，且未列入经营异常名录和严重违法失信名单",
                     met, [{"type": i.type, "date": i.date.isoformat()} for i in found], "无",
                     v.reference(P + "incident_lookback_years"), gap=gap)


def evaluate(p: AnnualPackage, v: ParameterView) -> ProgramResult:
    result = ProgramResult(PROGRAM, LABEL, basic_conditions(p, v))
    s = score(p, v)
    paths = direct_paths(p, v)
    passed = score_pass(s)
    shortfall = max(0, s["pass_min"] - s["total"])
    hires = personnel_hires_to_nonzero(p, v)
    gap = None
    if not passed and not paths:
        parts = []
        if s["parts"]["personnel"] == 0:
            parts.append(f"科技人员还差{hires}人可使科技人员指标得分不为0（占比达到10%）")
        if shortfall:
            options = score_options(p, v, s)
            parts.append(f"综合评价得分{s['total']}分，还差{shortfall}分可达到{s['pass_min']}分"
                         + ("；可选：" + "；".join(options) if options else ""))
        gap = "；".join(parts)
    result.conditions.append(Condition(
        "evaluation", "综合评价得分不低于60分且科技人员指标得分不为0，或符合直接认定条件", passed or bool(paths),
        {"score": s["total"], "personnel_points": s["parts"]["personnel"], "direct": paths},
        f"≥{s['pass_min']}分且科技人员得分>0", v.reference(P + "score.pass_min"), gap=gap, gap_value=shortfall))
    result.score = s
    result.decide()
    result.extra["direct_qualification"] = paths
    result.extra["personnel_hires_to_nonzero"] = hires
    if paths:
        result.notes.append("符合直接认定条件（国科发政〔2017〕115号 第八条），可不计算综合评价得分；得分仅供参考")
    return result


def _ceil(x: Fraction) -> int:
    return math.ceil(x)
