"""Register pages and API: scope by region and enterprise; out-of-scope ids are 404."""

import pytest

from xinzhi.accounts.models import Role, User
from xinzhi.core import uscc
from xinzhi.enterprises.models import Enterprise
from xinzhi.platforms import services
from xinzhi.platforms.models import Platform, PlatformMember, RDInstitution

pytestmark = pytest.mark.django_db


@pytest.fixture
def reg():
    a = Enterprise.objects.create(uscc=uscc.make("91", "330106", "MA0000001"), name="甲", division_id="330106", industry_id="3973")
    c = Enterprise.objects.create(uscc=uscc.make("91", "330212", "MA0000003"), name="丙", division_id="330212", industry_id="3973")
    ia = RDInstitution.objects.create(enterprise=a, name="甲技术中心", level="provincial_tech_centre", recognised_year=2023)
    ic = RDInstitution.objects.create(enterprise=c, name="丙研究院", level="provincial_institute", recognised_year=2024)
    centre = Platform.objects.create(kind="innovation_centre", name="浙江省智能传感器创新中心", division_id="330106",
                                     lead_enterprise=a, field="智能传感器")
    PlatformMember.objects.create(platform=centre, enterprise=c, chain_position="upstream")
    services.record_annual_data(centre, 2025, {"rd_expense": 30_000_000, "member_count": 12})
    users = {
        "province": User.objects.create(username="p", role=Role.PROVINCE_STAFF, division_id="330000"),
        "ningbo": User.objects.create(username="nb", role=Role.CITY_STAFF, division_id="330200"),
        "owner": User.objects.create(username="e", role=Role.ENTERPRISE, enterprise=a),
        "expert": User.objects.create(username="x", role=Role.EXPERT),
    }
    return {"ia": ia, "ic": ic, "centre": centre, **users}


def test_register_scope(client, reg):
    client.force_login(reg["ningbo"])
    page = client.get("/platforms/")
    assert [i.name for i in page.context["page"]] == ["丙研究院"]
    assert client.get(f"/platforms/institutions/{reg['ia'].pk}/").status_code == 404
    assert client.get(f"/platforms/platforms/{reg['centre'].pk}/").status_code == 404
    client.force_login(reg["province"])
    assert client.get(f"/platforms/platforms/{reg['centre'].pk}/").status_code == 200
    assert "上游" in client.get(f"/platforms/platforms/{reg['centre'].pk}/").content.decode()
    assert client.get("/platforms/coverage/?year=2025").status_code == 200
    assert len(client.get("/platforms/?tab=platforms").context["page"].object_list) == 1


def test_enterprise_and_expert(client, reg):
    client.force_login(reg["owner"])
    assert [i.name for i in client.get("/platforms/").context["page"]] == ["甲技术中心"]
    assert client.get(f"/platforms/institutions/{reg['ic'].pk}/").status_code == 404
    client.force_login(reg["expert"])
    assert client.get("/platforms/").status_code == 403


def test_api_scope(client, reg):
    client.force_login(reg["ningbo"])
    items = client.get("/api/v1/platforms/institutions").json()["items"]
    assert [i["name"] for i in items] == ["丙研究院"]
    assert client.get(f"/api/v1/platforms/institutions/{reg['ia'].pk}").status_code == 404
    assert client.get("/api/v1/platforms/platforms").json()["count"] == 0
    client.force_login(reg["province"])
    assert client.get("/api/v1/platforms/platforms?kind=innovation_centre").json()["count"] == 1
    assert client.get("/api/v1/platforms/counts?year=2025").status_code == 200
