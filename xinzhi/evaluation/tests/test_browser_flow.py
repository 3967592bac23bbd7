"""recognise → evaluate → grade → warn/revoke, walked through the real pages in headless Chromium.

A real server (``xinzhi serve`` on the small demo data, see ``xinzhi/web/tests/browser_fixtures.py``); every step
is what a person does on a page: province staff open a call, the enterprise applies and reads each
criterion explained, province staff batch-assign experts (a recused expert is never assigned), the
assigned experts score, an unassigned expert gets 404, the province aggregates and decides, the
institution appears in the register; then an annual evaluation: enrol it from its register page, the
enterprise reports its year's data, experts score low, the province determines → 撤销, and the
enterprise reads the notice. Screenshots ``eval-*.png`` go to ``test-output/screenshots``.
"""

from __future__ import annotations

import datetime

from xinzhi.web.tests.browser_fixtures import log_in, screenshot

TODAY = datetime.date.today()
DEADLINE = (TODAY + datetime.timedelta(days=30)).isoformat()
CALL = "浏览器验收·省级企业技术中心认定"
ANNUAL = "浏览器验收·企业技术中心年度评价"


def _click(page, selector: str) -> None:
    """Click something in ``main`` that submits a form or follows a link, and wait for the new page."""
    with page.expect_navigation():
        page.click(selector)
    page.wait_for_load_state("domcontentloaded")


def _messages(page) -> str:
    return " ".join(page.locator("ul.messages li").all_inner_texts())


def _create_round(page, base: str, *, name: str, purpose: str, year: int, scheme: str, level: str = "") -> str:
    """Province staff create a round on the rounds page; returns the round's URL."""
    page.goto(base + "/evaluation/")
    form = page.locator("main form.card")
    form.locator("input[name=name]").fill(name)
    form.locator("select[name=purpose]").select_option(purpose)
    form.locator("input[name=year]").fill(str(year))
    form.locator("select[name=scheme_code]").select_option(scheme)
    form.locator("select[name=target_level]").select_option(level)
    form.locator("input[name=deadline]").fill(DEADLINE)
    form.locator("select[name=region_rule]").select_option("county")
    form.locator("input[name=reviewers_per_submission]").fill("3")
    _click(page, "main form.card button.primary")
    assert "/evaluation/rounds/" in page.url, _messages(page)
    assert name in page.inner_text("main h1")
    return page.url


def _assigned(page) -> dict[str, str]:
    """The experts on a submission's staff page: login → name."""
    rows = page.locator("main tr.assignment")
    return {rows.nth(i).locator(".expert-login").inner_text().strip(): rows.nth(i).locator(".expert-name").inner_text()
            for i in range(rows.count())}


def _score(page, base: str, username: str, round_name: str, title: str, share: float, shot: str | None = None) -> str:
    """An assigned expert logs in, finds the task in its list and scores every criterion at ``share`` of the
    maximum. Returns the review page's URL."""
    log_in(page, base, username)
    assert "/evaluation/my/" in page.url
    row = page.locator("main table.data tbody tr", has_text=round_name)
    assert row.count() == 1 and title in row.inner_text()
    _click(page, f"main table.data tbody tr:has-text('{round_name}') a")
    review_url = page.url
    assert title in page.inner_text("main h1")
    inputs = page.locator("main input[name^=score_]")
    assert inputs.count() >= 2
    for i in range(inputs.count()):
        top = float(inputs.nth(i).get_attribute("max"))
        inputs.nth(i).fill(str(round(top * share * 2) / 2))  # the inputs step by 0.5
    page.fill("main textarea[name=comment]", "评审意见：" + ("基础扎实，建议认定。" if share > 0.5 else "研发投入和成果不足。"))
    page.check("main input[name=no_conflict]")
    if shot:
        screenshot(page, shot)
    _click(page, "main form.card button.primary")
    assert "评分已提交" in _messages(page)
    assert "已提交" in page.locator("main table.data tbody tr", has_text=round_name).inner_text()
    return review_url


def test_recognise_evaluate_grade_revoke_in_the_browser(page, live_site):
    base = live_site

    # 1. province staff open a recognition call (data year: last year's statistics)
    log_in(page, base, "province")
    call_url = _create_round(page, base, name=CALL, purpose="recognition", year=TODAY.year - 1,
                             scheme="rd_institution_recognition", level="provincial_tech_centre")
    assert "已创建批次" in _messages(page) and "申报中" in page.inner_text("main h1")
    screenshot(page, "eval-01-call-opened")

    # 2. the enterprise finds the call and applies; each criterion is checked and explained
    log_in(page, base, "enterprise")
    _click(page, "header nav a:has-text('研发机构申报')")
    _click(page, f"main li:has-text('{CALL}') a")
    enterprise_name = page.locator("main p").first.inner_text().split("申报企业：")[1].split("；")[0]
    # before applying: every criterion of the level, its threshold, what the statistics show, its basis
    assert "认定条件：省级企业技术中心" in page.inner_text("main")
    preview = page.locator("#criteria-preview tbody tr")
    preview_count = preview.count()
    assert preview_count >= 2
    assert "缺少数据" in page.locator("#criteria-preview").inner_text()  # R&D staff: to be declared
    screenshot(page, "eval-02-apply-form-criteria")
    title = f"{enterprise_name}省级技术中心"
    page.fill("main input[name=title]", title)
    for field, value in (("rd_staff", "120"), ("equipment_value", "20000000"), ("rd_floor_area", "2500"),
                         ("invention_patents", "28"), ("conversions", "12")):
        page.fill(f"main input[name={field}]", value)
    _click(page, "main form.card button.primary")
    assert "已提交申报" in _messages(page)
    submission_url = page.url
    assert "/evaluation/submissions/" in submission_url
    checks = page.locator("main h2:has-text('认定条件核验') + table tbody tr")
    assert checks.count() == preview_count
    for i in range(checks.count()):
        label, value, result, source, reference = checks.nth(i).locator("td").all_inner_texts()
        assert label and value and reference, (label, value, reference)
        assert result.strip() in ("符合", "不符合", "缺少数据"), result
    text = page.inner_text("main")
    assert "主营业务收入" in text and "研发人员" in text and "缺少数据" not in text
    assert "申报级别" in text and "省级企业技术中心" in text and "provincial_tech_centre" not in text
    assert "专家评审" not in text  # the enterprise never sees reviewers
    screenshot(page, "eval-03-application-checked")

    # 3. province staff batch-assign experts; recused experts are shown and never assigned
    log_in(page, base, "province")
    page.goto(call_url)
    _click(page, "main button[value=batch_assign]")
    assert "已批量分配 3 人次" in _messages(page)
    _click(page, f"main table.data a:has-text('{title}')")
    assert page.url == submission_url
    assigned = _assigned(page)
    assert len(assigned) == 3
    # recused experts are listed with the reason, and cannot be chosen for manual assignment either
    recused_names = page.locator("#recused .recused-expert .expert-name").all_inner_texts()
    assert recused_names
    disabled = page.locator("main select[name=expert] option[disabled]").all_inner_texts()
    assert sorted(t.split("（")[0].strip() for t in disabled) == sorted(recused_names)
    assert all("须回避" in t for t in disabled)
    # the demo's 陈教授 (the ``expert`` login) works in the applicant's county: recused, not assigned
    assert "评审专家 陈教授" in recused_names
    assert "同一县" in page.locator("#recused .recused-expert", has_text="陈教授").inner_text()
    assert not set(recused_names) & set(assigned.values()), (recused_names, assigned)
    screenshot(page, "eval-04-batch-assigned-with-recusal")

    # 4. each assigned expert logs in, sees the task among its own, and scores it
    review_urls = []
    for k, username in enumerate(sorted(assigned)):
        review_urls.append(_score(page, base, username, CALL, title, 0.9,
                                  shot="eval-05-expert-scoring" if k == 0 else None))
    screenshot(page, "eval-06-expert-assignments")

    # 5. unassigned experts: not in their list, 404 by URL (the submission and another expert's review)
    import re

    unassigned = ["expert"] + [u for u in (f"zjexpert{n:03d}" for n in range(1, 41)) if u not in assigned][:1]
    for username in unassigned:
        log_in(page, base, username)
        assert "/evaluation/my/" in page.url
        assert page.locator("main table.data tbody tr", has_text=CALL).count() == 0
        assert page.goto(submission_url).status == 403  # experts read submissions only through assignments
        assert page.goto(review_urls[0]).status == 404
    screenshot(page, "eval-07-unassigned-expert-404")

    # 6. province aggregates, then decides with reasons → recognised
    log_in(page, base, "province")
    page.goto(call_url)
    _click(page, "main button[value=aggregate]")
    assert "已汇总 1 个未决定项目" in _messages(page)
    row = page.locator("main table.data tbody tr", has_text=title).inner_text()
    assert re.search(r"\d+\.\d\d", row), row
    _click(page, f"main table.data a:has-text('{title}')")
    assert page.locator("main tr.assignment", has_text="已提交").count() == 3
    # the demo enterprise misses the revenue threshold: recognising is refused until an exception is recorded
    page.fill("main textarea[name=reasons]", "专家评审通过，经省经信厅审定予以认定。")
    page.select_option("main select[name=decision]", "recognise")
    _click(page, "main button[value=determine]")
    assert "认定条件未全部符合，不能予以认定" in _messages(page) and "主营业务收入" in _messages(page)
    assert "已提交" in page.inner_text("main h1") or "评审中" in page.inner_text("main h1")
    page.fill("#exception-form textarea[name=exception_reason]", "加快发展县企业，营业收入门槛按省政策放宽，经厅务会研究同意。")
    _click(page, "#exception-form button")
    assert "已记录条件例外理由" in _messages(page)
    assert "加快发展县企业" in page.inner_text("#condition-exception")
    page.fill("main textarea[name=reasons]", "专家评审通过，经省经信厅审定予以认定。")
    page.select_option("main select[name=decision]", "recognise")
    _click(page, "main button[value=determine]")
    assert "已作出决定：予以认定" in _messages(page)
    assert "加快发展县企业" in page.inner_text("#condition-exception")  # the exception stays on the record
    assert "已决定" in page.inner_text("main h1") and "予以认定" in page.inner_text("main")
    screenshot(page, "eval-08-recognised")

    # 7. the institution is in the register as recognised, with its history
    page.click("header nav summary:has-text('平台与评价')")  # the sub-menu of the main menu
    _click(page, "header nav a:has-text('研发机构与平台')")
    page.fill("main input[name=q]", title)
    _click(page, "main form.filters button.primary")
    rows = page.locator("main table.data tbody tr")
    assert rows.count() == 1
    assert "已认定" in rows.first.inner_text() and "省级企业技术中心" in rows.first.inner_text()
    screenshot(page, "eval-09-register-recognised")
    _click(page, f"main table.data a:has-text('{title}')")
    institution_url = page.url
    assert "已认定" in page.inner_text("main h1")
    assert "培育创建" in page.locator("main h2:has-text('状态历史') + table tbody").inner_text()

    # 8. an annual evaluation round; the province enrols this institution from its register page
    annual_url = _create_round(page, base, name=ANNUAL, purpose="annual", year=TODAY.year, scheme="tech_centre_annual")
    page.goto(institution_url)
    page.select_option("#enrol-form select[name=round]", label=f"{ANNUAL}（申报中）")
    _click(page, "#enrol-form button.primary")
    assert page.url == annual_url and "已纳入 1 个评价对象" in _messages(page)
    assert page.locator("main table.data tbody tr").count() == 1
    screenshot(page, "eval-10-annual-enrolled")

    # 9. the enterprise reports the year's data for its institution (a weak year)
    log_in(page, base, "enterprise")
    _click(page, "header nav a:has-text('研发机构申报')")
    _click(page, f"main table.data a:has-text('{title}') >> nth=0")
    _click(page, "main a:has-text('查看登记信息')")
    assert page.url == institution_url
    page.click("#annual-data-form summary")
    form = page.locator("#annual-data-form form")
    form.locator("input[name=year]").fill(str(TODAY.year))
    for field, value in (("revenue", 300_000_000), ("rd_expense", 6_000_000), ("rd_staff", 40),
                         ("invention_patents", 3), ("new_product_revenue", 60_000_000), ("equipment_value", 5_000_000),
                         ("standards_led", 1), ("cooperation_projects", 5)):
        form.locator(f"input[name={field}]").fill(str(value))
    _click(page, "#annual-data-form button.primary")
    assert f"已保存{TODAY.year}年度数据（8项）" in _messages(page)
    assert page.locator("main table.data tbody tr", has_text=str(TODAY.year)).count() >= 1
    screenshot(page, "eval-11-annual-data-reported")

    # 10. province assigns, experts score low, province determines → 不合格 → 撤销
    log_in(page, base, "province")
    page.goto(annual_url)
    _click(page, "main button[value=batch_assign]")
    assert "已批量分配 3 人次" in _messages(page)
    _click(page, f"main table.data a:has-text('{title}')")
    annual_submission_url = page.url
    annual_assigned = _assigned(page)
    assert len(annual_assigned) == 3
    recused_names = page.locator("#recused .recused-expert .expert-name").all_inner_texts()
    assert "评审专家 陈教授" in recused_names and not set(recused_names) & set(annual_assigned.values())
    for username in sorted(annual_assigned):
        _score(page, base, username, ANNUAL, title, 0.3)
    log_in(page, base, "province")
    page.goto(annual_submission_url)
    page.fill("main textarea[name=reasons]", "年度评价：研发投入与成果明显不足。")
    _click(page, "main button[value=determine]")
    assert "已作出决定" in _messages(page) and "撤销资格" in _messages(page)
    main = page.inner_text("main")
    assert "不合格" in main and "评定等次" in main
    screenshot(page, "eval-12-annual-determined")
    page.goto(institution_url)
    assert "撤销" in page.inner_text("main h1")
    history = page.locator("main h2:has-text('状态历史') + table tbody").inner_text()
    assert "撤销" in history and "不合格" in history
    screenshot(page, "eval-13-register-revoked")

    # 11. the enterprise reads the result and the notice
    log_in(page, base, "enterprise")
    _click(page, "header nav a:has-text('研发机构申报')")
    assert "本企业已申报" in page.locator("main li", has_text=CALL).inner_text()  # no second application offered
    notices = page.locator("main h2:has-text('通知') + ul").inner_text()
    assert "撤销通知" in notices and title in notices and "认定通知" in notices
    row = page.locator("main table.data tbody tr", has_text=ANNUAL).inner_text()
    assert "不合格" in row
    screenshot(page, "eval-14-enterprise-notice")
