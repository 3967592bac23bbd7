"""In a real browser on ``xinzhi serve`` without a broker (``make run``): a report generated in the
background — the job page follows its progress and ends with the file — and the notice of it counted in
the header's badge and listed in the inbox."""

from xinzhi.web.tests.browser_fixtures import log_in, screenshot


def test_a_background_report_and_its_notice(page, live_site):
    log_in(page, live_site, "hangzhou")
    page.goto(live_site + "/monitoring/reports/")
    with page.expect_navigation():
        page.click("#generate-form button[type=submit]")
    assert "/jobs/" in page.url
    page.wait_for_selector("#job-file:not([hidden])", timeout=120_000)  # the page reloads when the job ends
    assert "已完成" in page.inner_text("#job-status")
    assert page.inner_text("#job-file").startswith("下载结果文件：杭州市")
    screenshot(page, "job-done")
    with page.expect_download() as download:
        page.click("#job-file")
    assert download.value.suggested_filename.endswith(".docx")
    page.wait_for_selector("#inbox-link .badge:not([hidden])")
    assert int(page.inner_text("#inbox-link .badge")) >= 1
    with page.expect_navigation():
        page.click("#inbox-link")
    assert "任务完成：生成杭州市" in page.inner_text("#inbox")
    screenshot(page, "inbox")
    with page.expect_navigation():
        page.click("#inbox-form button[name=all]")
    assert page.locator("#inbox-link .badge").is_hidden()
    page.goto(live_site + "/jobs/")
    assert "已完成" in page.inner_text("#job-list")
