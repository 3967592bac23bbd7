"""The pages and the API of the closed loop, for each role."""

import datetime as dt

from xinzhi.programs import services

from .conftest import problem_data

D = dt.date


def _published(world):
    p = services.pose(world["owner"], world["a"], problem_data(), D(2025, 1, 10))
    services.act(world["county"], p.pk, "vet", D(2025, 1, 20), classification="工艺攻关")
    services.act(world["county"], p.pk, "publish", D(2025, 2, 1))
    return p


def test_enterprise_poses_on_the_page(client, world):
    client.force_login(world["owner"])
    r = client.post("/programs/problems/new/", {
        "title": "耐高温密封件", "field": "新材料", "goal": "300℃连续工作", "acceptance_criteria": "寿命≥2000小时",
        "budget_wan": "120", "deadline": "2030-01-01"})
    assert r.status_code == 302
    page = client.get(r["Location"]).content.decode()
    assert "耐高温密封件" in page and "已出题" in page and "120" in page
    r = client.post("/programs/problems/new/", {"title": "x", "field": "y", "goal": "z", "acceptance_criteria": "",
                                                "budget_wan": "1", "deadline": "2030-01-01"})
    assert "请填写：可量化的验收指标" in r.content.decode()


def test_staff_step_on_the_page_and_refusal_shown(client, world):
    p = services.pose(world["owner"], world["a"], problem_data(), D(2025, 1, 10))
    client.force_login(world["county"])
    page = client.get(f"/programs/problems/{p.pk}/").content.decode()
    assert 'id="form-vet"' in page and 'id="form-return"' in page
    r = client.post(f"/programs/problems/{p.pk}/", {"action": "vet", "on": "2025-01-20", "classification": "工艺"},
                    follow=True)
    assert "已办理：审核助题" in r.content.decode() and "已助题" in r.content.decode()
    r = client.post(f"/programs/problems/{p.pk}/", {"action": "vet", "on": "2025-01-21", "classification": "x"}, follow=True)
    assert "难题当前状态为“已助题”，不能审核助题" in r.content.decode()
    client.force_login(world["ningbo"])
    assert client.get(f"/programs/problems/{p.pk}/").status_code == 404
    client.force_login(world["leader"])
    page = client.get(f"/programs/problems/{p.pk}/").content.decode()
    assert "<form method=\"post\" class=\"card stack\"" not in page


def test_solver_sees_only_its_own_proposal(client, world, django_user_model):
    p = _published(world)
    services.act(world["solver"], p.pk, "propose", D(2025, 2, 15), summary="方案甲", price=1_000_000, months=6)
    from xinzhi.core.tests.helpers import make_enterprise
    from xinzhi.programs.models import Solver
    other = make_enterprise("330110", 9, "余杭研究院")
    Solver.objects.create(name="余杭研究院", kind="institute", division_id="330110", enterprise=other)
    u2 = django_user_model.objects.create(username="s2", role="enterprise", enterprise=other)
    services.act(u2, p.pk, "propose", D(2025, 2, 16), summary="方案乙", price=900_000, months=5)
    client.force_login(world["solver"])
    page = client.get(f"/programs/problems/{p.pk}/").content.decode()
    assert "方案甲" in page and "方案乙" not in page
    client.force_login(world["owner"])
    page = client.get(f"/programs/problems/{p.pk}/").content.decode()
    assert "方案甲" in page and "方案乙" in page and 'id="form-contract"' in page


def test_loop_overview_page(client, world):
    _published(world)
    client.force_login(world["city"])
    page = client.get("/programs/loop/?on=2025-12-31&by=county").content.decode()
    assert "西湖区" in page and 'id="stalled"' in page and "高精度柔性压力传感器封装" in page
    client.force_login(world["owner"])
    assert client.get("/programs/loop/").status_code == 403


def test_api_lists_scoped_and_steps(client, world):
    p = _published(world)
    client.force_login(world["ningbo"])
    assert client.get("/api/v1/programs/problems").json()["count"] == 0
    assert client.get(f"/api/v1/programs/problems/{p.pk}").status_code == 404
    client.force_login(world["solver"])
    rows = client.get("/api/v1/programs/problems").json()["items"]
    assert [r["state_label"] for r in rows] == ["已发布"]
    r = client.post(f"/api/v1/programs/problems/{p.pk}/steps",
                    {"action": "propose", "on": "2025-02-15", "summary": "方案", "price": 100000, "months": 3},
                    content_type="application/json")
    assert r.status_code == 200 and r.json()["state"] == "answered"
    r = client.post(f"/api/v1/programs/problems/{p.pk}/steps", {"action": "publish"}, content_type="application/json")
    assert r.status_code == 400 and r.json()["detail"] == "“公开发布”只能由经信部门工作人员办理"
    client.force_login(world["province"])
    rows = client.get("/api/v1/programs/loop/funnel?on=2025-12-31&by=city").json()
    assert rows == [{"group": "330100", "posed": 1, "vetted": 1, "published": 1, "answered": 1, "contracted": 0,
                     "verified": 0, "market": 0}]


def test_pages_in_english(client, world):
    _published(world)
    client.force_login(world["province"])
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/programs/loop/?on=2025-12-31").content.decode()
    assert "Funnel of the enterprise-problem closed loop" in page and "Stalled items" in page
    page = client.get("/programs/projects/?year=2025").content.decode()
    assert "<h1>Major S&T projects 2025" in page


def test_profile_panel(client, world):
    p = _published(world)
    client.force_login(world["owner"])
    page = client.get(f"/enterprises/{world['a'].pk}/").content.decode()
    assert "企业出题与创新项目" in page and f"/programs/problems/{p.pk}/" in page
    client.force_login(world["other_owner"])
    assert client.get(f"/enterprises/{world['a'].pk}/").status_code in (403, 404, 302)


def test_cockpit_shows_the_funnel(client, world):
    _published(world)
    client.force_login(world["city"])
    page = client.get("/monitoring/").content.decode()
    assert 'id="loop-funnel"' in page and "已出题 1" in page and "已市场评价 0" in page
    # cached until a problem is written: a second request does not read the problems, a new problem is seen at once
    from django.db import connection

    from xinzhi.core.testing import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert "已出题 1" in client.get("/monitoring/").content.decode()
    assert not [q for q in queries.captured_queries if "programs_problem" in q["sql"].split("core_dataversion")[0]]
    services.pose(world["owner"], world["a"], problem_data(title="第二个难题"), D(2025, 3, 1))
    assert "已出题 2" in client.get("/monitoring/").content.decode()
    client.force_login(world["ningbo"])
    assert 'id="loop-funnel"' not in client.get("/monitoring/").content.decode()


def test_api_pose(client, world):
    client.force_login(world["owner"])
    body = {"title": "API难题", "field": "传感器", "goal": "g", "acceptance_criteria": "c", "budget": 500000,
            "deadline": "2030-01-01"}
    r = client.post("/api/v1/programs/problems", body, content_type="application/json")
    assert r.status_code == 201 and r.json()["state"] == "posed" and r.json()["enterprise_id"] == world["a"].pk
    r = client.post("/api/v1/programs/problems", body | {"enterprise_id": world["c"].pk}, content_type="application/json")
    assert r.status_code == 404
    client.force_login(world["ningbo"])
    r = client.post("/api/v1/programs/problems", body | {"enterprise_id": world["a"].pk}, content_type="application/json")
    assert r.status_code == 404
    r = client.post("/api/v1/programs/problems", body | {"enterprise_id": world["c"].pk, "budget": 0},
                    content_type="application/json")
    assert r.status_code == 400 and r.json()["detail"] == "预算须为正数（元）"
    client.force_login(world["leader"])
    r = client.post("/api/v1/programs/problems", body | {"enterprise_id": world["c"].pk}, content_type="application/json")
    assert r.status_code == 403


def test_odd_query_values_do_not_break_pages(client, world):
    client.force_login(world["province"])
    for url in ("/programs/projects/?year=0", "/programs/new-products/?year=999999", "/programs/loop/?by=x"):
        assert client.get(url).status_code == 200, url
    for url in ("/programs/new-products/?year=999999&on=x", "/programs/loop/?on=bad&by=x"):  # a date said wrong
        response = client.get(url)
        assert response.status_code == 400 and "不是有效日期" in response.content.decode(), url


def test_cached_problem_list_follows_invitations_proposals_and_the_solver_register(client, world):
    """The problem list API is behind the response cache; a solver's answer depends on its invitations, its
    proposals and its own register entry, so a write to any of them is seen at once (never a stale list)."""
    hidden = services.pose(world["owner"], world["a"], problem_data(title="保密难题", confidential=True), D(2025, 1, 10))
    services.act(world["county"], hidden.pk, "vet", D(2025, 1, 20), classification="工艺攻关")

    def titles():
        return sorted(r["title"] for r in client.get("/api/v1/programs/problems").json()["items"])

    client.force_login(world["solver"])
    assert titles() == [] and titles() == []  # the second answer comes from the cache
    services.act(world["county"], hidden.pk, "route", D(2025, 2, 2), solvers=[world["solver_unit"].pk])
    assert titles() == ["保密难题"]  # invited (定向对接)
    services.act(world["solver"], hidden.pk, "propose", D(2025, 2, 15), summary="方案", price=100_000, months=3)
    hidden.invited_solvers.clear()
    assert titles() == ["保密难题"]  # no longer invited, but it answered
    from xinzhi.programs.models import Proposal

    Proposal.objects.filter(problem=hidden).delete()
    assert titles() == []
    hidden.invited_solvers.add(world["solver_unit"])
    assert titles() == ["保密难题"]
    world["solver_unit"].active = False  # struck off the register: an ordinary enterprise again
    world["solver_unit"].save()
    assert titles() == []
