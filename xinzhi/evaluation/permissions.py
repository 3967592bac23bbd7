"""Who may do what in evaluation — predicates returning ``(allowed, reason)``, the Hypha pattern
(anchors.md §3: ``has_permission(action, user, obj)`` raising ``PermissionDenied(reason)``)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from xinzhi.core.scope import region_prefix


def _staff(user) -> bool:
    return user.is_superuser or user.role in ("province_staff", "city_staff", "county_staff")


def can_run_round(user, obj=None) -> tuple[bool, str]:
    """Creating rounds, assigning experts, aggregating and determining: province staff (省经信厅)."""
    ok = user.is_superuser or user.role == "province_staff"
    return ok, "" if ok else "仅省级工作人员可组织评审、分配专家和作出决定"


def can_view_round(user, obj=None) -> tuple[bool, str]:
    ok = _staff(user) or user.role == "leader"
    return ok, "" if ok else "无权查看评审批次"


def can_apply(user, enterprise) -> tuple[bool, str]:
    """An enterprise for itself, or city/county staff for an enterprise in their region."""
    if user.role == "enterprise":
        ok = user.enterprise_id == enterprise.pk
        return ok, "" if ok else "企业用户只能为本企业申报"
    if user.is_superuser or user.role == "province_staff":
        return True, ""
    if user.role in ("city_staff", "county_staff") and user.division_id:
        ok = enterprise.division_id.startswith(region_prefix(user.division_id))
        return ok, "" if ok else "只能为本地区企业申报"
    return False, "无权申报"


def can_score(user, assignment) -> tuple[bool, str]:
    if assignment.expert.user_id != user.pk:
        return False, "只能评审分配给您的项目"
    if assignment.status != "pending":
        return False, "该评审已提交或已回避"
    return True, ""


PERMISSIONS = {"run_round": can_run_round, "view_round": can_view_round, "apply": can_apply, "score": can_score}


def has_permission(action: str, user, obj=None) -> tuple[bool, str]:
    return PERMISSIONS[action](user, obj)


def require(action: str, user, obj=None) -> None:
    ok, reason = has_permission(action, user, obj)
    if not ok:
        raise PermissionDenied(reason)
