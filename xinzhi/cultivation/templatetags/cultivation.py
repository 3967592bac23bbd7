"""Template helpers: ``get_item`` and the "您可享受的政策" section (enterprise profile, package page)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: Any, key: str) -> Any:
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def unique_citations(citations: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """Citations with the same text once (several parameters often come from one article)."""
    seen: dict[str, dict[str, Any]] = {}
    for c in citations or []:
        if c["text"] in seen:
            seen[c["text"]] = {**seen[c["text"]], "unverified": seen[c["text"]]["unverified"] or c["unverified"]}
        else:
            seen[c["text"]] = c
    return list(seen.values())


@register.inclusion_tag("cultivation/_policies.html", takes_context=True)
def policy_answers(context, enterprise, year: int | None = None, show_link: bool = True) -> dict[str, Any]:
    """One answer per programme from ``screen()`` of the enterprise's current package (of ``year``, else the
    latest). The caller has loaded ``enterprise`` through ``restrict``; staff and the enterprise itself see it."""
    from xinzhi.cultivation.services.screening import enterprise_answers

    request = context.get("request")
    user = getattr(request, "user", None)
    allowed = user is not None and (user.is_superuser or getattr(user, "role", "") in
                                    ("province_staff", "city_staff", "county_staff", "leader")
                                    or getattr(user, "enterprise_id", None) == enterprise.pk)
    answers = enterprise_answers(enterprise, year) if allowed else None
    can_fill = allowed and user is not None and getattr(user, "role", "") != "leader"
    programs = []
    if answers and "result" in answers:
        programs = list(answers["result"]["programs"].values())
    return {"enterprise": enterprise, "answers": answers, "programs": programs, "allowed": allowed,
            "can_fill": can_fill, "show_link": show_link, "year": answers["package"].year if answers else year}
