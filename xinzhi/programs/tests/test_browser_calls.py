"""The research-needs call pages in headless Chromium on the small demo (issue 17): the province opens a call
through the form (a bad deadline answered in Chinese), the 2025 call's ranked list sorted by a header and
downloaded as xlsx (the file's rows are the page's), an enterprise submitting a need with partners and the
county vetting it (returned with a reason, resubmitted, passed), the expert-reviewed selections, and the
call page at 390 px. Screenshots ``calls-*.png`` go to ``test-output/screenshots``.

The demo server is shared by the browser tests of a worker: every record a test makes carries a unique name."""

from __future__ import annotations

import datetime as dt
import io
import uuid

import openpyxl

from xinzhi.web.tests.browser_fixtures import log_in, screenshot

DEMO_CALL = "2025年度企业主导的科技攻关需求征集"


def _table(page, selector: str = "#needs table.data") -> tuple[list[str], list[list[str]]]:
    header = [t.strip() for t in page.locator(f"{selector} thead th").all_inner_texts()]
    rows = page.evaluate(
        """(sel) => [...document.querySelectorAll(sel + ' tbody tr')].map(
               tr => [...tr.querySelectorAll('td')].map(td => td.innerText.trim()))""", selector)
    return [h.replace("▲", "").replace("▼", "").strip() for h in header], rows


def _download_rows(page) -> tuple[str, list[str], list[list]]:
    with page.expect_download() as info:
        page.click("#needs a.button.export")
    download = info.value
    book = openpyxl.load_workbook(io.BytesIO(open(download.path(), "rb").read()))
    values = list(book.worksheets[1].iter_rows(min_row=2, values_only=True))
    header = [v for v in values[0] if v is not None]
    rows = [list(r[:len(header)]) for r in values[1:] if any(v is not None for v in r)]
    return download.suggested_filename, header, rows


def _open_call(page, base: str, name: str) -> str:
    """The province opens a call through the form; the call's page address."""
    page.goto(base + "/programs/calls/")
    page.fill("#open-call input[name=name]", name)
    page.fill("#open-call input[name=deadline]", (dt.date.today() + dt.timedelta(days=60)).isoformat())
    with page.expect_navigation():
        page.click("#open-call button[type=submit]")
    assert "已发布需求征集" in page.inner_text(".messages")
    return page.url


def test_province_opens_a_call_and_a_bad_deadline_is_answered_in_chinese(page, live_site):
    log_in(page, live_site, "province")
    page.goto(live_site + "/programs/calls/")
    assert page.locator("#calls tbody tr", has_text=DEMO_CALL).count() == 1
    assert "已推荐省科技计划" in page.inner_text("#calls")
    screenshot(page, "calls-01-list")
    name = f"浏览器测试征集{uuid.uuid4().hex[:6]}"
    page.fill("#open-call input[name=name]", name)
    page.fill("#open-call input[name=deadline]", "2020-01-31")  # before today
    page.fill("#open-call textarea[name=guide]", "面向415X集群征集关键核心技术攻关需求。")
    with page.expect_navigation():
        page.click("#open-call button[type=submit]")
    assert "申报截止日期不能早于发布日期" in page.inner_text(".messages")
    # what was typed stays in the form, so only the deadline needs correcting
    assert page.input_value("#open-call input[name=name]") == name
    assert page.input_value("#open-call textarea[name=guide]") == "面向415X集群征集关键核心技术攻关需求。"
    screenshot(page, "calls-02-bad-deadline")
    page.fill("#open-call input[name=deadline]", (dt.date.today() + dt.timedelta(days=30)).isoformat())
    with page.expect_navigation():
        page.click("#open-call button[type=submit]")
    assert "已发布需求征集" in page.inner_text(".messages")
    assert page.inner_text("#call-state") == "征集中" and name in page.inner_text("main h1")
    assert "暂无需求" in page.inner_text("#needs") and page.locator("#call-actions button", has_text="启动专家评审").count()
    assert page.locator("main a.button", has_text="申报需求").count() == 0  # only an enterprise submits
    screenshot(page, "calls-03-opened")


def test_ranked_list_sorts_by_a_header_and_downloads_the_same_rows(page, live_site):
    log_in(page, live_site, "province")
    page.goto(live_site + "/programs/calls/")
    with page.expect_navigation():
        page.click(f"#calls a:has-text('{DEMO_CALL}')")
    assert page.inner_text("#call-state") == "已推荐省科技计划"
    header, rows = _table(page)
    assert header == ["排序", "需求名称", "牵头企业", "所在县（市、区）", "总预算（万元）", "评审总分", "状态"]
    ranks = [r[0] for r in rows]
    assert ranks[0] == "1" or ranks[0] == "1（并列）"
    ranked = [int(r.split("（")[0]) for r in ranks if r != "—"]
    assert ranked == sorted(ranked) and len(ranked) >= 20
    assert all(r[0] == "—" for r in rows[len(ranked):])  # the needs without a rank come last
    assert all(len(r[5].split(".")[-1]) == 2 for r in rows[:len(ranked)])  # scores with two decimals
    screenshot(page, "calls-04-ranked-list")

    # sorting by the score header: highest first on the second click, marked on the header
    with page.expect_navigation():
        page.click("#needs th a:has-text('评审总分')")
    with page.expect_navigation():
        page.click("#needs th a:has-text('评审总分')")
    assert page.get_attribute("#needs th:has-text('评审总分')", "aria-sort") == "descending"
    _, by_score = _table(page)
    scores = [float(r[5]) for r in by_score if r[5] != "—"]
    assert scores == sorted(scores, reverse=True) and len(scores) == len(ranked)
    screenshot(page, "calls-05-sorted-by-score")

    # the download is the page's rows, in the page's order, with the export-only columns
    filename, xheader, xrows = _download_rows(page)
    assert filename.startswith(DEMO_CALL + "-排序名单-") and filename.endswith(".xlsx")
    assert xheader == ["排序", "并列", "需求名称", "牵头企业", "所在县（市、区）", "合作单位（按排名）", "技术领域", "415X集群",
                       "总预算（万元）", "评审总分", "状态", "推荐"]
    total = int(page.inner_text("#needs-count").split()[1])  # 共 N 项: the file holds every page
    assert len(xrows) == total and [r[2] for r in xrows[:len(by_score)]] == [r[1] for r in by_score]
    for shown, got in zip(by_score, xrows[:len(by_score)], strict=True):
        assert shown[2:4] == [got[3], got[4]] and shown[6] == got[10]
        assert shown[4] == f"{got[8]:,.2f}"
        assert shown[5] == ("—" if got[9] == "—" else f"{got[9]:.2f}")
        assert shown[0] == ("—" if got[0] == "—" else f"{got[0]}{'（并列）' if got[1] == '是' else ''}")
        assert got[11] == ("是" if got[10] in ("已推荐", "已立项") else "否")
    assert not any(str(c).startswith("3301") for r in xrows for c in r)  # county names, never codes


def test_enterprise_submits_with_partners_and_the_county_vets_it(page, live_site):
    tag = uuid.uuid4().hex[:6]
    log_in(page, live_site, "province")
    call_url = _open_call(page, live_site, f"浏览器测试征集{tag}")

    log_in(page, live_site, "enterprise")
    page.goto(call_url)
    with page.expect_navigation():
        page.click("main a.button:has-text('申报需求')")
    assert "/submit/" in page.url and "（排名第一）" in page.inner_text("main")
    title = f"高精度伺服电机编码器{tag}"
    page.fill("#need-form input[name=title]", title)
    page.fill("#need-form input[name=field]", "智能装备")
    cluster = page.locator("#need-form select[name=cluster] option").nth(1).inner_text()
    page.select_option("#need-form select[name=cluster]", label=cluster)
    page.fill("#need-form textarea[name=problem]", "高分辨率光电编码器芯片依赖进口。")
    page.fill("#need-form textarea[name=targets]", "分辨率不低于23位；形成发明专利3件。")
    page.fill("#need-form input[name=budget]", "850.5")
    page.fill("#need-form input[name=self_funded]", "600")
    page.fill("#need-form input[name=partner_0]", "浙江大学")
    page.select_option("#need-form select[name=partner_kind_0]", label="高校")
    page.fill("#need-form input[name=partner_1]", "中国科学院长春光学精密机械与物理研究所")
    page.select_option("#need-form select[name=partner_kind_1]", label="科研院所")
    page.check("#need-form input[name=partner_outside_1]")
    screenshot(page, "calls-06-submit-form")
    with page.expect_navigation():
        page.click("#need-form button[type=submit]")
    assert "需求已提交，等待县（市、区）审核" in page.inner_text(".messages")
    assert "/programs/needs/" in page.url
    need_url = page.url
    assert page.inner_text("#need-state") == "已提交"
    facts = page.inner_text("main .facts")
    assert page.inner_text("#partners").splitlines() == ["2. 浙江大学（高校）", "3. 中国科学院长春光学精密机械与物理研究所（科研院所，省外）"]
    assert "总预算 850.5万元，其中企业自筹 600万元" in facts and cluster in facts
    _, steps = _table(page, "#steps")
    assert steps == [[dt.date.today().isoformat(), "提交申报", "牵头企业", "—", "已提交", "—"]]
    screenshot(page, "calls-07-need-submitted")
    # the enterprise's view of the call: only its own needs
    page.goto(call_url)
    _, rows = _table(page)
    assert [r[0] for r in rows] == [title]

    log_in(page, live_site, "xihu")
    page.goto(need_url)
    with page.expect_navigation():
        page.click("#form-county_return button")
    assert "县级退回修改须说明理由" in page.inner_text(".messages")
    page.fill("#form-county_return input[name=note]", "考核指标请补充量产良率")
    with page.expect_navigation():
        page.click("#form-county_return button")
    assert page.inner_text("#need-state") == "已退回修改" and "考核指标请补充量产良率" in page.inner_text("main .facts")
    screenshot(page, "calls-08-county-returned")

    log_in(page, live_site, "enterprise")
    page.goto(need_url)
    with page.expect_navigation():
        page.click("#form-resubmit button")
    assert page.inner_text("#need-state") == "已提交"

    log_in(page, live_site, "xihu")
    page.goto(need_url)
    with page.expect_navigation():
        page.click("#form-county_pass button")
    assert page.inner_text("#need-state") == "县级审核通过" and "已办理：县级审核通过" in page.inner_text(".messages")
    assert "审核意见" not in page.inner_text("main .facts")  # the old return reason stays in the step log only
    _, steps = _table(page, "#steps")
    assert [s[1:5] for s in steps] == [["提交申报", "牵头企业", "—", "已提交"],
                                       ["县级退回修改", "西湖区经信部门", "已提交", "已退回修改"],
                                       ["修改后重新提交", "牵头企业", "已退回修改", "已提交"],
                                       ["县级审核通过", "西湖区经信部门", "已提交", "县级审核通过"]]
    assert steps[1][5] == "考核指标请补充量产良率"
    screenshot(page, "calls-09-county-passed")


def test_selection_reviews_page(page, live_site):
    log_in(page, live_site, "province")
    page.goto(live_site + "/programs/selection-reviews/")
    row = page.locator("#selection-rounds tbody tr", has_text="2026年度优秀工业新产品（新技术）评审")
    assert row.count() == 1
    cells = [c.strip() for c in row.locator("td").all_inner_texts()]
    assert cells[1] == "优秀工业新产品" or "优秀" in cells[1]
    assert int(cells[2]) >= 1
    # the publish form's date is readable in the table cell (it was clipped to 5.5em)
    assert row.locator("input[type=date]").bounding_box()["width"] > 110
    screenshot(page, "calls-10-selection-reviews")
    log_in(page, live_site, "hangzhou")
    page.goto(live_site + "/programs/selection-reviews/")
    row = page.locator("#selection-rounds tbody tr", has_text="2026年度优秀工业新产品（新技术）评审")
    assert row.locator("td").nth(3).inner_text().strip() == "—"  # the province-wide result is not the city's
    assert page.locator("#start-selection").count() == 0
    screenshot(page, "calls-11-selection-reviews-city")


def test_call_page_at_390_px(browser, live_site):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True, device_scale_factor=2)
    page = context.new_page()
    try:
        log_in(page, live_site, "province")
        page.goto(live_site + "/programs/calls/")
        with page.expect_navigation():
            page.click(f"#calls a:has-text('{DEMO_CALL}')")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        # the wide table scrolls inside itself; its first column is readable
        box = page.locator("#needs table.data").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390
        screenshot(page, "calls-12-call-390")
        log_in(page, live_site, "enterprise")
        page.goto(live_site + "/programs/calls/")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        screenshot(page, "calls-13-list-390-enterprise")
        # the stacked submit form fits the phone too
        log_in(page, live_site, "province")
        call_url = _open_call(page, live_site, f"浏览器测试征集{uuid.uuid4().hex[:6]}")
        log_in(page, live_site, "enterprise")
        page.goto(call_url + "submit/")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        screenshot(page, "calls-14-submit-390")
    finally:
        context.close()
