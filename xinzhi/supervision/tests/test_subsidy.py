"""The local post-subsidy rules at their thresholds (pure) and the 应享尽享 list on real rows."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from xinzhi.supervision import subsidy

RULES = {r["id"]: r for r in subsidy.load_rules()}


def _frame(rows):
    base = {"enterprise_id": 0, "division_code": "330106", "above_scale": True, "hte": False, "tech_sme": False,
            "rd": 0, "rd_last": 0, "revenue": 0}
    return pl.DataFrame([{**base, **r} for r in rows])


def test_hangzhou_rule_needs_a_qualification_and_growth_and_caps_at_two_million():
    frame = _frame([
        {"enterprise_id": 1, "hte": True, "rd": 5_000_000, "rd_last": 4_000_000},   # 20 % of 1 M = 200,000
        {"enterprise_id": 2, "tech_sme": True, "rd": 30_000_000, "rd_last": 10_000_000},  # 4 M → cap 2 M
        {"enterprise_id": 3, "rd": 5_000_000, "rd_last": 4_000_000},   # no qualification
        {"enterprise_id": 4, "hte": True, "rd": 4_000_000, "rd_last": 4_000_000},  # no growth
        {"enterprise_id": 5, "hte": True, "rd": 4_000_000, "rd_last": None},  # last year unknown
        {"enterprise_id": 6, "hte": True, "division_code": "330203", "rd": 5_000_000, "rd_last": 1},  # Ningbo
    ])
    out = subsidy.eligible(frame, [RULES["hangzhou_2023"]])
    assert dict(zip(out["enterprise_id"], out["estimate"], strict=True)) == {1: 200_000, 2: 2_000_000}


def test_fenghua_rule_first_rd_share_floor_cap_and_minimum():
    rule = RULES["fenghua_2021"]
    frame = _frame([
        {"enterprise_id": 1, "division_code": "330213", "rd": 300_000, "revenue": 10_000_000},  # 3.0 % → 30,000
        {"enterprise_id": 2, "division_code": "330213", "rd": 299_999, "revenue": 10_000_000},  # 2.99999 %
        {"enterprise_id": 3, "division_code": "330213", "rd": 9_000_000, "revenue": 100_000_000},  # cap 500,000
        {"enterprise_id": 4, "division_code": "330213", "rd": 99_999, "revenue": 1_000_000},  # 9,999 < 10,000
        {"enterprise_id": 5, "division_code": "330213", "rd": 100_000, "revenue": 1_000_000},  # exactly 10,000
        {"enterprise_id": 6, "division_code": "330213", "rd": 300_000, "rd_last": 1, "revenue": 1},  # not first
        {"enterprise_id": 7, "division_code": "330213", "above_scale": False, "rd": 300_000, "revenue": 1},
    ])
    out = subsidy.eligible(frame, [rule])
    assert dict(zip(out["enterprise_id"], out["estimate"], strict=True)) == {1: 30_000, 3: 500_000, 5: 10_000}


def test_rules_file_cites_and_marks_unverified():
    assert all(r["source"].startswith("http") and r["verified"] is False for r in RULES.values())


@pytest.mark.django_db
def test_unclaimed_list_reads_filings_certificates_and_recorded_subsidies(client):
    from xinzhi.accounts.models import Role, User
    from xinzhi.core.tests.helpers import make_enterprise
    from xinzhi.cultivation.models import Certification
    from xinzhi.enterprises.models import EnterpriseYear, MonthlyStat
    from xinzhi.supervision import services

    a, b, c = make_enterprise("330106", 1, "甲"), make_enterprise("330106", 2, "乙"), make_enterprise("330203", 3, "丙")

    def filing(e, year, rd):
        MonthlyStat.objects.create(enterprise=e, division_id=e.division_id, year=year, month=12, output_value=1,
                                   value_added=1, revenue=100_000_000, rd_expense=rd, new_product_output=0, employees=10)

    for e in (a, b, c):
        filing(e, 2024, 4_000_000)
        filing(e, 2025, 5_000_000)
        EnterpriseYear.objects.create(enterprise=e, year=2025, above_scale=True)
        Certification.objects.create(enterprise=e, program="hte", year=2023, issued_on=dt.date(2023, 12, 8))
    hangzhou = User.objects.create(username="c1", role=Role.CITY_STAFF, division_id="330100")
    rows, _ = services.unclaimed_subsidies(hangzhou, 2025)
    assert [(r["name"], r["estimate"], r["rule_id"]) for r in rows] == [("甲", 200_000, "hangzhou_2023"),
                                                                        ("乙", 200_000, "hangzhou_2023")]
    services.record_fund(hangzhou, a, kind="subsidy", year=2025, amount=150_000, basis=rows[0]["rule"]["name"])
    rows, _ = services.unclaimed_subsidies(hangzhou, 2025)
    assert [r["name"] for r in rows] == ["乙"]
    # a certificate issued in December 2022 has expired on 31 December 2025 (valid three years from issue)
    Certification.objects.filter(enterprise=b).update(issued_on=dt.date(2022, 12, 8), year=2022)
    assert services.unclaimed_subsidies(hangzhou, 2025)[0] == []
    client.force_login(hangzhou)
    page = client.get("/supervision/funds/?subsidy_year=2025").content.decode()
    assert "没有符合条件而未登记的企业" in page and "待核实" in page
