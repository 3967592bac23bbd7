"""Health endpoints for a load balancer or an orchestrator (docs/operations.md, Health).

``/healthz``: the process answers (no database, no cache): a failing one means restart the process.
``/readyz``: the process can serve — the database answers, every cache answers a write and a read back,
the job broker answers (when one is configured) — with, for the operator, the count of stale months
(监测结果待更新) and of jobs queued or failed in the last 24 hours. 200 when every check passes, else 503;
both answer without a login and never show a setting's value (no URL, no password).
"""

from __future__ import annotations

import time
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache


@never_cache
def healthz(request):
    return JsonResponse({"status": "ok"})


def _check(fn) -> dict:
    started = time.perf_counter()
    try:
        detail = fn()
    except Exception as exc:  # a check that fails says what kind of failure, not the settings
        return {"ok": False, "error": type(exc).__name__, "ms": round((time.perf_counter() - started) * 1000, 1)}
    out = {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}
    if detail:
        out.update(detail)
    return out


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"vendor": connection.vendor}


def _caches():
    key, value = f"readyz:{uuid.uuid4().hex}", uuid.uuid4().hex
    for alias in settings.CACHES:
        cache = caches[alias]
        cache.set(key, value, 10)
        if cache.get(key) != value:
            raise RuntimeError(f"cache {alias} did not return what was written")
        cache.delete(key)
    return {"caches": len(settings.CACHES)}


def _broker():
    from xinzhi.jobs import queue

    if not queue.broker_url():
        return {"mode": "in-process"}
    queue.ping(timeout=2)
    return {"mode": "queue"}


def _facts():
    from xinzhi.jobs.models import Job
    from xinzhi.monitoring.models import StaleMonth

    since = timezone.now() - timedelta(hours=24)
    return {"stale_months": StaleMonth.objects.count(),
            "jobs_waiting": Job.objects.filter(status=Job.Status.QUEUED).count(),
            "jobs_failed_24h": Job.objects.filter(status=Job.Status.FAILED, finished_at__gte=since).count()}


@never_cache
def readyz(request):
    checks = {"database": _check(_database), "cache": _check(_caches), "broker": _check(_broker)}
    ready = all(c["ok"] for c in checks.values())
    body = {"status": "ready" if ready else "not ready", "checks": checks}
    if checks["database"]["ok"]:
        facts = _check(_facts)
        facts.pop("ms", None)
        if facts.pop("ok"):
            body.update(facts)
    return JsonResponse(body, status=200 if ready else 503)
