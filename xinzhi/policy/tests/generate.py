"""Seeded random report-once packages for the bulk-vs-scalar agreement test and benchmarks."""

from __future__ import annotations

from typing import Any

import numpy as np

from xinzhi.core import uscc

INDUSTRIES = ["3562", "3973", "6513", "5191", "1610", "2521", "3411", "9011"]
FIELDS = ["电子信息", "新材料", "先进制造与自动化", "不存在的领域"]
EXPERT = {"ip_advancement": 8, "ip_core_support": 8, "ip_quantity": 8, "ip_acquisition": 6, "ip_standards_bonus": 2,
          "conversion": 30, "rd_org_rules": 6, "rd_institution": 6, "rd_conversion_rules": 4, "rd_talent": 4,
          "growth_net_assets": 10, "growth_sales": 10}
BOUNDARY_SALES = [50_000_000, 50_000_001, 200_000_000, 200_000_001]


def _money(rng: np.random.Generator, lo: float, hi: float) -> int:
    return int(rng.integers(int(lo), int(hi) + 1))


def package(rng: np.random.Generator, i: int, year: int = 2024) -> dict[str, Any]:
    sales = BOUNDARY_SALES[i % 4] if rng.random() < 0.2 else _money(rng, 5e6, 4e8)
    ratio = rng.choice([0.02, 0.03, 0.04, 0.05, 0.06, rng.uniform(0.01, 0.08)])
    rd_now = int(sales * ratio)
    total_staff = int(rng.integers(5, 700))
    st = int(min(total_staff, round(total_staff * rng.choice([0.05, 0.0999, 0.1, 0.2, 0.3, rng.uniform(0, 0.4)]))))
    reg_year = int(rng.integers(year - 9, year + 1))
    prior = []
    for back in (2, 1):
        if year - back >= reg_year and rng.random() < 0.9:
            s = _money(rng, 1e6, 3e8) if rng.random() < 0.95 else 0
            prior.append({"year": year - back, "sales_revenue": str(s),
                          "net_assets": str(_money(rng, -5e6, 2e8) if rng.random() < 0.9 else 0),
                          "rd_expense": str(int(s * rng.uniform(0.01, 0.08)))})
    # earlier years' domestic R&D (most packages report it; its own stream keeps the draws above unchanged)
    dom = np.random.default_rng(9_000_000 + i)
    for y in prior:
        if dom.random() < 0.85:
            y["rd_domestic"] = str(int(int(y["rd_expense"]) * dom.choice([1.0, 0.9, 0.7, 0.5])))
    parts = rng.dirichlet(np.ones(5)) * rd_now
    other = int(rd_now * rng.choice([0, 0.05, 0.15, 0.3]))
    good = rng.random() < 0.6
    experts = {k: int(rng.integers((m * 7) // 10 if good else 0, m + 1)) for k, m in EXPERT.items()
               if rng.random() < (0.97 if good else 0.8)}
    incidents = []
    if rng.random() < 0.15:
        kind = rng.choice(["major_safety_accident", "serious_violation_list", "research_misconduct"])
        incidents.append({"type": str(kind), "date": f"{int(rng.integers(year - 2, year + 1))}-{int(rng.integers(1, 13)):02d}-15"})
    holdings: dict[str, Any] = {"participated_standard": bool(rng.random() < 0.3),
                                "provincial_rd_institution": bool(rng.random() < 0.1)}
    if rng.random() < 0.9:
        holdings["hte_field"] = str(rng.choice(FIELDS))
    if rng.random() < 0.3:
        holdings["hte_certificate_issue_date"] = f"{int(rng.integers(year - 4, year + 1))}-{int(rng.integers(1, 13)):02d}-01"
    if rng.random() < 0.1:
        holdings["led_standard_years"] = [int(rng.integers(year - 7, year + 1))]
    class2 = int(rng.integers(0, 8))
    total_revenue = sales + _money(rng, 0, 1e7)
    data = {
        "uscc": uscc.make("91", "330108", f"MA{i:06d}"),
        "year": year, "registration_date": f"{reg_year}-{int(rng.integers(1, 13)):02d}-{int(rng.integers(1, 29)):02d}",
        "industry_code": str(rng.choice(INDUSTRIES)),
        "revenue": {"total_revenue": str(total_revenue), "sales_revenue": str(sales),
                    "high_tech_revenue": str(int(total_revenue * rng.choice([0.5, 0.6, 0.7, rng.uniform(0.3, 1)])))},
        "rd_expense": {"personnel": str(int(parts[0])), "direct_input": str(int(parts[1])),
                       "depreciation": str(int(parts[2])), "amortisation": str(int(parts[3])),
                       "design_and_trials": str(int(parts[4])), "other": str(other),
                       "equipment_debugging": str(_money(rng, 0, 1e5)),
                       "entrusted_domestic": str(_money(rng, 0, rd_now * 0.3)),
                       "entrusted_abroad": str(_money(rng, 0, rd_now * 0.6) if rng.random() < 0.3 else 0)},
        "staff": {"total": total_staff, "st_staff": st},
        "net_assets": str(_money(rng, -1e6, 3e8)), "total_assets": str(_money(rng, 1e7, 3e8)),
        "prior_years": prior,
        "ip": {"class1_own": int(rng.integers(0, 2)), "class1_acquired": int(rng.random() < 0.1),
               "class2_own": class2, "class2_acquired": int(rng.integers(0, 3)),
               "class2_used_before": int(rng.integers(0, class2 + 1))},
        "conversions": [int(x) for x in rng.integers(2 if good else 0, 7, size=int(rng.integers(0, 4)))],
        "incidents": incidents,
        "tax": {"collection_method": "audit" if rng.random() < 0.9 else "deemed"},
        "holdings": holdings,
        "compliance": {"restricted_category": bool(rng.random() < 0.05)},
        "expert_scores": experts,
    }
    if rng.random() < 0.5:
        data["revenue"]["total_costs_expenses"] = str(_money(rng, sales * 0.2, sales * 1.1))
    _tax_fields(np.random.default_rng(7_000_000 + i), data, year, rd_now)
    return data


def _tax_fields(rng: np.random.Generator, data: dict[str, Any], year: int, rd_now: int) -> None:
    """Tax-incentive inputs, from their own stream (the recognition fields above stay as they were)."""
    sales = int(data["revenue"]["sales_revenue"])
    rev, tax, rd = data["revenue"], data["tax"], data["rd_expense"]
    rev["manufacturing_sales"] = str(int(sales * rng.choice([0.3, 0.5, 0.5000001, 0.8, 1.0])))
    if rng.random() < 0.6:
        rev["export_sales"] = str(int(sales * rng.choice([0.1, 0.5, 1.0, 1.2])))
    if rng.random() < 0.4:
        rd["capitalised"] = str(_money(rng, 0, rd_now * 1.2))
        rd["capitalised_amortisation"] = str(_money(rng, 0, rd_now * 0.3))
    input_vat = _money(rng, 0, sales * 0.1)
    tax.update({"vat_general_taxpayer": bool(rng.random() < 0.85), "creditable_input_vat": str(input_vat),
                "other_vat_deduction_chosen": bool(rng.random() < 0.1)})
    if rng.random() < 0.5:
        tax["export_input_vat"] = str(_money(rng, 0, input_vat * 0.3))
        tax["unsplittable_input_vat"] = str(_money(rng, 0, input_vat * 0.3))
        tax["input_vat_transferred_out"] = str(_money(rng, 0, input_vat * 0.1))
    if rng.random() < 0.7:
        tax["vat_payable_before_deduction"] = str(rng.choice([0, _money(rng, 0, input_vat * 0.2), _money(rng, 0, 1e7)]))
    if rng.random() < 0.3:
        tax["vat_credit_brought_forward"] = str(_money(rng, 0, 1e6))
    if rng.random() < 0.85:
        tax["taxable_income_before_losses"] = str(_money(rng, -sales * 0.05, sales * 0.15))
    if rng.random() < 0.4:
        tax["losses"] = [{"year": int(y), "amount": str(_money(rng, 1, 2e7))}
                         for y in rng.integers(year - 12, year, size=int(rng.integers(1, 4)))]
    if rng.random() < 0.3:
        data["holdings"]["qualified_years"] = [int(y) for y in rng.integers(year - 12, year + 1, size=int(rng.integers(1, 3)))]
    tax["ic_enterprise"] = bool(rng.random() < 0.1)
    tax["industrial_mother_machine_enterprise"] = bool(rng.random() < 0.1)
    for key in ("claims_rd_super_deduction", "claims_vat_additional_deduction", "claims_hte_rate"):
        if rng.random() < 0.7:
            tax[key] = bool(rng.random() < 0.5)


def packages(n: int, seed: int = 20250601, year: int = 2024) -> list[dict[str, Any]]:
    rng = np.random.default_rng(seed)
    return [package(rng, i, year) for i in range(n)]
