"""The standards register's link to the annual "report once" package (seed task 13 → tasks 4, 6).

The policy package already has the two fields the rules read (``xinzhi/policy/package.py``, holdings):

* ``led_standard_years`` — years in which the enterprise **led** (主导制定) an international, national or
  industry standard: the tech-SME direct qualification path "led an international, national or industry
  standard within the last 5 years" (policy_criteria.md §2, 115号 Art. 8 item 4);
* ``participated_standard`` — took part in drafting a national or industry standard approved by the state
  authorities: the HTE score's IP bonus (policy_criteria.md §1, IP item (5), +1–2 points, scored by the
  experts within the cap of 30).

A standard counts from its publication (status 发布, with a publication date in or before the package year);
proposed, in-drafting and withdrawn ones do not.
"""

from __future__ import annotations

from .models import Standard, StandardStatus

LED_LEVELS = ("international", "national", "industry")
PARTICIPATION_LEVELS = ("national", "industry")


def package_holdings(enterprise, year: int) -> dict:
    """The package fields the register fills for ``enterprise`` in ``year`` (empty when it holds none)."""
    rows = list(Standard.objects.filter(enterprise=enterprise, status=StandardStatus.PUBLISHED,
                                        published_on__year__lte=year).values_list("level", "role", "published_on"))
    led = sorted({on.year for level, role, on in rows if role == "lead" and level in LED_LEVELS})
    took_part = any(level in PARTICIPATION_LEVELS for level, _role, _on in rows)
    holdings: dict = {}
    if led:
        holdings["led_standard_years"] = led
    if took_part:
        holdings["participated_standard"] = True
    return {"holdings": holdings} if holdings else {}
