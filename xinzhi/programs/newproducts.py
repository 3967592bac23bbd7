"""Provincial industrial new-product (new-technology) projects as a pure state machine.

Source: programmes.md §1.2 (pieced together; the full procedure and the rules that replaced
浙经信技术〔2010〕26号/213号 are NOT FOUND): the enterprise files the project → county 经信 reviews → city
经信 reviews → 省经信厅 approves (立项) → after development and trial production the county organises the
appraisal/acceptance meeting (鉴定验收会), which the product passes or fails. Review levels are inferred
from the roles listed there (enterprise → county → city → province).
"""

from __future__ import annotations

from dataclasses import dataclass

APPLIED, COUNTY, CITY, APPROVED = "applied", "county", "city", "approved"
APPRAISED, FAILED, REJECTED = "appraised", "failed", "rejected"

LABELS = {APPLIED: "企业申报", COUNTY: "县级审核通过", CITY: "市级审核通过", APPROVED: "省级立项",
          APPRAISED: "鉴定验收通过", FAILED: "鉴定验收未通过", REJECTED: "未通过审核"}
LEVEL_LABELS = {"county_staff": "县（市、区）经信部门", "city_staff": "设区市经信部门", "province_staff": "省经信厅"}


@dataclass(frozen=True)
class Step:
    label: str
    source: str
    target: str
    role: str           # the staff level that takes the step
    date_field: str


STEPS = {
    "county_pass": Step("县级审核通过", APPLIED, COUNTY, "county_staff", "county_on"),
    "county_reject": Step("县级审核不通过", APPLIED, REJECTED, "county_staff", "county_on"),
    "city_pass": Step("市级审核通过", COUNTY, CITY, "city_staff", "city_on"),
    "city_reject": Step("市级审核不通过", COUNTY, REJECTED, "city_staff", "city_on"),
    "approve": Step("省级立项", CITY, APPROVED, "province_staff", "approved_on"),
    "province_reject": Step("省级不予立项", CITY, REJECTED, "province_staff", "approved_on"),
    "appraise_pass": Step("鉴定验收通过", APPROVED, APPRAISED, "county_staff", "appraised_on"),
    "appraise_fail": Step("鉴定验收未通过", APPROVED, FAILED, "county_staff", "appraised_on"),
}


def decide(stage: str, action: str, role: str) -> tuple[str | None, str]:
    """(next stage, "") when ``role`` may take ``action`` from ``stage``; (None, Chinese reason) otherwise."""
    step = STEPS.get(action)
    if step is None:
        return None, "未知的办理事项"
    if role != step.role:
        return None, f"“{step.label}”由{LEVEL_LABELS[step.role]}办理"
    if stage != step.source:
        return None, f"项目当前状态为“{LABELS.get(stage, stage)}”，不能{step.label}"
    return step.target, ""


def actions_for(stage: str, role: str) -> list[str]:
    return [a for a, s in STEPS.items() if s.source == stage and s.role == role]
