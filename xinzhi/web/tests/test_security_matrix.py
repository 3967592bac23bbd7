"""Every role × every page: allowed, forbidden or filtered — and never a server error.

The explicit table covers the main pages; the sweep walks every URL pattern of the project (with
in-scope and out-of-scope object ids substituted) for every role and asserts no 500, and no template
syntax shown as page text.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from xinzhi.accounts.models import User
from xinzhi.demo.testing import small_demo
from xinzhi.enterprises.models import Enterprise

pytestmark = pytest.mark.django_db
ROLES = ["province", "hangzhou", "xihu", "leader", "expert", "enterprise"]

#: page → expected status per role (302 = sent elsewhere: the enterprise to its own profile, admin login)
EXPECTED = {
    "/monitoring/": {"province": 200, "hangzhou": 200, "xihu": 200, "leader": 200, "expert": 403, "enterprise": 403},
    "/monitoring/map/": {"province": 200, "hangzhou": 200, "xihu": 200, "leader": 200, "expert": 403, "enterprise": 403},
    "/monitoring/reports/": {"province": 200, "hangzhou": 200, "xihu": 200, "leader": 200, "expert": 403, "enterprise": 403},
    "/monitoring/indicators/rd_intensity/": {"province": 200, "hangzhou": 200, "xihu": 200, "leader": 200, "expert": 403,
                                             "enterprise": 403},
    "/enterprises/": {"province": 200, "hangzhou": 200, "xihu": 200, "leader": 200, "expert": 403, "enterprise": 302},
    "/imports/": {"province": 200, "hangzhou": 200, "xihu": 200, "leader": 403, "expert": 403, "enterprise": 403},
    "/admin/": {"province": 200, "hangzhou": 302, "xihu": 302, "leader": 302, "expert": 302, "enterprise": 302},
    "/accounts/tokens/": {**{r: 200 for r in ROLES}, "expert": 403},  # experts use no API
    "/cultivation/parameters/": {"province": 200, "hangzhou": 200, "xihu": 200, "leader": 200, "expert": 403,
                                 "enterprise": 403},
}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), small_demo(seed=3, months=[(2025, 6)]):
        yield


@pytest.mark.parametrize("path", sorted(EXPECTED))
def test_main_pages_per_role(client, demo, path):
    for role in ROLES:
        client.force_login(User.objects.get(username=role))
        status = client.get(path).status_code
        assert status == EXPECTED[path][role], f"{role} {path}: {status}"


def _patterns(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            yield from _patterns(p, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern)


def _concrete(route: str, ids: dict[str, int]) -> list[str]:
    """Fill route converters with an in-scope id, an out-of-scope id and a few literal values."""

    if route.startswith("admin/") or route.startswith("api/"):
        return []
    path = "/" + route.replace("^", "").replace("$", "").replace("\\Z", "")
    if re.search(r"[()\\[\]?*+]", path):
        return []
    out = []
    for value in ids.values():
        filled = re.sub(r"<int:[^>]+>", str(value), path)
        filled = re.sub(r"<str:level>", "county", filled)
        filled = re.sub(r"<str:indicator>", "rd_intensity", filled)
        filled = re.sub(r"<str:kind>", "monthly-stats", filled)
        filled = re.sub(r"<[^>]+>", "x", filled)
        out.append(filled)
    return sorted(set(out))


def test_no_page_gives_a_server_error_for_any_role(client, demo):
    own = Enterprise.objects.filter(division_id="330106").order_by("id").first().pk
    foreign = Enterprise.objects.filter(division__code__startswith="3302").order_by("id").first().pk
    paths = sorted({p for route in _patterns() for p in _concrete(route, {"own": own, "foreign": foreign, "none": 999999})})
    paths += _detail_pages_in_scope(User.objects.get(username="province"))  # every object page, with real ids
    assert len(paths) > 15
    for role in ROLES:
        client.force_login(User.objects.get(username=role))
        for path in paths:
            response = client.get(path)
            assert response.status_code < 500, f"{role} GET {path}: {response.status_code}"
            _assert_no_template_syntax_shown(response, f"{role} GET {path}")


#: template syntax that reached a page's text means a tag or comment the template engine did not take
#: (a `{# … #}` comment written over two lines is printed as it is)
TEMPLATE_SYNTAX = re.compile(r"\{#|#\}|\{%|%\}|\{\{|\}\}")


def _assert_no_template_syntax_shown(response, what: str) -> None:
    if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
        return
    html = response.content.decode()
    text = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)  # code may use braces
    leaked = TEMPLATE_SYNTAX.search(text)
    assert leaked is None, f"{what}: template syntax in the page: …{text[max(0, leaked.start() - 60):leaked.end() + 60]}…"


def test_county_user_gets_404_for_another_countys_objects(client, demo):
    foreign = Enterprise.objects.filter(division__code__startswith="3302").order_by("id").first()
    client.force_login(User.objects.get(username="xihu"))
    assert client.get(f"/enterprises/{foreign.pk}/").status_code == 404
    assert client.get(f"/api/v1/enterprises/{foreign.pk}").status_code == 404


QUERY_COUNT_PAGES = [
    "/monitoring/?period=2025-06", "/monitoring/map/data/?indicator=rd_intensity&period=2025-06",
    "/monitoring/map/data/?indicator=rd_intensity&period=2025-06&parent=330100",
    "/monitoring/indicators/rd_intensity/?period=2025-06",
    "/monitoring/indicators/rd_intensity/enterprises/?period=2025-06&region=330100",
    "/monitoring/reports/", "/monitoring/targets/?year=2025", "/imports/", "/enterprises/", "/enterprises/?program=hte",
    "/platforms/", "/platforms/coverage/", "/evaluation/", "/cultivation/unclaimed/", "/cultivation/pool/",
    "/cultivation/am-list/", "/cultivation/sampling/",
    "/api/v1/enterprises/", "/api/v1/monitoring/values?period=2025-06", "/api/v1/monitoring/warnings?period=2025-06",
    "/api/v1/platforms/institutions", "/api/v1/regions/",
]


@pytest.mark.parametrize("role", ["province", "xihu"])
def test_pages_keep_their_query_count(client, demo, role):
    """NetBox-style baselines (web/tests/query_counts.json): a page that needs more queries than its
    baseline fails (an N+1 crept in). ``UPDATE_QUERY_COUNTS=1`` rewrites the file after an intended change."""
    from pathlib import Path

    from django.core.cache import cache

    from xinzhi.core.testing import QueryCountBaseline

    baseline = QueryCountBaseline(Path(__file__).with_name("query_counts.json"))
    client.force_login(User.objects.get(username=role))
    for path in QUERY_COUNT_PAGES:
        cache.clear()  # measure the uncached cockpit
        response = baseline.check(f"{role} {path}", lambda path=path: client.get(path))
        assert response.status_code in (200, 302), f"{role} {path}: {response.status_code}"


# --------------------------------------------------------------------------- issue 12 item 14
# County and city pages never show province-wide counts. A county (city) page may only depend on the
# data of the county (city): so every page of a county and a city user is read, then everything outside
# their scope is changed — the other cities' enterprises, institutions, platforms and everything hanging
# from them removed, the province's and other regions' snapshot counts raised — and every page read again:
# each number shown must be the same. A number that moved came from outside the user's scope.


def _numbers_shown(response) -> list[int]:
    body = response.content.decode()
    if not response.get("Content-Type", "").startswith("application/json"):
        body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
        body = re.sub(r"<[^>]+>", " ", body)
    return sorted(int(m.replace(",", "")) for m in re.findall(r"(?<![\d.])\d{1,3}(?:,\d{3})+(?![\d.])|(?<![\d.,])\d+(?![\d.,]\d)", body))


def _read_pages(client, paths) -> dict[str, list[int]]:
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()
    out = {}
    for path in paths:
        response = client.get(path)
        kind = response.get("Content-Type", "")
        if response.status_code == 200 and not response.streaming and kind.startswith(("text/", "application/json")):
            out[path] = _numbers_shown(response)  # a file (a draft's DOCX an id names by chance) is not read
    return out


def _delete_with_what_protects_it(queryset, depth: int = 0) -> None:
    """Delete ``queryset`` and first whatever refers to it through a protected key (the programmes'
    problems and projects, R&D-fund records, an enterprise's login…), as deep as it goes."""
    from collections import defaultdict

    from django.db.models import ProtectedError

    assert depth < 8, "protected references nest deeper than expected"
    while True:
        try:
            queryset.delete()
            return
        except ProtectedError as exc:
            by_model = defaultdict(list)
            for obj in exc.protected_objects:
                by_model[type(obj)].append(obj.pk)
            for model, pks in by_model.items():
                _delete_with_what_protects_it(model._default_manager.filter(pk__in=pks), depth + 1)


def _change_everything_outside(user) -> None:
    from django.db.models import F

    from xinzhi.core.scope import scope_q
    from xinzhi.monitoring.models import EarlyWarning, IndicatorValue
    from xinzhi.platforms.models import Platform, RDInstitution

    for model in (RDInstitution, Platform, Enterprise):  # with everything hanging from them
        _delete_with_what_protects_it(model.objects.exclude(scope_q(model, user)))
    IndicatorValue.objects.exclude(scope_q(IndicatorValue, user)).update(value=F("value") + 1000)
    EarlyWarning.objects.exclude(scope_q(EarlyWarning, user)).delete()


#: the object pages, with the model whose visible records they show: the sweep above fills every id with an
#: enterprise's, which names some other object only by chance — these are read with ids the user may see.
DETAIL_PAGES = {
    "cultivation:draw": "cultivation.SamplingDraw", "evaluation:round": "evaluation.Round",
    "evaluation:submission": "evaluation.Submission", "investment:detail": "investment.InvestmentProject",
    "platforms:institution": "platforms.RDInstitution", "platforms:platform": "platforms.Platform",
    "programs:problem": "programs.Problem", "programs:new_product": "programs.NewProductProject",
    "programs:call": "programs.ResearchCall", "programs:need": "programs.ResearchNeed",
    "programs:scenario": "programs.Scenario", "programs:benchmark_plan": "programs.BenchmarkPlan",
    "supervision:task": "supervision.Task",
    "supervision:case": "supervision.TypicalCase", "unicorns:detail": "unicorns.Company",
}

#: pages the small demo may have nothing for in a county (no draw, no task or case of Xihu)
RARE_IN_SMALL_DEMO = {"cultivation:draw", "platforms:platform", "programs:scenario", "supervision:task",
                      "supervision:case"}


def _detail_pages_in_scope(user, per_page: int = 3) -> list[str]:
    from django.apps import apps
    from django.urls import reverse

    out = []
    for name, label in DETAIL_PAGES.items():
        model = apps.get_model(label)
        visible = model.objects.restrict(user)
        if label == "platforms.Platform":  # its member list names its members wherever they are registered:
            visible = visible.exclude(memberships__enterprise__in=Enterprise.objects.exclude(  # its own record
                pk__in=Enterprise.objects.restrict(user).values("pk")))
        pks = visible.order_by("pk").values_list("pk", flat=True)[:per_page]
        assert pks or name in RARE_IN_SMALL_DEMO, f"{name}: no {label} the user may see, so the page goes unread"
        out += [reverse(name, args=[pk]) for pk in pks]
    return out


@pytest.mark.parametrize("role", ["xihu", "hangzhou"])
def test_county_and_city_pages_never_show_province_wide_counts(client, demo, role):
    user = User.objects.get(username=role)
    own = Enterprise.objects.filter(division_id="330106").order_by("id").first().pk
    paths = sorted({p for route in _patterns() for p in _concrete(route, {"own": own})
                    # the health endpoints report timings in milliseconds, which differ between two reads
                    if not p.startswith(("/accounts/logout", "/i18n/", "/admin/", "/healthz", "/readyz"))})
    paths += ["/?overview", "/monitoring/?period=2025-06", "/monitoring/map/data/?indicator=new_hte&period=2025-06",
              "/monitoring/targets/?year=2025", "/api/v1/enterprises/", "/api/v1/platforms/institutions",
              "/api/v1/platforms/platforms", "/api/v1/monitoring/values?period=2025-06",
              "/api/v1/monitoring/warnings?period=2025-06", "/api/v1/cultivation/counts?year=2025"]
    paths += _detail_pages_in_scope(user)
    client.force_login(user)
    before = _read_pages(client, paths)
    assert len(before) > 20
    _change_everything_outside(user)
    after = _read_pages(client, paths)
    moved = {path: sorted(set(before[path]) ^ set(after.get(path, []))) for path in before
             if before[path] != after.get(path)}
    assert not moved, f"{role}: numbers that depend on data outside the scope: {moved}"


@pytest.mark.parametrize("role", ["xihu", "hangzhou"])
def test_county_register_counts_equal_the_countys_own_aggregate(client, demo, role):
    from xinzhi.platforms.models import Platform, RDInstitution

    user = User.objects.get(username=role)
    client.force_login(user)
    listed = client.get("/enterprises/")
    assert listed.context["page"].paginator.count == Enterprise.objects.restrict(user).count()
    assert f"{Enterprise.objects.restrict(user).count()}" in re.sub(r"<[^>]+>", "", listed.content.decode())
    register = client.get("/platforms/")
    expected = RDInstitution.objects.restrict(user).count()
    assert register.context["page"].paginator.count == expected
    assert client.get("/platforms/?tab=platforms").context["page"].paginator.count == Platform.objects.restrict(user).count()
