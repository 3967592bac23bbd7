"""The application-scenario pages in headless Chromium on the small demo (issue 17 item 4): the province's
catalogue with the counts by city, a county opening a scenario through the form (a missing provider
answered in Chinese, what was typed kept), the enterprise applying a product, the county recording the
progress. Screenshots ``scenarios-*.png`` go to ``test-output/screenshots``.

The demo server is shared by the browser tests of a worker: every record a test makes carries a unique name."""

from __future__ import annotations

import uuid

from xinzhi.web.tests.browser_fixtures import log_in, screenshot


def test_catalogue_open_apply_and_progress(page, live_site):
    log_in(page, live_site, "province")
    page.goto(live_site + "/programs/scenarios/")
    counts = page.inner_text("#counts")
    assert "杭州市" in counts and "合计" in counts and "嘉政办发〔2025〕17号" in counts
    assert page.locator("table.data tbody tr").count() > 5
    screenshot(page, "scenarios-01-catalogue")
    with page.expect_navigation():
        page.locator("table.data tbody tr a").first.click()
    assert "报名产品与对接进展" in page.inner_text("main")
    screenshot(page, "scenarios-02-detail")

    page.context.clear_cookies()
    log_in(page, live_site, "xihu")
    name = f"浏览器测试场景{uuid.uuid4().hex[:6]}"
    page.goto(live_site + "/programs/scenarios/new/")
    page.fill("#scenario-form input[name=name]", name)
    page.fill("#scenario-form input[name=field]", "智慧医疗")
    page.fill("#scenario-form textarea[name=need]", "病区物资配送")
    page.fill("#scenario-form input[name=deadline]", "2099-12-31")
    with page.expect_navigation():
        page.click("#scenario-form button[type=submit]")
    assert "场景提供方不能为空" in page.inner_text(".messages")
    assert page.input_value("#scenario-form input[name=name]") == name
    screenshot(page, "scenarios-03-form-error")
    page.fill("#scenario-form input[name=provider]", "西湖区人民医院")
    page.select_option("#scenario-form select[name=provider_kind]", "hospital")
    with page.expect_navigation():
        page.click("#scenario-form button[type=submit]")
    assert "已开放应用场景" in page.inner_text(".messages")
    url = page.url

    page.context.clear_cookies()
    log_in(page, live_site, "enterprise")
    page.goto(url)
    page.fill("#apply-form input[name=product]", "病房配送机器人")
    with page.expect_navigation():
        page.click("#apply-form button[type=submit]")
    assert "已报名" in page.inner_text(".messages")
    screenshot(page, "scenarios-04-applied")

    page.context.clear_cookies()
    log_in(page, live_site, "xihu")
    page.goto(url)
    with page.expect_navigation():
        page.click("#matches button[type=submit]")
    assert "已登记对接进展" in page.inner_text(".messages") and "对接中" in page.inner_text("#matches")
    with page.expect_navigation():
        page.click("#scenario-match button[type=submit]")
    assert page.inner_text("#state") == "已对接"
    screenshot(page, "scenarios-05-matched")
