"""A GET never writes (issue 12 item 2).

Every page and every API read is requested by each kind of user, plain and with the parameters that
used to make a read compute and store (a month with no filings, a download format); not one INSERT,
UPDATE or DELETE may reach the database. Before: ``GET /monitoring/reports/?kind=briefing&format=xlsx
&period=2087-03`` by the read-only leader computed and stored a month of snapshots, after which every
cockpit showed 2087 and the API served it by default.
"""

from __future__ import annotations

import re

import pytest
from django.db import connections
from django.urls import URLPattern, URLResolver, get_resolver

from xinzhi.accounts.models import User
from xinzhi.core.testing import CaptureQueriesContext
from xinzhi.demo.testing import small_demo
from xinzhi.enterprises.models import Enterprise
from xinzhi.monitoring.models import EarlyWarning, IndicatorValue

pytestmark = pytest.mark.django_db
ROLES = ["province", "hangzhou", "xihu", "leader", "enterprise"]
#: what a request may write whatever its method: the session and login bookkeeping
ALLOWED_TABLES = ("django_session", "axes_", "accounts_apitoken")
WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE|TRUNCATE)\b", re.I)
#: the query strings tried on every URL: none, a month with no filings, download formats, a report
QUERIES = ["", "?period=2087-03", "?period=2087-03&format=xlsx", "?format=xlsx", "?format=csv",
           "?kind=briefing&format=xlsx&period=2087-03", "?kind=operation&format=docx&period=2024-01",
           "?year=2087"]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), small_demo(seed=3, months=[(2025, 6)]):
        yield


def _patterns(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            yield from _patterns(p, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern)


def _site_paths(own: int) -> list[str]:
    out = set()
    for route in _patterns():
        if route.startswith("admin/"):
            continue
        path = "/" + route.replace("^", "").replace("$", "").replace("\\Z", "")
        if re.search(r"[()\\[\]?*+]", path):
            continue
        path = re.sub(r"<int:[^>]+>", str(own), path)
        path = re.sub(r"<str:level>", "county", path)
        path = re.sub(r"<str:indicator>", "rd_intensity", path)
        path = re.sub(r"<str:kind>", "monthly-stats", path)
        path = re.sub(r"<str:fmt>", "xlsx", path)
        path = re.sub(r"<[^>]+>", "x", path)
        if path.startswith("/api/v1/") and ("{" in path or path.endswith(("docs", "openapi.json"))):
            continue
        out.add(path)
    return sorted(out)


def _api_get_paths(own: int) -> list[str]:
    from xinzhi.api import api

    schema = api.get_openapi_schema()
    out = []
    for path, operations in schema["paths"].items():
        if "get" not in operations:
            continue
        out.append(re.sub(r"\{[^}]+\}", str(own), path))
    return sorted(out)


def _writes(captured) -> list[str]:
    return [q["sql"] for q in captured.captured_queries
            if WRITE.match(q["sql"]) and not any(t in q["sql"] for t in ALLOWED_TABLES)]


def test_no_get_writes_for_any_role(client, demo):
    own = Enterprise.objects.filter(division_id="330106").order_by("id").first().pk
    paths = _site_paths(own) + _api_get_paths(own)
    assert any(p.startswith("/api/v1/monitoring/") for p in paths) and "/monitoring/reports/" in paths
    snapshots = IndicatorValue.objects.count(), EarlyWarning.objects.count()
    failures = []
    for role in ROLES:
        client.force_login(User.objects.get(username=role))
        for path in paths:
            for query in QUERIES:
                with CaptureQueriesContext(connections["default"]) as captured:
                    response = client.get(path + query)
                writes = _writes(captured)
                if writes:
                    failures.append(f"{role} GET {path}{query} ({response.status_code}): {writes[0][:160]}")
    assert failures == []
    assert (IndicatorValue.objects.count(), EarlyWarning.objects.count()) == snapshots
