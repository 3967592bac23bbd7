"""The project workspace: lifecycle rules (pure), transitions with their approvals, scope on the stored
record, audit, and the pages and API for each role."""

from __future__ import annotations

import datetime

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.http import Http404

from xinzhi.core.testing import read_list_export
from xinzhi.investment import lifecycle, services
from xinzhi.investment.models import (
    AnnualPlan,
    InvestmentProject,
    ProjectProgress,
    StageTransition,
    SupervisionProblem,
)

pytestmark = pytest.mark.django_db
D = datetime.date(2025, 5, 10)


# --------------------------------------------------------------------------- pure rules

def test_lifecycle_moves_one_stage_at_a_time():
    assert [lifecycle.next_stage(s) for s in lifecycle.ORDER] == ["registered", "construction", "completed", None]
    assert lifecycle.check_proposal("reserve", "construction") == "项目只能逐级推进到下一阶段"
    assert lifecycle.check_proposal("completed", "completed") == "项目已竣工，没有下一阶段"
    assert lifecycle.check_proposal("registered", "construction") is None


def test_major_registration_needs_the_province():
    assert lifecycle.required_steps("registered", True) == ("city_review", "province_approval")
    assert lifecycle.required_steps("registered", False) == ("city_review",)
    assert lifecycle.required_steps("construction", True) == ("city_review",)
    assert lifecycle.next_step("reviewed", "registered", True) == "province_approval"
    assert lifecycle.next_step("reviewed", "registered", False) is None
    assert lifecycle.step_refusal("city_review", "county_staff", False) == "阶段变更须由市级经信部门审核"
    assert lifecycle.step_refusal("province_approval", "city_staff", False) == "重大项目入库须由省级经信部门审批"
    assert lifecycle.step_refusal("city_review", "city_staff", True) == "不能审核本人提出的阶段变更"


# --------------------------------------------------------------------------- transitions

def test_county_proposes_city_reviews_and_the_project_moves(users, projects):
    p = projects["xihu"]
    t = services.propose_transition(users["county"], p.pk, D, "材料齐全")
    assert (t.from_stage, t.to_stage, t.status) == ("reserve", "registered", "proposed")
    with pytest.raises(services.ProjectError, match="已有待审核"):
        services.propose_transition(users["county"], p.pk, D)
    with pytest.raises(PermissionDenied):  # a county cannot review
        services.decide_transition(users["county_b"], t.pk, True)
    with pytest.raises(Http404):  # another city's staff: not in scope (stored record)
        services.decide_transition(users["city2"], t.pk, True)
    t = services.decide_transition(users["city"], t.pk, True, "同意入库")
    p.refresh_from_db()
    assert (t.status, t.reviewed_by, p.stage) == ("approved", users["city"], "registered")
    # next: start of works dates the actual start
    t2 = services.propose_transition(users["county"], p.pk, datetime.date(2025, 6, 1))
    services.decide_transition(users["city"], t2.pk, True)
    p.refresh_from_db()
    assert (p.stage, p.actual_start, p.start_year) == ("construction", datetime.date(2025, 6, 1), 2025)
    entries = LogEntry.objects.get_for_object(p)
    assert any("stage" in (e.changes_dict or {}) for e in entries)  # audited


def test_major_project_registration_waits_for_the_province(users, projects):
    p = projects["xihu_major"]
    t = services.propose_transition(users["county"], p.pk, D)
    t = services.decide_transition(users["city"], t.pk, True)
    p.refresh_from_db()
    assert (t.status, p.stage) == ("reviewed", "reserve")
    with pytest.raises(PermissionDenied, match="省级"):
        services.decide_transition(users["city"], t.pk, True)
    t = services.decide_transition(users["province"], t.pk, True, "列入省重大项目库")
    p.refresh_from_db()
    assert (t.status, t.approved_by, p.stage) == ("approved", users["province"], "registered")


def test_rejection_leaves_the_stage_and_allows_a_new_proposal(users, projects):
    p = projects["xihu"]
    t = services.propose_transition(users["county"], p.pk, D)
    t = services.decide_transition(users["city"], t.pk, False, "用地未落实")
    p.refresh_from_db()
    assert (t.status, p.stage) == ("rejected", "reserve")
    assert services.propose_transition(users["county"], p.pk, D).status == "proposed"


def test_scope_is_checked_on_the_stored_record(users, projects):
    with pytest.raises(Http404):
        services.propose_transition(users["county"], projects["ningbo"].pk, D)
    with pytest.raises(Http404):
        services.set_annual_plan(users["county"], projects["ningbo"].pk, 2025, 1)
    with pytest.raises(PermissionDenied):
        services.propose_transition(users["leader"], projects["xihu"].pk, D)
    # moving a project to another county by editing it: the stored county decides, then the new one
    p = projects["ningbo"]
    p.division_id = "330106"
    with pytest.raises(Http404):
        services.save_project(users["county"], p)
    p2 = InvestmentProject.objects.get(pk=projects["xihu"].pk)
    p2.division_id = "330203"
    with pytest.raises(PermissionDenied, match="本地区"):
        services.save_project(users["county"], p2)


def test_plan_milestones_progress_and_supervision(users, projects):
    p = projects["xihu"]
    services.set_annual_plan(users["county"], p.pk, 2025, 120_000_000)
    services.set_annual_plan(users["county"], p.pk, 2025, 150_000_000)
    assert AnnualPlan.objects.get(project=p, year=2025).planned_investment == 150_000_000
    m = services.add_milestone(users["county"], p.pk, "取得施工许可", datetime.date(2025, 4, 1))
    services.complete_milestone(users["county"], m.pk, datetime.date(2025, 4, 3))
    services.record_progress(users["county"], p.pk, 2025, 3, 30_000_000)
    with pytest.raises(services.ProjectError, match="低于上月"):
        services.record_progress(users["county"], p.pk, 2025, 4, 20_000_000)
    assert ProjectProgress.objects.get(project=p, month=3).ytd_completed == 30_000_000
    v = services.record_visit(users["city"], p.pk, D, "张三、李四", "主体结构施工中", problems=[
        {"description": "能耗指标未落实", "department": "市发改委", "deadline": datetime.date(2025, 6, 30)}])
    problem = SupervisionProblem.objects.get(visit=v)
    with pytest.raises(services.ProjectError, match="第1个问题"):
        services.record_visit(users["city"], p.pk, D, "张三", "x", problems=[{"description": "缺部门"}])
    with pytest.raises(Http404):
        services.resolve_problem(users["other_county"], problem.pk, D, "已解决")
    services.resolve_problem(users["county"], problem.pk, datetime.date(2025, 6, 1), "已协调能耗指标")
    problem.refresh_from_db()
    assert problem.resolved_on == datetime.date(2025, 6, 1)
    assert LogEntry.objects.get_for_object(problem).count() == 2


# --------------------------------------------------------------------------- pages and API

def test_list_page_filters_search_export_and_scope(client, users, projects):
    client.force_login(users["county"])
    page = client.get("/investment/")
    assert page.status_code == 200
    body = page.content.decode()
    assert projects["xihu"].name in body and projects["ningbo"].name not in body
    assert "/admin/" not in body
    body = client.get("/investment/", {"q": "000002"}).content.decode()
    assert projects["xihu_major"].name in body and projects["xihu"].name not in body
    header, rows = read_list_export(client.get("/investment/", {"format": "xlsx", "major": "1"}))
    assert header[0] == "项目代码" and "计划总投资（万元）" in header and [r[0] for r in rows] == [projects["xihu_major"].code]
    assert rows[0][header.index("计划总投资（万元）")] == projects["xihu_major"].planned_total / 10_000
    assert client.get(f"/investment/{projects['ningbo'].pk}/").status_code == 404
    client.force_login(users["province"])
    assert projects["ningbo"].name in client.get("/investment/").content.decode()
    body = client.get("/investment/", {"division": "330100", "stage": "reserve"}).content.decode()
    assert projects["xihu"].name in body and projects["ningbo"].name not in body


def test_detail_page_forms_propose_and_decide(client, users, projects):
    p = projects["xihu"]
    client.force_login(users["county"])
    body = client.get(f"/investment/{p.pk}/").content.decode()
    assert 'id="propose-form"' in body and 'id="decide-form"' not in body
    client.post(f"/investment/{p.pk}/", {"action": "propose", "effective_date": "2025-05-10", "reason": "x"})
    client.post(f"/investment/{p.pk}/", {"action": "annual_plan", "year": "2025", "amount": "12000.5"})
    assert AnnualPlan.objects.get(project=p).planned_investment == 120_005_000
    response = client.post(f"/investment/{p.pk}/", {"action": "annual_plan", "year": "2025", "amount": "abc"},
                           follow=True)
    assert "年度计划投资：请填写数字（万元）" in response.content.decode()
    client.force_login(users["city"])
    assert 'id="decide-form"' in client.get(f"/investment/{p.pk}/").content.decode()
    assert p.name in client.get("/investment/transitions/").content.decode()
    t = StageTransition.objects.get(project=p)
    client.post(f"/investment/{p.pk}/", {"action": "decide", "transition": t.pk, "decision": "approve"})
    p.refresh_from_db()
    assert p.stage == "registered"
    client.force_login(users["leader"])
    body = client.get(f"/investment/{p.pk}/").content.decode()
    assert "propose-form" not in body and "plan-form" not in body
    assert client.post(f"/investment/{p.pk}/", {"action": "annual_plan", "year": "2025", "amount": "1"}).status_code == 403


def test_create_and_edit_pages(client, users, projects):
    client.force_login(users["county"])
    data = {"code": "2501-330106-04-01-000009", "name": "新建智能装备项目", "division": "330106", "industry": "3973",
            "is_high_tech": "on", "planned_total_wan": "80000", "planned_start": "2025-09-01",
            "planned_completion": "2025-01-01", "responsible_unit": "某公司"}
    response = client.post("/investment/new/", data)
    assert "不能早于计划开工日期" in response.content.decode()
    data["planned_completion"] = "2027-06-30"
    response = client.post("/investment/new/", data)
    created = InvestmentProject.objects.get(code=data["code"])
    assert response.status_code == 302 and created.planned_total == 800_000_000 and created.stage == "reserve"
    data["division"] = "330203"  # a county outside the user's region is not offered
    assert "330203" not in client.get("/investment/new/").content.decode()
    assert client.get(f"/investment/{projects['ningbo'].pk}/edit/").status_code == 404
    client.force_login(users["leader"])
    assert client.get("/investment/new/").status_code == 403


def test_api_list_detail_and_transitions(client, users, projects):
    client.force_login(users["county"])
    answer = client.get("/api/v1/investment/projects").json()
    assert {p["code"] for p in answer["items"]} == {projects["xihu"].code, projects["xihu_major"].code}
    assert client.get(f"/api/v1/investment/projects/{projects['ningbo'].pk}").status_code == 404
    created = client.post(f"/api/v1/investment/projects/{projects['xihu'].pk}/transitions",
                          {"effective_date": "2025-05-10"}, content_type="application/json")
    assert created.status_code == 201 and created.json()["to_stage"] == "registered"
    again = client.post(f"/api/v1/investment/projects/{projects['xihu'].pk}/transitions",
                        {"effective_date": "2025-05-10"}, content_type="application/json")
    assert again.status_code == 422 and "待审核" in again.json()["detail"]
    refused = client.post(f"/api/v1/investment/transitions/{created.json()['id']}/decision", {"approve": True},
                          content_type="application/json")
    assert refused.status_code == 403
    client.force_login(users["city"])
    done = client.post(f"/api/v1/investment/transitions/{created.json()['id']}/decision", {"approve": True},
                       content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "approved"
