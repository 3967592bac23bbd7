"""A small world for the programmes: two enterprises posing problems, a solver unit, staff at three levels."""

import datetime as dt

import pytest

from xinzhi.accounts.models import Role, User
from xinzhi.core.tests.helpers import make_enterprise
from xinzhi.programs.models import Solver


@pytest.fixture
def world(db):
    a = make_enterprise("330106", 1, "西湖智感科技有限公司")
    c = make_enterprise("330212", 2, "鄞州精工有限公司")
    lab = make_enterprise("330108", 3, "滨江材料研究院有限公司")
    solver = Solver.objects.create(name="滨江材料研究院", kind="institute", division_id="330108", enterprise=lab,
                                   fields="新材料、传感器")
    users = {
        "province": User.objects.create(username="p", role=Role.PROVINCE_STAFF, division_id="330000"),
        "city": User.objects.create(username="c", role=Role.CITY_STAFF, division_id="330100"),
        "county": User.objects.create(username="x", role=Role.COUNTY_STAFF, division_id="330106"),
        "ningbo": User.objects.create(username="nb", role=Role.CITY_STAFF, division_id="330200"),
        "leader": User.objects.create(username="l", role=Role.LEADER, division_id="330000"),
        "owner": User.objects.create(username="e", role=Role.ENTERPRISE, enterprise=a),
        "other_owner": User.objects.create(username="e2", role=Role.ENTERPRISE, enterprise=c),
        "solver": User.objects.create(username="s", role=Role.ENTERPRISE, enterprise=lab),
        "expert": User.objects.create(username="ex", role=Role.EXPERT),
    }
    return {"a": a, "c": c, "lab": lab, "solver_unit": solver, **users, "today": dt.date(2025, 3, 1)}


def problem_data(**over):
    data = {"title": "高精度柔性压力传感器封装", "field": "传感器", "goal": "量产良率达到95%",
            "acceptance_criteria": "良率≥95%，量程0–100 kPa，误差≤1%", "budget": 2_000_000,
            "deadline": dt.date(2026, 6, 30), "confidential": False}
    return data | over
