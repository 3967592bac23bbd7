"""Region and ownership scope: the one mechanism every view, API call and aggregate goes through.

Modelled on NetBox's ``RestrictedQuerySet.restrict()`` (see docs/architecture.md), simplified to the
rules this platform needs, which are the same for every model:

* province staff, province leaders and superusers see everything;
* city / county staff and leaders see records whose county code starts with their division's prefix
  (a city's code ``330100`` → prefix ``3301``; a county's is its full code);
* an enterprise user sees only records of its own enterprise;
* an expert sees nothing of the register (assigned work is granted by its own app);
* leaders are read-only: ``restrict(user, "change")`` gives them nothing.

A model opts in by declaring where its region and its enterprise are:
``scope_region_field = "division__code"`` and ``scope_enterprise_field = "enterprise_id"``. Aggregates use
``Model.objects.restrict(user).aggregate(...)`` so a sum can never include out-of-scope rows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q

if TYPE_CHECKING:  # pragma: no cover
    from django.contrib.auth.base_user import AbstractBaseUser

VIEW, CHANGE = "view", "change"
NOTHING = Q(pk__in=[])


def region_prefix(division_code: str) -> str:
    """The code prefix that every county below a division shares (GB/T 2260 structure)."""
    code = str(division_code)
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


def scope_q(model: type[models.Model], user: AbstractBaseUser | None, action: str = VIEW) -> Q:
    """The filter that limits ``model`` to what ``user`` may see (or change)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOTHING
    if user.is_superuser:
        return Q()
    role = getattr(user, "role", None)
    if action != VIEW and role == "leader":
        return NOTHING
    if role in ("province_staff", "city_staff", "county_staff", "leader"):
        division_code = getattr(user, "division_id", None)
        if not division_code:
            return NOTHING
        prefix = region_prefix(division_code)
        region_field = getattr(model, "scope_region_field", None)
        if region_field is None:
            # reference data (regions, industries) has no owner: all staff may read it
            return Q() if action == VIEW else NOTHING
        if len(prefix) == 2 and role in ("province_staff", "leader"):
            return Q()
        return Q(**{f"{region_field}__startswith": prefix})
    if role == "enterprise":
        enterprise_field = getattr(model, "scope_enterprise_field", None)
        enterprise_id = getattr(user, "enterprise_id", None)
        if enterprise_field is None or enterprise_id is None:
            return Q() if (action == VIEW and getattr(model, "scope_region_field", "x") is None) else NOTHING
        return Q(**{enterprise_field: enterprise_id})
    return NOTHING


def scope_key(user: AbstractBaseUser | None, action: str = VIEW) -> str:
    """A short text equal for two users exactly when :func:`scope_q` gives them the same filter on every
    model — for caching what a query restricted to the user returns (never share across scopes)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return "none"
    if user.is_superuser:
        return "all"
    role = getattr(user, "role", None)
    if action != VIEW and role == "leader":
        return "none"
    if role in ("province_staff", "city_staff", "county_staff", "leader"):
        division_code = getattr(user, "division_id", None)
        if not division_code:
            return "none"
        prefix = region_prefix(division_code)
        if len(prefix) == 2 and role in ("province_staff", "leader"):
            return "all"
        return f"staff:{prefix}"
    if role == "enterprise":
        enterprise_id = getattr(user, "enterprise_id", None)
        return f"enterprise:{enterprise_id}" if enterprise_id is not None else "enterprise:none"
    return "none"


#: why an account has no valid scope (the same wording as ``accounts.permissions``' refusal)
UNBOUND_ZH = "您的账号尚未绑定区划或企业，请联系管理员"
_REGION_ROLES = ("province_staff", "city_staff", "county_staff", "leader")


def unbound_reason(user: AbstractBaseUser | None) -> str | None:
    """The Chinese reason a signed-in account has no valid scope — staff or a leader without a division,
    an enterprise user without an enterprise — else None. Such an account sees a clear message and
    nothing it asks for is cached (its answers would be empty, keyed like nobody else's)."""
    if user is None or not getattr(user, "is_authenticated", False) or user.is_superuser:
        return None
    role = getattr(user, "role", None)
    if role in _REGION_ROLES and not getattr(user, "division_id", None):
        return UNBOUND_ZH
    if role == "enterprise" and not getattr(user, "enterprise_id", None):
        return UNBOUND_ZH
    return None


def cacheable_scope(user: AbstractBaseUser | None) -> str | None:
    """:func:`scope_key` for a cache key, or None when nothing asked by ``user`` may be cached (no valid
    scope: an unbound account, an expert, an inactive or anonymous user)."""
    if unbound_reason(user):
        return None
    key = scope_key(user)
    return None if key == "none" else key


class ScopedQuerySet(models.QuerySet):
    def restrict(self, user: AbstractBaseUser | None, action: str = VIEW) -> ScopedQuerySet:
        return self.filter(scope_q(self.model, user, action))


ScopedManager = models.Manager.from_queryset(ScopedQuerySet)
