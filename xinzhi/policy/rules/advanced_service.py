"""Technologically advanced service enterprise — 技术先进型服务企业.

National policy from 2017-01-01 (财政部 税务总局 商务部 科技部 国家发展改革委《关于将技术先进型服务企业
所得税政策推广至全国实施的通知》, 财税〔2017〕79号 — the number is unverified): five conditions,
15% enterprise income tax. Parameters in ``parameters/advanced_service.toml``.
"""

from __future__ import annotations

from ..package import AnnualPackage
from ..params import ParameterView
from .common import Condition, ProgramResult, added_needed, at_least, pct, ratio, ratio_text, wan

PROGRAM = "advanced_service"
LABEL = "技术先进型服务企业"
P = "advanced_service."


def _share(key: str, label: str, part, whole, v: ParameterView, name: str, gap_what: str) -> Condition:
    share = v.fraction(name)
    met = at_least(part, whole, share)
    need = added_needed(part, whole, share)
    return Condition(key, label, met, {"part": part, "whole": whole, "ratio": ratio_text(ratio(part, whole))},
                     f"≥{pct(share)}", v.reference(name),
                     gap=None if met else f"{gap_what}还差{wan(need)}可达到{pct(share)}（新增收入计入总收入）",
                     gap_value=need)


def evaluate(p: AnnualPackage, v: ParameterView) -> ProgramResult:
    result = ProgramResult(PROGRAM, LABEL)
    if not v.in_force(P + "college_staff_min_share"):
        result.status, result.eligible = "not_in_force", False
        return result
    ref = v.reference(P + "college_staff_min_share")
    college = p.staff.college_or_above
    share = v.fraction(P + "college_staff_min_share")
    if college is None:
        staff = Condition("college_staff", "大专以上学历员工占职工总数比例", None, None, f"≥{pct(share)}", ref,
                          gap="需填报大专及以上学历人数")
    else:
        met = at_least(college, p.staff.total, share)
        staff = Condition("college_staff", "大专以上学历员工占职工总数比例", met,
                          {"college_or_above": college, "total": p.staff.total,
                           "ratio": ratio_text(ratio(college, p.staff.total))}, f"≥{pct(share)}", ref,
                          gap=None if met else "大专以上学历员工比例不足")
    result.conditions = [
        Condition("registered", "在中国境内（不含港澳台）注册的法人企业", p.compliance.registered_in_mainland,
                  p.compliance.registered_in_mainland, True, ref),
        Condition("scope", "从事《技术先进型服务业务认定范围（试行）》中的一种或多种业务",
                  p.holdings.advanced_service_scope, p.holdings.advanced_service_scope, True, ref,
                  gap=None if p.holdings.advanced_service_scope else "须从事认定范围内的技术先进型服务业务"),
        staff,
        _share("service_revenue", "技术先进型服务业务收入占当年总收入比例", p.revenue.advanced_service_revenue,
               p.revenue.total_revenue, v, P + "service_revenue_min_share", "技术先进型服务业务收入"),
        _share("offshore_revenue", "离岸服务外包业务收入占当年总收入比例", p.revenue.offshore_outsourcing_revenue,
               p.revenue.total_revenue, v, P + "offshore_revenue_min_share", "离岸服务外包业务收入"),
    ]
    result.decide()
    result.benefit = {"income_tax_rate": v(P + "income_tax_rate"),
                      "staff_education_deduction_share": v(P + "staff_education_deduction_share")}
    result.notes.append("所得税节税额见“高新技术企业所得税优惠”一项的同一计算（15%税率，两项不叠加）")
    return result
