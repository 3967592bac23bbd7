"""A small world: enterprises in two cities, staff, an applicant's group, and an expert pool."""

import datetime

import pytest

from xinzhi.accounts.models import Role, User
from xinzhi.core import uscc
from xinzhi.enterprises.models import Enterprise, EnterpriseYear, MonthlyStat
from xinzhi.evaluation.models import EnterpriseGroup, ExpertProfile


def _ent(county, serial, name, industry="3973"):
    return Enterprise.objects.create(uscc=uscc.make("91", county, f"MA{serial}"), name=name, division_id=county,
                                     industry_id=industry)


@pytest.fixture
def world(db):
    a = _ent("330106", "0000001", "西湖智感科技有限公司")
    b = _ent("330108", "0000002", "滨江集团子公司", "3511")
    c = _ent("330212", "0000003", "鄞州丙公司")
    for e, revenue, rd in ((a, 300_000_000, 15_000_000), (b, 90_000_000, 1_000_000), (c, 50_000_000, 0)):
        MonthlyStat.objects.create(enterprise=e, division_id=e.division_id, year=2025, month=12, output_value=revenue,
                                   value_added=revenue // 4, revenue=revenue, rd_expense=rd,
                                   new_product_output=revenue // 2, employees=400)
        EnterpriseYear.objects.create(enterprise=e, year=2025, above_scale=True)
    EnterpriseGroup.objects.create(enterprise=a, group_name="之江控股集团")
    users = {
        "province": User.objects.create(username="p", role=Role.PROVINCE_STAFF, division_id="330000"),
        "city": User.objects.create(username="c", role=Role.CITY_STAFF, division_id="330100"),
        "ningbo": User.objects.create(username="nb", role=Role.CITY_STAFF, division_id="330200"),
        "owner": User.objects.create(username="e", role=Role.ENTERPRISE, enterprise=a),
        "other_owner": User.objects.create(username="e2", role=Role.ENTERPRISE, enterprise=c),
    }
    experts = []
    specs = [
        ("x_group", "之江控股集团研究院", "之江控股集团", "330102"),   # same group as a → recused
        ("x_same_county", "浙江大学", "", "330106"),                  # same county as a → recused (county rule)
        ("x1", "浙江工业大学", "", "330102"),
        ("x2", "中国计量大学", "", "330110"),
        ("x3", "宁波大学", "", "330203"),
        ("x4", "温州大学", "", "330302"),
        ("x5", "省机械院", "", "330109"),
    ]
    for name, employer, group, county in specs:
        u = User.objects.create(username=name, role=Role.EXPERT, full_name=name)
        experts.append(ExpertProfile.objects.create(user=u, employer_name=employer, enterprise_group=group,
                                                    division_id=county, fields="智能传感器", max_load=10))
    return {"a": a, "b": b, "c": c, **users, "experts": {e.user.username: e for e in experts},
            "today": datetime.date(2026, 3, 1)}

