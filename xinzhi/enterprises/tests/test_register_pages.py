"""Register and profile pages: every role sees exactly its scope; out-of-scope ids are 404."""

import pytest

from xinzhi.accounts.models import Role, User
from xinzhi.core import uscc
from xinzhi.cultivation.models import Certification
from xinzhi.enterprises.models import Enterprise, MonthlyStat

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    def ent(county, serial, name, industry="3973"):
        return Enterprise.objects.create(uscc=uscc.make("91", county, f"MA{serial}"), name=name,
                                         division_id=county, industry_id=industry)

    a, b, c = ent("330106", "0000001", "西湖甲公司"), ent("330108", "0000002", "滨江乙公司", "3511"), ent("330212", "0000003", "鄞州丙公司")
    for e, revenue in ((a, 30_000_000), (b, 90_000_000), (c, 50_000_000)):
        MonthlyStat.objects.create(enterprise=e, division_id=e.division_id, year=2025, month=6, output_value=revenue,
                                   value_added=revenue // 4, revenue=revenue, rd_expense=revenue // 25,
                                   new_product_output=revenue // 2, employees=80)
    Certification.objects.create(enterprise=b, program="hte", year=2024)
    users = {
        "province": User.objects.create(username="p", role=Role.PROVINCE_STAFF, division_id="330000"),
        "city": User.objects.create(username="c", role=Role.CITY_STAFF, division_id="330100"),
        "county": User.objects.create(username="x", role=Role.COUNTY_STAFF, division_id="330106"),
        "leader": User.objects.create(username="l", role=Role.LEADER, division_id="330000"),
        "owner": User.objects.create(username="e", role=Role.ENTERPRISE, enterprise=b),
        "expert": User.objects.create(username="z", role=Role.EXPERT),
    }
    return {"a": a, "b": b, "c": c, **users}


def listed(client, user, query=""):
    client.force_login(user)
    response = client.get("/enterprises/" + query)
    assert response.status_code == 200
    return sorted(e.name for e in response.context["page"].object_list)


def test_register_lists_what_each_role_may_see(client, world):
    assert listed(client, world["province"]) == ["滨江乙公司", "西湖甲公司", "鄞州丙公司"]
    assert listed(client, world["leader"]) == ["滨江乙公司", "西湖甲公司", "鄞州丙公司"]
    assert listed(client, world["city"]) == ["滨江乙公司", "西湖甲公司"]
    assert listed(client, world["county"]) == ["西湖甲公司"]


def test_register_filters(client, world):
    assert listed(client, world["province"], "?division=330200") == ["鄞州丙公司"]
    assert listed(client, world["province"], "?industry=35") == ["滨江乙公司"]
    assert listed(client, world["province"], "?program=hte") == ["滨江乙公司"]
    assert listed(client, world["province"], "?rev_min=4000&rev_max=6000") == ["鄞州丙公司"]
    assert listed(client, world["province"], "?q=" + world["a"].uscc[:12]) == ["西湖甲公司"]
    # a city user asking for another city's counties gets nothing, not the other city's data
    assert listed(client, world["city"], "?division=330200") == []


def test_profile_is_404_outside_scope(client, world):
    client.force_login(world["county"])
    assert client.get(f"/enterprises/{world['a'].pk}/").status_code == 200
    assert client.get(f"/enterprises/{world['b'].pk}/").status_code == 404
    assert client.get(f"/enterprises/{world['c'].pk}/").status_code == 404


def test_enterprise_user_sees_only_its_own_profile(client, world):
    client.force_login(world["owner"])
    assert client.get("/enterprises/").url == f"/enterprises/{world['b'].pk}/"
    page = client.get(f"/enterprises/{world['b'].pk}/")
    assert page.status_code == 200 and "高新技术企业 2024" in page.content.decode()
    assert client.get(f"/enterprises/{world['a'].pk}/").status_code == 404


def test_expert_cannot_open_the_register(client, world):
    client.force_login(world["expert"])
    assert client.get("/enterprises/").status_code == 403
    assert client.get(f"/enterprises/{world['a'].pk}/").status_code == 403  # experts see no profile at all (capability)


def test_anonymous_is_sent_to_login(client, world):
    response = client.get("/enterprises/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_profile_shows_amounts_in_wan_yuan(client, world):
    client.force_login(world["province"])
    body = client.get(f"/enterprises/{world['c'].pk}/").content.decode()
    assert "5,000.0" in body  # 50,000,000 yuan = 5,000.0 万元
    assert "4.00%" in body  # R&D / revenue
