"""The advanced-manufacturing enterprise list (先进制造业企业名单, seed task 6).

Workflow: county/city economy & IT staff **propose** enterprises that meet the list criteria (the
eligibility of the VAT additional deduction, 财政部 税务总局公告2023年第43号, as screened in bulk);
the **science, finance and tax** departments bound to the **same division** each confirm or reject
(a rejection needs a reason); when all three confirm the entry is confirmed, one rejection rejects it;
the **province** (economy & IT) publishes the confirmed entries. Every step is a ``save()`` on an
audited model (who, when, before/after). Each role sees only its step (:func:`visible`).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from xinzhi.accounts.models import Department, Role
from xinzhi.accounts.permissions import can, roles_with

from ..models import Decision, ListConfirmation, ListEntry, ListStatus, ScreeningResult
from .screening import latest_run

REVIEW_DEPARTMENTS = (Department.SCIENCE, Department.FINANCE, Department.TAX)


def _at_a_level(user, key: str) -> bool:
    """Proposing and confirming happen at a county's or city's level: the capability, held in the role
    itself (an administrator account is not a level and is not offered the forms)."""
    return bool(can(user, key)) and user.role in roles_with(key)


def can_propose(user) -> bool:
    return _at_a_level(user, "cultivation.am_list.propose")


def can_review(user) -> bool:
    return _at_a_level(user, "cultivation.am_list.confirm")


def can_publish(user) -> bool:
    return bool(can(user, "cultivation.am_list.publish"))


def candidates(user, year: int):
    """Screened eligible enterprises in the proposer's scope not yet proposed for ``year``."""
    if not can_propose(user):
        raise PermissionDenied("只有县（市、区）、市经信部门可以推荐先进制造业企业")
    run = latest_run(year)
    if run is None:
        return ScreeningResult.objects.none()
    proposed = ListEntry.objects.filter(year=year).values("enterprise_id")
    return (ScreeningResult.objects.restrict(user).filter(run=run, program="advanced_manufacturing", eligible=True)
            .exclude(enterprise_id__in=proposed).select_related("enterprise", "division").order_by("division_id", "enterprise_id"))


@transaction.atomic
def propose(user, enterprise_ids: list[int], year: int, reason: str = "") -> list[ListEntry]:
    """Propose enterprises; each must be in the user's scope and eligible in the latest screening."""
    eligible = {r.enterprise_id: r for r in candidates(user, year).filter(enterprise_id__in=enterprise_ids)}
    missing = [i for i in enterprise_ids if i not in eligible]
    if missing:
        raise ValidationError(f"以下企业不在您的管辖范围、已推荐或不符合名单条件：{missing}")
    entries = []
    for enterprise_id in enterprise_ids:
        result = eligible[enterprise_id]
        entry = ListEntry(enterprise_id=enterprise_id, division_id=result.division_id, level_division_id=user.division_id,
                          year=year, reason=reason[:300], proposed_by=user,
                          criteria={"run": result.run_id, "eligible": True, "failed": result.failed})
        entry.save()
        entries.append(entry)
    return entries


def pending_reviews(user, year: int | None = None):
    """Entries at the reviewer's level awaiting the reviewer's department."""
    if not can_review(user):
        raise PermissionDenied("只有同级科技、财政、税务部门可以联合确认")
    qs = ListEntry.objects.filter(level_division_id=user.division_id, status=ListStatus.PROPOSED).exclude(
        confirmations__department=user.department)
    if year:
        qs = qs.filter(year=year)
    return qs.select_related("enterprise", "division")


@transaction.atomic
def decide(user, entry: ListEntry, decision: str, reason: str = "") -> ListConfirmation:
    """A reviewer's decision; one rejection rejects, three confirmations confirm."""
    if not can_review(user) or entry.level_division_id != user.division_id:
        raise PermissionDenied("只能确认本级经信部门推荐的企业")
    entry = ListEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.status != ListStatus.PROPOSED:
        raise ValidationError("该企业不在待确认状态")
    if decision not in Decision.values:
        raise ValidationError("意见应为确认或不同意")
    if decision == Decision.REJECT and not reason.strip():
        raise ValidationError("不同意须填写理由")
    if entry.confirmations.filter(department=user.department).exists():
        raise ValidationError("本部门已提出意见")
    confirmation = ListConfirmation(entry=entry, department=user.department, decision=decision,
                                    reason=reason.strip()[:300], decided_by=user)
    confirmation.save()
    decisions = dict(entry.confirmations.values_list("department", "decision"))
    if Decision.REJECT in decisions.values():
        entry.status = ListStatus.REJECTED
        entry.save(update_fields=["status"])
    elif all(decisions.get(d) == Decision.CONFIRM for d in REVIEW_DEPARTMENTS):
        entry.status = ListStatus.CONFIRMED
        entry.save(update_fields=["status"])
    return confirmation


@transaction.atomic
def publish(user, year: int) -> int:
    """The province publishes every confirmed entry of ``year``; returns how many."""
    if not can_publish(user):
        raise PermissionDenied("只有省经信厅可以公布名单")
    count = 0
    for entry in ListEntry.objects.select_for_update().filter(year=year, status=ListStatus.CONFIRMED):
        entry.status = ListStatus.PUBLISHED
        entry.published_by = user
        entry.published_at = timezone.now()
        entry.save(update_fields=["status", "published_by", "published_at"])
        count += 1
    return count


def visible(user, year: int | None = None):
    """What each role sees: proposers their region's entries; reviewers the entries at their level;
    the province the confirmed and published entries (its step); leaders and enterprises the published list
    (an enterprise only itself)."""
    qs = ListEntry.objects.select_related("enterprise", "division", "level_division")
    if year:
        qs = qs.filter(year=year)
    if user.is_superuser:
        return qs
    if can_propose(user):
        return qs.filter(pk__in=ListEntry.objects.restrict(user).values("pk"))
    if can_review(user):
        return qs.filter(level_division_id=user.division_id)
    if can_publish(user):
        return qs.filter(status__in=[ListStatus.CONFIRMED, ListStatus.PUBLISHED])
    if user.role in (Role.LEADER, Role.ENTERPRISE, Role.PROVINCE_STAFF):
        return qs.filter(status=ListStatus.PUBLISHED, pk__in=ListEntry.objects.restrict(user).values("pk"))
    return qs.none()
