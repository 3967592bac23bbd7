"""The cultivation world: 80 generated enterprises in 西湖区 and 鄞州区 with valid 2025 packages, some of them
certified, users of each role and department, and a screening run of 2025."""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import polars as pl
import pytest

from xinzhi.accounts.models import Department, Role, User
from xinzhi.core import uscc
from xinzhi.cultivation.generate import generate_packages
from xinzhi.cultivation.models import AnnualPackage, Certification
from xinzhi.cultivation.services import screening
from xinzhi.enterprises.models import Enterprise


def firms_frame(n: int, counties: list[str], seed: int = 3) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    rev = np.exp(rng.normal(np.log(8e7), 1, n)).astype(np.int64)
    return pl.DataFrame({
        "enterprise_id": np.arange(1, n + 1), "uscc": [uscc.make("91", counties[i % len(counties)], f"{i:08d}0") for i in range(n)],
        "name": [f"企业{i}" for i in range(n)], "industry_code": rng.choice(["3562", "3973", "2521"], n),
        "registered_on": [date(2008, 3, 1)] * n, "year": [2025] * n, "revenue": rev,
        "rd_expense": (rev * rng.uniform(0.01, 0.07, n)).astype(np.int64), "employees": rev // 1_300_000 + 8,
        "high_tech": rng.random(n) < 0.5, "hte_issue": [date(2023, 12, 8) if x < 0.5 else None for x in rng.random(n)],
        "prev_revenue": (rev / 1.1).astype(np.int64), "prev_rd_expense": [None] * n,
    }, schema_overrides={"prev_rd_expense": pl.Int64})


@pytest.fixture
def world(db):
    counties = ["330106", "330212"]  # 西湖区 (杭州), 鄞州区 (宁波)
    firms = firms_frame(80, counties)
    ents = [Enterprise.objects.create(uscc=r["uscc"], name=r["name"], division_id=counties[i % 2],
                                      industry_id=r["industry_code"], registered_on=r["registered_on"])
            for i, r in enumerate(firms.iter_rows(named=True))]
    firms = firms.with_columns(enterprise_id=pl.Series([e.pk for e in ents]))
    for row in generate_packages(firms, 9).iter_rows(named=True):
        e = next(x for x in ents if x.pk == row["enterprise_id"])
        AnnualPackage.objects.create(enterprise=e, division_id=e.division_id, year=2025, data=json.loads(row["data"]),
                                     status="valid", source="demo")
    for e, issue in zip(ents, firms["hte_issue"].to_list(), strict=True):
        if issue is not None and e.pk % 3:
            Certification.objects.create(enterprise=e, program="hte", year=2023, issued_on=issue,
                                         expires_on=date(2026, 12, 7))

    def user(name, role, division=None, department=Department.ECONOMY_IT, enterprise=None):
        return User.objects.create(username=name, role=role, division_id=division, department=department,
                                   enterprise=enterprise)
    users = {
        "province": user("p", Role.PROVINCE_STAFF, "330000"),
        "xihu": user("xh", Role.COUNTY_STAFF, "330106"),
        "ningbo": user("nb", Role.CITY_STAFF, "330200"),
        "science": user("sci", Role.COUNTY_STAFF, "330106", Department.SCIENCE),
        "finance": user("fin", Role.COUNTY_STAFF, "330106", Department.FINANCE),
        "tax": user("tax", Role.COUNTY_STAFF, "330106", Department.TAX),
        "ningbo_tax": user("nbtax", Role.CITY_STAFF, "330200", Department.TAX),
        "owner": user("own", Role.ENTERPRISE, enterprise=ents[0]),
        "expert": user("ex", Role.EXPERT),
    }
    run = screening.run_screening(2025, users["province"])
    return {"ents": ents, "run": run, **users}
