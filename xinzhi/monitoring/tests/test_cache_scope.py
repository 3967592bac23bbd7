"""Issue 12 item 7: every cache is keyed by exactly what ``restrict()`` uses.

Before: the cockpit body was cached per home division only, while its content depended on the user's
scope — a superuser bound to 西湖区 cached a 西湖区 cockpit with province-wide warnings, which xihu's
staff were then served; an account with no valid scope could fill a cache entry that others read.
"""

import pytest
from django.core.cache import caches

from xinzhi.accounts.models import User
from xinzhi.demo.testing import small_demo
from xinzhi.monitoring.models import EarlyWarning

pytestmark = pytest.mark.django_db
COCKPIT = "/monitoring/?period=2025-06"


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), small_demo(seed=7, months=[(2025, 6)]) as users:
        yield users


def _cache_entries() -> set[str]:
    """Keys of the per-process caches that hold answers (not the page header fragment, which is per user)."""
    return {key for alias in ("default", "responses") for key in caches[alias]._cache
            if "template.cache" not in key}


def _warning_regions(page) -> set[str]:
    """The regions named in the cockpit's warning list (read from the HTML: a cached body has no context)."""
    from xinzhi.regions.models import Division

    html = page.content.decode()
    assert html.count('<ul class="warnings">') <= 1
    listed = html.split('<ul class="warnings">', 1)[1].split("</ul>", 1)[0] if '<ul class="warnings">' in html else ""
    names = dict(Division.objects.values_list("name", "code"))
    return {names[name] for name in names if f" {name}：" in listed}


def test_superuser_bound_to_a_county_does_not_leak_province_warnings_to_the_county(client, demo):
    assert EarlyWarning.objects.filter(year=2025, month=6).exclude(scope_code__startswith="330106").exists()
    root = User.objects.create_superuser("root-xihu", password="x", division_id="330106")
    client.force_login(root)
    own = client.get(COCKPIT)
    assert own.status_code == 200 and _warning_regions(own)
    # the cockpit is about the division it shows: 西湖区's warnings only, even for a superuser
    assert all(code.startswith("330106") for code in _warning_regions(own))
    client.force_login(demo["xihu"])
    page = client.get(COCKPIT)
    assert page.status_code == 200
    assert all(code.startswith("330106") for code in _warning_regions(page)), _warning_regions(page)


def test_province_cockpit_is_not_blanked_by_an_unscoped_account(client, demo):
    nobody = User.objects.create_user("nodiv", password="x", role="province_staff", division=None, is_staff=True)
    client.force_login(nobody)
    before = _cache_entries()
    page = client.get(COCKPIT)
    assert page.status_code == 403
    assert "尚未绑定" in page.content.decode()
    map_data = client.get("/monitoring/map/data/?indicator=rd_intensity&period=2025-06")
    assert map_data.status_code == 403
    api = client.get("/api/v1/monitoring/warnings?period=2025-06")
    assert api.status_code == 403 and "尚未绑定" in api.json()["detail"]
    assert _cache_entries() - before <= {k for k in _cache_entries() if "snapshots_latest" in k}, _cache_entries()  # nothing cached for an account without a scope
    client.force_login(demo["province"])
    province = client.get(COCKPIT)
    assert province.status_code == 200
    assert province.context["key_cards"][3]["v"] is not None
    assert len(province.context["child_rows"]) == 11
    client.force_login(demo["leader"])  # the same scope: served the same body from the cache
    leader = client.get(COCKPIT).content.decode()
    assert all(row["division"].name in leader for row in province.context["child_rows"])


def test_scope_key_matches_restrict_for_every_kind_of_account(demo):
    """Two accounts share a cache key exactly when restrict() gives them the same rows."""
    from xinzhi.core.scope import scope_key
    from xinzhi.enterprises.models import Enterprise

    accounts = list(User.objects.filter(username__in=["province", "hangzhou", "xihu", "leader", "expert", "enterprise"]))
    accounts += [
        User(username="root-xihu", is_superuser=True, division_id="330106", role="county_staff"),
        User(username="nodiv", role="province_staff", division_id=None),
        User(username="city-leader", role="leader", division_id="330100"),
        User(username="noent", role="enterprise", enterprise_id=None),
    ]
    rows = {}
    for user in accounts:
        user.is_active = True
        rows[user.username] = (scope_key(user), frozenset(Enterprise.objects.restrict(user).values_list("id", flat=True)))
    for a, (key_a, ids_a) in rows.items():
        for b, (key_b, ids_b) in rows.items():
            if key_a == key_b:
                assert ids_a == ids_b, (a, b)
    assert rows["city-leader"][0] == rows["hangzhou"][0]
    assert rows["root-xihu"][0] != rows["xihu"][0]
