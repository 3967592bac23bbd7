"""Template helpers: ``get_item`` and the "您可享受的政策" section of the enterprise profile."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: Any, key: str) -> Any:
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.inclusion_tag("cultivation/_policies.html", takes_context=True)
def policy_answers(context, enterprise) -> dict[str, Any]:
    """One answer per programme from ``screen()`` of the enterprise's current package.

    The caller has already loaded ``enterprise`` through ``restrict``; the package is read for that
    enterprise only. Staff and the enterprise itself see it; others get nothing.
    """
    from xinzhi.cultivation.services.screening import enterprise_answers

    request = context.get("request")
    user = getattr(request, "user", None)
    allowed = user is not None and (user.is_superuser or getattr(user, "role", "") in
                                    ("province_staff", "city_staff", "county_staff", "leader")
                                    or getattr(user, "enterprise_id", None) == enterprise.pk)
    answers = enterprise_answers(enterprise) if allowed else None
    can_fill = allowed and user is not None and getattr(user, "role", "") != "leader"
    programs = []
    if answers and "result" in answers:
        programs = list(answers["result"]["programs"].values())
    return {"enterprise": enterprise, "answers": answers, "programs": programs, "allowed": allowed,
            "can_fill": can_fill, "year": answers["package"].year if answers else None}


@register.filter
def readable(value: Any) -> str:
    """A rule's value or threshold as a person reads it: dicts as ``键：值``, booleans as 是/否."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dict):
        return "；".join(f"{k}：{readable(v)}" for k, v in value.items())
    if isinstance(value, list | tuple | set):
        return "、".join(readable(v) for v in value) if value else "无"
    return str(value)
