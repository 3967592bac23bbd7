"""The lists moved onto the shared table in a real browser at 1366 px: the indicator page's peer ranking, the
project warnings, a sampling draw and the advanced-manufacturing list. A click on a header sorts (the header
then carries ``aria-sort``) and nothing widens the page.

Screenshots land in ``test-output/screenshots/list-*.png``."""

import re

import pytest

from .browser_fixtures import log_in, screenshot

PAGES = [
    ("peers", "/monitoring/indicators/rd_intensity/", "本期"),
    ("warnings", "/investment/warnings/?colour=all", "落后序时进度"),
    ("draw", None, "权重"),
    ("am-list", "/cultivation/am-list/?year=2025", "状态"),
]


@pytest.mark.parametrize(("name", "path", "header"), PAGES)
def test_list_sorts_on_a_click_and_fits_1366(page, live_site, name, path, header):
    log_in(page, live_site, "province")
    if path is None:  # the demo's draw: the first one listed on the sampling page
        page.goto(live_site + "/cultivation/sampling/")
        path = page.locator("table.sortable tbody a").first.get_attribute("href")
    page.goto(live_site + path)
    table = page.locator("table.sortable").last
    assert table.locator("tbody tr").count() > 0, name
    with page.expect_navigation():
        table.locator("thead th a", has_text=header).click()
    head = page.locator("table.sortable").last.locator("thead th", has_text=header)
    assert head.get_attribute("aria-sort") == "ascending", name
    assert re.search(r"[?&]sort=", page.url)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366, name
    screenshot(page, f"list-{name}-1366")
