"""Work coordination in headless Chromium on the small demo: the ledger with its lights, a task (progress,
督办 history), a city reporting progress through the form, the activity calendar and the case library.
Screenshots ``supervision-*.png`` go to ``test-output/screenshots``."""

from __future__ import annotations

from xinzhi.web.tests.browser_fixtures import log_in, screenshot


def test_ledger_task_progress_calendar_and_cases(page, live_site):
    log_in(page, live_site, "province")
    page.goto(live_site + "/supervision/?year=2025&as_of=2025-10-10")
    main = page.inner_text("main")
    assert "2025年度任务清单" in main and "统筹推进" in main and "滞后" in main
    assert page.locator("#ledger tbody tr").count() == 49
    # every column, 督办 the last, is on a 1366 px screen without scrolling the table sideways
    assert page.evaluate("document.querySelector('#ledger table').getBoundingClientRect().right"
                         " <= document.querySelector('main').getBoundingClientRect().right")
    screenshot(page, "supervision-01-ledger")
    page.goto(live_site + "/supervision/?year=2025&colour=red&as_of=2025-10-10")
    with page.expect_navigation():
        page.locator("#ledger tbody tr a").first.click()
    text = page.inner_text("main")
    assert "月度进展" in text and "督办记录" in text and "下发督办" in text
    screenshot(page, "supervision-02-task")
    page.goto(live_site + "/supervision/activities/?year=2025&as_of=2026-01-10")
    assert "有 3 个地区月份没有活动" in page.inner_text("main")
    screenshot(page, "supervision-03-calendar")
    page.goto(live_site + "/supervision/cases/?theme=hte")
    assert page.locator("#case-list tbody tr").count() >= 1
    page.goto(live_site + "/supervision/outputs/")
    with page.expect_download() as download:
        page.locator("#bulletin-form button[value=docx]").click()
    assert download.value.suggested_filename.endswith(".docx")


def test_city_adds_a_task_and_reports_progress_through_the_forms(page, live_site):
    import datetime as dt

    today = dt.date.today()
    log_in(page, live_site, "hangzhou")
    page.goto(live_site + "/supervision/?year=2025")
    assert page.locator("#ledger tbody tr").count() == 3  # Hangzhou's splits of tasks 4, 5 and 10
    page.goto(live_site + f"/supervision/?year={today.year}")
    page.locator("details:has(form[action$='/tasks/new/']) summary").click()
    page.fill("input[name=number]", "HZ-1")
    page.fill("input[name=title]", "杭州市研发投入提升行动")
    page.fill("textarea[name=text]", "规上工业企业研发活动覆盖率提高5个百分点")
    page.fill("input[name=lead_department]", "杭州市经济和信息化局")
    page.fill("input[name=deadline]", f"{today.year}-12-31")
    with page.expect_navigation():
        page.locator("form[action$='/tasks/new/'] button[type=submit]").click()
    page.wait_for_selector("#report-form")
    page.fill("#report-form input[name=percent]", "90")
    page.fill("#report-form textarea[name=done]", "完成企业研发活动摸排（浏览器测试）")
    with page.expect_navigation():
        page.locator("#report-form button[type=submit]").click()
    text = page.inner_text("main")
    assert "完成企业研发活动摸排（浏览器测试）" in text and "90%" in text
    screenshot(page, "supervision-04-city-task")
