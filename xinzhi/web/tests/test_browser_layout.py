"""The page frame in a real browser (issue 15, items 6, 7 and 12): the main menu fits one line at 1280 and
1366 px for every role and its sub-menus work with the keyboard; at 390 px the header folds and nothing
widens the page; printing hides the navigation and fits the wide targets table; the thematic map names
the place shown and a click on a county opens its indicator page.

Screenshots land in ``test-output/screenshots/layout-*.png``."""

import json
from pathlib import Path

import pytest

from .browser_fixtures import log_in, screenshot

ROLES = ["province", "hangzhou", "xihu", "leader", "expert", "enterprise"]
#: A4 landscape less 10 mm margins each side, in CSS pixels (96 per inch): the targets page's print width
A4_LANDSCAPE_PX = round((297 - 20) / 25.4 * 96)
GEO = Path(__file__).resolve().parents[2] / "data" / "geo" / "zhejiang_county.geojson"


def _header_rows(page) -> list[float]:
    """The vertical centres of the header's visible parts and the menu's entries (one value: one line)."""
    return page.evaluate("""() => [...document.querySelectorAll('header.top > *, header.top nav.main > *')]
        .map(e => e.getBoundingClientRect()).filter(r => r.width > 0)
        .map(r => Math.round(r.top + r.height / 2))""")


@pytest.mark.parametrize("width", [1280, 1366])
@pytest.mark.parametrize("username", ROLES)
def test_header_is_one_line_for_every_role(browser, live_site, username, width):
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": 800})
    page = context.new_page()
    try:
        log_in(page, live_site, username)
        height = page.evaluate("document.querySelector('header.top').getBoundingClientRect().height")
        centres = _header_rows(page)
        assert height < 60, height
        assert max(centres) - min(centres) <= 4, centres  # every part on the same line
        nav = page.locator("header.top nav.main")
        if nav.count():
            assert page.evaluate("(n => n.scrollWidth <= n.clientWidth)(document.querySelector('header.top nav.main'))")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        if username == "province" and width == 1280:
            screenshot(page, "layout-header-province-1280")
    finally:
        context.close()


def test_province_menu_groups_open_with_the_keyboard(page, live_site):
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, live_site, "province")
    header = page.inner_text("header.top nav.main")
    assert "企业出题与创新项目" not in header or not page.is_visible("text=企业出题与创新项目")
    group = page.locator("header.top details.group", has=page.locator("summary", has_text="项目与培育"))
    group.locator("summary").focus()
    page.keyboard.press("Enter")
    link = group.locator("a", has_text="企业出题与创新项目")
    assert link.is_visible()
    screenshot(page, "layout-menu-open-1280")
    # opening another group closes this one; Escape closes all
    page.locator("header.top details.group summary", has_text="工作管理").click()
    assert not link.is_visible()
    page.keyboard.press("Escape")
    assert page.locator("header.top details[open]").count() == 0
    # the keyboard reaches the entry and follows it
    group.locator("summary").focus()
    page.keyboard.press("Enter")
    for _ in range(3):  # 投资项目, 独角兽培育, 企业出题与创新项目
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "企业出题与创新项目":
            break
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/programs/" in page.url
    assert page.locator("header.top details.group.active summary", has_text="项目与培育").count() == 1


def test_english_header_is_one_line_too(browser, live_site):
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    try:
        log_in(page, live_site, "province")
        page.select_option("header.top form.lang select", "en")
        page.wait_for_load_state("networkidle")
        assert "Cockpit" in page.inner_text("header.top") or "Projects" in page.inner_text("header.top")
        centres = _header_rows(page)
        assert max(centres) - min(centres) <= 4, centres
        screenshot(page, "layout-header-province-1280-en")
    finally:
        context.close()


def _profile_url(page, base: str) -> str:
    page.goto(base + "/enterprises/")
    return page.locator("table.data tbody tr td a").first.get_attribute("href")


def test_small_screen_pages_do_not_scroll_sideways(browser, live_site):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True, device_scale_factor=2)
    page = context.new_page()
    try:
        log_in(page, live_site, "province")
        profile = _profile_url(page, live_site)
        for name, path in [("cockpit", "/monitoring/"), ("map", "/monitoring/map/"), ("profile", profile),
                           ("targets", "/monitoring/targets/")]:
            page.goto(live_site + path)
            page.wait_for_load_state("networkidle")
            assert page.evaluate("document.documentElement.scrollWidth") <= 390, name
            header = page.evaluate("document.querySelector('header.top').getBoundingClientRect().height")
            assert header <= 50, (name, header)  # one compact line (it took 268 px)
            if name == "map":  # the legend sits below the map's drawing area, not over the western cities
                page.wait_for_selector("#map[data-rendered='11']", state="attached")
                box = page.evaluate("""() => {
                    const chart = window.xinzhiMap.chart, model = chart.getModel();
                    const geo = model.getComponent('geo').coordinateSystem.getViewRect();
                    const legend = chart.getViewOfComponentModel(model.getComponent('visualMap')).group;
                    return {geoBottom: geo.y + geo.height, legendTop: legend.y + legend.getBoundingRect().y};
                }""")
                assert box["geoBottom"] <= box["legendTop"], box
            screenshot(page, f"layout-390-{name}")
        # the folded menu opens from its button and shows the sub-menus' entries
        assert not page.is_visible("header.top nav.main")
        page.click("header.top .menu-toggle")
        assert page.is_visible("header.top nav.main")
        assert page.get_attribute("header.top .menu-toggle", "aria-expanded") == "true"
        page.locator("header.top details.group summary", has_text="项目与培育").click()
        assert page.is_visible("header.top nav.main a:has-text('企业出题与创新项目')")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=str(screenshot(page, "layout-390-menu-open")), full_page=False)
    finally:
        context.close()


def test_print_hides_navigation_and_fits_the_targets_table(browser, live_site):
    context = browser.new_context(locale="zh-CN", viewport={"width": A4_LANDSCAPE_PX, "height": 740})
    page = context.new_page()
    try:
        log_in(page, live_site, "province")
        page.goto(live_site + "/monitoring/targets/")
        columns = page.locator("#targets thead th").count()
        assert columns >= 12
        assert page.evaluate("document.querySelector('#targets').scrollWidth") > A4_LANDSCAPE_PX  # wide on screen
        page.emulate_media(media="print")
        assert not page.is_visible("header.top")
        assert not page.locator("main button").first.is_visible()
        assert page.evaluate("document.querySelector('#targets').scrollWidth") <= A4_LANDSCAPE_PX
        assert page.evaluate("document.documentElement.scrollWidth") <= A4_LANDSCAPE_PX
        screenshot(page, "layout-print-targets")
        # the targets page prints on a landscape page (a PDF page wider than tall)
        pdf = page.pdf(prefer_css_page_size=True)
        assert b"/MediaBox [0 0 841" in pdf or b"/MediaBox [0 0 842" in pdf
        # the cockpit, an indicator page and a profile: no menu, ratings keep their colour
        profile = _profile_url(page, live_site)
        for name, path in [("cockpit", "/monitoring/"), ("profile", profile)]:
            page.goto(live_site + path)
            page.wait_for_load_state("networkidle")
            assert not page.is_visible("header.top") and not page.is_visible(".subnav")
            assert page.evaluate("document.documentElement.scrollWidth") <= A4_LANDSCAPE_PX
            screenshot(page, f"layout-print-{name}")
        page.goto(live_site + "/monitoring/")
        with page.expect_navigation():
            page.locator("a.kpi").first.click()
        assert not page.is_visible("header.top")
        rating = page.locator(".rating").first
        assert rating.evaluate("e => getComputedStyle(e).printColorAdjust") == "exact"
        assert rating.inner_text().strip() in {"蓝", "黄", "红", "灰", "—"}  # the colour word is printed too
        screenshot(page, "layout-print-indicator")
    finally:
        context.close()


def _county_centre(name: str) -> list[float]:
    features = json.loads(GEO.read_text(encoding="utf-8"))["features"]
    return next(f["properties"]["cp"] for f in features if f["properties"]["name"] == name)


def test_map_names_the_city_and_a_county_click_opens_its_indicator(page, live_site):
    log_in(page, live_site, "province")
    page.goto(live_site + "/monitoring/map/")
    page.wait_for_selector("#map[data-rendered='11']", state="attached")
    assert page.inner_text("h1") == "浙江省 · 专题地图"
    assert page.is_visible("#map-hint-city")
    page.select_option("select[name=colour]", "trajectory")
    legend = []
    for _ in range(50):  # redrawn once the values are fetched
        legend = page.evaluate("window.xinzhiMap.chart.getOption().visualMap[0].pieces.map(p => p.label)")
        if legend[0].startswith("蓝"):
            break
        page.wait_for_timeout(100)
    assert legend[:3] == ["蓝：达到或快于序时进度", "黄：稍慢，提醒", "红：明显滞后，警示"]  # the cockpit's words
    page.evaluate("window.xinzhiMap.open('330100')")
    page.wait_for_selector("#map[data-level='county']", state="attached")
    assert page.inner_text("h1") == "杭州市 · 专题地图"
    assert page.inner_text("#map-crumbs").split() == ["浙江省", "›", "杭州市"]
    assert not page.is_visible("#map-hint-city")  # no "click a city" once the city is shown
    screenshot(page, "layout-map-hangzhou")
    # a real click on 西湖区 (at its centre, converted to the chart's pixels) opens its indicator page
    indicator = page.input_value("select[name=indicator]")
    x, y = page.evaluate(f"window.xinzhiMap.chart.convertToPixel({{geoIndex: 0}}, {_county_centre('西湖区')})")
    box = page.locator("#map").bounding_box()
    with page.expect_navigation():
        page.mouse.click(box["x"] + x, box["y"] + y)
    assert f"/monitoring/indicators/{indicator}/" in page.url and "region=330106" in page.url
    assert "西湖区" in page.inner_text("h1")
    # the province crumb leads back to the whole province
    page.go_back()
    page.wait_for_selector("#map[data-rendered='11']", state="attached")
    assert page.inner_text("h1") == "浙江省 · 专题地图"


def test_county_user_sees_its_city_and_no_click_a_city_hint(page, live_site):
    log_in(page, live_site, "xihu")
    page.goto(live_site + "/monitoring/map/")
    page.wait_for_selector("#map[data-level='county']", state="attached")
    assert page.inner_text("h1") == "杭州市 · 专题地图"
    assert page.inner_text("#map-crumbs").split() == ["浙江省", "›", "杭州市", "›", "西湖区"]
    assert "点击设区市" not in page.inner_text("main")
    assert page.locator("#map-back").is_hidden()
    screenshot(page, "layout-map-xihu")
    # its own county's row leads to its indicator page
    with page.expect_navigation():
        page.click("#map-table tbody a:has-text('西湖区')")
    assert "region=330106" in page.url
