"""Issue 12 item 8 in the browser: the preview lists rows to verify (核实性审核) apart from errors and asks
for an explanation before the import can be confirmed (nothing is written here: the upload is cancelled)."""

from __future__ import annotations

import re

from xinzhi.web.tests.browser_fixtures import log_in, screenshot

HEADER = ["统一社会信用代码", "期别", "工业总产值(千元)", "工业增加值(千元)", "营业收入(千元)", "研发费用(千元)",
          "新产品产值(千元)", "从业人员期末人数", "是否修订"]


def test_rows_to_verify_need_an_explanation(page, live_site, tmp_path):
    import xlsxwriter

    log_in(page, live_site, "xihu")
    page.goto(live_site + "/enterprises/")
    uscc = re.search(r"\b91330106[0-9A-Z]{10}\b", page.inner_text("main")).group(0)
    path = tmp_path / "flagged.xlsx"
    with xlsxwriter.Workbook(str(path)) as book:  # R&D expense above revenue: possible, but to be explained
        book.add_worksheet().write_row(0, 0, HEADER)
        book.worksheets()[0].write_row(1, 0, [uscc, "2025-06", 5000, 1000, 800, 900, 100, 50, "否"])
    page.goto(live_site + "/imports/")
    page.select_option("select[name=kind]", "monthly-stats")
    page.set_input_files("input[type=file]", str(path))
    with page.expect_navigation():
        page.click("button.primary")
    text = page.inner_text("main")
    assert "核实性审核：需核实的数值" in text and "强制性审核" not in text  # flags only, no error table
    flags = page.inner_text("#import-flags")
    assert "研发费用" in flags and "核实" in flags
    assert page.locator("textarea[name=confirmation]").get_attribute("required") is not None
    assert page.locator("text=核实无误，确认导入").count() == 1
    screenshot(page, "import-preview-flags")
    with page.expect_navigation():
        page.click("text=取消")
    assert "未写入任何数据" in page.inner_text("main")
