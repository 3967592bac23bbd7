"""The closed loop's state machine on plain data: every step allowed and refused, with the Chinese reason."""

import datetime as dt

import pytest

from xinzhi.programs import loop
from xinzhi.programs.loop import OWNER, SOLVER, STAFF, Facts, decide


@pytest.mark.parametrize(("state", "action", "actor", "target"), [
    ("posed", "vet", STAFF, "vetted"),
    ("posed", "return", STAFF, "returned"),
    ("returned", "resubmit", OWNER, "posed"),
    ("vetted", "publish", STAFF, "published"),
    ("vetted", "route", STAFF, "published"),
    ("published", "propose", SOLVER, "answered"),
    ("answered", "propose", SOLVER, "answered"),
    ("published", "withdraw", OWNER, "withdrawn"),
])
def test_allowed_steps(state, action, actor, target):
    d = decide(state, action, actor)
    assert d and d.target == target


@pytest.mark.parametrize(("state", "action", "actor", "reason"), [
    ("posed", "vet", OWNER, "“审核助题”只能由经信部门工作人员办理"),
    ("posed", "propose", SOLVER, "难题当前状态为“已出题”，不能提交解题方案"),
    ("vetted", "propose", SOLVER, "难题当前状态为“已助题”，不能提交解题方案"),
    ("published", "publish", STAFF, "难题当前状态为“已发布”，不能公开发布"),
    ("answered", "vet", STAFF, "难题当前状态为“已答题”，不能审核助题"),
    ("contracted", "withdraw", OWNER, "难题当前状态为“已签约”，不能撤回"),
    ("published", "contract", SOLVER, "“选定方案并签约”只能由出题企业、经信部门工作人员办理"),
    ("posed", "fly", STAFF, "未知的办理事项"),
])
def test_refused_steps_say_why(state, action, actor, reason):
    d = decide(state, action, actor)
    assert not d and d.reason == reason


def test_a_confidential_problem_is_routed_not_published():
    assert decide("vetted", "publish", STAFF, Facts(confidential=True)).reason == "该难题要求保密，不能公开发布，请定向对接解题方"
    assert decide("vetted", "route", STAFF, Facts(confidential=True)).target == "published"


def test_contract_needs_a_proposal_of_this_problem_and_a_milestone():
    assert decide("answered", "contract", OWNER, Facts(proposal_valid=False, milestones=2)).reason == "请选择本难题已提交的解题方案"
    assert decide("answered", "contract", OWNER, Facts(proposal_valid=True)).reason == "合同须至少列明一个里程碑"
    assert decide("answered", "contract", STAFF, Facts(proposal_valid=True, milestones=1)).target == "contracted"


def test_a_failed_acceptance_is_recorded_and_the_state_stays():
    assert decide("contracted", "accept", OWNER, Facts(acceptance_passed=False)) .target is None
    assert decide("contracted", "accept", OWNER, Facts(acceptance_passed=True)).target == "verified"
    assert decide("contracted", "accept", OWNER, Facts()).reason == "请填写验收结论"


def test_market_evaluation_at_6_then_12_months_after_acceptance():
    f = Facts(evaluation_month=6, months_since_acceptance=5)
    assert decide("verified", "evaluate", OWNER, f).reason == "验收后未满6个月，不能填报该期市场评价"
    f = Facts(evaluation_month=6, months_since_acceptance=6)
    assert decide("verified", "evaluate", OWNER, f).target == "market"
    f = Facts(evaluation_month=12, months_since_acceptance=13)
    assert decide("verified", "evaluate", OWNER, f).reason == "请先填报验收后6个月的市场评价"
    f = Facts(evaluation_month=12, months_since_acceptance=13, evaluations_done=(6,))
    assert decide("market", "evaluate", STAFF, f).target == "market"
    f = Facts(evaluation_month=6, months_since_acceptance=13, evaluations_done=(6,))
    assert decide("market", "evaluate", STAFF, f).reason == "验收后6个月的市场评价已经填报"
    assert decide("verified", "evaluate", OWNER, Facts(evaluation_month=3, months_since_acceptance=9)).reason == \
        "市场评价只在验收后6、12个月进行"


def test_whole_months():
    assert loop.whole_months(dt.date(2025, 1, 31), dt.date(2025, 7, 31)) == 6
    assert loop.whole_months(dt.date(2025, 1, 31), dt.date(2025, 7, 30)) == 5
    assert loop.whole_months(dt.date(2025, 3, 1), dt.date(2026, 3, 1)) == 12


def test_a_milestone_keeps_the_state():
    assert decide("contracted", "milestone", OWNER) .target is None
    assert decide("verified", "milestone", STAFF).reason == "难题当前状态为“已验题”，不能登记里程碑完成"


def test_actions_offered():
    assert loop.actions_for("posed", STAFF) == ["return", "vet"]
    assert loop.actions_for("published", OWNER) == ["withdraw"]
    assert loop.actions_for("published", SOLVER) == ["propose"]
