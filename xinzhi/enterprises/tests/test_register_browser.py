"""The register's shared list in headless Chromium on the small demo: a click on a column header sorts in
the database (the arrow and aria-sort follow), a second click reverses, and the export button downloads the
rows shown in that order as xlsx. Screenshot ``register-sorted.png`` goes to ``test-output/screenshots``."""

from __future__ import annotations

import io

import openpyxl

from xinzhi.web.tests.browser_fixtures import log_in, screenshot


def _names(page) -> list[str]:
    return page.eval_on_selector_all("table.sortable tbody tr td:first-child", "cells => cells.map(c => c.innerText)")


def test_register_sorts_on_a_header_click_and_exports_what_it_shows(page, live_site):
    log_in(page, live_site, "province")
    page.goto(live_site + "/enterprises/?division=330100")
    with page.expect_navigation():
        page.click("table.sortable th a:has-text('统一社会信用代码')")
    header = page.locator("table.sortable th[aria-sort]")
    assert header.get_attribute("aria-sort") == "ascending" and "▲" in header.inner_text()
    assert "sort=uscc" in page.url and "division=330100" in page.url
    codes = page.eval_on_selector_all("table.sortable tbody tr td:nth-child(2)", "c => c.map(x => x.innerText)")
    assert codes == sorted(codes) and len(codes) == 50
    with page.expect_navigation():
        page.click("table.sortable th a:has-text('统一社会信用代码')")
    assert page.locator("table.sortable th[aria-sort]").get_attribute("aria-sort") == "descending"
    shown = _names(page)
    screenshot(page, "register-sorted")
    with page.expect_download() as info:
        page.click("a.button.export")
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(open(download.path(), "rb").read())).worksheets[1]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert rows[0][:2] == ("企业名称", "统一社会信用代码")
    exported = [r[0] for r in rows[1:] if r[0]]
    total = int(page.inner_text("h1 .muted").strip("共 家").replace(",", ""))
    assert exported[:50] == shown and len(exported) == total > 50
