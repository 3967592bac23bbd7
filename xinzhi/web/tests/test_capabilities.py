"""The capability table (``accounts.permissions``) and the security matrix generated from it.

Every URL whose view is guarded by ``capability_required`` is requested by every demo role: a role the
table does not list gets 403 (or is sent elsewhere, never shown the page), a role it lists does not get
403. Views not yet labelled are listed in ``UNLABELLED``; the list may only shrink.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from xinzhi.accounts import permissions
from xinzhi.accounts.models import Role, User
from xinzhi.demo.testing import small_demo
from xinzhi.enterprises.models import Enterprise
from xinzhi.web import menu

pytestmark = pytest.mark.django_db
XINZHI = Path(__file__).resolve().parents[2]
ROLES = {"province": Role.PROVINCE_STAFF, "hangzhou": Role.CITY_STAFF, "xihu": Role.COUNTY_STAFF,
         "leader": Role.LEADER, "expert": Role.EXPERT, "enterprise": Role.ENTERPRISE}

#: URL names that need no capability: signing in and out, the language, the landing page that sends each
#: role to its own start page, and the map boundaries (reference geometry for every signed-in user)
PUBLIC = {"login", "logout", "password_change", "password_change_done", "set_language", "home",
          "monitoring:geojson", "healthz", "readyz"}
#: views that still check roles by hand (to be labelled; this list may only shrink)
UNLABELLED: set[str] = set()


# --------------------------------------------------------------------------- the table itself

def test_leaders_have_no_write_capability():
    writes = [c.key for c in permissions.CAPABILITIES.values() if c.write and Role.LEADER in c.roles]
    assert writes == []


def test_every_capability_has_a_chinese_label_and_refusal():
    cjk = re.compile(r"[\u4e00-\u9fff]")
    for capability in permissions.CAPABILITIES.values():
        assert cjk.search(capability.label_zh) and cjk.search(capability.refusal_zh), capability.key
        assert capability.roles <= permissions.ALL_ROLES, capability.key


def test_every_capability_named_in_the_code_exists():
    """``can(user, "x")``, ``require(user, "x")``, ``capability_required("x")`` and ``|can:"x"`` with an
    unknown key would raise at run time only: find them all in the source."""
    used = set()
    pattern = re.compile(r"""(?:\bcan|\brequire|capability_required|\|can:)\(?\s*(?:[\w.]+,\s*)?["']([a-z_]+\.[a-z_.]+)["']""")
    for path in list(XINZHI.rglob("*.py")) + list(XINZHI.rglob("*.html")):
        if "tests" in path.parts:
            continue
        used |= set(pattern.findall(path.read_text(encoding="utf-8")))
    for item in menu.MAIN_MENU + menu.CULTIVATION_MENU + menu.PLATFORMS_MENU:
        used |= {item.capability} | ({item.unless} if item.unless else set())
    assert used, "the pattern found no capability in the code"
    assert used - set(permissions.CAPABILITIES) == set()


def test_can_explains_a_refusal_and_superusers_may_do_everything():
    leader = User(username="l", role=Role.LEADER, division_id="330000")
    decision = permissions.can(leader, "imports.run")
    assert not decision and decision.reason == "无权导入数据"
    assert permissions.can(leader, "monitoring.view")
    unbound = User(username="s", role=Role.COUNTY_STAFF)
    assert permissions.can(unbound, "monitoring.view").reason == "您的账号尚未绑定区划或企业，请联系管理员"
    root = User(username="r", role=Role.EXPERT, is_superuser=True)
    assert all(permissions.can(root, key) for key in permissions.CAPABILITIES)
    with pytest.raises(KeyError):
        permissions.can(leader, "monitoring.veiw")


def test_predicates_decide_by_department_and_level():
    from xinzhi.regions.models import Division

    city = User(username="c", role=Role.CITY_STAFF, division_id="330100", department="economy_it")
    assert permissions.can(city, "cultivation.am_list.propose")
    assert not permissions.can(city, "cultivation.am_list.confirm")
    tax = User(username="t", role=Role.CITY_STAFF, division_id="330100", department="tax")
    assert permissions.can(tax, "cultivation.am_list.confirm")
    xihu, ningbo_county = Division.objects.get(code="330106"), Division.objects.get(code="330203")
    assert permissions.can(city, "monitoring.target.edit", xihu)
    assert permissions.can(city, "monitoring.target.edit", ningbo_county).reason == "只能修改下一级地区的目标（省定市、市定县）"


# --------------------------------------------------------------------------- the generated matrix

@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), small_demo(seed=3, months=[(2025, 6)]):
        yield


def _views(resolver=None, prefix="", namespace=""):
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _views(p, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{namespace}{p.name}", prefix + str(p.pattern), p.callback


def _site_views():
    return [(name, route, view) for name, route, view in _views()
            if not route.startswith(("admin/", "api/")) and not name.startswith("api-v1:")]


def test_every_view_is_labelled_public_or_listed():
    names = {name for name, _, _ in _site_views()}
    labelled = {name for name, _, view in _site_views() if getattr(view, "capability", None)}
    unaccounted = names - labelled - PUBLIC - UNLABELLED
    assert unaccounted == set(), f"give these views a capability (accounts/permissions.py): {sorted(unaccounted)}"
    assert labelled & UNLABELLED == set(), f"labelled now, remove from UNLABELLED: {sorted(labelled & UNLABELLED)}"


def test_each_labelled_view_answers_each_role_as_the_table_says(client, demo):
    own = Enterprise.objects.filter(division_id="330106").order_by("id").first().pk
    checked = 0
    for _name, route, view in _site_views():
        key = getattr(view, "capability", None)
        if key is None:
            continue
        path = "/" + re.sub(r"<int:[^>]+>", str(own), route)
        path = re.sub(r"<[^>]+>", "x", path)
        allowed_roles = permissions.roles_with(key)
        for username, role in ROLES.items():
            user = User.objects.get(username=username)
            client.force_login(user)
            status = client.get(path).status_code
            if role in allowed_roles or user.is_superuser:  # the demo province login is the administrator
                assert status != 403, f"{username} ({role}) may {key} but got 403 at {path}"
            else:
                assert status in (403, 302), f"{username} ({role}) may not {key} but got {status} at {path}"
            checked += 1
    assert checked >= 6 * 4


def test_menu_offers_only_what_the_table_allows(client, demo):
    for username in ROLES:
        user = User.objects.get(username=username)
        for item in menu.MAIN_MENU:
            assert not item.visible(user) or permissions.can(user, item.capability), (username, item.url_name)
    leader = User.objects.get(username="leader")
    labels = [e["label"] for e in menu.entries(menu.MAIN_MENU, leader, "/")]
    assert "数据导入" not in labels and "驾驶舱" in labels
    enterprise = User.objects.get(username="enterprise")
    labels = [e["label"] for e in menu.entries(menu.MAIN_MENU, enterprise, "/")]
    assert labels[:2] == ["研发机构申报", "本企业画像"] and "企业库" not in labels
