"""The closed loop 企业出题 → 政府助题 → 平台答题 → 车间验题 → 市场评价 as a pure state machine.

Source: seed task 3 (work plan, "构建企业出题、政府助题、平台答题、车间验题、市场评价的闭环"); the
implementation opinion on the five-step model (programmes.md §2.1; its steps 2–5 were not read and the
measures 《企业科技创新需求常态化征集响应管理办法》 are NOT FOUND). The state chain is the platform state
machine of programmes.md §2.4 (inferred, no official source): need submitted → screened → published →
solver matched → project running → workshop verification → market evaluation.

No Django here: ``decide(state, action, actor, facts)`` answers on plain data whether a step is allowed,
the state it leads to, and, when refused, the Chinese reason. The services apply it to stored records.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# states, in loop order
POSED = "posed"            # 已出题 (enterprise submitted)
RETURNED = "returned"      # 已退回 (staff sent it back for revision)
VETTED = "vetted"          # 已助题 (staff classified it and decided support)
PUBLISHED = "published"    # 已发布 (on the public list, or routed to invited solvers when confidential)
ANSWERED = "answered"      # 已答题 (at least one solver proposal)
CONTRACTED = "contracted"  # 已签约 (proposal chosen, contract with milestones)
VERIFIED = "verified"      # 已验题 (workshop acceptance passed)
MARKET = "market"          # 已市场评价 (a 6- or 12-month market evaluation is recorded)
WITHDRAWN = "withdrawn"    # 已撤回

STATE_LABELS = {
    POSED: "已出题", RETURNED: "已退回修改", VETTED: "已助题", PUBLISHED: "已发布", ANSWERED: "已答题",
    CONTRACTED: "已签约", VERIFIED: "已验题", MARKET: "已市场评价", WITHDRAWN: "已撤回",
}
#: the funnel's stages (posed → vetted → published → answered → contracted → verified → market-proven) and
#: the stage timestamp each one reads
FUNNEL = ((POSED, "posed_at"), (VETTED, "vetted_at"), (PUBLISHED, "published_at"), (ANSWERED, "answered_at"),
          (CONTRACTED, "contracted_at"), (VERIFIED, "verified_at"), (MARKET, "market_at"))
OPEN_STATES = frozenset({POSED, RETURNED, VETTED, PUBLISHED, ANSWERED, CONTRACTED, VERIFIED})

# actors
OWNER, STAFF, SOLVER = "owner", "staff", "solver"
ACTOR_LABELS = {OWNER: "出题企业", STAFF: "经信部门工作人员", SOLVER: "解题方"}


@dataclass(frozen=True)
class Step:
    label: str
    sources: frozenset[str]
    target: str | None          # None: the state does not change (a record is added)
    actors: frozenset[str]


STEPS: dict[str, Step] = {
    "resubmit": Step("修改后重新提交", frozenset({RETURNED}), POSED, frozenset({OWNER})),
    "return": Step("退回修改", frozenset({POSED}), RETURNED, frozenset({STAFF})),
    "vet": Step("审核助题", frozenset({POSED}), VETTED, frozenset({STAFF})),
    "publish": Step("公开发布", frozenset({VETTED}), PUBLISHED, frozenset({STAFF})),
    "route": Step("定向对接", frozenset({VETTED}), PUBLISHED, frozenset({STAFF})),
    "propose": Step("提交解题方案", frozenset({PUBLISHED, ANSWERED}), ANSWERED, frozenset({SOLVER})),
    "contract": Step("选定方案并签约", frozenset({ANSWERED}), CONTRACTED, frozenset({OWNER, STAFF})),
    "milestone": Step("登记里程碑完成", frozenset({CONTRACTED}), None, frozenset({OWNER, STAFF})),
    "accept": Step("车间验题", frozenset({CONTRACTED}), VERIFIED, frozenset({OWNER, STAFF})),
    "evaluate": Step("市场评价", frozenset({VERIFIED, MARKET}), MARKET, frozenset({OWNER, STAFF})),
    "withdraw": Step("撤回", frozenset({POSED, RETURNED, VETTED, PUBLISHED}), WITHDRAWN, frozenset({OWNER})),
}


@dataclass(frozen=True)
class Decision:
    allowed: bool
    target: str | None = None
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


@dataclass
class Facts:
    """What a step needs to know besides the state (all plain values)."""

    confidential: bool = False
    #: the acceptance passed (``accept``); a failed acceptance is recorded and the state stays 已签约
    acceptance_passed: bool | None = None
    #: whole months from the acceptance date to the evaluation date (``evaluate``)
    months_since_acceptance: int | None = None
    #: the evaluation round asked for (6 or 12) and the rounds already recorded
    evaluation_month: int | None = None
    evaluations_done: tuple[int, ...] = ()
    evaluation_months: tuple[int, ...] = (6, 12)
    #: the chosen proposal belongs to this problem and was submitted (``contract``)
    proposal_valid: bool | None = None
    milestones: int = 0
    extra: dict = field(default_factory=dict)


def decide(state: str, action: str, actor: str, facts: Facts | None = None) -> Decision:
    """May ``actor`` take ``action`` on a problem in ``state``? Returns the next state or the reason."""
    facts = facts or Facts()
    step = STEPS.get(action)
    if step is None:
        return Decision(False, reason="未知的办理事项")
    if actor not in step.actors:
        who = "、".join(ACTOR_LABELS[a] for a in sorted(step.actors))
        return Decision(False, reason=f"“{step.label}”只能由{who}办理")
    if state not in step.sources:
        return Decision(False, reason=f"难题当前状态为“{STATE_LABELS.get(state, state)}”，不能{step.label}")
    if action == "publish" and facts.confidential:
        return Decision(False, reason="该难题要求保密，不能公开发布，请定向对接解题方")
    if action == "contract":
        if not facts.proposal_valid:
            return Decision(False, reason="请选择本难题已提交的解题方案")
        if facts.milestones < 1:
            return Decision(False, reason="合同须至少列明一个里程碑")
    if action == "accept":
        if facts.acceptance_passed is None:
            return Decision(False, reason="请填写验收结论")
        if not facts.acceptance_passed:
            return Decision(True, target=None)  # the failed acceptance is recorded; the contract runs on
    if action == "evaluate":
        month = facts.evaluation_month
        if month not in facts.evaluation_months:
            rounds = "、".join(str(m) for m in facts.evaluation_months)
            return Decision(False, reason=f"市场评价只在验收后{rounds}个月进行")
        if month in facts.evaluations_done:
            return Decision(False, reason=f"验收后{month}个月的市场评价已经填报")
        earlier = [m for m in facts.evaluation_months if m < month and m not in facts.evaluations_done]
        if earlier:
            return Decision(False, reason=f"请先填报验收后{earlier[0]}个月的市场评价")
        if facts.months_since_acceptance is None or facts.months_since_acceptance < month:
            return Decision(False, reason=f"验收后未满{month}个月，不能填报该期市场评价")
    return Decision(True, target=step.target)


def actions_for(state: str, actor: str) -> list[str]:
    """The steps ``actor`` may in principle take from ``state`` (the page offers these forms)."""
    return [a for a, s in STEPS.items() if state in s.sources and actor in s.actors]


def whole_months(start, end) -> int:
    """Completed months from date ``start`` to date ``end`` (6 months after 2025-01-31 is 2025-07-31)."""
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if end.day < start.day:
        months -= 1
    return months
