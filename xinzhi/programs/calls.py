"""The research-needs call (企业主导的科技攻关需求征集, seed task 14) as pure rules: the states of a call and of
a submission, who takes each step, and the ranking of the reviewed submissions. No Django here.

Source and gaps (programmes.md §2.1, §2.4): the province's 《企业科技创新需求常态化征集响应管理办法》 is
NOT FOUND. What was found: needs are collected through the industry departments; the 26-mountain-county
collection screens them for soundness, novelty, feasibility and urgency (合理性、新颖性、可行性、紧迫性)
with experts. **Assumed** (say so on the pages): the county 经信 vets a submission, the city 经信 recommends
it to the province (the same levels as the new-product and pilot-platform procedures, §1.2, §4), the
province runs the expert review through the evaluation framework, publishes the ranked list and
recommends the first ``recommend_quota`` to the provincial S&T programme, from which projects follow.

A call:        征集中 → 评审中 → 已公布排序 → 已推荐
A submission:  已提交 ⇄ 已退回修改;  已提交 → 县级审核通过 → 市级推荐 → 专家评审中 → 已评审 →
               已推荐 | 未推荐;  已推荐 → 已立项;  未通过审核 (county or city);  已撤回 (by the enterprise,
               before the expert review).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

# call states
OPEN, REVIEWING, PUBLISHED, RECOMMENDED = "open", "reviewing", "published", "recommended"
CALL_LABELS = {OPEN: "征集中", REVIEWING: "评审中", PUBLISHED: "已公布排序", RECOMMENDED: "已推荐省科技计划"}

# submission states
SUBMITTED, RETURNED, COUNTY, CITY = "submitted", "returned", "county", "city"
REJECTED, WITHDRAWN, UNDER_REVIEW, REVIEWED = "rejected", "withdrawn", "under_review", "reviewed"
SELECTED, NOT_SELECTED, PROJECT = "selected", "not_selected", "project"
LABELS = {SUBMITTED: "已提交", RETURNED: "已退回修改", COUNTY: "县级审核通过", CITY: "市级推荐",
          REJECTED: "未通过审核", WITHDRAWN: "已撤回", UNDER_REVIEW: "专家评审中", REVIEWED: "已评审",
          SELECTED: "已推荐", NOT_SELECTED: "未推荐", PROJECT: "已立项"}

OWNER, COUNTY_STAFF, CITY_STAFF, PROVINCE_STAFF = "owner", "county_staff", "city_staff", "province_staff"
ACTOR_LABELS = {OWNER: "牵头企业", COUNTY_STAFF: "县（市、区）经信部门", CITY_STAFF: "设区市经信部门",
                PROVINCE_STAFF: "省级工作人员"}


@dataclass(frozen=True)
class Step:
    label: str
    sources: tuple[str, ...]
    target: str
    actor: str
    needs_reason: bool = False


#: the steps a person takes on a submission (enrolment, scoring and ranking are the call's steps)
STEPS = {
    "resubmit": Step("修改后重新提交", (RETURNED,), SUBMITTED, OWNER),
    "withdraw": Step("撤回", (SUBMITTED, RETURNED, COUNTY, CITY), WITHDRAWN, OWNER),
    "county_pass": Step("县级审核通过", (SUBMITTED,), COUNTY, COUNTY_STAFF),
    "county_return": Step("县级退回修改", (SUBMITTED,), RETURNED, COUNTY_STAFF, True),
    "county_reject": Step("县级审核不通过", (SUBMITTED,), REJECTED, COUNTY_STAFF, True),
    "city_pass": Step("市级推荐", (COUNTY,), CITY, CITY_STAFF),
    "city_return": Step("市级退回修改", (COUNTY,), RETURNED, CITY_STAFF, True),
    "city_reject": Step("市级审核不通过", (COUNTY,), REJECTED, CITY_STAFF, True),
    "create_project": Step("转为省重大科技项目", (SELECTED,), PROJECT, PROVINCE_STAFF),
}
#: steps that need the call still collecting (the enterprise's own, and vetting)
WHILE_OPEN = {"resubmit", "county_pass", "county_return", "county_reject", "city_pass", "city_return", "city_reject"}


def decide(state: str, action: str, actor: str | None, call_state: str, reason: str = "") -> tuple[str | None, str]:
    """(next state, "") when ``actor`` may take ``action``; (None, the Chinese reason) otherwise."""
    step = STEPS.get(action)
    if step is None:
        return None, "未知的办理事项"
    if actor != step.actor:
        return None, f"“{step.label}”由{ACTOR_LABELS[step.actor]}办理"
    if state not in step.sources:
        return None, f"需求当前状态为“{LABELS.get(state, state)}”，不能{step.label}"
    if action in WHILE_OPEN and call_state != OPEN:
        return None, f"征集已进入“{CALL_LABELS.get(call_state, call_state)}”阶段，不能再{step.label}"
    if step.needs_reason and not reason.strip():
        return None, f"{step.label}须说明理由"
    return step.target, ""


def actions_for(state: str, actor: str | None, call_state: str) -> list[tuple[str, str]]:
    """The steps ``actor`` may take now (action, label) — for the buttons."""
    return [(a, s.label) for a, s in STEPS.items()
            if s.actor == actor and state in s.sources and (a not in WHILE_OPEN or call_state == OPEN)]


CALL_STEPS = {
    "start_review": ((OPEN,), REVIEWING, "启动专家评审"),
    "publish": ((REVIEWING,), PUBLISHED, "公布排序名单"),
    "recommend": ((PUBLISHED,), RECOMMENDED, "推荐至省科技计划"),
}


def decide_call(state: str, action: str) -> tuple[str | None, str]:
    if action not in CALL_STEPS:
        return None, "未知的办理事项"
    sources, target, label = CALL_STEPS[action]
    if state not in sources:
        return None, f"征集当前为“{CALL_LABELS.get(state, state)}”，不能{label}"
    return target, ""


@dataclass(frozen=True)
class Ranked:
    id: int
    total: Decimal
    rank: int
    tied: bool
    recommended: bool


def rank(rows: Iterable[tuple[int, Decimal]], quota: int) -> list[Ranked]:
    """Rank reviewed submissions by total score, highest first (standard competition ranking: equal totals
    share a rank, the next rank skips — 1, 2, 2, 4). Within a tie the earlier submission (lower id) is
    listed first, without changing the rank. The first ``quota`` ranks are recommended; a tie across the
    quota line recommends every tied submission (none is dropped by an order nobody decided) — the list
    then names more than ``quota``, and says so."""
    ordered = sorted(rows, key=lambda r: (-Decimal(r[1]), r[0]))
    totals = [Decimal(t) for _, t in ordered]
    out, previous, current = [], None, 0
    for position, (sid, total) in enumerate(ordered, start=1):
        total = Decimal(total)
        if total != previous:
            current, previous = position, total
        tied = totals.count(total) > 1
        out.append(Ranked(sid, total, current, tied, current <= quota))
    return out


def recommended_count(ranked: Sequence[Ranked]) -> int:
    return sum(1 for r in ranked if r.recommended)
