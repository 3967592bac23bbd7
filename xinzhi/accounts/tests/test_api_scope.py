"""The JSON API: token and session authentication, the same scope as the pages, consistent errors."""

import pytest

from xinzhi.accounts.models import ApiToken, Role, User
from xinzhi.accounts.services import issue_token, revoke_token
from xinzhi.core import uscc
from xinzhi.enterprises.models import Enterprise, MonthlyStat

pytestmark = pytest.mark.django_db


@pytest.fixture
def data():
    a = Enterprise.objects.create(uscc=uscc.make("91", "330106", "MA0000001"), name="西湖甲公司", division_id="330106", industry_id="3973")
    b = Enterprise.objects.create(uscc=uscc.make("91", "330212", "MA0000002"), name="鄞州乙公司", division_id="330212", industry_id="3511")
    MonthlyStat.objects.create(enterprise=a, division_id="330106", year=2025, month=1, output_value=10, value_added=3,
                               revenue=10, rd_expense=1, new_product_output=4, employees=5)
    county = User.objects.create(username="x", role=Role.COUNTY_STAFF, division_id="330106")
    province = User.objects.create(username="p", role=Role.PROVINCE_STAFF, division_id="330000")
    owner = User.objects.create(username="e", role=Role.ENTERPRISE, enterprise=b)
    return {"a": a, "b": b, "county": county, "province": province, "owner": owner}


def bearer(token):
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_anonymous_gets_401_with_chinese_detail(client):
    response = client.get("/api/v1/enterprises/")
    assert response.status_code == 401
    assert response.json()["detail"] == "未登录或令牌无效"


def test_token_list_is_scoped_and_paginated(client, data):
    token = issue_token(data["county"], "测试")
    body = client.get("/api/v1/enterprises/", **bearer(token)).json()
    assert body["count"] == 1 and [e["name"] for e in body["items"]] == ["西湖甲公司"]
    assert body["items"][0]["division_code"] == "330106"
    province = client.get("/api/v1/enterprises/?division=330200", **bearer(issue_token(data["province"], "p"))).json()
    assert [e["name"] for e in province["items"]] == ["鄞州乙公司"]


def test_out_of_scope_object_is_404_by_url(client, data):
    token = issue_token(data["county"], "测试")
    assert client.get(f"/api/v1/enterprises/{data['b'].pk}", **bearer(token)).status_code == 404
    assert client.get(f"/api/v1/enterprises/{data['b'].pk}/monthly-stats", **bearer(token)).status_code == 404
    ok = client.get(f"/api/v1/enterprises/{data['a'].pk}/monthly-stats", **bearer(token))
    assert ok.status_code == 200 and ok.json()[0]["revenue"] == 10


def test_enterprise_user_sees_only_itself(client, data):
    client.force_login(data["owner"])
    body = client.get("/api/v1/enterprises/").json()
    assert [e["name"] for e in body["items"]] == ["鄞州乙公司"]
    assert client.get(f"/api/v1/enterprises/{data['a'].pk}").status_code == 404


def test_revoked_token_stops_working_and_only_a_hash_is_stored(client, data):
    token = issue_token(data["county"], "测试")
    row = ApiToken.objects.get(user=data["county"])
    assert token not in (row.key_hash, row.prefix + row.key_hash)
    assert client.get("/api/v1/enterprises/", **bearer(token)).status_code == 200
    assert revoke_token(data["county"], row.pk)
    assert client.get("/api/v1/enterprises/", **bearer(token)).status_code == 401


def test_bad_parameter_gives_422_with_field(client, data):
    client.force_login(data["province"])
    response = client.get("/api/v1/enterprises/abc")
    assert response.status_code == 422
    assert response.json()["detail"] == "请求参数有误"
    assert response.json()["errors"][0]["field"] == "enterprise_id"


def test_openapi_schema_is_served(client, data):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/enterprises/" in schema["paths"]


def test_tokens_issued_and_revoked_in_the_ui(client, data):
    client.force_login(data["county"])
    page = client.post("/accounts/tokens/issue/", {"name": "同步"}, follow=True)
    token = page.context["new_token"]
    assert token.startswith("xz_") and token in page.content.decode()
    assert client.get("/accounts/tokens/").context["new_token"] is None  # shown once
    client.logout()
    assert client.get("/api/v1/enterprises/", **bearer(token)).status_code == 200
    client.force_login(data["county"])
    row = ApiToken.objects.get(user=data["county"])
    client.post(f"/accounts/tokens/{row.pk}/revoke/")
    client.logout()
    assert client.get("/api/v1/enterprises/", **bearer(token)).status_code == 401
    # another user cannot revoke it
    other = issue_token(data["province"], "p")
    client.force_login(data["county"])
    client.post(f"/accounts/tokens/{ApiToken.objects.get(user=data['province']).pk}/revoke/")
    client.logout()
    assert client.get("/api/v1/enterprises/", **bearer(other)).status_code == 200


def test_api_docs_page_loads_no_cdn(client, data):
    client.force_login(data["province"])
    body = client.get("/api/v1/docs").content.decode()
    assert "swagger-ui-bundle.js" in body and "cdn.jsdelivr" not in body and "//cdn" not in body
