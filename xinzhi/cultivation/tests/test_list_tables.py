"""The sampling lists (核查抽样: the draws, the enterprises of a draw) and the advanced-manufacturing list
(先进制造业企业名单) on the shared list table: sorted in the database by each sortable column in both directions
(ties by id), the export holding the page's rows in the page's order (labels, not codes), an unknown key refused
in Chinese, each role's scope as before (a county user's export holds only its county), a GET that writes
nothing, and the outcome form on the draw page keeping the page's sort."""

from __future__ import annotations

import pytest

from xinzhi.core.testing import declared_order, read_list_export, writes_during
from xinzhi.cultivation.models import ListEntry, SamplingDraw, SamplingItem
from xinzhi.cultivation.services import am_list, sampling

pytestmark = pytest.mark.django_db

ITEM_KEYS = {"rank": lambda i: i.rank, "enterprise": lambda i: i.enterprise.name,
             "program": lambda i: declared_order(SamplingItem, "program")(i.program),
             "division": lambda i: i.division_id, "weight": lambda i: i.weight,
             "outcome": lambda i: declared_order(SamplingItem, "outcome")(i.outcome)}
DRAW_KEYS = {"id": lambda d: d.pk, "year": lambda d: d.year, "division": lambda d: d.division_id,
             "population": lambda d: d.population, "size": lambda d: d.size, "created_at": lambda d: d.created_at}
ENTRY_KEYS = {"enterprise": lambda e: e.enterprise.name, "division": lambda e: e.division_id,
              "level": lambda e: e.level_division_id,
              "status": lambda e: declared_order(ListEntry, "status")(e.status)}  # the workflow's order, not the code's


def in_order(rows, value, descending):
    """Ascending or descending by ``value``, equal values by primary key ascending (the list's tie-breaker)."""
    rows = sorted(rows, key=lambda r: r.pk)
    return [r.pk for r in sorted(rows, key=value, reverse=descending)]


def shown(page) -> list[int]:
    return [obj.pk for obj in page.context["page"].object_list]


@pytest.fixture
def draw(world):
    draw = sampling.create_draw(world["province"], 2025, 30, seed=7)
    items = list(draw.items.order_by("rank"))
    assert {i.division_id for i in items} == {"330106", "330212"}
    # a few outcomes recorded, so the outcome column has more than one value (and ties)
    SamplingItem.objects.filter(pk__in=[items[2].pk, items[5].pk]).update(outcome="confirmed")
    SamplingItem.objects.filter(pk=items[9].pk).update(outcome="revoke", note="不符合条件")
    return draw


def test_draw_items_sort_by_each_column(client, world, draw):
    client.force_login(world["province"])
    url = f"/cultivation/sampling/{draw.pk}/"
    items = list(SamplingItem.objects.filter(draw=draw).select_related("enterprise"))
    assert len({i.weight for i in items}) < len(items)  # equal weights: the tie-breaker decides
    for key, value in ITEM_KEYS.items():
        for sign in ("", "-"):
            page = client.get(url, {"sort": sign + key})
            assert page.status_code == 200, key
            assert shown(page) == in_order(items, value, bool(sign)), (key, sign)
    assert shown(client.get(url)) == [i.pk for i in sorted(items, key=lambda i: i.rank)]
    html = client.get(url, {"sort": "-weight"}).content.decode()
    assert 'aria-sort="descending"' in html and "▼" in html and 'name="outcome"' in html


def test_draw_export_holds_the_page_rows_and_the_scope(client, world, draw):
    client.force_login(world["province"])
    url = f"/cultivation/sampling/{draw.pk}/"
    for sort in ("-weight", "enterprise", "-outcome"):
        page = client.get(url, {"sort": sort})
        header, rows = read_list_export(client.get(url, {"sort": sort, "format": "xlsx"}))
        names = [i.enterprise.name for i in page.context["page"].object_list]
        assert [r[header.index("企业")] for r in rows] == names, sort
        assert [r[0] for r in rows] == [i.rank for i in page.context["page"].object_list]
    assert header == ["序", "统一社会信用代码", "企业", "资质", "县（市、区）", "风险信号", "权重", "核查结果", "核查说明", "核查时间"]
    outcomes = {r[header.index("核查结果")] for r in rows}
    assert {"核查属实", "待核查", "不符合条件，建议取消资格"} <= outcomes and "revoke" not in outcomes
    assert writes_during(lambda: client.get(url, {"format": "xlsx"})) == []
    # scope as before: a draw belongs to the region it was drawn for; a county user opens only its own
    county = sampling.create_draw(world["province"], 2025, 8, seed=11, division="330106")
    client.force_login(world["xihu"])
    assert client.get(url, {"format": "xlsx"}).status_code == 404
    header, rows = read_list_export(client.get(f"/cultivation/sampling/{county.pk}/", {"format": "xlsx"}))
    assert len(rows) == county.items.count() > 0 and {r[header.index("县（市、区）")] for r in rows} == {"西湖区"}


def test_draw_refuses_unknown_and_unsortable_keys_in_chinese(client, world, draw):
    client.force_login(world["province"])
    for key in ("secret", "signals", "note", "-uscc", "inspected_at"):
        response = client.get(f"/cultivation/sampling/{draw.pk}/", {"sort": key})
        assert response.status_code == 400, key
        assert "排序" in response.content.decode()


def test_the_outcome_form_keeps_the_pages_sort(client, world, draw):
    county = sampling.create_draw(world["province"], 2025, 8, seed=11, division="330106")
    item = county.items.order_by("rank").first()
    client.force_login(world["xihu"])
    url = f"/cultivation/sampling/{county.pk}/?sort=-weight&page=1"
    response = client.post(url, {"item": item.pk, "outcome": "confirmed", "note": ""})
    assert response.status_code == 302 and response["Location"].endswith("?sort=-weight&page=1")
    assert SamplingItem.objects.get(pk=item.pk).outcome == "confirmed"


def test_draws_sort_export_and_scope(client, world):
    draws = [sampling.create_draw(world["province"], 2025, n, seed=s) for n, s in ((12, 1), (5, 2), (20, 2**60 + 1))]
    draws.append(sampling.create_draw(world["ningbo"], 2025, 5, seed=4))  # 宁波市
    own = sampling.create_draw(world["province"], 2025, 6, seed=5, division="330106")  # 西湖区
    client.force_login(world["province"])
    everyone = list(SamplingDraw.objects.restrict(world["province"]))
    for key, value in DRAW_KEYS.items():
        for sign in ("", "-"):
            page = client.get("/cultivation/sampling/", {"sort": sign + key})
            assert page.status_code == 200, key
            assert shown(page) == in_order(everyone, value, bool(sign))[:50], (key, sign)
    page = client.get("/cultivation/sampling/", {"sort": "-size"})
    header, rows = read_list_export(client.get("/cultivation/sampling/", {"sort": "-size", "format": "xlsx"}))
    assert [r[0] for r in rows][:50] == shown(page) and len(rows) == len(everyone)
    assert header[:5] == ["编号", "年度", "范围", "总体（家）", "抽取（家）"]
    assert {r[header.index("种子")] for r in rows} >= {"1", "2", str(2**60 + 1)}  # as text: no digit lost
    assert client.get("/cultivation/sampling/", {"sort": "seed"}).status_code == 400
    client.force_login(world["xihu"])  # a county user: only the draws for its county, as before
    _, rows = read_list_export(client.get("/cultivation/sampling/", {"format": "xlsx"}))
    assert own.pk in {r[0] for r in rows} and not {r[0] for r in rows} & {d.pk for d in draws}
    assert {r[2] for r in rows} == {"西湖区"}


@pytest.fixture
def entries(world):
    """Entries of 西湖区 (two confirmed, one rejected, the rest proposed) and of 鄞州区 (proposed by the city)."""
    xihu = list(am_list.candidates(world["xihu"], 2025).values_list("enterprise_id", flat=True)[:5])
    ningbo = list(am_list.candidates(world["ningbo"], 2025).values_list("enterprise_id", flat=True)[:3])
    assert len(xihu) >= 4 and ningbo, "screening should find candidates in both counties"
    own = am_list.propose(world["xihu"], xihu, 2025, "测试")
    am_list.propose(world["ningbo"], ningbo, 2025, "测试")
    for entry in own[:2]:
        for u in ("science", "finance", "tax"):
            am_list.decide(world[u], entry, "confirm")
    am_list.decide(world["tax"], own[2], "reject", "制造业销售额占比不足")
    return own


def test_am_list_sorts_exports_and_keeps_each_roles_scope(client, world, entries):
    client.force_login(world["xihu"])
    url = "/cultivation/am-list/?year=2025"
    visible = list(am_list.visible(world["xihu"], 2025))
    assert {e.division_id for e in visible} == {"330106"} and len(visible) == len(entries)
    for key, value in ENTRY_KEYS.items():
        for sign in ("", "-"):
            page = client.get(url, {"sort": sign + key})
            assert page.status_code == 200, key
            assert shown(page) == in_order(visible, value, bool(sign)), (key, sign)
    page = client.get(url, {"sort": "-status"})
    header, rows = read_list_export(client.get(url, {"sort": "-status", "format": "xlsx"}))
    assert [r[header.index("企业")] for r in rows] == [e.enterprise.name for e in page.context["page"].object_list]
    assert {r[header.index("县（市、区）")] for r in rows} == {"西湖区"}  # the county user's region only
    assert {r[header.index("状态")] for r in rows} == {"联合确认通过", "未通过确认", "待联合确认"}
    assert writes_during(lambda: client.get(url, {"format": "xlsx"})) == []
    for key in ("secret", "reason", "uscc"):
        response = client.get(url, {"sort": key})
        assert response.status_code == 400 and "排序" in response.content.decode()
    client.force_login(world["province"])  # the province's step: the confirmed entries only, as before
    _, rows = read_list_export(client.get(url, {"format": "xlsx"}))
    assert len(rows) == am_list.visible(world["province"], 2025).count() >= 2
    assert {r[header.index("状态")] for r in rows} <= {"联合确认通过", "已公布"}
