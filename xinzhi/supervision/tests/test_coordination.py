"""Activities, typical cases, R&D reserve funds and post-subsidies, the notice board: services, pages, scope."""

from __future__ import annotations

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError

from xinzhi.accounts.models import Role, User
from xinzhi.core.tests.helpers import make_enterprise
from xinzhi.supervision import services
from xinzhi.supervision.models import Activity, BoardPost, CaseStatus, RDFundRecord, TypicalCase

pytestmark = pytest.mark.django_db


def _user(username, role, division=None, **kw):
    return User.objects.create(username=username, role=role, division_id=division, full_name=username, **kw)


@pytest.fixture
def people():
    return {
        "province": _user("p1", Role.PROVINCE_STAFF, "330000"),
        "hangzhou": _user("c1", Role.CITY_STAFF, "330100"),
        "ningbo": _user("c2", Role.CITY_STAFF, "330200"),
        "xihu": _user("x1", Role.COUNTY_STAFF, "330106"),
        "leader": _user("l1", Role.LEADER, "330000"),
    }


def _activity(user, day, division=None, **kw):
    fields = {"held_on": day, "title": "十链百场万企·智能装备专场", "kind": "chain", "organiser": "市经信局",
              "enterprises": 30, "agreements": 4, **kw}
    if division:
        fields["division_code"] = division
    return services.record_activity(user, **fields)


def test_activities_and_the_monthly_coverage_by_city(people):
    _activity(people["hangzhou"], dt.date(2025, 1, 10))
    _activity(people["xihu"], dt.date(2025, 2, 20), title="高校+平台+企业+产业链对接会", kind="upic")
    _activity(people["ningbo"], dt.date(2025, 1, 15))
    with pytest.raises(PermissionDenied):
        _activity(people["ningbo"], dt.date(2025, 2, 1), division="330106")
    with pytest.raises(ValidationError) as err:
        services.record_activity(people["hangzhou"], held_on=dt.date(2025, 3, 1), title="", kind="x", organiser="o",
                                 enterprises=-1)
    assert set(err.value.message_dict) == {"title", "kind", "enterprises"}
    rows, names = services.activity_coverage(people["province"], 2025, dt.date(2025, 3, 10))
    assert len(rows) == 11 and names["330100"] == "杭州市"
    by = {r.code: r for r in rows}
    assert by["330100"].missed == [] and [c[1] for c in by["330100"].cells[:2]] == [1, 1]  # Xihu counts for Hangzhou
    assert by["330200"].missed == [2]
    assert by["330300"].missed == [1, 2]
    city_rows, _ = services.activity_coverage(people["hangzhou"], 2025, dt.date(2025, 3, 10))
    city = {r.code: r for r in city_rows}
    assert city_rows[0].code == "330100" and city["330106"].cells[1][1] == 1 and city["330106"].missed == [1]
    assert set(Activity.objects.restrict(people["ningbo"]).values_list("division_id", flat=True)) == {"330200"}
    assert LogEntry.objects.get_for_model(Activity).count() == 3


def test_case_submit_select_edit_publish_and_the_shared_library(people):
    case = services.submit_case(people["xihu"], title="西湖区“企业出题”闭环", theme="loop", problem="需求分散",
                                measures="建立需求库", results="对接成功42项")
    assert set(services.visible_cases(people["ningbo"]).values_list("pk", flat=True)) == set()
    assert case.pk in set(services.visible_cases(people["hangzhou"]).values_list("pk", flat=True))
    with pytest.raises(PermissionDenied):
        services.review_case(people["hangzhou"], case.pk, "select")
    with pytest.raises(ValidationError, match="须先入选"):
        services.review_case(people["province"], case.pk, "publish")
    with pytest.raises(ValidationError):
        services.review_case(people["province"], case.pk, "select", edits={"results": ""})
    selected = services.review_case(people["province"], case.pk, "select", edits={"title": "西湖区构建“出题答题”闭环"})
    assert selected.status == CaseStatus.SELECTED and selected.title == "西湖区构建“出题答题”闭环"
    published = services.review_case(people["province"], case.pk, "publish")
    assert published.published_at is not None
    assert case.pk in set(services.visible_cases(people["ningbo"]).values_list("pk", flat=True))
    assert LogEntry.objects.get_for_model(TypicalCase).filter(object_id=case.pk).count() == 3


def test_funds_by_region_profile_panel_and_enterprise_scope(people, client):
    e1, e2 = make_enterprise("330106", 1, "甲科技"), make_enterprise("330106", 2, "乙科技")
    e3 = make_enterprise("330203", 3, "丙科技")
    services.record_fund(people["xihu"], e1, kind="reserve", year=2025, amount=3_000_000, basis="企业研发准备金制度")
    services.record_fund(people["xihu"], e1, kind="subsidy", year=2025, amount=400_000,
                         basis="杭州市企业研发费用财政补助实施细则", paid_on=dt.date(2025, 6, 1))
    services.record_fund(people["hangzhou"], e2, kind="subsidy", year=2025, amount=600_000,
                         basis="杭州市企业研发费用财政补助实施细则")
    services.record_fund(people["ningbo"], e3, kind="reserve", year=2024, amount=1_000_000, basis="研发准备金")
    with pytest.raises(PermissionDenied):
        services.record_fund(people["ningbo"], e1, kind="reserve", year=2025, amount=1, basis="x")
    with pytest.raises(ValidationError) as err:
        services.record_fund(people["xihu"], e1, kind="reserve", year=2025, amount=0, basis="企业研发准备金制度",
                             paid_on=dt.date(2025, 1, 1))
    assert set(err.value.message_dict) == {"amount", "paid_on", "year"}
    summary = {(r["year"], r["city"]): r for r in services.fund_summary(people["province"])}
    hz = summary[(2025, "330100")]
    assert (hz["reserve_enterprises"], hz["reserve_amount"]) == (1, 3_000_000)
    assert (hz["subsidy_enterprises"], hz["subsidy_amount"]) == (2, 1_000_000)
    assert summary[(2024, "330200")]["reserve_amount"] == 1_000_000
    assert [r["city"] for r in services.fund_summary(people["hangzhou"])] == ["330100"]
    owner = _user("ent", Role.ENTERPRISE, enterprise=e1)
    assert RDFundRecord.objects.restrict(owner).count() == 2
    client.force_login(owner)
    profile = client.get(f"/enterprises/{e1.pk}/").content.decode()
    assert "研发准备金与研发投入后补助" in profile and "杭州市企业研发费用财政补助实施细则" in profile
    client.force_login(people["ningbo"])
    assert "甲科技" not in client.get("/supervision/funds/").content.decode()
    client.force_login(people["hangzhou"])
    response = client.post("/supervision/funds/", {"uscc": e3.uscc, "kind": "reserve", "year": "2025",
                                                   "amount": "1000", "basis": "x"}, follow=True)
    assert "该企业不在本地区" in response.content.decode()


def test_board_posts_are_seen_up_and_down_but_not_sideways(people, client):
    services.post_board(people["province"], "关于报送6月进展的通知", "请于7月5日前报送")
    services.post_board(people["xihu"], "西湖区活动预告", "7月举办路演")
    services.post_board(people["ningbo"], "宁波经验", "……")
    def titles(who):
        return set(services.board_for(people[who]).values_list("title", flat=True))
    assert titles("province") == {"关于报送6月进展的通知", "西湖区活动预告", "宁波经验"}
    assert titles("hangzhou") == {"关于报送6月进展的通知", "西湖区活动预告"}
    assert titles("xihu") == {"关于报送6月进展的通知", "西湖区活动预告"}
    assert titles("ningbo") == {"关于报送6月进展的通知", "宁波经验"}
    client.force_login(people["leader"])
    assert client.post("/supervision/board/", {"title": "t", "body": "b"}).status_code == 403
    assert BoardPost.objects.count() == 3
    client.force_login(people["hangzhou"])
    page = client.get("/supervision/board/").content.decode()
    assert "西湖区活动预告" in page and "宁波经验" not in page


def test_pages_render_for_staff_and_leaders(people, client):
    _activity(people["hangzhou"], dt.date(2025, 1, 10))
    services.submit_case(people["hangzhou"], title="杭州案例", theme="hte", problem="p", measures="m", results="r")
    for who in ("province", "hangzhou", "xihu", "leader"):
        client.force_login(people[who])
        for url in ("/supervision/activities/?year=2025&as_of=2025-03-10", "/supervision/cases/?theme=hte",
                    "/supervision/funds/", "/supervision/board/"):
            assert client.get(url).status_code == 200, (who, url)
    client.force_login(people["province"])
    cal = client.get("/supervision/activities/?year=2025&as_of=2025-03-10").content.decode()
    assert "有 21 个地区月份没有活动" in cal  # 11 cities × 2 ended months, less Hangzhou's January
    case = TypicalCase.objects.get()
    assert "杭州案例" in client.get("/supervision/cases/?q=杭州").content.decode()
    assert "杭州案例" not in client.get("/supervision/cases/?theme=loop").content.decode()
    client.post(f"/supervision/cases/{case.pk}/", {"action": "select", "title": "杭州高企培育"})
    assert TypicalCase.objects.get().title == "杭州高企培育"


def test_api_activities_coverage_cases_and_funds(people, client):
    import json

    client.force_login(people["hangzhou"])
    created = client.post("/api/v1/supervision/activities", json.dumps({
        "held_on": "2025-01-10", "title": "路演", "kind": "roadshow", "organiser": "市经信局", "enterprises": 12}),
        content_type="application/json")
    assert created.status_code == 201 and created.json()["division_code"] == "330100"
    bad = client.post("/api/v1/supervision/activities", json.dumps({
        "held_on": "2025-01-10", "title": "", "kind": "roadshow", "organiser": "o"}), content_type="application/json")
    assert bad.status_code == 422 and "活动名称" in bad.json()["detail"]
    cov = client.get("/api/v1/supervision/activities/coverage?year=2025&as_of=2025-03-01").json()
    assert cov[0]["code"] == "330100" and cov[0]["missed_months"] == [2] and cov[0]["counts"][0] == 1
    case = client.post("/api/v1/supervision/cases", json.dumps({
        "title": "案例", "theme": "pilot", "problem": "p", "measures": "m", "results": "r"}),
        content_type="application/json")
    assert case.status_code == 201
    client.force_login(people["ningbo"])
    assert client.get("/api/v1/supervision/cases").json() == []
    assert client.get("/api/v1/supervision/activities?year=2025").json() == []
    client.force_login(people["leader"])
    assert client.post("/api/v1/supervision/cases", json.dumps({
        "title": "x", "theme": "pilot", "problem": "p", "measures": "m", "results": "r"}),
        content_type="application/json").status_code == 403
    assert client.get("/api/v1/supervision/funds/summary").json() == []
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/supervision/activities", "/api/v1/supervision/cases",
            "/api/v1/supervision/funds/summary"} <= set(paths)
