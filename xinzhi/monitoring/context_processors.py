"""``monitoring_stale``: the months whose snapshots wait for recomputation (监测结果待更新), for staff pages.

Lazy: a page that does not show it runs no query. Empty for users who do not see the monitoring.
"""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from xinzhi.accounts.permissions import can
from xinzhi.core.periods import Period


def monitoring_status(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not can(user, "monitoring.view"):
        return {"monitoring_stale": []}

    def labels() -> list[str]:
        from django.utils.translation import get_language

        from .services import stale_months

        chinese = not (get_language() or "").startswith("en")
        return [Period(y, m).label_zh() if chinese else str(Period(y, m)) for y, m in stale_months()]

    return {"monitoring_stale": SimpleLazyObject(labels)}
