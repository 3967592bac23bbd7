"""What a person sees, in a real browser: login per role, the register, a profile with its chart."""

import pytest

from .conftest import log_in, screenshot

ROLES = ["province", "hangzhou", "xihu", "leader", "expert", "enterprise"]


@pytest.mark.parametrize("username", ROLES)
def test_each_role_logs_in_and_lands_on_its_page(page, live_site, username):
    log_in(page, live_site, username)
    assert "/accounts/login/" not in page.url
    header = page.inner_text("header.top")
    if username == "enterprise":
        assert "/enterprises/" in page.url and page.inner_text("h1")  # its own profile
    else:
        assert "可见企业" in page.inner_text("main")
    assert "退出" in header
    screenshot(page, f"landing-{username}")


def test_wrong_password_shows_chinese_error(page, live_site):
    log_in(page, live_site, "xihu", "not-the-password")
    assert "用户名或密码错误" in page.inner_text("main")


def test_register_search_and_profile_chart(page, live_site):
    log_in(page, live_site, "hangzhou")
    page.goto(live_site + "/enterprises/")
    total = page.inner_text("h1")
    assert "共" in total
    rows = page.locator("table.data tbody tr")
    assert rows.count() > 0
    # every listed enterprise is in Hangzhou (its county names are Hangzhou's)
    page.select_option("select[name=division]", "330106")
    with page.expect_navigation():
        page.click("button.primary")
    assert all(cell == "西湖区" for cell in page.locator("table.data tbody tr td:nth-child(3)").all_inner_texts())
    screenshot(page, "register-xihu")
    with page.expect_navigation():
        page.locator("table.data tbody tr td a").first.click()
    page.wait_for_selector("#revenue-chart canvas")
    assert page.locator("#revenue-chart canvas").count() >= 1
    screenshot(page, "enterprise-profile")


def test_county_user_cannot_open_another_countys_profile_by_url(page, live_site):
    log_in(page, live_site, "hangzhou")
    page.goto(live_site + "/enterprises/?division=330200")  # Ningbo: outside Hangzhou
    assert page.locator("table.data tbody tr td a").count() == 0
    log_in(page, live_site, "province")
    page.goto(live_site + "/enterprises/?division=330200")  # any Ningbo enterprise
    href = page.locator("table.data tbody tr td a").first.get_attribute("href")
    log_in(page, live_site, "xihu")
    response = page.goto(live_site + href)
    assert response.status == 404
