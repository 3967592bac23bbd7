"""The closed loop on stored records: roles, scope on the stored record, every stage timestamped and audited."""

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied

from xinzhi.programs import services
from xinzhi.programs.models import Problem, ProblemStep, Proposal

from .conftest import problem_data

D = dt.date


def pose(world, **over):
    return services.pose(world["owner"], world["a"], problem_data(**over), D(2025, 1, 10))


def test_the_whole_loop_with_dates_and_audit(world):
    p = pose(world)
    assert p.state == "posed" and p.division_id == "330106" and p.posed_at == D(2025, 1, 10)
    services.act(world["county"], p.pk, "vet", D(2025, 1, 20), classification="工艺攻关", support="matching")
    services.act(world["county"], p.pk, "publish", D(2025, 2, 1))
    assert services.visible_problems(world["solver"]).filter(pk=p.pk).exists()
    services.act(world["solver"], p.pk, "propose", D(2025, 2, 15), summary="倒装封装+激光校准", price=1_500_000, months=10)
    proposal = Proposal.objects.get(problem=p)
    services.act(world["owner"], p.pk, "contract", D(2025, 3, 1), proposal=proposal.pk, amount=1_500_000,
                 milestones=[("样品", D(2025, 6, 30)), ("小批量试产", D(2025, 10, 31))])
    first = Problem.objects.get(pk=p.pk).contract.milestones.order_by("due_on").first()
    p = services.act(world["county"], p.pk, "milestone", D(2025, 7, 1), milestone=first.pk)
    assert p.state == "contracted" and p.last_step_at == D(2025, 7, 1)
    with pytest.raises(services.Refused, match="请选择本合同尚未完成的里程碑"):
        services.act(world["county"], p.pk, "milestone", D(2025, 7, 2), milestone=first.pk)
    services.act(world["owner"], p.pk, "accept", D(2025, 11, 20), passed=True, place="西湖智感二号车间",
                 result="良率96.2%，误差0.8%，全部指标达到")
    with pytest.raises(services.Refused, match="验收后未满6个月"):
        services.act(world["owner"], p.pk, "evaluate", D(2026, 5, 1), months=6, sales=1, cost_saved=0, adopters=0)
    p = services.act(world["owner"], p.pk, "evaluate", D(2026, 5, 20), months=6, sales=8_000_000, cost_saved=500_000,
                     adopters=2)
    assert p.state == "market"
    assert (p.vetted_at, p.published_at, p.answered_at, p.contracted_at, p.verified_at, p.market_at) == (
        D(2025, 1, 20), D(2025, 2, 1), D(2025, 2, 15), D(2025, 3, 1), D(2025, 11, 20), D(2026, 5, 20))
    assert list(ProblemStep.objects.filter(problem=p).values_list("action", flat=True)) == [
        "pose", "vet", "publish", "propose", "contract", "milestone", "accept", "evaluate"]
    assert LogEntry.objects.get_for_object(p).count() >= 7
    assert p.contract.milestones.count() == 2


def test_roles_and_scope_on_the_stored_record(world):
    p = pose(world)
    with pytest.raises(PermissionDenied):  # Ningbo staff: not their region
        services.act(world["ningbo"], p.pk, "vet", D(2025, 1, 20), classification="x")
    with pytest.raises(PermissionDenied):  # leaders read only
        services.act(world["leader"], p.pk, "vet", D(2025, 1, 20), classification="x")
    with pytest.raises(PermissionDenied):  # another enterprise does not even see it
        services.act(world["other_owner"], p.pk, "withdraw", D(2025, 1, 20))
    with pytest.raises(PermissionDenied):  # the solver does not see an unpublished problem
        services.act(world["solver"], p.pk, "propose", D(2025, 1, 20), summary="s", price=1, months=1)
    with pytest.raises(services.Refused, match="只能由经信部门工作人员办理"):
        services.act(world["owner"], p.pk, "vet", D(2025, 1, 20), classification="x")
    with pytest.raises(services.Refused, match="推荐申报省级项目须由市级或省级经信部门办理"):
        services.act(world["county"], p.pk, "vet", D(2025, 1, 20), classification="x", support="recommend")
    services.act(world["city"], p.pk, "vet", D(2025, 1, 20), classification="x", support="recommend")
    with pytest.raises(services.Refused, match="办理日期不能早于上一步"):
        services.act(world["city"], p.pk, "publish", D(2025, 1, 19))


def test_who_sees_what(world):
    mine = pose(world)
    theirs = services.pose(world["other_owner"], world["c"], problem_data(title="另一难题"), D(2025, 1, 10))
    secret = pose(world, title="保密难题", confidential=True)
    assert set(services.visible_problems(world["owner"])) == {mine, secret}
    assert set(services.visible_problems(world["other_owner"])) == {theirs}
    assert set(services.visible_problems(world["city"])) == {mine, secret}
    assert set(services.visible_problems(world["province"])) == {mine, secret, theirs}
    assert set(services.visible_problems(world["leader"])) == {mine, secret, theirs}
    assert not services.visible_problems(world["expert"]).exists()
    assert not services.visible_problems(world["solver"]).exists()
    for p in (mine, secret):
        services.act(world["county"], p.pk, "vet", D(2025, 1, 20), classification="x")
    services.act(world["county"], mine.pk, "publish", D(2025, 2, 1))
    with pytest.raises(services.Refused, match="该难题要求保密，不能公开发布"):
        services.act(world["county"], secret.pk, "publish", D(2025, 2, 1))
    assert set(services.visible_problems(world["solver"])) == {mine}
    services.act(world["county"], secret.pk, "route", D(2025, 2, 1), solvers=[world["solver_unit"].pk])
    assert set(services.visible_problems(world["solver"])) == {mine, secret}


def test_bad_input_is_refused_in_chinese(world):
    with pytest.raises(services.Refused, match="请填写：可量化的验收指标"):
        pose(world, acceptance_criteria=" ")
    with pytest.raises(services.Refused, match="期望完成日期须晚于出题日期"):
        pose(world, deadline=D(2025, 1, 1))
    with pytest.raises(PermissionDenied, match="企业用户只能为本企业办理"):
        services.pose(world["owner"], world["c"], problem_data(), D(2025, 1, 10))
    with pytest.raises(PermissionDenied, match="只能为本地区企业办理"):
        services.pose(world["ningbo"], world["a"], problem_data(), D(2025, 1, 10))
    p = pose(world)
    services.act(world["county"], p.pk, "vet", D(2025, 1, 20), classification="x")
    services.act(world["county"], p.pk, "publish", D(2025, 2, 1))
    services.act(world["solver"], p.pk, "propose", D(2025, 2, 2), summary="s", price=10, months=2)
    with pytest.raises(services.Refused, match="贵单位已对该难题提交过方案"):
        services.act(world["solver"], p.pk, "propose", D(2025, 2, 3), summary="s", price=10, months=2)
    with pytest.raises(services.Refused, match="合同须至少列明一个里程碑"):
        services.act(world["owner"], p.pk, "contract", D(2025, 3, 1), proposal=Proposal.objects.get().pk, amount=10)
    assert Problem.objects.get(pk=p.pk).state == "answered"


def test_funnel_from_the_database(world):
    p = pose(world)
    services.act(world["county"], p.pk, "vet", D(2025, 1, 20), classification="x")
    services.pose(world["other_owner"], world["c"], problem_data(), D(2025, 1, 12))
    out = services.loop_overview(world["province"], D(2025, 12, 31), "city")
    assert out["funnel"].select("group", "posed", "vetted").rows() == [("330100", 1, 1), ("330200", 1, 0)]
    assert services.loop_overview(world["city"], D(2025, 12, 31))["total"]["posed"].to_list() == [1]
    assert set(out["stalled"]["id"].to_list()) == {p.pk, Problem.objects.get(enterprise=world["c"]).pk}
    assert services.loop_overview(world["solver"], D(2025, 12, 31))["total"].height == 0


def test_amounts_out_of_range_are_refused(world):
    with pytest.raises(services.Refused, match="预算超出合理范围"):
        pose(world, budget=10**18)
    p = pose(world)
    services.act(world["county"], p.pk, "vet", D(2025, 1, 20), classification="x")
    services.act(world["county"], p.pk, "publish", D(2025, 2, 1))
    with pytest.raises(services.Refused, match="金额超出合理范围"):
        services.act(world["solver"], p.pk, "propose", D(2025, 2, 2), summary="s", price=10**19, months=2)
    with pytest.raises(services.Refused, match="数值超出合理范围"):
        services.act(world["solver"], p.pk, "propose", D(2025, 2, 2), summary="s", price=10, months=10**9)
