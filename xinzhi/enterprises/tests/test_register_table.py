"""The register as a shared list (reports.listing): sorting in the database by every whitelisted column,
a bad sort key is a 400, and the export holds exactly the filtered, sorted, scoped rows — written by nobody."""

import pytest

from xinzhi.core.testing import read_list_export, writes_during

from .test_register_pages import world  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db

#: column key → how the expected order is computed from an Enterprise (the database sorts; pk breaks ties)
KEYS = {
    "name": lambda e: e.name,
    "uscc": lambda e: e.uscc,
    "division": lambda e: e.division_id,
    "industry": lambda e: e.industry_id,
    "registered_on": lambda e: e.registered_on,
}


def names(client, query):
    response = client.get("/enterprises/" + query)
    assert response.status_code == 200
    return [e.name for e in response.context["page"].object_list]


@pytest.fixture
def dated(world):  # noqa: F811
    import datetime

    for i, key in enumerate(("a", "b", "c")):
        world[key].registered_on = datetime.date(2010 + (i * 7) % 5, 1 + i, 1)
        world[key].save()
    return world


@pytest.mark.parametrize("key", KEYS)
def test_sorting_by_each_column_both_ways(client, dated, key):
    client.force_login(dated["province"])
    rows = [dated[k] for k in "abc"]
    ascending = [e.name for e in sorted(rows, key=lambda e: (KEYS[key](e), e.pk))]
    descending = [e.name for e in sorted(rows, key=lambda e: (KEYS[key](e), -e.pk), reverse=True)]
    assert ascending != descending
    assert names(client, f"?sort={key}") == ascending
    assert names(client, f"?sort=-{key}") == descending


def test_header_links_keep_the_filters_and_show_the_direction(client, world):  # noqa: F811
    client.force_login(world["province"])
    html = client.get("/enterprises/?industry=39&sort=name&page=1").content.decode()
    assert 'aria-sort="ascending"' in html and "▲" in html and "▼" not in html
    assert 'href="?industry=39&amp;sort=-name&amp;page=1"' in html  # next click: descending, filter kept
    assert 'aria-label="按企业名称降序排列"' in html
    assert 'href="?industry=39&amp;sort=uscc&amp;page=1"' in html
    assert 'href="?industry=39&amp;sort=name&amp;format=xlsx"' in html  # export: same filter and order


@pytest.mark.parametrize("bad", ["password", "-", "--name", "name;drop", "pk"])
def test_an_unknown_sort_key_is_a_400_not_a_500(client, world, bad):  # noqa: F811
    client.force_login(world["province"])
    response = client.get("/enterprises/", {"sort": bad})
    assert response.status_code == 400
    assert "排序" in response.content.decode()


def test_export_holds_the_filtered_sorted_rows_of_every_page(client, world):  # noqa: F811
    client.force_login(world["province"])
    header, rows = read_list_export(client.get("/enterprises/?sort=-name&format=xlsx"))
    assert header == ["企业名称", "统一社会信用代码", "所在地", "行业", "成立日期"]
    assert [r[0] for r in rows] == ["鄞州丙公司", "西湖甲公司", "滨江乙公司"]  # the page's order, descending
    b = world["b"]
    assert rows[2] == [b.name, b.uscc, "滨江区", f"{b.industry.code} {b.industry.name}", "—"]
    header, rows = read_list_export(client.get("/enterprises/?industry=35&format=xlsx"))
    assert [r[0] for r in rows] == ["滨江乙公司"]


def test_export_goes_past_the_first_page(client, world):  # noqa: F811
    from xinzhi.core import uscc
    from xinzhi.enterprises.models import Enterprise

    Enterprise.objects.bulk_create(Enterprise(uscc=uscc.make("91", "330106", f"PG{i:06d}"), name=f"翻页{i:03d}",
                                              division_id="330106", industry_id="3973") for i in range(120))
    client.force_login(world["province"])
    assert len(client.get("/enterprises/?q=翻页").context["page"].object_list) == 50
    _, rows = read_list_export(client.get("/enterprises/?q=翻页&sort=name&format=xlsx"))
    assert [r[0] for r in rows] == [f"翻页{i:03d}" for i in range(120)]


def test_a_county_users_export_holds_only_its_county(client, world):  # noqa: F811
    client.force_login(world["county"])
    _, rows = read_list_export(client.get("/enterprises/?format=xlsx"))
    assert [r[0] for r in rows] == ["西湖甲公司"]
    client.force_login(world["city"])
    _, rows = read_list_export(client.get("/enterprises/?division=330200&format=xlsx"))
    assert rows == []


def test_an_enterprise_user_cannot_export_the_register(client, world):  # noqa: F811
    client.force_login(world["owner"])
    response = client.get("/enterprises/?format=xlsx")
    assert response.status_code == 302 and response["Location"] == f"/enterprises/{world['b'].pk}/"
    client.force_login(world["expert"])
    assert client.get("/enterprises/?format=xlsx").status_code == 403


def test_export_is_a_get_that_writes_nothing(client, world):  # noqa: F811
    client.force_login(world["province"])
    client.get("/enterprises/")  # settle the session
    assert writes_during(lambda: read_list_export(client.get("/enterprises/?format=xlsx"))) == []


def test_an_export_over_the_limit_says_so(client, world, monkeypatch):  # noqa: F811
    from xinzhi.reports import listing

    monkeypatch.setattr(listing, "EXPORT_LIMIT", 2)
    client.force_login(world["province"])
    assert "只导出前 2 行" in client.get("/enterprises/").content.decode()
    response = client.get("/enterprises/?sort=name&format=xlsx")
    _, rows = read_list_export(response)
    assert len(rows) == 2
    import io

    import openpyxl
    cover = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    text = " ".join(str(c) for row in cover.iter_rows(values_only=True) for c in row if c)
    assert "共 3 行" in text and "仅导出排序后的前 2 行" in text


def test_a_formula_in_a_name_is_exported_as_text(client, world):  # noqa: F811
    import io

    import openpyxl

    world["a"].name = '=HYPERLINK("http://x","y")'
    world["a"].save()
    client.force_login(world["province"])
    response = client.get("/enterprises/?sort=name&format=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[1]
    cell = next(c for row in sheet.iter_rows(min_row=3) for c in row if c.value == world["a"].name)
    assert cell.data_type == "s" and cell.quotePrefix
