"""The project life cycle and who approves each step — pure (no Django models), tested on plain values.

Stages (the platform's four of the sequence assembled in ``shared/domain/pipeline_unicorns_supervision.md``
§1.3 — inferred there, not an official list): 谋划储备 (reserve) → 入库 (registered) → 在建 (construction, from
the actual start 开工) → 竣工 (completed). A project moves one stage at a time.

Approvals (issue 18, item 4; §1.1 for the owners of the lists): the county manages its projects and
proposes each move; the city reviews every move; 入库 of a major project (省重大项目) also needs the
province's approval. Which projects count as major is the ``is_major`` flag on the record (the entry
threshold of the 省制造业重大项目 list is NOT FOUND, §1.1/§5).
"""

from __future__ import annotations

RESERVE, REGISTERED, CONSTRUCTION, COMPLETED = "reserve", "registered", "construction", "completed"
ORDER = (RESERVE, REGISTERED, CONSTRUCTION, COMPLETED)
NEXT = {RESERVE: REGISTERED, REGISTERED: CONSTRUCTION, CONSTRUCTION: COMPLETED}

CITY_REVIEW, PROVINCE_APPROVAL = "city_review", "province_approval"


def next_stage(stage: str) -> str | None:
    """The stage a project in ``stage`` may move to, or ``None`` at the end of the cycle."""
    return NEXT.get(stage)


def required_steps(to_stage: str, is_major: bool) -> tuple[str, ...]:
    """The decisions a move needs, in order: the city's review always, the province's for 入库 of a major
    project."""
    if to_stage == REGISTERED and is_major:
        return (CITY_REVIEW, PROVINCE_APPROVAL)
    return (CITY_REVIEW,)


def check_proposal(stage: str, to_stage: str) -> str | None:
    """The Chinese reason a move from ``stage`` to ``to_stage`` may not be proposed, or ``None``."""
    if stage not in NEXT:
        return "项目已竣工，没有下一阶段"
    if to_stage != NEXT[stage]:
        return "项目只能逐级推进到下一阶段"
    return None


def next_step(status: str, to_stage: str, is_major: bool) -> str | None:
    """The decision a transition in ``status`` waits for, or ``None`` when it is decided."""
    steps = required_steps(to_stage, is_major)
    if status == "proposed":
        return steps[0]
    if status == "reviewed" and len(steps) > 1:
        return steps[1]
    return None


def step_refusal(step: str, role: str, same_person: bool) -> str | None:
    """Whether a user of ``role`` may take ``step``: the city (or the province) reviews, the province
    approves; nobody decides on a move they proposed."""
    if same_person:
        return "不能审核本人提出的阶段变更"
    if step == CITY_REVIEW and role not in ("city_staff", "province_staff"):
        return "阶段变更须由市级经信部门审核"
    if step == PROVINCE_APPROVAL and role != "province_staff":
        return "重大项目入库须由省级经信部门审批"
    return None
