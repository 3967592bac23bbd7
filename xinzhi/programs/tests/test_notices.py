"""Who is told when a programme moves (programs.notices): the enterprise a bureau acted for, with the reason
of a return; invited solvers; the poser when a solver answers; the applicant whose scenario product moves.
Nobody else, and nothing for a refused step."""

import datetime as dt

import pytest

from xinzhi.notifications.models import Notification, Preference
from xinzhi.programs import research, services
from xinzhi.programs.services import Refused

from .conftest import problem_data

D = dt.date


def _inbox(user):
    return list(Notification.objects.filter(user=user).order_by("id").values_list("kind", "title", "body", "url"))


def test_problem_steps_tell_the_poser_and_the_invited_solver(world):
    p = services.pose(world["owner"], world["a"], problem_data(title="保密难题", confidential=True), D(2025, 1, 10))
    services.act(world["county"], p.pk, "return", D(2025, 1, 12), note="验收指标未量化")
    [(kind, title, body, url)] = _inbox(world["owner"])
    assert kind == "programme" and title == "企业技术难题“保密难题”：退回修改" and url == f"/programs/problems/{p.pk}/"
    assert "理由：验收指标未量化" in body and "请修改后重新提交" in body
    services.act(world["owner"], p.pk, "resubmit", D(2025, 1, 15))  # the enterprise's own step: nobody is told
    services.act(world["county"], p.pk, "vet", D(2025, 1, 20), classification="工艺攻关")
    services.act(world["county"], p.pk, "route", D(2025, 2, 1), solvers=[world["solver_unit"].pk])
    assert [t for _k, t, _b, _u in _inbox(world["owner"])] == [
        "企业技术难题“保密难题”：退回修改", "企业技术难题“保密难题”：审核助题", "企业技术难题“保密难题”：定向对接"]
    assert [t for _k, t, _b, _u in _inbox(world["solver"])] == ["定向对接邀请：保密难题"]
    services.act(world["solver"], p.pk, "propose", D(2025, 2, 15), summary="方案", price=100_000, months=3)
    assert _inbox(world["owner"])[-1][1] == "企业技术难题“保密难题”收到新的解题方案"
    assert _inbox(world["other_owner"]) == [] and _inbox(world["county"]) == []


def test_a_refused_step_tells_nobody_and_a_user_may_turn_the_kind_off(world):
    p = services.pose(world["owner"], world["a"], problem_data(), D(2025, 1, 10))
    with pytest.raises(Refused):
        services.act(world["county"], p.pk, "publish", D(2025, 1, 12))  # not vetted yet
    assert _inbox(world["owner"]) == []
    Preference.objects.create(user=world["owner"], kind="programme", in_app=False, email=False)
    services.act(world["county"], p.pk, "vet", D(2025, 1, 20), classification="工艺攻关")
    assert _inbox(world["owner"]) == []


def test_research_need_vetting_tells_the_lead_enterprise(world):
    call = research.open_call(world["province"], year=2026, name="2026年企业科技攻关需求征集",
                              deadline=D(2099, 12, 31), on=D(2026, 1, 5), quota=10)
    need = research.submit_need(world["owner"], call, world["a"], {
        "title": "耐高温密封件", "field": "新材料", "problem": "寿命短", "targets": "寿命≥2000小时", "budget": 1_200_000,
        "self_funded": 800_000, "months": 24}, [], D(2026, 1, 10))
    research.act(world["county"], need.pk, "county_return", D(2026, 1, 12), note="考核指标请补充量产良率")
    research.act(world["owner"], need.pk, "resubmit", D(2026, 1, 14))
    research.act(world["county"], need.pk, "county_pass", D(2026, 1, 16))
    inbox = _inbox(world["owner"])
    assert [t for _k, t, _b, _u in inbox] == ["科技攻关需求“耐高温密封件”：县级退回修改", "科技攻关需求“耐高温密封件”：县级审核通过"]
    assert "理由：考核指标请补充量产良率" in inbox[0][2] and inbox[0][3] == f"/programs/needs/{need.pk}/"
    assert _inbox(world["other_owner"]) == []


def test_scenario_progress_tells_the_applicant(world):
    from xinzhi.programs import scenario_services as svc

    today = dt.date.today()
    scenario = svc.open_scenario(world["county"], {"name": "病区物资配送", "provider": "西湖区人民医院",
                                                   "provider_kind": "hospital", "division": "330106", "field": "智慧医疗",
                                                   "need": "病区物资配送", "opened_on": today}, today)
    match = svc.apply_product(world["owner"], scenario.pk, world["a"], {"product": "配送机器人"}, today)
    assert _inbox(world["owner"]) == []  # its own application
    svc.act_match(world["county"], match.pk, "talk", today)
    [(kind, title, _body, url)] = _inbox(world["owner"])
    assert kind == "programme" and title == "应用场景“病区物资配送”：配送机器人开始对接"
    assert url == f"/programs/scenarios/{scenario.pk}/" and _inbox(world["other_owner"]) == []
