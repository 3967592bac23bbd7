"""Application scenarios (应用场景, seed task 12 "open application scenarios") as pure rules: the states of a
scenario and of a product applied to it (场景对接), who takes each step. No Django here.

Source and gaps (/work/shared/domain/programmes.md §1.6): a **provincial** scenario-opening mechanism is
NOT FOUND. The model followed is the city of Jiaxing's 嘉政办发〔2025〕17号 (2025-05-13, "百千万": 100
scenarios, 1,000 technology projects, 10,000 new technologies/products applied by 2027 — the figures are
labelled parameters in ``data/parameters.toml`` [scenarios], 待核实, never rules): scenarios are opened by
leading firms ("scenario labs"), state-owned enterprises ("scenario catalogues") and government units, and
new technologies and products are applied to them. **Assumed** (said on the pages): county, city and
province 经信 staff register the scenarios of their region and record each match's progress.

A scenario:  征集中 → 已对接 → 已落地;  征集中 | 已对接 → 已关闭 (with a reason).
A match:     已报名 → 对接中 → 试用中 → 已落地;  any open match → 未采用 (with a reason).
"""

from __future__ import annotations

from dataclasses import dataclass

# scenario states
OPEN, MATCHED, LANDED, CLOSED = "open", "matched", "landed", "closed"
LABELS = {OPEN: "征集中", MATCHED: "已对接", LANDED: "已落地", CLOSED: "已关闭"}

# match states
APPLIED, TALKING, TRIAL, DONE, DECLINED = "applied", "talking", "trial", "done", "declined"
MATCH_LABELS = {APPLIED: "已报名", TALKING: "对接中", TRIAL: "试用中", DONE: "已落地", DECLINED: "未采用"}
#: match states at or beyond 对接 (a scenario may be marked 已对接 only with one of these)
ENGAGED = (TALKING, TRIAL, DONE)


@dataclass(frozen=True)
class Step:
    label: str
    sources: tuple[str, ...]
    target: str
    needs_reason: bool = False


SCENARIO_STEPS = {
    "match": Step("确认已对接", (OPEN,), MATCHED),
    "land": Step("确认已落地", (MATCHED,), LANDED),
    "close": Step("关闭场景", (OPEN, MATCHED), CLOSED, True),
}

MATCH_STEPS = {
    "talk": Step("开始对接", (APPLIED,), TALKING),
    "trial": Step("进入试用", (TALKING,), TRIAL),
    "land": Step("确认落地", (TRIAL,), DONE),
    "decline": Step("不予采用", (APPLIED, TALKING, TRIAL), DECLINED, True),
}


def decide_scenario(state: str, action: str, match_states: list[str] | tuple[str, ...], reason: str = "") -> tuple[str | None, str]:
    """(next state, "") when the scenario may take ``action``; (None, the Chinese reason) otherwise.
    ``match_states`` are the states of the products applied to it."""
    step = SCENARIO_STEPS.get(action)
    if step is None:
        return None, "未知的办理事项"
    if state not in step.sources:
        return None, f"场景当前状态为“{LABELS.get(state, state)}”，不能{step.label}"
    if action == "match" and not any(s in ENGAGED for s in match_states):
        return None, "尚无进入对接的产品，不能确认已对接"
    if action == "land" and DONE not in match_states:
        return None, "尚无已落地的产品，不能确认场景已落地"
    if step.needs_reason and not reason.strip():
        return None, f"{step.label}须说明理由"
    return step.target, ""


def decide_match(state: str, action: str, scenario_state: str, reason: str = "") -> tuple[str | None, str]:
    """(next state, "") when the match may take ``action``; (None, the Chinese reason) otherwise."""
    step = MATCH_STEPS.get(action)
    if step is None:
        return None, "未知的办理事项"
    if scenario_state == CLOSED:
        return None, "场景已关闭，不能再办理对接"
    if state not in step.sources:
        return None, f"对接当前状态为“{MATCH_LABELS.get(state, state)}”，不能{step.label}"
    if step.needs_reason and not reason.strip():
        return None, f"{step.label}须说明理由"
    return step.target, ""


#: the steps of a match in the order it takes them, with the date each records (the import reads a row's path
#: from the dates it gives: a date given = the step taken)
MATCH_PATH = (("talk", "talking_on"), ("trial", "trial_on"), ("land", "landed_on"), ("decline", "declined_on"))


def replay(actions, start: str = APPLIED, scenario_state: str = OPEN, reason: str = "") -> tuple[str | None, str, str]:
    """Take ``actions`` one after the other from ``start`` by :func:`decide_match` (the services' rule for each
    step): (the state reached, "", "") or (None, the action refused, the Chinese reason)."""
    state = start
    for action in actions:
        target, why = decide_match(state, action, scenario_state, reason)
        if target is None:
            return None, action, why
        state = target
    return state, "", ""


def may_apply(scenario_state: str, deadline, on) -> str:
    """"" when a product may be applied to the scenario on ``on``; else the Chinese reason."""
    if scenario_state != OPEN:
        return f"场景当前状态为“{LABELS.get(scenario_state, scenario_state)}”，不再征集产品"
    if deadline is not None and on > deadline:
        return f"场景征集已于 {deadline:%Y-%m-%d} 截止"
    return ""


def scenario_actions(state: str) -> list[tuple[str, str]]:
    return [(a, s.label) for a, s in SCENARIO_STEPS.items() if state in s.sources]


def match_actions(state: str, scenario_state: str) -> list[tuple[str, str]]:
    if scenario_state == CLOSED:
        return []
    return [(a, s.label) for a, s in MATCH_STEPS.items() if state in s.sources]
