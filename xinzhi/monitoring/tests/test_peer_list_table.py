"""The indicator page's peer ranking as a shared list: sorted in the database by each sortable column in both
directions (regions without a value last either way, equal values in a stable order), the export holding the
page's rows in the page's order in the displayed unit, an unknown key refused in Chinese, a county user's
export holding only its county, and a GET that writes nothing."""

import pytest

from xinzhi.core.testing import read_list_export, writes_during
from xinzhi.demo.testing import small_demo
from xinzhi.monitoring.models import IndicatorValue
from xinzhi.regions.models import Division

pytestmark = pytest.mark.django_db

URL = "/monitoring/indicators/rd_intensity/?period=2025-06"
KEYS = {"rank": "rank", "region": "region", "value": "value", "yoy": "yoy", "target": "target"}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), small_demo(seed=7, months=[(2025, 5), (2025, 6)]) as users:
        yield users


def cities(indicator="rd_intensity"):
    return IndicatorValue.objects.filter(indicator=indicator, year=2025, month=6, region_level="city")


def expected(rows, field, descending):
    """Values ascending or descending, rows without a value last, then the primary key ascending."""
    present = [r for r in rows if getattr(r, field) is not None]
    present.sort(key=lambda r: r.pk)
    present.sort(key=lambda r: getattr(r, field), reverse=descending)  # stable: pk order within equal values
    return [r.pk for r in present] + sorted(r.pk for r in rows if getattr(r, field) is None)


def test_sorts_by_each_column_with_missing_values_last(client, demo):
    rows = list(cities())
    assert len(rows) == 11
    # two cities without a value, rank or change, and a tie on the target: the order must still be defined
    cities().filter(pk__in=[rows[3].pk, rows[7].pk]).update(value=None, rank=None, yoy=None, target=None)
    cities().filter(pk__in=[rows[1].pk, rows[5].pk]).update(target=2.5)
    rows = list(cities())
    client.force_login(demo["province"])
    for key, field in KEYS.items():
        for sign in ("", "-"):
            page = client.get(URL, {"sort": sign + key})
            assert page.status_code == 200, key
            shown = [v.pk for v in page.context["page"].object_list]
            assert shown == expected(rows, field, bool(sign)), (key, sign)
    # without a sort: the ranking (rank, then region code), the cities without a rank last
    default = [v.pk for v in client.get(URL).context["page"].object_list]
    ranked = sorted((r for r in rows if r.rank is not None), key=lambda r: (r.rank, r.region))
    unranked = sorted((r for r in rows if r.rank is None), key=lambda r: r.region)
    assert default == [r.pk for r in ranked + unranked] and len(unranked) == 2


def test_page_shows_signs_and_precision_as_stored_and_marks_the_sorted_header(client, demo):
    client.force_login(demo["province"])
    page = client.get(URL, {"sort": "-yoy"})
    table = page.context["table"]
    head = {h["label"]: h for h in table["headers"]}
    assert head["同比（百分点）"]["aria_sort"] == "descending" and head["同比（百分点）"]["dir"] == "desc"
    assert head["本期（%）"]["aria_sort"] is None
    html = page.content.decode()
    assert 'aria-sort="descending"' in html and "▼" in html and "按同比（百分点）升序排列" in html
    for v, cells in zip(page.context["page"].object_list, table["rows"], strict=True):
        assert cells[2]["text"] == (v.value_text or "—")
        assert cells[3]["text"] == (v.yoy_text or "—")  # a fall keeps its minus sign
        if v.yoy is not None and v.yoy < 0:
            assert cells[3]["text"].startswith("-")


def test_export_holds_the_page_rows_in_order_in_the_shown_unit(client, demo):
    client.force_login(demo["province"])
    for sort in ("-value", "yoy", "region"):
        page = client.get(URL, {"sort": sort})
        header, rows = read_list_export(client.get(URL, {"sort": sort, "format": "xlsx"}))
        names = dict(Division.objects.values_list("code", "name"))
        assert [r[1] for r in rows] == [names[v.region] for v in page.context["page"].object_list], sort
        assert [r[0] for r in rows] == [v.rank for v in page.context["page"].object_list]
        assert "构成企业" not in header and header[-1] == "说明"
    # an amount computed in 元 and shown in 亿元 is exported in 亿元, under that unit
    url = "/monitoring/indicators/ht_value_added/?period=2025-06"
    header, rows = read_list_export(client.get(url, {"sort": "-value", "format": "xlsx"}))
    stored = sorted((v.value for v in cities("ht_value_added") if v.value is not None), reverse=True)
    assert header[2] == "本期（亿元）"
    assert [r[2] for r in rows][:len(stored)] == pytest.approx([v / 1e8 for v in stored])
    assert writes_during(lambda: client.get(URL, {"format": "xlsx"})) == []


def test_unknown_or_unsortable_key_is_a_chinese_400(client, demo):
    client.force_login(demo["province"])
    for key in ("secret", "rating", "-reason", "drill"):
        response = client.get(URL, {"sort": key})
        assert response.status_code == 400, key
        assert "排序" in response.content.decode()


def test_a_county_users_export_holds_only_its_county(client, demo):
    client.force_login(demo["xihu"])
    header, rows = read_list_export(client.get(URL, {"region": "330106", "format": "xlsx"}))
    assert rows and {r[1] for r in rows} == {"西湖区"}
