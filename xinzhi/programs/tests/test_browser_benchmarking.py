"""The benchmarking (对标达标) pages in headless Chromium on the small demo: the province's per-cluster summary
as of a date, a cluster's plans in the shared table, the enterprise recording a plan and then its result (a
result dated before the plan answered in Chinese), and the summary at 390 px. Screenshots ``benchmarking-*.png``
go to ``test-output/screenshots``. Records made here carry a unique name (the demo server is shared)."""

from __future__ import annotations

import uuid

from xinzhi.web.tests.browser_fixtures import log_in, screenshot


def test_province_summary_and_a_cluster(page, live_site):
    log_in(page, live_site, "province")
    page.goto(live_site + "/programs/standards/")
    with page.expect_navigation():
        page.click("text=对标达标（按415X集群）")
    page.fill("input[name=on]", "2026-11-30")
    with page.expect_navigation():
        page.click("form.filters button[type=submit]")
    rows = page.locator("#by-cluster tbody tr")
    assert rows.count() >= 3
    assert "未归属415X集群" in page.inner_text("#by-cluster")
    screenshot(page, "benchmarking-01-summary")
    first = rows.first.locator("td").all_inner_texts()
    plans = int(first[2].replace(",", ""))
    with page.expect_navigation():
        rows.first.locator("a").click()
    assert first[0] in page.inner_text("h1")
    assert page.locator("table.data tbody tr").count() == min(plans, 50) or plans > 50
    screenshot(page, "benchmarking-02-cluster")


def test_enterprise_records_a_plan_and_its_result(page, live_site):
    log_in(page, live_site, "enterprise")
    page.goto(live_site + "/programs/standards/benchmarking/")
    product = f"浏览器测试产品{uuid.uuid4().hex[:6]}"
    page.fill("#plan-form input[name=product]", product)
    page.fill("#plan-form input[name=benchmark]", "ISO 9283:1998 工业机器人性能规范")
    page.select_option("#plan-form select[name=level]", "intl_standard")
    page.fill("#plan-form textarea[name=indicators]", "重复定位精度、节拍")
    page.fill("#plan-form input[name=planned_on]", "2026-03-01")
    with page.expect_navigation():
        page.click("#plan-form button[type=submit]")
    assert "对标方案已登记" in page.inner_text(".messages")
    page.goto(live_site + "/programs/standards/benchmarking/?cluster=none&on=2026-12-31")
    if product not in page.inner_text("main"):  # the demo enterprise's industry may be in a cluster: find it
        page.goto(live_site + "/programs/standards/benchmarking/?on=2026-12-31")
        for link in page.locator("#by-cluster tbody a").all():
            href = link.get_attribute("href")
            page.goto(live_site + href)
            if product in page.inner_text("main"):
                break
    with page.expect_navigation():
        page.click(f"text={product}")
    page.fill("#result-form input[name=result_on]", "2026-02-01")
    with page.expect_navigation():
        page.click("#result-form button[type=submit]")
    assert "结果日期不能早于方案发布日期" in page.inner_text(".messages")
    page.select_option("#result-form select[name=result]", "leading")
    page.fill("#result-form input[name=result_on]", "2026-09-01")
    with page.expect_navigation():
        page.click("#result-form button[type=submit]")
    assert "对标结果已登记" in page.inner_text(".messages")
    assert "领先（2026-09-01）" in page.inner_text("#plan")
    screenshot(page, "benchmarking-03-plan")


def test_summary_at_390px(page, live_site):
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_site, "xihu")
    page.goto(live_site + "/programs/standards/benchmarking/?on=2026-11-30")
    assert page.locator("#by-cluster").count() == 1
    screenshot(page, "benchmarking-04-narrow")
