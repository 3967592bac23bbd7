"""The Content-Security-Policy in a real browser: the pages work and nothing is refused (issue 12 item 12)."""

from .browser_fixtures import log_in, screenshot

PAGES = ["/monitoring/", "/monitoring/map/", "/monitoring/indicators/rd_intensity/", "/enterprises/",
         "/platforms/", "/platforms/network/", "/platforms/coverage/", "/monitoring/targets/", "/imports/",
         "/cultivation/unclaimed/", "/api/v1/docs", "/accounts/password/"]


def _violations(page, live_site, paths) -> list[str]:
    seen: list[str] = []
    page.on("console", lambda m: seen.append(f"{page.url}: {m.text}")
            if "Content Security Policy" in m.text or "Refused to" in m.text else None)
    page.on("pageerror", lambda e: seen.append(f"{page.url}: {e}"))
    for path in paths:
        page.goto(live_site + path)
        page.wait_for_load_state("networkidle")
    return seen


def test_pages_run_under_the_policy_without_violations(page, live_site):
    seen = _violations(page, live_site, ["/accounts/login/"])
    log_in(page, live_site, "province")
    seen += _violations(page, live_site, PAGES)
    # the charts' tooltips (ECharts writes them as HTML with style attributes: style-src-attr) show
    for path in ("/monitoring/indicators/rd_intensity/", "/monitoring/", "/monitoring/map/"):
        page.goto(live_site + path)
        page.wait_for_load_state("networkidle")
        for canvas in page.locator("canvas").all()[:3]:
            box = canvas.bounding_box()
            for fraction in (0.3, 0.5, 0.7) if box else ():
                page.mouse.move(box["x"] + box["width"] * fraction, box["y"] + box["height"] / 2)
                page.wait_for_timeout(300)
        screenshot(page, "csp-hover-" + path.strip("/").replace("/", "-"))
    # the API docs (Swagger UI, served locally) render their operations
    page.goto(live_site + "/api/v1/docs")
    page.wait_for_selector(".opblock", timeout=20000)
    assert not seen, "\n".join(seen)


def test_selects_still_submit_their_form_without_inline_handlers(page, live_site):
    log_in(page, live_site, "province")
    page.goto(live_site + "/monitoring/")
    select = page.locator("select[name=view]")
    other = [v for v in select.locator("option").evaluate_all("os => os.map(o => o.value)") if v != select.input_value()][0]
    with page.expect_navigation():
        select.select_option(other)
    assert f"view={other}" in page.url
    # the language selector in the header
    with page.expect_navigation():
        page.select_option("header select[name=language]", "en")
    page.wait_for_load_state("networkidle")
    assert "Cockpit" in page.inner_text("header.top") or page.evaluate("document.documentElement.lang") == "en"
    with page.expect_navigation():
        page.select_option("header select[name=language]", "zh-hans")
    screenshot(page, "csp-cockpit")
