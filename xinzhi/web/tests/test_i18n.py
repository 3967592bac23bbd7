"""The interface language: Simplified Chinese by default, English when chosen in the header switcher.

The templates keep Chinese as the msgid (the source language of this UI); English comes from
``xinzhi/locale/en/LC_MESSAGES/django.po`` and, for apps that keep their own, ``xinzhi/<app>/locale/…``
(Django reads every installed app's ``locale/``), each compiled into the committed ``django.mo``. These
tests also guard every catalogue: every entry translated, the ``.mo`` in step with the ``.po``, and no
Chinese text left unwrapped in the templates.
"""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from xinzhi.accounts.models import User
from xinzhi.accounts.services import create_demo_users

pytestmark = pytest.mark.django_db

XINZHI = Path(__file__).resolve().parents[2]
PO = XINZHI / "locale" / "en" / "LC_MESSAGES" / "django.po"
#: the project catalogue and the apps' own (an app with many strings keeps them beside its code)
CATALOGUES = sorted(XINZHI.glob("**/locale/en/LC_MESSAGES/django.po"))
CJK = re.compile(r"[\u4e00-\u9fff]")
CHINESE_NAV = ["驾驶舱", "专题地图", "企业库", "简报与报告", "退出"]
ENGLISH_NAV = ["Cockpit", "Thematic map", "Enterprise register", "Briefings and reports", "Log out"]
#: Chinese that is data, not interface text: the prefilled official name of a new R&D institution
UNWRAPPED_ALLOWED = {"研发中心"}


@pytest.fixture(autouse=True)
def _restore_default_language():
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def province(db):
    create_demo_users()
    return User.objects.get(username="province")


def _switch(client, language: str, next_url: str = "/"):
    response = client.post("/i18n/setlang/", {"language": language, "next": next_url})
    assert response.status_code == 302 and response["Location"] == next_url
    return response


def _text(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_default_is_chinese_even_for_an_english_browser(client, province):
    client.force_login(province)
    page = _text(client.get("/monitoring/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9"))
    assert all(label in page for label in CHINESE_NAV)
    assert "Cockpit" not in page and 'lang="zh-hans"' in page
    assert 'action="/i18n/setlang/"' in page and 'name="language"' in page  # the switcher
    assert 'value="en"' in page and "English" in page and "简体中文" in page


def test_choosing_english_translates_cockpit_register_and_login(client, province):
    _switch(client, "en", "/accounts/login/")
    login = _text(client.get("/accounts/login/"))
    assert "Log in to Xinzhi" in login and "Username" in login and "Password" in login
    assert "登录新质平台" not in login and "用户名" not in login and 'lang="en"' in login

    client.force_login(province)
    cockpit = _text(client.get("/monitoring/"))
    assert all(label in cockpit for label in ENGLISH_NAV)
    assert not any(label in cockpit for label in CHINESE_NAV)
    assert "monitoring cockpit" in cockpit

    register = _text(client.get("/enterprises/"))
    assert "Enterprise register" in register and "Unified social credit code" in register
    assert "Page 1 of" in register and "企业库" not in register and "统一社会信用代码" not in register


def test_switching_back_to_chinese(client, province):
    client.force_login(province)
    _switch(client, "en", "/enterprises/")
    assert "Enterprise register" in _text(client.get("/enterprises/"))
    _switch(client, "zh-hans", "/enterprises/")
    page = _text(client.get("/enterprises/"))
    assert "企业库" in page and "统一社会信用代码" in page and "Enterprise register" not in page


def test_view_messages_follow_the_language(client, province):
    client.force_login(province)
    _switch(client, "en", "/accounts/tokens/")
    response = client.post("/accounts/tokens/issue/", {"name": ""}, follow=True)
    assert "Please enter what the token is for" in _text(response)


def _po_entries(po: Path = PO) -> list[tuple[str, str, list[str]]]:
    """(msgid, msgstr, flags) for every entry of the .po, header excluded; wrapped strings joined."""
    entries, flags, current, field = [], [], {}, None
    for line in [*po.read_text(encoding="utf-8").splitlines(), ""]:
        if line.startswith("#,"):
            flags += [f.strip() for f in line[2:].split(",")]
        elif line.startswith(("msgid ", "msgstr ")):
            field, _, literal = line.partition(" ")
            current[field] = ast.literal_eval(literal)
        elif line.startswith('"') and field:
            current[field] += ast.literal_eval(line)
        elif not line.strip() and current:
            if current.get("msgid"):
                entries.append((current["msgid"], current.get("msgstr", ""), flags))
            flags, current, field = [], {}, None
    return entries


def test_every_msgid_has_an_english_translation():
    assert len(_po_entries()) > 300
    entries = [entry for po in CATALOGUES for entry in _po_entries(po)]
    untranslated = [msgid for msgid, msgstr, _ in entries if not msgstr.strip()]
    fuzzy = [msgid for msgid, _, flags in entries if "fuzzy" in flags]
    assert not untranslated, f"untranslated: {untranslated[:10]}"
    assert not fuzzy, f"fuzzy (not compiled): {fuzzy[:10]}"
    for msgid, msgstr, _ in entries:  # the English keeps every placeholder of the Chinese
        assert sorted(re.findall(r"%\(\w+\)s", msgid)) == sorted(re.findall(r"%\(\w+\)s", msgstr)), msgid
        assert msgstr != msgid, f"the Chinese was copied, not translated: {msgid}"


def test_committed_mo_matches_the_po():
    """The .mo is committed so nobody needs GNU gettext; it must have been recompiled after the last .po edit."""
    for po in CATALOGUES:
        with po.with_suffix(".mo").open("rb") as fh:
            catalogue = gettext.GNUTranslations(fh)
        stale = [msgid for msgid, msgstr, _ in _po_entries(po) if catalogue.gettext(msgid) != msgstr]
        assert not stale, f"{po.relative_to(XINZHI)}: .mo out of date (msgfmt -o django.mo django.po): {stale[:10]}"


def test_no_chinese_left_unwrapped_in_templates():
    leftovers = []
    for path in sorted(XINZHI.glob("*/templates/**/*.html")):
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"\{% blocktranslate.*?%\}.*?\{% endblocktranslate %\}", "", text, flags=re.S)
        text = re.sub(r"\{% translate .*?%\}", "", text)
        text = re.sub(r"\{#.*?#\}", "", text, flags=re.S)
        text = re.sub(r"""_\((".*?"|'.*?')\)""", "", text)
        for allowed in UNWRAPPED_ALLOWED:
            text = text.replace(allowed, "")
        leftovers += [f"{path.relative_to(XINZHI)}: {line.strip()}" for line in text.splitlines() if CJK.search(line)]
    assert not leftovers, "\n".join(leftovers)


def test_cached_cockpit_body_is_kept_per_language(client, province):
    """The cockpit body is cached per region and month; a Chinese copy must not be served in English."""
    client.force_login(province)
    chinese = _text(client.get("/monitoring/"))
    assert "尚无监测结果" in chinese or "五项年度目标" in chinese
    _switch(client, "en", "/monitoring/")
    english = _text(client.get("/monitoring/"))
    assert "No monitoring results yet" in english or "Five annual targets" in english
    assert "尚无监测结果" not in english and "五项年度目标" not in english


def test_indicator_names_follow_the_language():
    """Pages name indicators through ``indicator_names()``: the catalogue's English names in English."""
    from xinzhi.monitoring.catalogue import load_catalogue
    from xinzhi.monitoring.selectors import indicator_names

    catalogue = {i.id: i for i in load_catalogue()}
    with translation.override("en"):
        english = indicator_names()
    with translation.override("zh-hans"):
        chinese = indicator_names()
    assert english and english.keys() == chinese.keys()
    for key, ind in catalogue.items():
        assert chinese[key]["name"] == ind.name_zh and chinese[key]["short"] == ind.short_zh
        assert english[key]["name"] == ind.name_en and not CJK.search(english[key]["name"])
