"""High-tech enterprise (HTE) recognition — 高新技术企业认定.

国科发火〔2016〕32号《高新技术企业认定管理办法》 Art. 11 (the 8 conditions, all required) and
国科发火〔2016〕195号《高新技术企业认定管理工作指引》 (R&D expense scope; section 十, the
innovation-capability evaluation). Every number comes from ``parameters/hte.toml``.

The innovation-capability score has computed parts (the *grade* of IP quantity, conversions and
growth) and expert-judged parts (the points within a grade; technical advancement; R&D
management). Expert points come from ``package.expert_scores``; a missing one counts at the
bottom of its range, and the answer says whether the result still depends on it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from .. import validity
from ..package import AnnualPackage, RdExpense
from ..params import ParameterView
from .common import (
    Condition,
    ProgramResult,
    add_years,
    added_needed,
    at_least,
    band_for,
    hires_needed,
    ip_band,
    needed_up,
    pct,
    ratio,
    ratio_text,
    scale_down,
    wan,
)

PROGRAM = "hte"
LABEL = "高新技术企业认定"
HTE_INCIDENTS = ("major_safety_accident", "major_quality_accident", "serious_environmental_violation")


# --------------------------------------------------------------------------- R&D expense (HTE scope)


def rd_total(rd: RdExpense, v: ParameterView) -> Decimal:
    """R&D expense in the HTE scope (195号 工作指引): 8 categories, entrusted at 80%, other ≤ 20%.

    The 20% cap on 其他费用 is of the total *including* 其他费用, so the cap is
    (all other categories) × 20% ÷ (1 − 20%).
    """
    base = (rd.personnel + rd.direct_input + rd.depreciation + rd.amortisation
            + rd.design_and_trials + rd.equipment_debugging)
    base += scale_down(rd.entrusted_domestic + rd.entrusted_abroad, v.fraction("hte.rd_entrusted_counted_share"))
    share = v.fraction("hte.rd_other_max_share")
    other = min(rd.other, scale_down(base, share / (1 - share)))
    return base + other


def rd_domestic(rd: RdExpense, total: Decimal, v: ParameterView) -> Decimal:
    """R&D spent inside China: as reported, else total minus the counted abroad-entrusted part."""
    if rd.in_china is not None:
        return min(rd.in_china, total)
    return total - scale_down(rd.entrusted_abroad, v.fraction("hte.rd_entrusted_counted_share"))


def series(p: AnnualPackage, attr: str, current: Decimal) -> list[Decimal]:
    """A per-year figure, oldest first, ending with the package year."""
    prior = sorted(p.prior_years, key=lambda y: y.year)
    return [getattr(y, attr) for y in prior] + [current]


def years_expected(p: AnnualPackage, v: ParameterView) -> int:
    """Years of data the 3-year rules need: 3, or the actual operating years if fewer."""
    operated = p.year - p.registration_date.year + 1
    return max(1, min(v("hte.rd_years"), operated))


def years_missing(p: AnnualPackage, v: ParameterView) -> int:
    return max(0, years_expected(p, v) - 1 - len(p.prior_years))


# --------------------------------------------------------------------------- certificate


def certificate_expiry(p: AnnualPackage, v: ParameterView) -> date | None:
    """Last day the certificate is valid (valid 3 years from the issue date, 32号)."""
    issued = p.holdings.hte_certificate_issue_date
    if issued is None:
        return None
    v("hte.validity_years")  # in the trace; the one definition reads the value in force on the issue date
    return validity.certificate_expiry(issued, v.tree)


def certificate_valid_on(p: AnnualPackage, on: date, v: ParameterView) -> bool:
    issued = p.holdings.hte_certificate_issue_date
    expiry = certificate_expiry(p, v)
    return issued is not None and expiry is not None and issued <= on <= expiry


# --------------------------------------------------------------------------- growth


@dataclass(frozen=True)
class Growth:
    rate: Fraction | None
    status: str  # "ok" | "zero" | "undetermined"
    detail: str = ""


def growth_rate(values: Sequence[Decimal]) -> Growth:
    """Growth rate per 195号 十（四）, values oldest first (1–3 years).

    3 years: 1/2 × (V2/V1 + V3/V2) − 1. If V1 = 0, computed on the last two years; if the
    middle year is 0, 0 points. Fewer years: the actual period (two years: V2/V1 − 1).
    A negative base year is not covered by the sources: the grade is left to the experts.
    """
    vals = [Fraction(x) for x in values]
    if len(vals) == 3 and vals[0] == 0:
        vals = vals[1:]
    if len(vals) < 2:
        return Growth(None, "zero", "只有一个年度数据，无法计算增长率，按0分")
    if any(x < 0 for x in vals[:-1]):
        return Growth(None, "undetermined", "基期数值为负，资料未规定算法，由专家判断")
    if vals[-2] == 0:
        return Growth(None, "zero", "基期数值为0，按0分")
    if len(vals) == 3:
        return Growth((vals[1] / vals[0] + vals[2] / vals[1]) / 2 - 1, "ok")
    return Growth(vals[1] / vals[0] - 1, "ok")


# --------------------------------------------------------------------------- score


@dataclass
class ScoreItem:
    key: str
    label: str
    lo: int
    hi: int
    points: int
    source: str  # "expert" | "computed" | "range_minimum"
    grade: str | None = None
    value: Any = None
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        out = {"key": self.key, "label": self.label, "points": self.points, "min": self.lo, "max": self.hi,
               "source": self.source}
        if self.grade is not None:
            out["grade"] = self.grade
        if self.value is not None:
            out["value"] = self.value
        if self.note:
            out["note"] = self.note
        return out


def _pick(key: str, label: str, lo: int, hi: int, expert: int | None, **kw: Any) -> ScoreItem:
    """Points within [lo, hi]: the expert's if given (clamped), else the range minimum."""
    if lo == hi:
        return ScoreItem(key, label, lo, hi, lo, "computed", **kw)
    if expert is None:
        return ScoreItem(key, label, lo, hi, lo, "range_minimum", **kw)
    points = min(max(expert, lo), hi)
    note = "" if points == expert else f"专家评分{expert}分超出本档区间{lo}–{hi}分，已按区间取值"
    return ScoreItem(key, label, lo, hi, points, "expert", note=(kw.pop("note", "") + note), **kw)


def available_ip(p: AnnualPackage) -> tuple[int, int, bool]:
    """Class I count, usable Class II count (Class II usable once), own-developed IP present.

    Class II IP already used is assumed to be own-developed first (the conservative reading).
    """
    used = min(p.ip.class2_used_before, p.ip.class2)
    class2 = p.ip.class2 - used
    own2 = max(0, p.ip.class2_own - used)
    return p.ip.class1, class2, (p.ip.class1_own + own2) > 0


def score_items(p: AnnualPackage, v: ParameterView) -> list[ScoreItem]:
    """All sub-items of the innovation-capability evaluation (195号 十)."""
    e = p.expert_scores
    class1, class2, own = available_ip(p)
    items = [
        _pick("ip_advancement", "技术的先进程度", 0, v("hte.score.ip_advancement_max"), e.ip_advancement),
        _pick("ip_core_support", "核心支持作用", 0, v("hte.score.ip_core_support_max"), e.ip_core_support),
    ]
    qb = ip_band(class1, class2, v("hte.score.ip_quantity_bands"))
    items.append(_pick("ip_quantity", "知识产权数量", qb["points_min"], qb["points_max"], e.ip_quantity,
                       grade=qb["grade"], value={"class1": class1, "class2": class2}))
    if class1 + class2 > 0:
        ab = next(b for b in v("hte.score.ip_acquisition_bands") if b["own"] == own)
        items.append(_pick("ip_acquisition", "知识产权获得方式", ab["points_min"], ab["points_max"],
                           e.ip_acquisition, grade=ab["grade"]))
    else:
        items.append(ScoreItem("ip_acquisition", "知识产权获得方式", 0, 0, 0, "computed"))
    bonus_max = v("hte.score.ip_standards_bonus_max")
    lo_b, hi_b = (1, bonus_max) if p.holdings.participated_standard else (0, 0)
    items.append(_pick("ip_standards_bonus", "参与标准制定加分", lo_b, hi_b, e.ip_standards_bonus))
    avg = Fraction(sum(p.conversions), len(p.conversions)) if p.conversions else Fraction(0)
    cb = band_for(avg, v("hte.score.conversion_bands"))
    items.append(_pick("conversion", "科技成果转化能力", cb["points_min"], cb["points_max"], e.conversion,
                       grade=cb["grade"], value=ratio_text(avg)))
    mgmt = v("hte.score.rd_management_max")
    for key, label in (("org_rules", "研发组织管理制度"), ("institution", "研发机构与产学研合作"),
                       ("conversion_rules", "成果转化激励与创新平台"), ("talent", "人才培养与激励制度")):
        items.append(_pick(f"rd_{key}", label, 0, mgmt[key], getattr(e, f"rd_{key}")))
    items += growth_items(p, v)
    return items


def growth_items(p: AnnualPackage, v: ParameterView) -> list[ScoreItem]:
    bands = v("hte.score.growth_bands")
    missing = years_missing(p, v)
    out = []
    for key, label, attr, current in (("growth_net_assets", "净资产增长率", "net_assets", p.net_assets),
                                      ("growth_sales", "销售收入增长率", "sales_revenue", p.revenue.sales_revenue)):
        growth = growth_rate(series(p, attr, current))
        if missing:
            growth = Growth(None, "undetermined", f"缺少{missing}个以前年度数据")
        if growth.status == "ok":
            band = band_for(growth.rate, bands)
        elif growth.status == "zero":
            band = bands[-1]
        else:
            top = bands[0]
            out.append(_pick(key, label, 0, top["points_max"], getattr(p.expert_scores, key), note=growth.detail))
            continue
        out.append(_pick(key, label, band["points_min"], band["points_max"], getattr(p.expert_scores, key),
                         grade=band["grade"], value=ratio_text(growth.rate), note=growth.detail))
    return out


IP_KEYS = ("ip_advancement", "ip_core_support", "ip_quantity", "ip_acquisition", "ip_standards_bonus")


def score_summary(items: list[ScoreItem], v: ParameterView) -> dict[str, Any]:
    """Totals with the IP cap of 30. ``total`` counts a missing expert score at the bottom of its
    range; ``max`` counts it at the top; the two are equal once every expert score is in."""
    cap = v("hte.score.ip_cap")

    def total(pick: Any, keys: Any) -> int:
        return sum(pick(i) for i in items if keys(i.key))

    def capped(pick: Any) -> int:
        return min(cap, total(pick, lambda k: k in IP_KEYS)) + total(pick, lambda k: k not in IP_KEYS)

    points = capped(lambda i: i.points)
    best = capped(lambda i: i.hi if i.source == "range_minimum" else i.points)
    parts = {
        "ip": min(cap, total(lambda i: i.points, lambda k: k in IP_KEYS)),
        "conversion": total(lambda i: i.points, lambda k: k == "conversion"),
        "rd_management": total(lambda i: i.points, lambda k: k.startswith("rd_")),
        "growth": total(lambda i: i.points, lambda k: k.startswith("growth_")),
    }
    complete = all(i.source != "range_minimum" for i in items)
    return {"total": points, "min": points, "max": best, "complete": complete, "pass_min": v("hte.score.pass_min"),
            "parts": parts, "items": [i.as_dict() for i in items]}


def score_met(summary: Mapping[str, Any]) -> bool | None:
    """True/False when the pass mark is reached/missed whatever the missing expert points are."""
    need = summary["pass_min"]
    if summary["total"] >= need:
        return True
    if summary["complete"] or summary["max"] < need:
        return False
    return None


def score_gap(summary: Mapping[str, Any]) -> int:
    """Points missing to the pass mark, counting missing expert points at their minimum."""
    return max(0, summary["pass_min"] - summary["total"])


def score_hints(p: AnnualPackage, v: ParameterView) -> list[str]:
    """Concrete moves that raise the computed grades."""
    hints = []
    class1, class2, _ = available_ip(p)
    bands = v("hte.score.ip_quantity_bands")
    if class1 < 1:
        hints.append("再获得1件Ⅰ类知识产权（如发明专利）可使知识产权数量升至A档（7–8分）")
        b = next(b for b in bands if b["grade"] == "B")
        if class2 < b["class2_min"]:
            hints.append(f"或再获得{b['class2_min'] - class2}件Ⅱ类知识产权升至B档（{b['points_min']}–{b['points_max']}分）")
    n = max(1, len(p.conversions))
    avg = Fraction(sum(p.conversions), n)
    better = [b for b in v("hte.score.conversion_bands") if "min" in b and Fraction(b["min"]) > avg]
    if better:
        b = better[-1]
        more = math.ceil(Fraction(b["min"]) * n) - sum(p.conversions)
        hints.append(f"近{n}年科技成果转化再增加{more}项（年均达到{b['min']}项）可使成果转化升至{b['grade']}档"
                     f"（{b['points_min']}–{b['points_max']}分）")
    m = p.rd_management
    missing = [label for flag, label in ((m.has_rd_ledger, "研发费用辅助账"), (m.has_rd_rules, "研发组织管理制度"),
                                         (m.has_rd_institution, "内部研发机构"),
                                         (m.has_industry_university_cooperation, "产学研合作"),
                                         (m.has_conversion_rules, "成果转化激励制度"),
                                         (m.has_talent_system, "人才培养与绩效奖励制度")) if not flag]
    if missing:
        hints.append("研究开发组织管理尚缺：" + "、".join(missing))
    return hints


# --------------------------------------------------------------------------- conditions


def _ref(v: ParameterView, name: str) -> str:
    return v.reference(name)


def cond_registration(p: AnnualPackage, v: ParameterView) -> Condition:
    years = v("hte.registration_min_years")
    from_day = add_years(p.registration_date, years)
    met = p.assessment_date >= from_day
    return Condition("registration", f"注册成立{years}年以上", met, p.registration_date.isoformat(),
                     f"申请日（{p.assessment_date.isoformat()}）前满{years}年", _ref(v, "hte.registration_min_years"),
                     gap=None if met else f"注册成立满{years}年（{from_day.isoformat()}起）方可申请", gap_value=from_day)


def cond_ip(p: AnnualPackage, v: ParameterView) -> Condition:
    class1, class2, _ = available_ip(p)
    need = v("hte.ip_min_count")
    count = class1 + class2
    met = count >= need
    return Condition("ip", "拥有核心支持作用的知识产权", met, {"class1": class1, "class2_usable": class2},
                     f"≥{need}件", _ref(v, "hte.ip_min_count"),
                     detail="Ⅱ类知识产权在高企申请中仅限使用一次",
                     gap=None if met else f"知识产权还差{need - count}件（Ⅱ类知识产权仅限使用一次）", gap_value=need - count)


def cond_field(p: AnnualPackage, v: ParameterView) -> Condition:
    fields = v("hte.key_fields")
    value = p.holdings.hte_field
    met = None if value is None else value in fields
    gap = None
    if met is None:
        gap = "需填报核心技术所属的《国家重点支持的高新技术领域》"
    elif not met:
        gap = "核心技术须属于《国家重点支持的高新技术领域》：" + "、".join(fields)
    return Condition("field", "核心技术属于国家重点支持的高新技术领域", met, value, fields,
                     _ref(v, "hte.key_fields"), gap=gap)


def cond_st_staff(p: AnnualPackage, v: ParameterView) -> Condition:
    share = v.fraction("hte.st_staff_min_share")
    st, total = p.staff.st_staff, p.staff.total
    met = at_least(st, total, share)
    need = hires_needed(st, total, share)
    return Condition("st_staff_share", "科技人员占职工总数比例", met,
                     {"st_staff": st, "total": total, "share": ratio_text(ratio(st, total))}, f"≥{pct(share)}",
                     _ref(v, "hte.st_staff_min_share"),
                     gap=None if met else f"科技人员还差{need}人可达到{pct(share)}（按新增科技人员计，职工总数同步增加）",
                     gap_value=need)


def rd_ratio_threshold(sales: Decimal, v: ParameterView) -> tuple[Fraction, str]:
    """Minimum ratio by the latest year's sales; the tier upper bounds are inclusive (“（含）”)."""
    lower = None
    for tier in v("hte.rd_ratio_scale"):
        upper = tier.get("sales_up_to")
        if upper is None or sales <= upper:
            low = "" if lower is None else f"{wan(Decimal(lower))}以上"
            high = "以上" if upper is None else f"至{wan(Decimal(upper))}（含）"
            return Fraction(tier["min_ratio"]), (low + high).lstrip("至") + "档"
        lower = upper
    raise AssertionError("rd_ratio_scale has no open top tier")


def cond_rd_ratio(p: AnnualPackage, v: ParameterView, rd_now: Decimal) -> Condition:
    sales_now = p.revenue.sales_revenue
    threshold, tier = rd_ratio_threshold(sales_now, v)
    rd_sum = sum(series(p, "rd_expense", rd_now), Decimal(0))
    sales_sum = sum(series(p, "sales_revenue", sales_now), Decimal(0))
    missing = years_missing(p, v)
    value = {"rd_expense_total": rd_sum, "sales_revenue_total": sales_sum, "years": 1 + len(p.prior_years),
             "ratio": ratio_text(ratio(rd_sum, sales_sum)), "latest_sales_revenue": sales_now}
    label = "近三个会计年度研发费用占销售收入比例"
    if missing:
        return Condition("rd_ratio", label, None, value, f"≥{pct(threshold)}", _ref(v, "hte.rd_ratio_scale"),
                         detail=f"缺少{missing}个以前年度的销售收入和研发费用", gap=f"需补充{missing}个以前年度数据")
    met = at_least(rd_sum, sales_sum, threshold)
    need = needed_up(threshold * Fraction(sales_sum) - Fraction(rd_sum))
    return Condition("rd_ratio", label, met, value, f"≥{pct(threshold)}", _ref(v, "hte.rd_ratio_scale"),
                     detail=f"最近一年销售收入{wan(sales_now)}，适用{tier}档",
                     gap=None if met else f"研发费用还差{wan(need)}可达到{pct(threshold)}的比例要求", gap_value=need)


def cond_rd_domestic(p: AnnualPackage, v: ParameterView, rd_now: Decimal) -> Condition:
    share = v.fraction("hte.rd_domestic_min_share")
    domestic = rd_domestic(p.rd_expense, rd_now, v)
    met = at_least(domestic, rd_now, share)
    need = added_needed(domestic, rd_now, share)
    return Condition("rd_domestic_share", "境内研发费用占全部研发费用比例", met,
                     {"domestic": domestic, "total": rd_now, "ratio": ratio_text(ratio(domestic, rd_now))},
                     f"≥{pct(share)}", _ref(v, "hte.rd_domestic_min_share"),
                     detail="按数据年度计算（以前年度境内外构成未填报）",
                     gap=None if met else f"境内研发费用还差{wan(need)}可达到{pct(share)}", gap_value=need)


def cond_high_tech_revenue(p: AnnualPackage, v: ParameterView) -> Condition:
    share = v.fraction("hte.high_tech_revenue_min_share")
    part, whole = p.revenue.high_tech_revenue, p.revenue.total_revenue
    met = at_least(part, whole, share)
    need = added_needed(part, whole, share)
    return Condition("high_tech_revenue_share", "近一年高新技术产品（服务）收入占总收入比例", met,
                     {"high_tech_revenue": part, "total_revenue": whole, "ratio": ratio_text(ratio(part, whole))},
                     f"≥{pct(share)}", _ref(v, "hte.high_tech_revenue_min_share"),
                     gap=None if met else f"高新技术产品（服务）收入还差{wan(need)}可达到{pct(share)}（新增收入计入总收入）",
                     gap_value=need)


def cond_score(summary: Mapping[str, Any], hints: list[str], v: ParameterView) -> Condition:
    met = score_met(summary)
    need = summary["pass_min"]
    gap = None
    if met is False:
        gap = (f"创新能力评价得分还差{need - summary['total']}分可达到{need}分" if summary["complete"]
               else f"即使待评专家评分项全部取上限也只有{summary['max']}分，还差{need - summary['max']}分可达到{need}分")
    elif met is None:
        gap = (f"创新能力评价得分在{summary['min']}–{summary['max']}分之间，取决于专家评分；"
               f"按已有评分（缺项取下限）计为{summary['total']}分，还差{need - summary['total']}分可达到{need}分")
    if gap and hints:
        gap += "；可考虑：" + "；".join(hints)
    return Condition("innovation_score", "企业创新能力评价", met,
                     {"total": summary["total"], "min": summary["min"], "max": summary["max"]},
                     f"≥{need}分（70分以上，不含70分）", _ref(v, "hte.score.pass_min"), gap=gap,
                     gap_value=score_gap(summary))


def blocking_incidents(p: AnnualPackage, kinds: Sequence[str], start: date, end: date) -> list[Any]:
    return sorted((i for i in p.incidents if i.type in kinds and start < i.date <= end), key=lambda i: i.date)


def cond_incidents(p: AnnualPackage, v: ParameterView) -> Condition:
    years = v("hte.incident_lookback_years")
    on = p.assessment_date
    found = blocking_incidents(p, HTE_INCIDENTS, add_years(on, -years), on)
    met = not found
    gap = None
    if found:
        clear = add_years(found[-1].date, years)
        gap = f"申请前{years}年内有重大安全、质量事故或严重环境违法行为，{clear.isoformat()}起方可申请"
    return Condition("no_incidents", f"申请认定前{years}年内未发生重大安全、重大质量事故或严重环境违法行为", met,
                     [{"type": i.type, "date": i.date.isoformat()} for i in found], "无",
                     _ref(v, "hte.incident_lookback_years"), gap=gap)


# --------------------------------------------------------------------------- programme


def evaluate(p: AnnualPackage, v: ParameterView) -> ProgramResult:
    """The 8 conditions of 国科发火〔2016〕32号 Art. 11, in order; all must be met."""
    rd_now = rd_total(p.rd_expense, v)
    items = score_items(p, v)
    summary = score_summary(items, v)
    hints = score_hints(p, v)
    result = ProgramResult(PROGRAM, LABEL, [
        cond_registration(p, v), cond_ip(p, v), cond_field(p, v), cond_st_staff(p, v),
        cond_rd_ratio(p, v, rd_now), cond_rd_domestic(p, v, rd_now), cond_high_tech_revenue(p, v),
        cond_score(summary, hints, v), cond_incidents(p, v),
    ])
    result.score = summary
    result.decide()
    result.extra["rd_expense_hte"] = rd_now
    result.extra["certificate"] = certificate_info(p, v)
    return result


def certificate_info(p: AnnualPackage, v: ParameterView) -> dict[str, Any] | None:
    issued = p.holdings.hte_certificate_issue_date
    if issued is None:
        return None
    expiry = certificate_expiry(p, v)
    return {"issue_date": issued, "expiry_date": expiry, "valid_on": p.assessment_date,
            "valid": certificate_valid_on(p, p.assessment_date, v), "reference": v.reference("hte.validity_years")}
