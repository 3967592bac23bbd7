"""What a person sees, in a real browser: login per role, the register, a profile with its chart."""

import pytest

from .browser_fixtures import log_in, screenshot

ROLES = ["province", "hangzhou", "xihu", "leader", "expert", "enterprise"]


@pytest.mark.parametrize("username", ROLES)
def test_each_role_logs_in_and_lands_on_its_page(page, live_site, username):
    log_in(page, live_site, username)
    assert "/accounts/login/" not in page.url
    header = page.inner_text("header.top")
    if username == "enterprise":
        assert "/enterprises/" in page.url and page.inner_text("h1")  # its own profile
    elif username == "expert":
        assert "/evaluation/my/" in page.url
    else:
        assert "/monitoring/" in page.url and "驾驶舱" in page.inner_text("h1")
        assert page.locator(".kpi .rating").count() >= 1  # the cockpit shows ratings
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


def test_map_renders_and_drills_into_a_city(page, live_site):
    log_in(page, live_site, "province")
    page.goto(live_site + "/monitoring/map/")
    page.wait_for_selector("#map canvas")
    # attribute selectors, not wait_for_function: its string predicate is eval'd, which the CSP forbids
    page.wait_for_selector("#map[data-rendered='11']", state="attached")
    assert page.locator("#map-table tbody tr").count() == 11
    screenshot(page, "map-province")
    # click a city (through the chart API: canvas clicks need coordinates) and see its counties
    page.evaluate("window.xinzhiMap.open('330100')")
    page.wait_for_selector("#map[data-level='county']", state="attached")
    names = page.locator("#map-table tbody tr td:first-child").all_inner_texts()
    assert "西湖区" in names and "鄞州区" not in names
    page.select_option("select[name=layer]", "institutions")
    page.wait_for_selector("#map[data-point-count]:not([data-point-count='0'])", state="attached")
    screenshot(page, "map-hangzhou")


def test_cockpit_to_indicator_to_enterprise_drilldown(page, live_site):
    log_in(page, live_site, "hangzhou")
    page.goto(live_site + "/monitoring/")
    screenshot(page, "cockpit-hangzhou")
    with page.expect_navigation():
        page.locator("a.kpi").nth(3).click()  # R&D intensity
    assert "研发费用" in page.inner_text("h1")
    with page.expect_navigation():
        page.locator("main table.data tbody a:has-text('构成企业')").first.click()  # a peer row's link, not the header
    with page.expect_navigation():
        page.locator("table.data tbody tr td a").first.click()
    assert "统一社会信用代码" in page.inner_text("main")
    screenshot(page, "drilldown-profile")


def test_import_with_a_bad_row_shows_chinese_error_and_writes_nothing(page, live_site, tmp_path):
    import xlsxwriter

    path = tmp_path / "bad.xlsx"
    with xlsxwriter.Workbook(str(path)) as book:
        sheet = book.add_worksheet()
        sheet.write_row(0, 0, ["统一社会信用代码", "期别", "工业总产值(千元)", "工业增加值(千元)", "营业收入(千元)",
                               "研发费用(千元)", "新产品产值(千元)", "从业人员期末人数", "是否修订"])
        sheet.write_row(1, 0, ["91330106MA0000000X", "2025-13", 100, 20, 100, 3, 40, 10, "否"])
    log_in(page, live_site, "xihu")
    page.goto(live_site + "/imports/")
    page.select_option("select[name=kind]", "monthly-stats")
    page.set_input_files("input[type=file]", str(path))
    with page.expect_navigation():
        page.click("button.primary")
    text = page.inner_text("main")
    assert "文件有错误，不能导入" in text and "校验位" in text
    assert page.locator("text=确认导入").count() == 0
    screenshot(page, "import-preview-error")
    with page.expect_navigation():
        page.click("text=取消")
    assert "未写入任何数据" in page.inner_text("main")


def test_report_downloads(page, live_site):
    log_in(page, live_site, "province")
    page.goto(live_site + "/monitoring/reports/")
    page.select_option("select[name=kind]", "briefing")
    page.select_option("select[name=format]", "docx")
    with page.expect_download() as info:
        page.click("button.primary")
    download = info.value
    assert download.suggested_filename.endswith(".docx")
    path = download.path()
    from docx import Document

    assert "高新技术产业运行数据简报" in "".join(p.text for p in Document(str(path)).paragraphs)
    screenshot(page, "reports")
