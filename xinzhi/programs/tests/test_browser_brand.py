"""The standards page's summary as of a date and the 品字标 certificate register in headless Chromium on the small
demo: the province reads the summary on a chosen date, the enterprise records a certificate (a validity ending
before the issue date answered in Chinese) and finds it in force in the list, and the summary at 390 px.
Screenshots ``brand-*.png`` go to ``test-output/screenshots``. Records made here carry a unique number (the demo
server is shared)."""

from __future__ import annotations

import uuid

from xinzhi.web.tests.browser_fixtures import log_in, screenshot


def test_province_summary_as_of_a_date(page, live_site):
    log_in(page, live_site, "province")
    page.goto(live_site + "/programs/standards/")
    page.fill("#standards-summary input[name=as_of]", "2025-12-31")
    with page.expect_navigation():
        page.click("#standards-summary button[type=submit]")
    summary = page.inner_text("#standards-summary")
    assert "截至 2025-12-31" in summary and "持有效品字标证书的企业" in summary
    assert int(page.inner_text("[data-key=lead]").replace(",", "")) > 0
    screenshot(page, "brand-01-summary")
    with page.expect_navigation():
        page.click("text=品字标认证证书")
    assert page.locator("table.data tbody tr").count() >= 1
    screenshot(page, "brand-02-certificates")


def test_enterprise_records_a_certificate(page, live_site):
    log_in(page, live_site, "enterprise")
    page.goto(live_site + "/programs/standards/brand-certificates/")
    number = f"ZZ-BROWSER-{uuid.uuid4().hex[:8]}"
    page.fill("#certificate-form input[name=product]", "浏览器测试产品")
    page.fill("#certificate-form input[name=number]", number)
    page.fill("#certificate-form input[name=standard_number]", "T/ZZB 0001-2025")
    page.fill("#certificate-form input[name=certifier]", "某认证机构")
    page.fill("#certificate-form input[name=issued_on]", "2025-03-01")
    page.fill("#certificate-form input[name=valid_until]", "2025-02-01")
    with page.expect_navigation():
        page.click("#certificate-form button[type=submit]")
    assert "有效期至不能早于发证日期" in page.inner_text(".messages")
    page.fill("#certificate-form input[name=product]", "浏览器测试产品")
    page.fill("#certificate-form input[name=number]", number)
    page.fill("#certificate-form input[name=standard_number]", "T/ZZB 0001-2025")
    page.fill("#certificate-form input[name=certifier]", "某认证机构")
    page.fill("#certificate-form input[name=issued_on]", "2025-03-01")
    page.fill("#certificate-form input[name=valid_until]", "2028-02-28")
    with page.expect_navigation():
        page.click("#certificate-form button[type=submit]")
    assert "品字标认证证书已登记" in page.inner_text(".messages")
    page.goto(live_site + f"/programs/standards/brand-certificates/?on=2025-06-30&q={number}")
    row = page.locator("table.data tbody tr").first.inner_text()
    assert number in row and "有效" in row
    screenshot(page, "brand-03-recorded")


def test_summary_at_390px(page, live_site):
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_site, "xihu")
    page.goto(live_site + "/programs/standards/?as_of=2025-12-31")
    assert page.locator("#standards-summary").count() == 1
    screenshot(page, "brand-04-narrow")
