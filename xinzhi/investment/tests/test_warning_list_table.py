"""The project warnings as a shared list: sorted on the Polars frame by each sortable column in both
directions (projects without a figure last either way, ties by code then id), the export holding the page's
rows in the page's order, an unknown key refused in Chinese, a county user's export holding only its county,
and a GET that writes nothing."""

from __future__ import annotations

import datetime

import pytest

from xinzhi.core.testing import read_list_export, writes_during
from xinzhi.investment import selectors, warnings
from xinzhi.investment.models import AnnualPlan, ProjectProgress

from .conftest import make_project

pytestmark = pytest.mark.django_db
D = datetime.date
URL = "/investment/warnings/"
AS_OF = {"as_of": "2025-06-30", "colour": "all"}
NAMES = {"330106": "西湖区", "330108": "滨江区", "330203": "海曙区"}
KEYS = {"code": "code", "name": "name", "division": "division_id", "colour": "level", "gap_points": "gap_points"}


@pytest.fixture
def varied(users):
    """Projects red, yellow and green, building (with a lag) and not (no lag), in three counties."""
    def building(code, division, ytd, name=None):
        p = make_project(code, division=division, stage="construction", actual_start=D(2024, 5, 1),
                         planned_start=D(2024, 5, 1))
        if name:
            p.name = name
            p.save()
        AnnualPlan.objects.create(project=p, year=2025, planned_investment=1000)
        for m in range(1, 7):
            ProjectProgress.objects.create(project=p, year=2025, month=m, ytd_completed=ytd * m // 6)
        return p

    return [
        building("2501-330106-04-01-000021", "330106", 150, name="项目乙"),  # 35 points behind: red
        building("2501-330106-04-01-000022", "330106", 420),  # 8 points: none
        building("2501-330108-04-01-000023", "330108", 300, name="项目甲"),  # 20 points: yellow
        building("2501-330203-04-01-000024", "330203", 420),  # the same lag as -022: a tie
        make_project("2501-330106-04-01-000025", stage="registered", planned_start=D(2025, 2, 1)),  # late: red
        make_project("2501-330203-04-01-000026", division="330203", stage="registered",
                     planned_start=D(2025, 6, 1)),  # no lag figure
    ]


def evaluated(user) -> list[dict]:
    as_of = D(2025, 6, 30)
    return warnings.evaluate(selectors.project_frame(user, as_of), as_of, warnings.load_rules()).to_dicts()


def expected(rows, field, descending):
    """By ``field`` in the direction asked, rows without it last, ties by code then id ascending."""
    present = sorted((r for r in rows if r[field] is not None), key=lambda r: (r["code"], r["id"]))
    present.sort(key=lambda r: r[field], reverse=descending)
    missing = sorted((r for r in rows if r[field] is None), key=lambda r: (r["code"], r["id"]))
    return [r["id"] for r in present + missing]


def page_ids(page) -> list[int]:
    return [r["id"] for r in page.context["page"].object_list]


def test_sorts_by_each_column_on_the_frame(client, users, varied):
    client.force_login(users["province"])
    rows = evaluated(users["province"])
    assert {r["level"] for r in rows} >= {0, 1, 2}  # the fixture has every colour
    assert any(r["gap_points"] is None for r in rows) and len({r["gap_points"] for r in rows}) < len(rows)
    for key, field in KEYS.items():
        for sign in ("", "-"):
            page = client.get(URL, {**AS_OF, "sort": sign + key})
            assert page.status_code == 200, key
            assert page_ids(page) == expected(rows, field, bool(sign)), (key, sign)
    # without a sort: red, then yellow, then the rest, each by code
    default = page_ids(client.get(URL, AS_OF))
    assert default == [r["id"] for r in sorted(rows, key=lambda r: (-r["level"], r["code"], r["id"]))]


def test_headers_mark_the_sort_and_keep_the_filters(client, users, varied):
    client.force_login(users["province"])
    page = client.get(URL, {**AS_OF, "sort": "-gap_points"})
    head = {h["label"]: h for h in page.context["table"]["headers"]}
    lag = head["落后序时进度（百分点）"]
    assert lag["aria_sort"] == "descending" and "as_of=2025-06-30" in lag["href"] and "colour=all" in lag["href"]
    assert head["原因"]["href"] is None  # not sortable
    html = page.content.decode()
    assert 'aria-sort="descending"' in html and "▼" in html and "35.0" in html
    assert "format=xlsx" in page.context["table"]["export_href"] and "sort=-gap_points" in page.context["table"]["export_href"]


def test_export_holds_the_page_rows_in_order(client, users, varied):
    client.force_login(users["province"])
    for sort in ("-gap_points", "colour", "-name", "division"):
        page = client.get(URL, {**AS_OF, "sort": sort})
        header, rows = read_list_export(client.get(URL, {**AS_OF, "sort": sort, "format": "xlsx"}))
        assert [r[0] for r in rows] == [r["code"] for r in page.context["page"].object_list], sort
    lag, colour = header.index("落后序时进度（百分点）"), header.index("预警")
    _, rows = read_list_export(client.get(URL, {**AS_OF, "sort": "-gap_points", "format": "xlsx"}))
    assert rows[0][lag] == pytest.approx(35.0) and rows[0][colour] == "红" and rows[-1][lag] == "—"  # no figure: a dash, last
    assert {r[colour] for r in rows} >= {"红", "黄", "正常"}  # labels, not codes
    assert writes_during(lambda: client.get(URL, {**AS_OF, "format": "xlsx"})) == []


def test_unknown_or_unsortable_key_is_a_chinese_400(client, users, varied):
    client.force_login(users["province"])
    for key in ("secret", "reasons", "-level", "id"):
        response = client.get(URL, {**AS_OF, "sort": key})
        assert response.status_code == 400, key
        assert "排序" in response.content.decode()


def test_a_county_users_export_holds_only_its_county(client, users, varied):
    client.force_login(users["county"])
    _, rows = read_list_export(client.get(URL, {**AS_OF, "sort": "code", "format": "xlsx"}))
    assert rows and {r[2] for r in rows} == {"西湖区"}
    assert [r[0] for r in rows] == sorted(p.code for p in varied if p.division_id == "330106")
