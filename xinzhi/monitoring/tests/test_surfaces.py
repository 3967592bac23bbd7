"""What a reader sees on every surface (issue 13): a fall shown as a fall everywhere, each region's own
target on its cards, colourings that tell regions apart. Small demo with targets allocated from 2024."""

import io
import re

import openpyxl
import pytest
from docx import Document as DocxDocument
from pypdf import PdfReader

from xinzhi.accounts.models import User
from xinzhi.demo.testing import small_demo
from xinzhi.monitoring import reporting, selectors, services
from xinzhi.monitoring.models import IndicatorValue
from xinzhi.regions.models import Division
from xinzhi.reports import render_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), small_demo(seed=5, months=[(2024, 12)]) as users:
        services.allocate_default_targets(2025)
        services.refresh(2025, 6)
        cities = {}
        for city in Division.objects.filter(level="city"):
            cities[city.code] = User.objects.create(username=f"city-{city.code}", role="city_staff", division=city)
        yield users | {"cities": cities}
        User.objects.filter(username__startswith="city-").delete()


def negatives():
    """Every stored change of 2025-06 that is negative as printed (a change printing 0.0 has no sign)."""
    rows = IndicatorValue.objects.filter(year=2025, month=6, yoy__lt=0, region_level__in=["province", "city", "county"])
    return [v for v in rows if v.yoy_text.strip("-0.")]


def test_every_negative_change_carries_its_sign_on_every_surface(client, demo):
    falls = negatives()
    assert len(falls) > 20
    assert all(v.yoy_text.startswith("-") for v in falls), [v.yoy_text for v in falls if not v.yoy_text.startswith("-")]
    names = dict(Division.objects.values_list("code", "name"))
    by_key = {(v.indicator, v.region): v for v in falls}
    indicators = {v.indicator for v in falls}
    client.force_login(demo["province"])

    # API: the display field carries the sign
    seen, page = {}, 1
    while True:
        body = client.get(f"/api/v1/monitoring/values?period=2025-06&page={page}&page_size=500").json()
        seen |= {(r["indicator"], r["region"]): r for r in body["items"]}
        if page * 500 >= body["count"]:
            break
        page += 1
    for key, v in by_key.items():
        assert seen[key]["yoy_text"] == v.yoy_text and seen[key]["yoy"] < 0

    # the map's tooltip and table read yoy_text from the map data
    for ind in indicators:
        for parent in ["330000", *[c for c in demo["cities"]]]:
            for r in client.get(f"/monitoring/map/data/?indicator={ind}&period=2025-06&parent={parent}").json()["regions"]:
                if (ind, r["code"]) in by_key:
                    assert r["yoy_text"].startswith("-"), (ind, r)

    # indicator pages: the peers table (cities from the province, counties from each city)
    for ind in indicators:
        for region in ["330000", *demo["cities"]]:
            html = client.get(f"/monitoring/indicators/{ind}/?period=2025-06&region={region}").content.decode()
            for (i, code), v in by_key.items():
                if i != ind or not (code[:4] == region[:4] if region != "330000" else code.endswith("00")):
                    continue
                if code == region:
                    continue
                row = re.search(rf'region={code}[^"]*">{names[code]}</a>\s*</td>\s*<td class="num">[^<]*</td>'
                                rf'\s*<td class="num">\s*([^<]*?)\s*</td>', html)
                assert row and row.group(1) == v.yoy_text, (ind, code, v.yoy_text)

    # cockpits: the province's cities and each city's counties (the five targets), and the cards
    for user, region in [(demo["province"], "330000"), *[(u, c) for c, u in demo["cities"].items()]]:
        client.force_login(user)
        html = client.get("/monitoring/?period=2025-06").content.decode()
        for (ind, code), v in by_key.items():
            if ind not in selectors.KEY_INDICATORS:
                continue
            if code == region:
                assert f"同比 {v.yoy_text}{v.yoy_unit}" in html, (region, ind)
            elif Division.objects.filter(code=code, parent_id=region).exists():
                assert f'yoy-neg">{v.yoy_text}</small>' in html, (region, ind, code)

    # documents: the briefing's table (province and every city), rendered as DOCX, PDF and XLSX for the province
    rated = services.compute(2025, 6)
    for region in ["330000", *demo["cities"]]:
        children = [d.code for d in Division.objects.filter(parent_id=region)]
        table = reporting.region_table(rated, region, children, names, "", changes=True)
        for row in table.cells():
            code = next((c for c, n in names.items() if n == row[0].value and c in [region, *children]), None)
            for k, ind in enumerate(selectors.KEY_INDICATORS):
                v = by_key.get((ind, code))
                if v is not None:
                    assert row[2 + 2 * k].value < 0, (region, code, ind)
    document = reporting.build("briefing", Division.objects.get(code="330000"), 2025, 6)
    word = DocxDocument(io.BytesIO(render_bytes(document, "docx")))
    cells = {c.text for t in word.tables for r in t.rows for c in r.cells}
    pdf = "".join(p.extract_text() for p in PdfReader(io.BytesIO(render_bytes(document, "pdf"))).pages)
    book = openpyxl.load_workbook(io.BytesIO(render_bytes(document, "xlsx")))
    numbers = {c.value for ws in book.worksheets for r in ws.iter_rows() for c in r if isinstance(c.value, float)}
    shown = [v for (ind, code), v in by_key.items() if ind in selectors.KEY_INDICATORS and len(code) == 6
             and (code == "330000" or (code.endswith("00") and code != "330000"))]
    assert shown
    for v in shown:
        assert v.yoy_text in cells and v.yoy_text in pdf and float(v.yoy_text) in numbers, v
    # prose says 下降 / 回落 with the unsigned number
    report = reporting.build("operation", Division.objects.get(code="330000"), 2025, 6)
    text = "".join(b.plain for b in report.blocks if hasattr(b, "plain"))
    for (ind, code), v in by_key.items():
        if code == "330000" and ind in selectors.KEY_INDICATORS:
            assert re.search(f"(下降|回落){re.escape(v.yoy_text[1:])}", text), (ind, v.yoy_text)


def test_each_region_sees_its_own_target_on_its_cards(client, demo):
    """西湖区's card read "目标 超过67.5%" (the province's) next to a rating against its own 73.7."""
    client.force_login(demo["xihu"])
    page = client.get("/monitoring/?period=2025-06")
    card = page.context["key_cards"][0]
    own = IndicatorValue.objects.get(indicator="ht_va_share", region="330106", year=2025, month=6)
    assert own.target is not None and own.target_text.startswith("超过")
    assert card["v"].target_text == own.target_text
    html = page.content.decode()
    assert f"目标 {own.target_text}" in html
    if own.target_text != "超过67.5%":
        assert "目标 超过67.5%" not in html
    # targets are printed at the indicator's precision
    assert re.fullmatch(r"超过\d+(\.\d)?%", own.target_text)


def test_views_switch_and_the_default_separates_the_cities(client, demo):
    views = selectors.rating_views()
    assert views["default"] == "peers"
    client.force_login(demo["province"])
    for ind in selectors.KEY_INDICATORS:
        regions = client.get(f"/monitoring/map/data/?indicator={ind}&period=2025-06").json()["regions"]
        field = {"trajectory": "rating", "peers": "level_group", "change": "change_group"}[views["default"]]
        classes = {r[field] for r in regions if r["value"] is not None}
        assert len(classes) >= 2, (ind, classes)
    for view, css in (("peers", "peer-"), ("change", "change-"), ("trajectory", "rating-")):
        html = client.get(f"/monitoring/?period=2025-06&view={view}").content.decode()
        assert f'value="{view}" selected' in html and f'class="rating {css}' in html
