"""Help pages: each role gets its own Chinese help page from the menu, province staff may open the others,
the Markdown's raw HTML is escaped, and the annual package form links each section to the field guide."""

from __future__ import annotations

import re
from html import unescape

import pytest

from xinzhi.accounts.models import User
from xinzhi.accounts.services import create_demo_users
from xinzhi.core.tests.helpers import make_enterprise
from xinzhi.web import helppages

pytestmark = pytest.mark.django_db

#: demo login → (URL slug, Chinese title of its page)
EXPECTED = {"province": ("province", "省级工作人员使用帮助"), "hangzhou": ("city", "市、县级工作人员使用帮助"),
            "xihu": ("county", "市、县级工作人员使用帮助"), "leader": ("leader", "领导使用帮助"),
            "enterprise": ("enterprise", "企业用户使用帮助"), "expert": ("expert", "评审专家使用帮助")}
#: product names that appear on the screens themselves (buttons such as 导出Excel), and the standard's prefix
ALLOWED_LATIN = {"Excel", "Word", "PDF", "CSV"}


@pytest.fixture
def users(db):
    make_enterprise()
    create_demo_users()
    return {u.username: u for u in User.objects.all()}


def _article(html: str) -> str:
    return re.search(r'<article class="card help"[^>]*>(.*?)</article>', html, re.S).group(1)


def _text(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize("username", list(EXPECTED))
def test_each_role_gets_its_own_chinese_help_page_from_the_menu(client, users, username):
    slug, title = EXPECTED[username]
    client.force_login(users[username])
    home = client.get("/help/")
    assert home.status_code == 200
    html = home.content.decode()
    assert f"<h1>{title}</h1>" in html
    assert 'href="/help/"' in html  # the user menu offers it on every page
    text = _text(_article(html))
    assert len(re.findall(r"[\u4e00-\u9fff]", text)) > 400  # a real page, not a stub
    latin = set(re.findall(r"[A-Za-z]{2,}", text))
    assert latin <= ALLOWED_LATIN, latin
    assert "常见问题" in text and "遇到问题找谁" in text
    landing = client.get("/", follow=True)  # each role's start page (cockpit, own profile, review tasks)
    assert landing.status_code == 200 and landing.redirect_chain
    assert re.search(r'<div class="who-menu">.*href="/help/">使用帮助</a>', landing.content.decode(), re.S)


def test_city_and_county_see_only_their_own_parts(client, users):
    client.force_login(users["hangzhou"])
    city = _text(_article(client.get("/help/").content.decode()))
    client.force_login(users["xihu"])
    county = _text(_article(client.get("/help/").content.decode()))
    assert "设区市经信局的工作人员" in city and "设区市经信局的工作人员" not in county
    assert "县（市、区）经信局的工作人员" in county and "县（市、区）经信局的工作人员" not in city
    assert "<!--" not in city + county


def test_province_opens_every_roles_page_and_others_may_not(client, users):
    client.force_login(users["province"])
    page = client.get("/help/").content.decode()
    for slug in helppages.PAGES:
        assert f'href="/help/{slug}/"' in page or f"<strong>{helppages.render(slug).role_label}</strong>" in page
        assert client.get(f"/help/{slug}/").status_code == 200
    assert client.get("/help/nobody/").status_code == 404
    client.force_login(users["xihu"])
    assert client.get("/help/province/").status_code == 403
    assert "各角色的使用帮助" not in client.get("/help/").content.decode()


def test_raw_html_in_the_markdown_is_escaped(tmp_path, monkeypatch):
    (tmp_path / "leader.md").write_text(
        "# 标题\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[点我](javascript:alert(1))\n",
        encoding="utf-8")
    monkeypatch.setattr(helppages, "HELP_DIR", tmp_path)
    helppages.render.cache_clear()
    try:
        html = helppages.render("leader").html
    finally:
        helppages.render.cache_clear()
    assert "<script" not in html and "<img" not in html and 'href="javascript' not in html
    assert "&lt;script&gt;" in html


def test_select_parts_keeps_only_the_roles_part():
    text = "共同\n<!-- city -->\n市\n<!-- end -->\n<!-- county -->\n县\n<!-- end -->\n尾\n"
    assert helppages.select_parts(text, "city") == "共同\n市\n尾\n"
    assert helppages.select_parts(text, "county") == "共同\n县\n尾\n"


def test_field_notes_lose_internal_codes():
    assert helppages.plain_doc("audit=查账征收，deemed=核定征收；取值：`audit`=查账征收、`deemed`=核定征收",
                               {"audit": "查账征收", "deemed": "核定征收"}) == "可选：查账征收、核定征收"
    assert helppages.plain_doc("不填=未说明；false 且符合条件时列入应享尽享清单", {"true": "是", "false": "否"}) == \
        "不填=未说明；填“否”且符合条件时列入应享尽享清单"


def test_package_field_guide_has_every_form_section_in_chinese(client, users):
    from xinzhi.cultivation.services.packages import form_sections

    client.force_login(users["enterprise"])
    response = client.get("/help/package/")
    assert response.status_code == 200
    html = response.content.decode()
    for key, title, fields in form_sections():
        assert f'id="sec-{key}"' in html and f"<h2>{title}</h2>" in html
        for f in fields:
            assert f'id="f-{f.path}"' in html
    body = _text(html.split("<main>", 1)[1])
    latin = set(re.findall(r"[A-Za-z]{2,}", body)) - ALLOWED_LATIN - {"GB"}
    assert latin == set(), latin
    client.force_login(users["expert"])
    assert client.get("/help/package/").status_code == 403


def test_package_form_links_each_section_to_the_field_guide(client, users):
    from xinzhi.cultivation.services.packages import form_sections

    enterprise = users["enterprise"]
    client.force_login(enterprise)
    html = client.get(f"/cultivation/package/{enterprise.enterprise_id}/2024/").content.decode()
    for key, _title, _fields in form_sections():
        assert f'href="/help/package/#sec-{key}"' in html


def test_in_english_the_chrome_is_translated_and_the_help_text_stays_chinese(client, users):
    from django.conf import settings
    from django.utils import translation

    client.force_login(users["enterprise"])
    try:
        client.post("/i18n/setlang/", {"language": "en", "next": "/help/"})
        html = client.get("/help/").content.decode()
        assert "<title>Help · 企业用户" in html and ">Help</a>" in html  # title and user menu
        assert "<h1>企业用户使用帮助</h1>" in html
        guide = client.get("/help/package/").content.decode()
        assert "<h1>Annual data package: field guide</h1>" in guide and "<th>Required</th>" in guide
    finally:
        translation.activate(settings.LANGUAGE_CODE)
