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

:func:`summary` is the standards page's summary as of a date (by level and role, by task-13 theme, 浙江制造
standards, 品字标 enterprises), over what the user sees.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Min, Q

from .brand import in_force_q
from .models import BrandCertificate, Standard, StandardLevel, StandardStatus, StandardTheme

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


# --------------------------------------------------------------------------- the standards page's summary (task 13)

def summary(user, on) -> dict:
    """What the standards page sums up as of ``on``, over what ``user`` sees (``restrict``), in SQL aggregates:

    * published standards (status 发布, published on or before ``on``) by level and role (主导 / 参与), by 专题方向,
      and the 浙江制造 ones — a standard counts once per enterprise row of the register;
    * 品字标 enterprises: enterprises with a certificate in force on ``on`` (:func:`.brand.in_force_q`), and the
      enterprises whose first certificate the user sees was issued in ``on``'s year up to ``on`` (新增品字标企业).

    The province-wide targets of 省市场监管局 (programmes.md §3.3) count the whole province, not this register,
    and are not shown as targets here."""
    published = Standard.objects.restrict(user).filter(status=StandardStatus.PUBLISHED, published_on__lte=on)
    by_level = {r["level"]: r for r in published.values("level").annotate(
        lead=Count("id", filter=Q(role="lead")), participate=Count("id", filter=Q(role="participate")))}
    levels = [{"code": code, "label": label, "lead": by_level.get(code, {}).get("lead", 0),
               "participate": by_level.get(code, {}).get("participate", 0)} for code, label in StandardLevel.choices]
    themes = dict(published.exclude(theme="").values_list("theme").annotate(n=Count("id")))
    certificates = BrandCertificate.objects.restrict(user)
    in_force = certificates.filter(in_force_q(on)).aggregate(n=Count("enterprise_id", distinct=True))["n"]
    firsts = certificates.values("enterprise_id").annotate(first=Min("issued_on")).filter(
        first__gte=dt.date(on.year, 1, 1), first__lte=on)
    return {
        "on": on, "levels": levels,
        "lead": sum(r["lead"] for r in levels), "participate": sum(r["participate"] for r in levels),
        "themes": [{"code": code, "label": label, "count": themes.get(code, 0)} for code, label in StandardTheme.choices],
        "zhejiang_made": published.filter(zhejiang_made=True).count(),
        "brand_enterprises": in_force, "new_brand_enterprises": firsts.count(),
    }
