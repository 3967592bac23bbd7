"""The registers' new pages in headless Chromium on the small demo: the network's province view (aggregated,
a city expanded in place by a click), the national-monitoring page, the cultivation chain, the pilot-platform
scheme, a closed round. Screenshots ``platforms-*.png`` go to ``test-output/screenshots``."""

from __future__ import annotations

from xinzhi.web.tests.browser_fixtures import log_in, screenshot


def test_network_overview_expands_a_city_on_click(page, live_site):
    log_in(page, live_site, "province")
    page.goto(live_site + "/platforms/network/")
    page.wait_for_function("window.__networkDrawn !== undefined")
    assert "全省视图按设区市和平台类型汇总" in page.inner_text("main")
    before = page.evaluate("() => echarts.getInstanceByDom(document.getElementById('network')).getOption().series[0].data.length")
    screenshot(page, "platforms-01-network-overview")
    # a click on the graph where a city node is drawn: the chart tells us where
    point = page.evaluate("""() => {
        const chart = echarts.getInstanceByDom(document.getElementById('network'));
        const data = chart.getOption().series[0].data;
        const i = data.findIndex(n => n.kind === 'region');
        const layout = chart.getModel().getSeriesByIndex(0).getData().getItemLayout(i);
        const box = document.getElementById('network').getBoundingClientRect();
        return {x: box.left + layout[0], y: box.top + layout[1], code: data[i].expand};
    }""")
    # the animated layout moves nodes for a moment (longer on a busy machine): aim again until a click lands.
    # A moving node can put another city under the pointer, so the checks below use the city that expanded.
    for _attempt in range(10):
        page.wait_for_timeout(1000)
        if page.evaluate("window.__networkExpanded !== undefined"):
            break
        point = page.evaluate("""(code) => {
            const chart = echarts.getInstanceByDom(document.getElementById('network'));
            const data = chart.getOption().series[0].data;
            const i = data.findIndex(n => n.id === 'r:' + code);
            const layout = chart.getModel().getSeriesByIndex(0).getData().getItemLayout(i);
            const [x, y] = chart.convertToPixel({seriesIndex: 0}, layout);
            const box = document.getElementById('network').getBoundingClientRect();
            return {x: box.left + x, y: box.top + y, code};
        }""", point["code"])
        page.mouse.click(point["x"], point["y"])
    page.wait_for_function("window.__networkExpanded !== undefined", timeout=30_000)
    after = page.evaluate("() => echarts.getInstanceByDom(document.getElementById('network')).getOption().series[0].data")
    expanded = page.evaluate("window.__networkExpandedCode")
    city = next(n for n in after if n["id"] == "r:" + expanded)
    assert len(after) > before
    assert any(n["id"].startswith("p:") for n in after) and not any(
        n.get("kind") == "group" and n.get("expand") == expanded for n in after)
    assert "已展开 " + city["name"] in page.inner_text("#network-status")
    screenshot(page, "platforms-02-network-city-expanded")


def test_national_chain_pilot_and_closed_round_pages(page, live_site):
    log_in(page, live_site, "leader")
    page.goto(live_site + "/platforms/national/")
    assert "省级只作监测" in page.inner_text("main")
    assert page.locator("#national-milestones tbody tr", has_text="国家制造业创新中心验收").count() == 1
    screenshot(page, "platforms-03-national-monitoring")
    page.goto(live_site + "/platforms/chain/")
    assert "市级企业研发机构 → 省企业研究院" in page.inner_text("main")
    assert page.locator("#chain-summary").count() == 1
    screenshot(page, "platforms-04-cultivation-chain")
    page.goto(live_site + "/platforms/pilot-platforms/")
    assert "谁来建" in page.inner_text("main") and page.locator("#pilot-totals tbody tr").count() > 1
    screenshot(page, "platforms-05-pilot-scheme")
    log_in(page, live_site, "province")
    page.goto(live_site + "/evaluation/")
    with page.expect_navigation():
        page.click("main table.data a:has-text('2026年度省企业研究院认定（第一批）')")
    assert "已结束" in page.inner_text("main h1") and page.locator("#closed-note").count() == 1
    assert page.locator("main button[value=aggregate]").count() == 0 and page.locator("main button[value=enrol]").count() == 0
    screenshot(page, "platforms-06-closed-round")
    page.goto(live_site + "/platforms/coverage/")
    assert "杭州市" in page.inner_text("main table.data") and "新认定" in page.inner_text("#counts")
    screenshot(page, "platforms-07-coverage-and-targets")
