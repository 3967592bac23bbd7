"""Major S&T projects on stored records: registration, scope, the shares page/API, and the monitoring facts."""

import datetime as dt

import polars as pl
import pytest
from django.core.exceptions import PermissionDenied

from xinzhi.monitoring.engine import compute_period
from xinzhi.monitoring.sources import load_facts
from xinzhi.programs import services

D = dt.date
APRIL = D(2025, 4, 1)


def _register(world, name, units, on=APRIL, programme="jianbing", **extra):
    return services.register_major_project(world["province"], {"name": name, "programme": programme,
                                                               "approved_on": on, **extra}, units)


@pytest.fixture
def projects(world):
    a, c = world["a"], world["c"]
    _register(world, "柔性传感芯片", [{"rank": 1, "name": a.name, "kind": "enterprise", "enterprise": a},
                                     {"rank": 2, "name": "浙江大学", "kind": "university"}])
    _register(world, "高端轴承", [{"rank": 1, "name": "浙江工业大学", "kind": "university"},
                                 {"rank": 2, "name": "省机械院", "kind": "institute"},
                                 {"rank": 3, "name": "某院", "kind": "institute"},
                                 {"rank": 4, "name": c.name, "kind": "enterprise", "enterprise": c}],
              division="330212")
    _register(world, "量子测量", [{"rank": 1, "name": "中科院某所", "kind": "institute", "in_province": False}],
              programme="lingyan", division="330106", on=D(2025, 8, 1))
    _register(world, "国家项目甲", [{"rank": 1, "name": a.name, "kind": "enterprise", "enterprise": a}],
              programme="national", recommended_by_province=True)


def test_register_validates_and_is_province_only(world):
    with pytest.raises(PermissionDenied, match="只有省级工作人员可以登记重大科技项目"):
        services.register_major_project(world["city"], {"name": "x", "programme": "major", "approved_on": D(2025, 1, 1)},
                                        [{"rank": 1, "name": "u", "kind": "university"}])
    with pytest.raises(services.Refused, match="第2个承担单位：单位性质须为企业、高校、科研院所、其他单位"):
        _register(world, "x", [{"rank": 1, "name": "u", "kind": "university"}, {"rank": 2, "name": "v", "kind": "公司"}],
                  division="330106")
    with pytest.raises(services.Refused, match="无省内企业承担单位时须填写项目所在县"):
        _register(world, "x", [{"rank": 1, "name": "u", "kind": "university"}])
    p = _register(world, "y", [{"rank": 1, "name": "u", "kind": "university"},
                               {"rank": 2, "name": world["c"].name, "kind": "enterprise", "enterprise": world["c"]}])
    assert p.division_id == "330212" and p.lead_enterprise is None
    with pytest.raises(services.Refused, match="2025年同一计划类别下已有项目“y”"):
        _register(world, "y", [{"rank": 1, "name": "u", "kind": "university"}], division="330106")


def test_shares_as_of_a_date_and_scope(world, projects):
    total = services.st_shares(world["province"], D(2025, 1, 1), D(2025, 12, 31), ["province"]).row(0, named=True)
    assert (total["projects"], total["involved"], total["led"]) == (3, 2, 1)  # the national one is left out
    june = services.st_shares(world["province"], D(2025, 1, 1), D(2025, 6, 30), ["province"]).row(0, named=True)
    assert (june["projects"], june["led"], june["led_share"]) == (2, 1, 50.0)
    hz = services.st_shares(world["city"], D(2025, 1, 1), D(2025, 12, 31), ["city"]).to_dicts()
    assert [(r["city"], r["projects"]) for r in hz] == [("330100", 2)]


def test_projects_page_and_api(client, world, projects):
    client.force_login(world["province"])
    page = client.get("/programs/projects/?year=2025&on=2025-12-31").content.decode()
    assert "1. 西湖智感科技有限公司（企业）" in page and "省外" in page and 'id="shares"' in page
    assert "共 3 项；企业牵头或参与 2 项，占 66.7%" in page
    rows = client.get("/api/v1/programs/projects/shares?year=2025&by=programme").json()
    assert {r["group"]: r["projects"] for r in rows} == {"jianbing": 2, "lingyan": 1}
    client.force_login(world["owner"])
    data = client.get("/api/v1/programs/projects?year=2025").json()
    assert sorted(p["name"] for p in data["items"]) == sorted(["国家项目甲", "柔性传感芯片"])
    assert client.get("/api/v1/programs/projects/shares?year=2025").status_code == 403
    page = client.get("/programs/projects/?year=2025").content.decode()
    assert "高端轴承" not in page and 'id="shares"' not in page


def test_project_form(client, world):
    client.force_login(world["province"])
    r = client.post("/programs/projects/new/", {
        "name": "新型储能", "programme": "major", "approved_on": "2025-05-05", "field": "储能",
        "unit_rank": ["1", "2", "3", "4", "5", "6"], "unit_name": ["之江实验室", world["a"].name, "", "", "", ""],
        "unit_kind": ["institute", "enterprise", "other", "other", "other", "other"],
        "unit_uscc": ["", world["a"].uscc, "", "", "", ""], "unit_outside": ["no"] * 6})
    assert r.status_code == 302
    page = client.get(r["Location"]).content.decode()
    assert "新型储能" in page and "2. 西湖智感科技有限公司（企业）" in page
    client.force_login(world["city"])
    assert client.get("/programs/projects/new/").status_code == 403


def test_monitoring_reads_the_register(world, projects):
    facts = load_facts(2025, 12)
    assert facts.st_projects.height == 3
    out = compute_period(facts, 2025, 12)
    row = out.filter((pl.col("indicator") == "st_projects_enterprise_led") & (pl.col("region") == "330000"))
    assert row["value"][0] == pytest.approx(100 / 3) and row["available"][0]
