"""The institution and platform registers as shared lists: database sorting by each column, exports that
hold the filtered, sorted rows in the user's scope, and a GET that writes nothing."""

import pytest

from xinzhi.core.testing import declared_order, read_list_export, writes_during
from xinzhi.platforms.models import Platform, RDInstitution

from .test_register import reg  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db

INSTITUTION_KEYS = {
    "name": lambda i: i.name, "enterprise": lambda i: i.enterprise.name, "level": lambda i: declared_order(RDInstitution, "level")(i.level),
    "division": lambda i: i.enterprise.division_id, "recognised_year": lambda i: i.recognised_year,
    "cluster": lambda i: i.cluster_id or "", "status": lambda i: declared_order(RDInstitution, "status")(i.status),
    "next_evaluation_year": lambda i: i.next_evaluation_year or 0,
}


@pytest.fixture
def more(reg):  # noqa: F811
    reg["ia"].next_evaluation_year, reg["ia"].cluster_id = 2026, None
    reg["ia"].save()
    reg["ic"].next_evaluation_year = 2027
    reg["ic"].save()
    return reg


@pytest.mark.parametrize("key", INSTITUTION_KEYS)
def test_institutions_sort_by_each_column(client, more, key):
    client.force_login(more["province"])
    everyone = list(RDInstitution.objects.select_related("enterprise"))
    for sign in ("", "-"):
        response = client.get("/platforms/", {"sort": sign + key})
        assert response.status_code == 200
        expected = sorted(everyone, key=lambda i: (INSTITUTION_KEYS[key](i), -i.pk if sign else i.pk),
                          reverse=bool(sign))
        assert [i.pk for i in response.context["page"]] == [i.pk for i in expected], (key, sign)


@pytest.mark.parametrize("key", ["name", "kind", "level", "division", "field", "cluster", "status"])
def test_platforms_sort_by_each_column(client, reg, key):  # noqa: F811
    Platform.objects.create(kind="pilot", name="中试平台乙", division_id="330212", field="新材料", status="recognised")
    client.force_login(reg["province"])
    for sign in ("", "-"):
        response = client.get("/platforms/", {"tab": "platforms", "sort": sign + key})
        assert response.status_code == 200
        assert len(response.context["page"].object_list) == 2
    assert client.get("/platforms/", {"tab": "platforms", "sort": "recognised_year"}).status_code == 400


def test_register_exports_what_it_lists_in_scope(client, reg):  # noqa: F811
    client.force_login(reg["province"])
    header, rows = read_list_export(client.get("/platforms/?sort=-recognised_year&format=xlsx"))
    assert header == ["名称", "企业", "级别", "所在地", "认定年度", "415X集群", "状态", "下次评价"]
    assert [r[0] for r in rows] == ["丙研究院", "甲技术中心"] and rows[0][4] == 2024
    assert "provincial_institute" not in str(rows) and "recognised" not in str(rows)  # labels, not codes
    client.force_login(reg["ningbo"])
    _, rows = read_list_export(client.get("/platforms/?format=xlsx"))
    assert [r[0] for r in rows] == ["丙研究院"]
    header, rows = read_list_export(client.get("/platforms/?tab=platforms&format=xlsx"))
    assert header[0] == "名称" and rows == []
    client.force_login(reg["province"])
    _, rows = read_list_export(client.get("/platforms/?tab=platforms&format=xlsx"))
    assert rows == [["浙江省智能传感器创新中心", "制造业创新中心", "省级", "西湖区", "智能传感器", "—", "培育创建"]]
    assert writes_during(lambda: client.get("/platforms/?format=xlsx")) == []
    client.force_login(reg["expert"])
    assert client.get("/platforms/?format=xlsx").status_code == 403
