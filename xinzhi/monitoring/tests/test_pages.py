"""Cockpit, map data, indicator page and drill-down on the small demo dataset: right numbers, right scope."""


import pytest

from xinzhi.demo.testing import small_demo
from xinzhi.enterprises.models import MonthlyStat
from xinzhi.monitoring import services
from xinzhi.monitoring.models import EarlyWarning, IndicatorValue

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), small_demo(seed=7, months=[(2025, 5), (2025, 6)]) as users:
        yield users


def test_snapshot_matches_an_independent_sql_sum(demo):
    """The province R&D intensity stored for 2025-06 equals ΣR&D / Σrevenue of above-scale filings."""
    from django.db.models import Sum

    stats = MonthlyStat.objects.filter(
        year=2025, month=6, enterprise__years__year=2025, enterprise__years__above_scale=True
    ).aggregate(rd=Sum("rd_expense"), rev=Sum("revenue"))
    stored = IndicatorValue.objects.get(indicator="rd_intensity", region="330000", year=2025, month=6)
    assert stored.value == pytest.approx(100 * stats["rd"] / stats["rev"], rel=1e-9)
    assert stored.rating in ("blue", "yellow", "red")
    assert stored.rating_reason.startswith("1—6月")


def test_refresh_replaces_rows_and_stores_warnings(demo):
    before = IndicatorValue.objects.filter(year=2025, month=6).count()
    services.refresh(2025, 6)
    assert IndicatorValue.objects.filter(year=2025, month=6).count() == before
    assert EarlyWarning.objects.filter(year=2025, month=6).exists()


def test_refresh_is_all_or_nothing(demo, monkeypatch):
    """A refresh that fails half-way (after the snapshots, before the warnings) leaves the month as it was."""
    before = sorted(IndicatorValue.objects.filter(year=2025, month=6).values_list("id", flat=True))

    def broken(*args):
        raise RuntimeError("warnings could not be computed")

    monkeypatch.setattr(services, "_warning_frame", broken)
    with pytest.raises(RuntimeError):
        services.refresh(2025, 6)
    assert sorted(IndicatorValue.objects.filter(year=2025, month=6).values_list("id", flat=True)) == before


def test_a_month_computed_the_first_time_gets_fresh_planner_statistics(demo, monkeypatch):
    """The newest month is what every page asks for: its rows must not look absent to the planner."""
    seen = []
    real = services.insert_frame

    def spy(table, frame, **kwargs):
        seen.append((table, kwargs.get("new_key_range", False)))
        return real(table, frame, **kwargs)

    monkeypatch.setattr(services, "insert_frame", spy)
    services.refresh(2025, 6)  # recomputed: the month is known already
    IndicatorValue.objects.filter(year=2025, month=5).delete()
    services.refresh(2025, 5)  # computed as if for the first time
    assert seen == [(IndicatorValue._meta.db_table, False), (EarlyWarning._meta.db_table, False),
                    (IndicatorValue._meta.db_table, True), (EarlyWarning._meta.db_table, True)]


def test_cockpit_per_role(client, demo):
    client.force_login(demo["province"])
    page = client.get("/monitoring/?period=2025-06")
    assert page.status_code == 200
    assert [r["division"].name for r in page.context["child_rows"]][:2] == ["杭州市", "宁波市"]
    assert len(page.context["child_rows"]) == 11
    client.force_login(demo["hangzhou"])
    page = client.get("/monitoring/?period=2025-06")
    codes = [r["division"].code for r in page.context["child_rows"]]
    assert codes and all(c.startswith("3301") for c in codes)
    # a city user's cockpit cards are the city's own values, never the province's
    card = page.context["key_cards"][3]
    assert card["v"].region == "330100"
    client.force_login(demo["xihu"])
    page = client.get("/monitoring/?period=2025-06")
    assert page.context["child_rows"] == [] and page.context["key_cards"][0]["v"].region == "330106"
    for role in ("expert", "enterprise"):
        client.force_login(demo[role])
        assert client.get("/monitoring/").status_code == 403


def test_map_data_is_scoped(client, demo):
    client.force_login(demo["province"])
    cities = client.get("/monitoring/map/data/?indicator=rd_intensity&period=2025-06").json()
    assert cities["level"] == "city" and len(cities["regions"]) == 11
    counties = client.get("/monitoring/map/data/?indicator=rd_intensity&period=2025-06&parent=330100").json()
    assert counties["level"] == "county" and all(r["code"].startswith("3301") for r in counties["regions"])
    client.force_login(demo["hangzhou"])
    own_city = client.get("/monitoring/map/data/?indicator=rd_intensity&period=2025-06").json()["regions"]
    assert [r["code"] for r in own_city] == ["330100"]  # its own city only, not the other ten
    ningbo = client.get("/monitoring/map/data/?indicator=rd_intensity&period=2025-06&parent=330200").json()
    assert ningbo["regions"] == []  # another city's counties are out of scope
    assert client.get("/monitoring/geo/county.json").status_code == 200


def test_indicator_page_and_excel_export(client, demo):
    client.force_login(demo["province"])
    page = client.get("/monitoring/indicators/rd_intensity/?period=2025-06")
    peers = list(page.context["page"].object_list)
    assert page.status_code == 200 and len(peers) == 11
    ranks = [v.rank for v in peers]
    assert ranks == sorted(ranks)
    from xinzhi.core.testing import read_list_export

    header, rows = read_list_export(client.get("/monitoring/indicators/rd_intensity/?period=2025-06&format=xlsx"))
    assert len(rows) == 11 and header[:4] == ["排名", "地区", "本期（%）", "同比（百分点）"]
    assert [r[0] for r in rows] == ranks


def test_drilldown_lists_only_in_scope_enterprises(client, demo):
    client.force_login(demo["xihu"])
    page = client.get("/monitoring/indicators/rd_intensity/enterprises/?period=2025-06&region=330100")
    assert page.status_code == 200
    assert {s.division_id for s in page.context["page"].object_list} <= {"330106"}
    client.force_login(demo["province"])
    page = client.get("/monitoring/indicators/rd_intensity/enterprises/?period=2025-06&region=330106")
    values = [s.rd_expense for s in page.context["page"].object_list]
    assert values == sorted(values, reverse=True) and values


def test_drilldown_sorts_by_each_column_and_exports_what_it_shows(client, demo):
    from xinzhi.core.testing import read_list_export, writes_during

    client.force_login(demo["province"])
    url = "/monitoring/indicators/rd_intensity/enterprises/?period=2025-06&region=330106"
    key_of = {"enterprise": lambda s: s.enterprise.name, "division": lambda s: s.division_id,
              "industry": lambda s: s.enterprise.industry_id, "rd_expense": lambda s: s.rd_expense,
              "revenue": lambda s: s.revenue}
    everyone = list(MonthlyStat.objects.filter(year=2025, month=6, division_id="330106")
                    .select_related("enterprise"))
    for key, value in key_of.items():
        for sign in ("", "-"):
            page = client.get(f"{url}&sort={sign}{key}")
            assert page.status_code == 200, key
            shown = [s.pk for s in page.context["page"].object_list]
            expected = sorted(everyone, key=lambda s: (value(s), s.pk if not sign else -s.pk), reverse=bool(sign))
            assert shown == [s.pk for s in expected][:100], (key, sign)
    assert client.get(f"{url}&sort=secret").status_code == 400
    response = client.get(f"{url}&sort=-revenue&format=xlsx")
    header, rows = read_list_export(response)
    assert header == ["企业", "所在地", "行业", "研发费用（万元）", "营业收入（万元）"]
    top = max(everyone, key=lambda s: (s.revenue, s.pk))
    assert len(rows) == len(everyone) and rows[0][0] == top.enterprise.name
    assert rows[0][4] == pytest.approx(top.revenue / 10_000)
    assert writes_during(lambda: client.get(f"{url}&format=xlsx")) == []
    client.force_login(demo["xihu"])  # a county user asking for the city exports only the county
    _, rows = read_list_export(client.get(url.replace("330106", "330100") + "&format=xlsx"))
    assert rows and {r[1] for r in rows} == {"西湖区"}


def test_targets_allocate_and_sum_back(demo):
    from xinzhi.monitoring.models import Target

    services.refresh(2024, 12)
    services.allocate_default_targets(2025)
    cities = Target.objects.filter(indicator="new_hte", year=2025, division__level="city")
    assert sum(cities.values_list("value", flat=True)) == 5000
    hangzhou = Target.objects.get(indicator="new_hte", year=2025, division_id="330100").value
    counties = Target.objects.filter(indicator="new_hte", year=2025, division__parent_id="330100")
    assert sum(counties.values_list("value", flat=True)) == hangzhou
    rd_city = Target.objects.get(indicator="rd_intensity", year=2025, division_id="330100").value
    base = IndicatorValue.objects.get(indicator="rd_intensity", year=2024, month=12, region="330100").value
    base_p = IndicatorValue.objects.get(indicator="rd_intensity", year=2024, month=12, region="330000").value
    # own base + the province's step, floored at min(own base, 3.15), at the indicator's precision (2)
    expected = max(base + (3.15 - base_p), min(base, 3.15))
    assert rd_city == pytest.approx(round(expected, 2), abs=1e-9)


def test_target_text_keeps_the_indicator_precision_and_manual_decimals():
    from xinzhi.monitoring.views import target_text

    assert target_text(73.7, 1) == "73.7" and target_text(40, 1) == "40.0" and target_text(5000, 0) == "5,000"
    assert target_text(73.75, 1) == "73.75"  # a manual target with more decimals is shown as stored
    assert target_text(-0.5, 1) == "-0.5" and target_text(12345.6, 1, thousands=False) == "12345.6"
    assert target_text(None, 1) is None


def test_target_edit_permissions(demo):
    from django.core.exceptions import PermissionDenied

    assert services.set_target(demo["province"], "new_hte", "330100", 2025, 1300).method == "manual"
    assert services.set_target(demo["hangzhou"], "new_hte", "330106", 2025, 120).value == 120
    with pytest.raises(PermissionDenied):
        services.set_target(demo["hangzhou"], "new_hte", "330212", 2025, 10)  # a Ningbo county
    with pytest.raises(PermissionDenied):
        services.set_target(demo["xihu"], "new_hte", "330106", 2025, 10)
    services.allocate_default_targets(2025)  # never overwrites a manual target
    from xinzhi.monitoring.models import Target

    assert Target.objects.get(indicator="new_hte", year=2025, division_id="330100").value == 1300


def test_api_values_and_warnings_are_scoped(client, demo):
    client.force_login(demo["hangzhou"])
    body = client.get("/api/v1/monitoring/values?period=2025-06&indicator=rd_intensity").json()
    regions = {row["region"] for row in body["items"]}
    assert regions and all(r.startswith("3301") for r in regions)
    row = next(r for r in body["items"] if r["region"] == "330100")
    assert row["period"] == "2025-06" and row["value"] > 0 and row["level_group"]
    warnings = client.get("/api/v1/monitoring/warnings?period=2025-06").json()
    assert all(w["region"].startswith("3301") for w in warnings["items"])
    response = client.get("/api/v1/monitoring/values?period=2025-13")  # malformed: 400 with the reason
    assert response.status_code == 400 and "月份 13 不在 1–12 之间" in response.json()["detail"]
    client.force_login(demo["province"])
    assert client.get("/api/v1/monitoring/values?period=2025-06&region=330000").json()["count"] > 20


def test_targets_page_edit_rights_and_sums(client, demo):
    from xinzhi.monitoring.models import Target

    services.refresh(2024, 12)
    services.allocate_default_targets(2025)
    client.force_login(demo["province"])
    page = client.get("/monitoring/targets/?year=2025")
    assert page.status_code == 200 and len(page.context["rows"]) == 11 and page.context["rows"][0]["editable"]
    hte = next(i for i, ind in enumerate(page.context["indicators"]) if ind.id == "new_hte")
    assert page.context["totals"][hte] == {"parent": 5000.0, "sum": 5000.0, "parent_text": "5,000", "sum_text": "5,000"}
    # shown as the cockpit shows the indicator: at its precision, never 73.7000 or a bare 40
    body = page.content.decode()
    assert "5,000 / 5,000" in body and ".0000" not in body
    rd = next(i for i, ind in enumerate(page.context["indicators"]) if ind.id == "rd_intensity")
    hangzhou_rd = page.context["rows"][0]["cells"][rd]
    assert hangzhou_rd["input"] == f"{hangzhou_rd['t'].value:.2f}" and f'value="{hangzhou_rd["input"]}"' in body
    response = client.post("/monitoring/targets/", {"year": "2025", "new_hte:330100": "1400", "rd_intensity:330100": "abc"},
                           follow=True)
    body = response.content.decode()
    assert "不是数字" in body and "已保存 1 项" in body
    assert Target.objects.get(indicator="new_hte", division_id="330100", year=2025).method == "manual"
    # a city user edits its counties, and cannot touch another city's
    client.force_login(demo["hangzhou"])
    page = client.get("/monitoring/targets/?year=2025")
    assert all(r["division"].code.startswith("3301") and r["editable"] for r in page.context["rows"])
    client.post("/monitoring/targets/", {"year": "2025", "new_hte:330212": "99"})
    assert Target.objects.get(indicator="new_hte", division_id="330212", year=2025).value != 99
    client.force_login(demo["xihu"])
    assert client.get("/monitoring/targets/?year=2025").context["rows"] == []


def test_cached_cockpit_and_map_follow_recomputation_and_scope(client, demo, django_assert_num_queries):
    """The cockpit body and the map data are cached per scope and snapshots version: another scope never
    gets a cached answer, and a recomputed month is served at once."""
    url = "/monitoring/map/data/?indicator=rd_intensity&period=2025-06&parent=330100"
    client.force_login(demo["province"])
    province = client.get(url).json()["regions"]
    assert {r["code"][:4] for r in province} == {"3301"} and len(province) > 1
    client.force_login(demo["xihu"])
    xihu = client.get(url).json()["regions"]
    assert [r["code"] for r in xihu] == ["330106"]

    client.force_login(demo["province"])
    before = client.get("/monitoring/?period=2025-06").context["key_cards"][3]["v"].value
    with django_assert_num_queries(2):  # served from the cache: the user, the snapshots' data version
        assert client.get(url).json()["regions"] == province
    stat = MonthlyStat.objects.filter(year=2025, month=6, enterprise__division__code__startswith="3301",
                                      enterprise__years__year=2025, enterprise__years__above_scale=True).first()
    stat.rd_expense += 10**9
    stat.save()
    services.refresh(2025, 6)
    after = client.get("/monitoring/?period=2025-06").context["key_cards"][3]["v"].value
    assert after > before
    changed = {r["code"]: r["value"] for r in client.get(url).json()["regions"]}
    assert changed[stat.enterprise.division_id] > {r["code"]: r["value"] for r in province}[stat.enterprise.division_id]
