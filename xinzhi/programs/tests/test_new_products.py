"""New-product projects: enterprise → county → city → province approval → appraisal, each by its level;
counts as of a date; selections; the monitoring counts."""

import datetime as dt

import polars as pl
import pytest
from django.core.exceptions import PermissionDenied

from xinzhi.monitoring.engine import compute_period
from xinzhi.monitoring.sources import load_facts
from xinzhi.programs import newproducts, services

D = dt.date


def test_state_machine_on_plain_data():
    assert newproducts.decide("applied", "county_pass", "county_staff") == ("county", "")
    assert newproducts.decide("applied", "city_pass", "city_staff") == (None, "项目当前状态为“企业申报”，不能市级审核通过")
    assert newproducts.decide("city", "approve", "city_staff") == (None, "“省级立项”由省经信厅办理")
    assert newproducts.decide("approved", "appraise_fail", "county_staff") == ("failed", "")
    assert newproducts.actions_for("county", "city_staff") == ["city_pass", "city_reject"]


def _approved(world, name="智能柔性夹爪"):
    p = services.apply_new_product(world["owner"], world["a"], {"name": name, "kind": "product"}, D(2025, 2, 1))
    services.review_new_product(world["county"], p.pk, "county_pass", D(2025, 2, 10))
    services.review_new_product(world["city"], p.pk, "city_pass", D(2025, 3, 1))
    return services.review_new_product(world["province"], p.pk, "approve", D(2025, 4, 1))


def test_the_review_chain_by_level(world):
    p = _approved(world)
    assert p.stage == "approved" and p.approved_on == D(2025, 4, 1) and p.year == 2025
    with pytest.raises(services.Refused, match="请填写鉴定验收结论"):
        services.review_new_product(world["county"], p.pk, "appraise_pass", D(2025, 12, 1))
    p = services.review_new_product(world["county"], p.pk, "appraise_pass", D(2025, 12, 1), "主要指标达到国内领先水平")
    assert p.stage == "appraised" and p.appraisal_result == "主要指标达到国内领先水平"
    q = services.apply_new_product(world["owner"], world["a"], {"name": "B", "kind": "technology"}, D(2025, 2, 1))
    with pytest.raises(services.Refused, match="“县级审核通过”由县（市、区）经信部门办理"):
        services.review_new_product(world["city"], q.pk, "county_pass", D(2025, 2, 2))
    with pytest.raises(PermissionDenied):
        services.review_new_product(world["ningbo"], q.pk, "county_pass", D(2025, 2, 2))
    with pytest.raises(services.Refused, match="不通过须说明理由"):
        services.review_new_product(world["county"], q.pk, "county_reject", D(2025, 2, 2))
    with pytest.raises(services.Refused, match="办理日期不能早于上一环节的日期"):
        services.review_new_product(world["county"], q.pk, "county_pass", D(2025, 1, 2))
    with pytest.raises(services.Refused, match="本企业2025年已申报“B”"):
        services.apply_new_product(world["owner"], world["a"], {"name": "B", "kind": "technology"}, D(2025, 2, 1))
    with pytest.raises(PermissionDenied, match="企业用户只能为本企业办理"):
        services.apply_new_product(world["owner"], world["c"], {"name": "C", "kind": "product"}, D(2025, 2, 1))


def test_selections_and_monitoring_counts(world):
    p = _approved(world)
    _approved(world, "第二个")
    with pytest.raises(PermissionDenied, match="由省经信厅公布"):
        services.record_selection(world["city"], {"kind": "excellent", "enterprise": world["a"], "name": "x",
                                                  "published_on": D(2025, 11, 1)})
    services.record_selection(world["province"], {"kind": "excellent", "enterprise": world["a"], "name": p.name,
                                                  "published_on": D(2025, 11, 1), "prize": "一等奖", "new_product": p})
    services.record_selection(world["province"], {"kind": "achievement", "enterprise": world["c"], "name": "精密铸造",
                                                  "published_on": D(2025, 12, 1)})
    out = compute_period(load_facts(2025, 11), 2025, 11)

    def cell(ind, region):
        return out.filter((pl.col("indicator") == ind) & (pl.col("region") == region))["value"][0]

    assert cell("new_product_approvals", "330000") == 2 and cell("new_product_approvals", "330106") == 2
    assert cell("new_product_approvals", "330212") == 0
    assert cell("excellent_new_products", "330100") == 1
    assert cell("advanced_achievements", "330000") == 0  # published in December


def test_pages(client, world):
    p = _approved(world)
    client.force_login(world["owner"])
    r = client.post("/programs/new-products/apply/", {"name": "新型减速器", "kind": "product", "year": "2025"})
    assert r.status_code == 302
    page = client.get("/programs/new-products/?year=2025&on=2025-12-31").content.decode()
    assert "新型减速器" in page and "省级立项 1 项" in page
    client.force_login(world["county"])
    page = client.get(f"/programs/new-products/{p.pk}/").content.decode()
    assert 'id="form-appraise_pass"' in page
    r = client.post(f"/programs/new-products/{p.pk}/", {"action": "appraise_pass", "on": "2025-12-01",
                                                       "note": "通过"}, follow=True)
    assert "鉴定验收通过" in r.content.decode()
    client.force_login(world["leader"])
    page = client.get(f"/programs/new-products/{p.pk}/").content.decode()
    assert "<form method=\"post\" class=\"card stack\"" not in page


def test_api_lists_are_scoped(client, world):
    _approved(world)
    services.apply_new_product(world["other_owner"], world["c"], {"name": "宁波件", "kind": "product"}, D(2025, 2, 1))
    client.force_login(world["owner"])
    assert [r["name"] for r in client.get("/api/v1/programs/new-products?year=2025").json()["items"]] == ["智能柔性夹爪"]
    client.force_login(world["ningbo"])
    assert [r["name"] for r in client.get("/api/v1/programs/new-products").json()["items"]] == ["宁波件"]
    client.force_login(world["expert"])
    assert client.get("/api/v1/programs/new-products").status_code == 403
    client.force_login(world["province"])
    assert client.get("/api/v1/programs/new-products?stage=approved").json()["count"] == 1
    assert client.get("/api/v1/programs/standards").json()["count"] == 0
    assert client.get("/api/v1/programs/selections").json()["count"] == 0
    schema = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/programs/problems", "/api/v1/programs/projects/shares", "/api/v1/programs/standards"} <= set(schema)


def test_a_problem_links_to_its_new_product(client, world):
    from xinzhi.programs.tests.conftest import problem_data

    np = _approved(world)
    pr = services.pose(world["owner"], world["a"], problem_data(), D(2025, 1, 10))
    with pytest.raises(PermissionDenied):
        services.link_problem(world["owner"], pr.pk, new_product=np.pk)
    with pytest.raises(PermissionDenied):
        services.link_problem(world["ningbo"], pr.pk, new_product=np.pk)
    client.force_login(world["county"])
    r = client.post(f"/programs/problems/{pr.pk}/", {"action": "link", "new_product": str(np.pk)}, follow=True)
    assert "已关联项目" in r.content.decode() and "智能柔性夹爪" in r.content.decode()
    pr.refresh_from_db()
    assert pr.new_product_id == np.pk
