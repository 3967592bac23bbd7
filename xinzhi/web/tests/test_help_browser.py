"""The help page in a real browser: found through the user menu, readable, and the package form's field
help opens the field guide at the section."""

from .browser_fixtures import log_in, screenshot


def test_county_user_opens_help_from_the_user_menu(page, live_site):
    log_in(page, live_site, "xihu")
    page.click("header.top details.who summary")
    with page.expect_navigation():
        page.click("header.top .who-menu a:has-text('使用帮助')")
    assert page.url.endswith("/help/")
    assert page.inner_text("h1") == "市、县级工作人员使用帮助"
    article = page.inner_text("article.help")
    assert "每月 5 日前" in article and "设区市经信局的工作人员" not in article
    assert page.locator("article.help table").count() == 1  # the colour table
    screenshot(page, "help-county")


def test_package_form_section_link_opens_the_field_guide(page, live_site):
    log_in(page, live_site, "enterprise")
    with page.expect_navigation():
        page.click("header.top nav a:has-text('年度数据包')")
    page.wait_for_load_state("networkidle")
    link = page.locator("legend a.field-help").nth(1)
    href = link.get_attribute("href")
    assert href == "/help/package/#sec-revenue"
    page.goto(live_site + href)
    assert page.inner_text("h1") == "年度数据包字段说明"
    assert "销售收入" in page.inner_text("#sec-revenue")
    screenshot(page, "help-package-fields")
