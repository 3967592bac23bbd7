"""The research-needs call (issue 17 item 2) and the expert review of the excellent new products (item 4):
the rules on plain data (states, refusals with the Chinese reason, ranking with ties), then the whole
path through the evaluation framework — recusal of partners, scope per role, the ranked list, the project."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from xinzhi.accounts.models import Role, User
from xinzhi.core.tests.helpers import make_enterprise
from xinzhi.evaluation import services as ev
from xinzhi.evaluation.models import Assignment, ExpertProfile, Round
from xinzhi.industries.models import Cluster
from xinzhi.programs import calls, research
from xinzhi.programs.models import MajorProject, NewProductProject, ResearchCall, ResearchNeed, Selection
from xinzhi.programs.services import Refused

D = dt.date(2025, 3, 1)


# --------------------------------------------------------------------------- pure rules

def test_steps_allowed_and_refused_with_reason():
    assert calls.decide(calls.SUBMITTED, "county_pass", calls.COUNTY_STAFF, calls.OPEN) == (calls.COUNTY, "")
    assert calls.decide(calls.COUNTY, "city_pass", calls.CITY_STAFF, calls.OPEN) == (calls.CITY, "")
    assert calls.decide(calls.SUBMITTED, "city_pass", calls.CITY_STAFF, calls.OPEN) == (
        None, "需求当前状态为“已提交”，不能市级推荐")
    assert calls.decide(calls.SUBMITTED, "county_pass", calls.CITY_STAFF, calls.OPEN) == (
        None, "“县级审核通过”由县（市、区）经信部门办理")
    assert calls.decide(calls.SUBMITTED, "county_return", calls.COUNTY_STAFF, calls.OPEN) == (None, "县级退回修改须说明理由")
    assert calls.decide(calls.SUBMITTED, "county_pass", calls.COUNTY_STAFF, calls.REVIEWING) == (
        None, "征集已进入“评审中”阶段，不能再县级审核通过")
    assert calls.decide(calls.UNDER_REVIEW, "withdraw", calls.OWNER, calls.REVIEWING) == (
        None, "需求当前状态为“专家评审中”，不能撤回")
    assert calls.decide(calls.RETURNED, "resubmit", calls.OWNER, calls.OPEN) == (calls.SUBMITTED, "")
    assert calls.decide_call(calls.OPEN, "publish") == (None, "征集当前为“征集中”，不能公布排序名单")
    assert calls.actions_for(calls.SUBMITTED, calls.OWNER, calls.OPEN) == [("withdraw", "撤回")]


def test_ranking_with_ties_shares_rank_and_keeps_ties_across_the_quota():
    rows = [(1, Decimal("80")), (2, Decimal("90")), (3, Decimal("80")), (4, Decimal("70")), (5, Decimal("80"))]
    ranked = calls.rank(rows, quota=2)
    assert [(r.id, r.rank, r.tied) for r in ranked] == [(2, 1, False), (1, 2, True), (3, 2, True), (5, 2, True),
                                                        (4, 5, False)]
    # quota 2, but the three tied at rank 2 are all recommended: none is dropped by an undecided order
    assert [r.id for r in ranked if r.recommended] == [2, 1, 3, 5] and calls.recommended_count(ranked) == 4
    assert [r.recommended for r in calls.rank(rows, quota=1)] == [True, False, False, False, False]
    assert calls.rank([], 5) == []


# --------------------------------------------------------------------------- the whole path

def need_data(**over):
    return {"title": "高端轴承钢纯净度控制", "field": "新材料", "problem": "夹杂物控制", "targets": "氧含量≤5ppm",
            "budget": 8_000_000, "self_funded": 5_000_000, "months": 36} | over


@pytest.fixture
def call_world(world):
    call = research.open_call(world["province"], year=2025, name="2025年企业科技攻关需求征集",
                              deadline=dt.date(2025, 4, 30), on=D, quota=1)
    partner = make_enterprise("330110", 9, "余杭合作材料有限公司")
    world["county_c"] = User.objects.create(username="xc", role=Role.COUNTY_STAFF, division_id="330212")
    experts = {}
    for name, employer, ent, county in (("xp_partner", partner.name, partner, "330110"), ("xp_uni", "浙江大学", None, "330102"),
                                        ("xp1", "宁波大学", None, "330203"), ("xp2", "温州大学", None, "330302"),
                                        ("xp3", "省机械院", None, "330109"), ("xp4", "中国计量大学", None, "330102")):
        u = User.objects.create(username=name, role=Role.EXPERT, full_name=name)
        experts[name] = ExpertProfile.objects.create(user=u, employer_name=employer, employer=ent, division_id=county,
                                                     fields="新材料", max_load=10)
    return world | {"call": call, "partner": partner, "experts": experts}


def _vet(w, need, county_user, city_user):
    research.act(county_user, need.pk, "county_pass", D)
    research.act(city_user, need.pk, "city_pass", D)


def test_submit_vet_review_rank_recommend_project(call_world):
    w = call_world
    call = w["call"]
    a = research.submit_need(w["owner"], call, w["a"], need_data(), [
        {"name": w["partner"].name, "kind": "enterprise", "enterprise": w["partner"]},
        {"name": "浙江大学", "kind": "university"}], D)
    c = research.submit_need(w["other_owner"], call, w["c"], need_data(title="精密减速器寿命"), [], D)
    assert [p.rank for p in a.partners.all()] == [2, 3]
    # an enterprise submits only for itself
    with pytest.raises(PermissionDenied, match="企业用户只能为本企业办理"):
        research.submit_need(w["owner"], call, w["c"], need_data(title="冒名"), [], D)
    # the county vets its own region only; the city cannot skip the county
    with pytest.raises(PermissionDenied):
        research.act(w["county"], c.pk, "county_pass", D)
    with pytest.raises(Refused, match="不能市级推荐"):
        research.act(w["city"], a.pk, "city_pass", D)
    _vet(w, a, w["county"], w["city"])
    research.act(w["county_c"], c.pk, "county_pass", D)
    research.act(w["ningbo"], c.pk, "city_pass", D)
    # staff cannot start the review; the province can, and no more vetting after that
    with pytest.raises(PermissionDenied, match="只有省级工作人员可以组织需求征集与评审"):
        research.start_review(w["city"], call, dt.date(2025, 5, 6))
    round_ = research.start_review(w["province"], call, dt.date(2025, 5, 6), reviewers=3, region_rule="none")
    assert round_.subject_kind == "research_need" and round_.submissions.count() == 2
    a.refresh_from_db()
    assert a.state == calls.UNDER_REVIEW
    with pytest.raises(Refused, match="不再接受申报"):
        research.submit_need(w["owner"], call, w["a"], need_data(title="晚到"), [], dt.date(2025, 5, 7))

    # recusal: the partner enterprise's expert and the partner university's expert never review need a
    sub_a = round_.submissions.get(subject_id=a.pk)
    assert sub_a.parties and {p["name"] for p in sub_a.parties} == {w["partner"].name, "浙江大学"}
    with pytest.raises(ev.RecusalError, match="合作单位"):
        ev.assign(sub_a, w["experts"]["xp_partner"], w["province"])
    ev.batch_assign(round_, w["province"])
    on_a = set(Assignment.objects.filter(submission=sub_a).values_list("expert__user__username", flat=True))
    assert len(on_a) == 3 and not on_a & {"xp_partner", "xp_uni"}

    # experts see only what is assigned to them
    assert not research.visible_needs(User.objects.get(username="xp1")).exists()
    # scoring: a gets 8s, c gets 9s on every criterion (trimmed mean of three reviewers)
    for sub, score in ((sub_a, 8), (round_.submissions.get(subject_id=c.pk), 9)):
        for asg in sub.assignments.all():
            ev.submit_review(asg, {k: score for k in ("soundness", "novelty", "feasibility", "urgency")}, "", True)
    with pytest.raises(Refused, match="尚有 2 项需求未完成专家评审"):
        research.publish_ranking(w["province"], call, dt.date(2025, 6, 1))
    assert research.determine_reviewed(w["province"], call)["determined"] == 2
    ranked = research.publish_ranking(w["province"], call, dt.date(2025, 6, 1))
    assert [(r.id, r.rank, r.total, r.recommended) for r in ranked] == [
        (c.pk, 1, Decimal("90.00"), True), (a.pk, 2, Decimal("80.00"), False)]
    a.refresh_from_db(); c.refresh_from_db()  # noqa: E702
    assert (c.state, c.rank, a.state, a.rank) == (calls.SELECTED, 1, calls.NOT_SELECTED, 2)
    assert Round.objects.get(pk=round_.pk).is_closed
    # a project only from a recommended need, after the recommendation
    with pytest.raises(Refused, match="须先将排序名单推荐至省科技计划"):
        research.create_project(w["province"], c.pk, "lingyan", dt.date(2025, 9, 1))
    research.recommend(w["province"], call, dt.date(2025, 6, 15))
    with pytest.raises(Refused, match="需求当前状态为“未推荐”，不能转为省重大科技项目"):
        research.create_project(w["province"], a.pk, "lingyan", dt.date(2025, 9, 1))
    project = research.create_project(w["province"], c.pk, "lingyan", dt.date(2025, 9, 1))
    assert project.lead_enterprise == w["c"] and list(project.units.values_list("rank", "name")) == [(1, w["c"].name)]
    c.refresh_from_db()
    assert c.state == calls.PROJECT and c.major_project == project
    assert list(c.steps.order_by("id").values_list("action", flat=True)) == [
        "submit", "county_pass", "city_pass", "enrol", "review", "rank", "create_project"]


def test_scope_per_role(call_world):
    w = call_world
    a = research.submit_need(w["owner"], w["call"], w["a"], need_data(), [], D)
    c = research.submit_need(w["other_owner"], w["call"], w["c"], need_data(title="宁波需求"), [], D)
    ids = lambda u: set(research.visible_needs(u).values_list("pk", flat=True))  # noqa: E731
    assert ids(w["owner"]) == {a.pk} and ids(w["other_owner"]) == {c.pk}
    assert ids(w["city"]) == {a.pk} and ids(w["ningbo"]) == {c.pk}
    assert ids(w["province"]) == ids(w["leader"]) == {a.pk, c.pk}
    assert ids(w["expert"]) == set()
    # a leader reads but acts on nothing
    with pytest.raises(PermissionDenied):
        research.act(w["leader"], a.pk, "county_pass", D)
    # returned with a reason, resubmitted by the owner only
    with pytest.raises(Refused, match="县级退回修改须说明理由"):
        research.act(w["county"], a.pk, "county_return", D)
    research.act(w["county"], a.pk, "county_return", D, note="考核指标未量化")
    with pytest.raises(PermissionDenied):
        research.act(w["other_owner"], a.pk, "resubmit", D)
    assert research.act(w["owner"], a.pk, "resubmit", D).state == calls.SUBMITTED


def test_excellent_products_are_reviewed_and_published(call_world):
    w = call_world
    projects = []
    for i, ent in enumerate((w["a"], w["c"], w["lab"])):
        projects.append(NewProductProject.objects.create(
            enterprise=ent, division_id=ent.division_id, name=f"新产品{i}", year=2024, stage="appraised",
            applied_on=dt.date(2024, 1, 5), approved_on=dt.date(2024, 3, 1), appraised_on=dt.date(2025, 5, 1),
            appraisal_result="国内领先"))
    NewProductProject.objects.create(enterprise=w["a"], division_id="330106", name="未鉴定", year=2025, stage="approved",
                                     applied_on=dt.date(2025, 1, 5))
    with pytest.raises(PermissionDenied):
        research.start_selection_review(w["city"], "excellent", 2025, dt.date(2025, 10, 1))
    round_ = research.start_selection_review(w["province"], "excellent", 2025, dt.date(2025, 10, 1), reviewers=3,
                                             region_rule="none")
    assert set(round_.submissions.values_list("subject_id", flat=True)) == {p.pk for p in projects}
    ev.batch_assign(round_, w["province"])
    for sub, score in zip(round_.submissions.order_by("subject_id"), (9.5, 7.5, 5), strict=True):
        for asg in sub.assignments.all():
            ev.submit_review(asg, {k: score for k in ("innovation", "level", "economic", "prospects")}, "", True)
        ev.determine(sub, w["province"], "专家评审")
    n = research.publish_selection(w["province"], round_, dt.date(2025, 12, 20))
    # the third (50 points, below every prize) is not selected
    assert n == 2
    got = dict(Selection.objects.filter(kind="excellent").values_list("new_product_id", "prize"))
    assert got == {projects[0].pk: "一等奖", projects[1].pk: "三等奖"}
    with pytest.raises(Refused, match="批次已结束"):
        research.publish_selection(w["province"], round_, dt.date(2025, 12, 21))
    # a selected product is no longer a candidate for the same kind
    assert not research.candidates("excellent", 2025).filter(pk=projects[0].pk).exists()
    assert MajorProject.objects.count() == 0 and ResearchNeed.objects.count() == 0


# --------------------------------------------------------------------------- pages and API

@pytest.fixture
def open_call(world):
    return research.open_call(world["province"], year=2026, name="2026年企业科技攻关需求征集",
                              deadline=dt.date(2099, 12, 31), on=dt.date(2026, 1, 5), quota=10)


def test_pages_submit_vet_and_refusal_shown(client, world, open_call):
    client.force_login(world["owner"])
    assert "申报需求" in client.get(f"/programs/calls/{open_call.pk}/").content.decode()
    r = client.post(f"/programs/calls/{open_call.pk}/submit/", {
        "title": "耐高温密封件", "field": "新材料", "problem": "寿命短", "targets": "寿命≥2000小时", "budget": "120",
        "self_funded": "200", "months": "24", "partner_0": "浙江大学", "partner_kind_0": "university"})
    assert "企业自筹须在 0 与总预算之间" in r.content.decode()
    r = client.post(f"/programs/calls/{open_call.pk}/submit/", {
        "title": "耐高温密封件", "field": "新材料", "problem": "寿命短", "targets": "寿命≥2000小时", "budget": "120",
        "self_funded": "80", "months": "24", "partner_0": "浙江大学", "partner_kind_0": "university", "cluster": "x"})
    assert "请从列表中选择415X集群" in r.content.decode()
    cluster = Cluster.objects.create(code="t01", name="测试集群", kind="star")
    r = client.post(f"/programs/calls/{open_call.pk}/submit/", {
        "title": "耐高温密封件", "field": "新材料", "problem": "寿命短", "targets": "寿命≥2000小时", "budget": "120",
        "self_funded": "80", "months": "24", "partner_0": "浙江大学", "partner_kind_0": "university",
        "cluster": cluster.code})
    assert r.status_code == 302
    need = ResearchNeed.objects.get(title="耐高温密封件")
    assert need.budget == 1_200_000 and list(need.partners.values_list("rank", "name")) == [(2, "浙江大学")]
    assert need.cluster_id == "t01"  # the cluster chosen on the page is kept (its key is a text code)
    page = client.get(r["Location"]).content.decode()
    assert "120万元" in page and "已提交" in page and 'id="form-withdraw"' in page
    # another enterprise, a city of another region, an expert: 404
    for who in ("other_owner", "ningbo", "expert"):
        client.force_login(world[who])
        assert client.get(f"/programs/needs/{need.pk}/").status_code in (403, 404)
    # the county vets on the page; a step out of order shows the Chinese reason
    client.force_login(world["county"])
    page = client.get(f"/programs/needs/{need.pk}/").content.decode()
    assert 'id="form-county_pass"' in page and 'id="form-county_return"' in page
    r = client.post(f"/programs/needs/{need.pk}/", {"action": "county_return", "on": "2026-12-06"}, follow=True)
    assert "县级退回修改须说明理由" in r.content.decode()
    r = client.post(f"/programs/needs/{need.pk}/", {"action": "county_pass", "on": "2026-12-06"}, follow=True)
    assert "县级审核通过" in r.content.decode()
    log = r.content.decode().split('id="steps"')[1]  # the step log names each step and the unit that took it
    assert "<td>提交申报</td><td>牵头企业</td>" in log and "<td>县级审核通过</td><td>西湖区经信部门</td>" in log
    r = client.post(f"/programs/needs/{need.pk}/", {"action": "county_pass", "on": "2026-12-06"}, follow=True)
    assert "需求当前状态为“县级审核通过”，不能县级审核通过" in r.content.decode()
    # a leader reads the call, without forms; the city cannot open a call
    client.force_login(world["leader"])
    page = client.get(f"/programs/calls/{open_call.pk}/").content.decode()
    assert "耐高温密封件" in page and 'id="call-actions"' not in page
    client.force_login(world["city"])
    assert client.post("/programs/calls/", {"name": "x", "deadline": "2099-01-01"}).status_code == 403
    assert client.get("/programs/selection-reviews/").status_code == 200


def test_province_opens_and_starts_review_on_the_page(client, world, open_call):
    client.force_login(world["province"])
    page = client.get(f"/programs/calls/{open_call.pk}/").content.decode()
    assert 'id="import-needs"' in page and "/imports/template/research-needs/" in page  # staff: the import
    client.force_login(world["owner"])  # an enterprise submits on the page, it does not import
    assert 'id="import-needs"' not in client.get(f"/programs/calls/{open_call.pk}/").content.decode()
    client.force_login(world["province"])
    r = client.post("/programs/calls/", {"name": "2027年征集", "year": "2027", "deadline": "2027-03-31", "quota": "15"})
    assert r.status_code == 302 and ResearchCall.objects.get(name="2027年征集").recommend_quota == 15
    r = client.post(f"/programs/calls/{open_call.pk}/", {"action": "start_review"}, follow=True)
    assert "尚无市级推荐的需求，不能启动专家评审" in r.content.decode()
    r = client.post(f"/programs/calls/{open_call.pk}/", {"action": "publish"}, follow=True)
    assert "征集当前为“征集中”，不能公布排序名单" in r.content.decode()


def test_api_scoped_submit_and_step(client, world, open_call):
    client.force_login(world["owner"])
    r = client.post(f"/api/v1/programs/calls/{open_call.pk}/needs", {
        "title": "精密减速器", "field": "装备", "problem": "寿命", "targets": "≥2万小时", "budget": 5_000_000,
        "self_funded": 3_000_000, "partners": [{"name": "浙江工业大学", "kind": "university"}]},
        content_type="application/json")
    assert r.status_code == 201 and r.json()["partners"][0]["rank"] == 2
    nid = r.json()["id"]
    r = client.post(f"/api/v1/programs/needs/{nid}/steps", {"action": "county_pass"}, content_type="application/json")
    assert r.status_code == 403
    client.force_login(world["ningbo"])
    assert client.get(f"/api/v1/programs/calls/{open_call.pk}/needs").json()["count"] == 0
    client.force_login(world["county"])
    r = client.post(f"/api/v1/programs/needs/{nid}/steps", {"action": "city_pass"}, content_type="application/json")
    assert r.status_code == 400 and r.json()["detail"] == "“市级推荐”由设区市经信部门办理"
    r = client.post(f"/api/v1/programs/needs/{nid}/steps", {"action": "county_pass"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["state_label"] == "县级审核通过"
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/programs/calls/{call_id}/needs" in schema["paths"]


def test_expert_reads_the_need_on_the_review_page_only_when_assigned(client, call_world):
    w = call_world
    need = research.submit_need(w["owner"], w["call"], w["a"], need_data(), [{"name": "浙江大学", "kind": "university"}], D)
    _vet(w, need, w["county"], w["city"])
    round_ = research.start_review(w["province"], w["call"], dt.date(2025, 5, 6), reviewers=3, region_rule="none")
    ev.batch_assign(round_, w["province"])
    mine = Assignment.objects.filter(submission__round=round_).select_related("expert__user").first()
    client.force_login(mine.expert.user)
    page = client.get(f"/evaluation/my/{mine.pk}/").content.decode()
    assert "申报内容" in page and "氧含量≤5ppm" in page and "2. 浙江大学（高校）" in page and "800万元" in page
    assert "合理性" in page  # the scheme's criteria
    unassigned = ExpertProfile.objects.exclude(assignments__submission__round=round_).exclude(employer_name="浙江大学").first()
    client.force_login(unassigned.user)
    assert client.get(f"/evaluation/my/{mine.pk}/").status_code == 404
    assert client.get(f"/programs/needs/{need.pk}/").status_code in (403, 404)
