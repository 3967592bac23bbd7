"""Issue 12 item 11: malformed query parameters give a 400 with a Chinese message, never a 500.

Property-based, like the schemathesis run over the API (``test_api_schema.py``): hypothesis draws a page
of the site (every URL pattern, object ids filled in), one to three of the query parameters the pages
read (taken from the source, so a new parameter is swept too) and hostile values for them — words for
numbers, NaN, infinities, huge numbers, months 13, NUL bytes, very long text — and every answer must be
below 500. Bounded in examples so it stays fast.
"""

import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xinzhi.accounts.models import User
from xinzhi.demo.testing import small_demo
from xinzhi.enterprises.models import Enterprise

from .test_security_matrix import _concrete, _patterns

pytestmark = pytest.mark.django_db

SOURCE = Path(__file__).resolve().parents[2]


def _parameter_names() -> list[str]:
    """Every query parameter a view reads: ``GET.get("x")``, ``GET["x"]``, ``"x" in request.GET`` and the
    filter tuples of views (``for k in ("q", …)``), the ``core.params`` helpers — from every app's source."""
    names: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        names.update(re.findall(r"GET\.get(?:list)?\(\"(\w+)\"", text))
        names.update(re.findall(r"GET\[\"(\w+)\"\]", text))
        names.update(re.findall(r"_param\((?:request\.GET|params), \"(\w+)\"", text))
        names.update(re.findall(r"\"(\w+)\" (?:not )?in request\.GET", text))
        if path.name == "views.py":
            for group in re.findall(r"for k in \(((?:\"\w+\",?\s*)+)\)", text):
                names.update(re.findall(r"\"(\w+)\"", group))
    return sorted(names)


PARAMETERS = _parameter_names()
#: examples per role (bounded so the sweep stays fast; raise it for a longer hunt)
EXAMPLES = int(os.environ.get("XINZHI_PARAM_SWEEP_EXAMPLES", "150"))
HOSTILE = ["abc", "NaN", "nan", "inf", "-Infinity", "1e308", "1e999", "-1", "0", "99999999999999999999999",
           "2025-13", "2025-00", "9999-12", "0000-01", "2025-1", "2025", "12.5", "", " ", "\x00", "a\x00b", "%",
           "'; DROP TABLE x; --", "<script>", "../../etc/passwd", "２０２５", "330106", "3301", "x" * 3000,
           "2025-02-30", "xlsx", "docx", "city", "county", "all", "hte"]
VALUES = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=20))


def test_the_sweep_knows_the_pages_parameters():
    assert {"year", "period", "page", "rev_min", "rev_max", "region", "on", "step", "indicator"} <= set(PARAMETERS)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), small_demo(seed=5, months=[(2025, 6)]):
        yield


@pytest.fixture(scope="module")
def pages(demo, django_db_blocker):
    with django_db_blocker.unblock():
        own = Enterprise.objects.filter(division_id="330106").order_by("id").first().pk
    return sorted({p for route in _patterns() for p in _concrete(route, {"own": own})
                   if not p.startswith(("/accounts/logout", "/i18n/"))})


@pytest.mark.parametrize("role", ["province", "xihu"])
def test_no_malformed_parameter_gives_a_server_error(client, pages, role):
    client.force_login(User.objects.get(username=role))

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(path=st.sampled_from(pages), query=st.dictionaries(st.sampled_from(PARAMETERS), VALUES, min_size=1, max_size=3))
    def sweep(path, query):
        response = client.get(path, query)
        assert response.status_code < 500, f"{role} GET {path} {query!r}: {response.status_code}"
        if response.status_code == 400:
            assert _chinese(response), "a 400 explains itself in Chinese"

    sweep()


def _chinese(response) -> bool:
    body = response.content.decode()
    if response.get("Content-Type", "").startswith("application/json"):
        body = str(response.json())
    return re.search(r"[\u4e00-\u9fff]", body) is not None and "Traceback" not in body


#: the reproductions named in the issue and found by the sweep: (path, query) → 400
MALFORMED = [
    ("/monitoring/targets/", {"year": "abc"}),
    ("/enterprises/", {"rev_min": "NaN"}),
    ("/enterprises/", {"rev_max": "1e999"}),
    ("/platforms/coverage/", {"year": "abc"}),
    ("/cultivation/unclaimed/", {"year": "abc"}),
    ("/cultivation/parameters/", {"on": "2025-02-30"}),
    ("/monitoring/", {"period": "2025-13"}),
]


@pytest.mark.parametrize(("path", "query"), MALFORMED)
def test_malformed_parameters_are_refused_in_chinese(client, demo, path, query):
    client.force_login(User.objects.get(username="province"))
    response = client.get(path, query)
    assert response.status_code == 400, response.status_code
    assert _chinese(response)


@pytest.mark.parametrize("path", ["/api/v1/platforms/platforms", "/api/v1/enterprises/", "/enterprises/"])
def test_a_nul_byte_in_the_query_is_a_400(client, demo, path):
    client.force_login(User.objects.get(username="province"))
    response = client.get(path + "?q=a%00b")
    assert response.status_code == 400
    assert "空字符" in str(response.json() if path.startswith("/api/") else response.content.decode())


@pytest.mark.parametrize("path", [
    "/api/v1/platforms/counts?year=99999999999999999999", "/api/v1/platforms/counts?as_of=9999-12-31",
    "/api/v1/monitoring/values?period=2025-13", "/api/v1/monitoring/values?period=abc",
    "/api/v1/cultivation/enterprises/1/answers?year=99999999999999999999",
    "/api/v1/cultivation/counts?year=99999999999999999999&level=x", "/api/v1/enterprises/?page=99999999999999999999",
    "/api/v1/enterprises/1/monthly-stats?year=-99999999999999999999",
])
def test_api_parameters_out_of_range_are_not_server_errors(client, demo, path):
    client.force_login(User.objects.get(username="province"))
    response = client.get(path)
    assert response.status_code < 500, (path, response.status_code, response.content[:300])
    if response.status_code >= 400:
        assert re.search(r"[\u4e00-\u9fff]", str(response.json()["detail"]))
