"""What an enterprise and staff see of the policy engine, in a real browser: the annual package from the
enterprise menu, the answers on the same page after saving (Chinese, amounts in 万元, citations with the
待核实 badge, no keys), the 政策参数 page for staff."""

import re

from xinzhi.web.tests.browser_fixtures import log_in, screenshot

KEYS = re.compile(r"\b[a-z]+_[a-z_]+\b|https?:|\.md\b|资料来源")


def test_enterprise_files_its_package_from_the_menu_and_reads_the_answers_on_the_same_page(page, live_site):
    log_in(page, live_site, "enterprise")
    with page.expect_navigation():
        page.click("header.top nav >> text=年度数据包")
    assert "/cultivation/package/" in page.url and "年度数据包" in page.inner_text("h1")
    with page.expect_navigation():
        page.click("form button[type=submit] >> text=保存")
    assert "已保存" in page.inner_text("ul.messages")
    answers = page.locator("#policies")
    assert answers.count() == 1 and "您可享受的政策" in answers.inner_text()
    programs = page.locator(".card.program")
    assert programs.count() == 7
    text = page.inner_text("main")
    assert "高新技术企业认定" in text and "研发费用加计扣除" in text and "依据" in text
    assert "万元" in text and not KEYS.search(text), KEYS.search(text)
    assert page.locator(".tag.unverified").count() > 0  # unverified citations carry the badge
    screenshot(page, "enterprise-package-answers")
    for key in ("hte", "rd_super_deduction"):  # close-ups of two answers
        page.locator(f".card.program[data-program={key}]").screenshot(
            path=str(screenshot(page, "enterprise-package-answers").parent / f"enterprise-answer-{key}.png"))


def test_enterprise_profile_shows_its_answers_in_chinese(page, live_site):
    log_in(page, live_site, "enterprise")  # lands on its own profile
    page.wait_for_selector("#policies")
    section = page.inner_text("main")
    assert "您可享受的政策" in section and "得分构成" in section
    assert not KEYS.search(section), KEYS.search(section)
    screenshot(page, "enterprise-profile-policies")


def test_staff_read_the_parameters_in_force_with_citations(page, live_site):
    log_in(page, live_site, "xihu")
    page.goto(live_site + "/cultivation/parameters/?on=2025-12-31")
    text = page.inner_text("main")
    assert "政策参数" in page.inner_text("h1") and "高新技术企业认定" in text
    assert "71分" in text and "10%" in text and "国科发火〔2016〕32号" in text
    assert "《中华人民共和国企业所得税法》第四条" in text
    assert page.locator(".tag.unverified").count() > 5
    screenshot(page, "policy-parameters")
    page.locator("table.data").first.screenshot(
        path=str(screenshot(page, "policy-parameters").parent / "policy-parameters-hte.png"))
