"""Users of each role and a few projects in two cities (Hangzhou: Xihu 330106, Ningbo: 330203)."""

from __future__ import annotations

import datetime

import pytest

from xinzhi.accounts.models import Role, User
from xinzhi.investment.models import InvestmentProject


@pytest.fixture
def users(db):
    def make(username, role, division):
        return User.objects.create(username=username, role=role, division_id=division, department="economy_it")

    return {
        "province": make("p1", Role.PROVINCE_STAFF, "330000"),
        "city": make("c1", Role.CITY_STAFF, "330100"),
        "city2": make("c2", Role.CITY_STAFF, "330200"),
        "county": make("x1", Role.COUNTY_STAFF, "330106"),
        "county_b": make("x2", Role.COUNTY_STAFF, "330106"),
        "other_county": make("n1", Role.COUNTY_STAFF, "330203"),
        "leader": make("l1", Role.LEADER, "330000"),
    }


def make_project(code: str, division: str = "330106", stage: str = "reserve", is_major: bool = False,
                 **kw) -> InvestmentProject:
    return InvestmentProject.objects.create(
        code=code, name=f"项目{code}", division_id=division, industry_id="3973", planned_total=500_000_000,
        stage=stage, is_major=is_major, planned_start=kw.pop("planned_start", datetime.date(2025, 3, 1)),
        planned_completion=kw.pop("planned_completion", datetime.date(2026, 12, 31)), **kw)


@pytest.fixture
def projects(db):
    return {
        "xihu": make_project("2501-330106-04-01-000001"),
        "xihu_major": make_project("2501-330106-04-01-000002", is_major=True),
        "ningbo": make_project("2501-330203-04-01-000003", division="330203"),
    }
