"""The call page's list of needs and its ranked-list export (排序名单, ``?format=xlsx``): the rows the user may
see on the page (scope through ``restrict``: an enterprise its own submissions), no rank, score or
recommendation before the list is published, names not codes, money in 万元 and scores with two decimals,
database sorting with the unranked needs last on every database, a Chinese file name, and no writes."""

import datetime as dt
from decimal import Decimal
from urllib.parse import unquote

import pytest

from xinzhi.core.testing import read_list_export, writes_during
from xinzhi.industries.models import Cluster
from xinzhi.programs import calls, research
from xinzhi.programs.models import NeedPartner, ResearchCall, ResearchNeed

pytestmark = pytest.mark.django_db
RANKED_HEADER = ["排序", "并列", "需求名称", "牵头企业", "所在县（市、区）", "合作单位（按排名）", "技术领域", "415X集群",
                 "总预算（万元）", "评审总分", "状态", "推荐"]


def _need(call, ent, title, state, budget, *, rank=None, tied=False, score=None, cluster=None):
    return ResearchNeed.objects.create(
        call=call, enterprise=ent, division_id=ent.division_id, title=title, field="新材料", cluster=cluster,
        problem="p", targets="t", budget=budget, self_funded=0, submitted_on=dt.date(2025, 3, 1), state=state,
        rank=rank, tied=tied, total_score=score)


@pytest.fixture
def ranked(world):
    """A published call: 杭州 (a, 330106) leads two needs tied at rank 1 and one withdrawn; 宁波 (c, 330212)
    leads the rank-3 need; 滨江 (lab, 330108) one that its city did not recommend (no rank)."""
    call = research.open_call(world["province"], year=2025, name="企业科技攻关需求征集", deadline=dt.date(2025, 4, 30),
                              on=dt.date(2025, 2, 1), quota=2)
    cluster = Cluster.objects.order_by("code").first()
    a, c, lab = world["a"], world["c"], world["lab"]
    needs = {
        "a1": _need(call, a, "柔性传感器封装", calls.SELECTED, 12_345_678, rank=1, tied=True, score=Decimal("88.50"),
                    cluster=cluster),
        "c1": _need(call, c, "高速轴承寿命", calls.NOT_SELECTED, 5_000_000, rank=3, score=Decimal("80.25")),
        "a2": _need(call, a, "导热界面材料", calls.PROJECT, 800_000, rank=1, tied=True, score=Decimal("88.50")),
        "lab": _need(call, lab, "石墨烯导热膜", calls.REJECTED, 2_000_000),
        "a3": _need(call, a, "撤回的需求", calls.WITHDRAWN, 1_000_000),
    }
    NeedPartner.objects.create(need=needs["a1"], rank=3, name="浙江大学", kind="university")
    NeedPartner.objects.create(need=needs["a1"], rank=2, name="中科院宁波材料所", kind="institute", in_province=True)
    ResearchCall.objects.filter(pk=call.pk).update(state=calls.PUBLISHED, published_on=dt.date(2025, 6, 20))
    call.refresh_from_db()
    return {"call": call, **needs}


def _url(call):
    return f"/programs/calls/{call.pk}/"


def test_the_ranked_export_holds_the_page_rows_with_names_units_and_two_decimals(client, world, ranked):
    client.force_login(world["province"])
    page = client.get(_url(ranked["call"]))
    response = client.get(_url(ranked["call"]), {"format": "xlsx"})
    header, rows = read_list_export(response)
    assert header == RANKED_HEADER
    # the page's order: rank, then the earlier submission; the needs without a rank last
    expected = [ranked[k].title for k in ("a1", "a2", "c1", "lab", "a3")]
    assert [n.title for n in page.context["page"]] == expected
    assert [r[2] for r in rows] == expected
    first = dict(zip(header, rows[0], strict=True))
    assert first == {"排序": 1, "并列": "是", "需求名称": "柔性传感器封装", "牵头企业": "西湖智感科技有限公司",
                     "所在县（市、区）": "西湖区", "合作单位（按排名）": "中科院宁波材料所；浙江大学", "技术领域": "新材料",
                     "415X集群": Cluster.objects.order_by("code").first().name, "总预算（万元）": 1234.5678,
                     "评审总分": 88.5, "状态": "已推荐", "推荐": "是"}
    assert [r[header.index("推荐")] for r in rows] == ["是", "是", "否", "否", "否"]  # 已立项 counts as recommended
    assert rows[2][:2] == [3, "否"] and rows[3][:2] == ["—", "—"]  # no rank, no tie for the unranked
    assert rows[3][header.index("所在县（市、区）")] == "滨江区" and rows[3][header.index("状态")] == "未通过审核"
    # the page shows the same numbers: 万元 with two decimals, scores with two decimals, the tie beside the rank
    html = page.content.decode()
    assert "1,234.57" in html and "88.50" in html and "80.25" in html and "1（并列）" in html
    assert "总预算（万元）" in html and "330106" not in html
    # the file: the call's year and name, the ranked list, in Chinese
    disposition = unquote(response["Content-Disposition"])
    assert "2025年企业科技攻关需求征集-排序名单-" in disposition and disposition.endswith(".xlsx")


def test_an_enterprise_exports_only_the_needs_it_leads(client, world, ranked):
    client.force_login(world["owner"])  # 西湖智感 (a)
    page = client.get(_url(ranked["call"]))
    _, rows = read_list_export(client.get(_url(ranked["call"]), {"format": "xlsx"}))
    mine = ["柔性传感器封装", "导热界面材料", "撤回的需求"]
    assert [n.title for n in page.context["page"]] == [r[2] for r in rows] == mine
    client.force_login(world["other_owner"])
    _, rows = read_list_export(client.get(_url(ranked["call"]), {"format": "xlsx"}))
    assert [r[2] for r in rows] == ["高速轴承寿命"]


@pytest.mark.parametrize(("role", "titles"), [
    ("city", {"柔性传感器封装", "导热界面材料", "石墨烯导热膜", "撤回的需求"}),  # 杭州: 西湖 and 滨江
    ("ningbo", {"高速轴承寿命"}), ("county", {"柔性传感器封装", "导热界面材料", "撤回的需求"}),
    ("leader", {"柔性传感器封装", "导热界面材料", "高速轴承寿命", "石墨烯导热膜", "撤回的需求"}),
])
def test_staff_export_their_region(client, world, ranked, role, titles):
    client.force_login(world[role])
    page = client.get(_url(ranked["call"]))
    _, rows = read_list_export(client.get(_url(ranked["call"]), {"format": "xlsx"}))
    assert {n.title for n in page.context["page"]} == {r[2] for r in rows} == titles


def test_before_publication_neither_page_nor_export_shows_a_rank_or_score(client, world, ranked):
    call = ranked["call"]
    # a score already recorded (e.g. by a correction) must not show while the call is still being reviewed
    ResearchCall.objects.filter(pk=call.pk).update(state=calls.REVIEWING, published_on=None)
    client.force_login(world["province"])
    page = client.get(_url(call))
    response = client.get(_url(call), {"format": "xlsx"})
    header, rows = read_list_export(response)
    assert header == ["需求名称", "牵头企业", "所在县（市、区）", "合作单位（按排名）", "技术领域", "415X集群", "总预算（万元）",
                      "状态"]
    assert len(rows) == 5
    html = page.content.decode()
    assert "88.50" not in html and "（并列）" not in html and "评审总分" not in html
    assert [h["label"] for h in page.context["table"]["headers"]] == ["需求名称", "牵头企业", "所在县（市、区）",
                                                                      "总预算（万元）", "状态"]
    assert "申报需求" in unquote(response["Content-Disposition"])
    # a rank key is not a sortable column before publication: a 400, not the ranking through the back door
    assert client.get(_url(call), {"sort": "rank"}).status_code == 400
    assert client.get(_url(call), {"sort": "score", "format": "xlsx"}).status_code == 400


@pytest.mark.parametrize(("key", "expected"), [
    ("rank", ["a1", "a2", "c1", "lab", "a3"]), ("-rank", ["lab", "a3", "c1", "a1", "a2"]),
    ("score", ["lab", "a3", "c1", "a1", "a2"]), ("-score", ["a1", "a2", "c1", "lab", "a3"]),
    ("budget", ["a2", "a3", "lab", "c1", "a1"]), ("division", ["a1", "a2", "a3", "lab", "c1"]),
])
def test_sorting_by_a_header_is_the_same_on_page_and_export(client, world, ranked, key, expected):
    client.force_login(world["province"])
    page = client.get(_url(ranked["call"]), {"sort": key})
    assert [n.pk for n in page.context["page"]] == [ranked[k].pk for k in expected]
    _, rows = read_list_export(client.get(_url(ranked["call"]), {"sort": key, "format": "xlsx"}))
    assert [r[2] for r in rows] == [ranked[k].title for k in expected]


def test_neither_the_call_page_nor_its_export_writes(client, world, ranked):
    client.force_login(world["province"])
    assert writes_during(lambda: client.get(_url(ranked["call"]), {"sort": "-score"})) == []
    assert writes_during(lambda: client.get(_url(ranked["call"]), {"format": "xlsx"})) == []
    client.force_login(world["owner"])
    assert writes_during(lambda: client.get(_url(ranked["call"]), {"format": "xlsx"})) == []


def test_no_export_without_the_capability_or_the_call(client, world, ranked):
    client.force_login(world["expert"])  # experts read what is assigned to them on the evaluation pages
    assert client.get(_url(ranked["call"]), {"format": "xlsx"}).status_code == 403
    client.force_login(world["owner"])
    assert client.get("/programs/calls/999999/", {"format": "xlsx"}).status_code == 404


# --------------------------------------------------------------------------- what the browser tests found

def test_the_415x_cluster_chosen_on_the_submit_page_is_kept_and_a_bad_one_refused(client, world):
    call = research.open_call(world["province"], year=2026, name="2026年征集", deadline=dt.date(2099, 12, 31),
                              on=dt.date(2026, 1, 5))
    cluster = Cluster.objects.order_by("code").first()
    form = {"title": "耐高温密封件", "field": "新材料", "problem": "寿命短", "targets": "寿命≥2000小时", "budget": "120",
            "self_funded": "80", "partner_0": "浙江大学", "partner_kind_0": "university",
            "partner_1": "某研究所", "partner_kind_1": "institute", "partner_outside_1": "on"}
    client.force_login(world["owner"])
    r = client.post(f"/programs/calls/{call.pk}/submit/", form | {"cluster": "no-such-cluster"})
    html = r.content.decode()
    assert r.status_code == 200 and "请从列表中选择415X集群" in html
    # what was typed stays: the partners, their kinds, the out-of-province box
    assert 'value="某研究所"' in html and '<option value="institute" selected>' in html and "checked" in html
    assert not ResearchNeed.objects.filter(call=call).exists()
    r = client.post(f"/programs/calls/{call.pk}/submit/", form | {"cluster": cluster.code})
    assert r.status_code == 302
    need = ResearchNeed.objects.get(call=call)
    assert need.cluster_id == cluster.code  # the code key was read as a number and dropped before
    page = client.get(r["Location"]).content.decode()
    assert cluster.name in page and "1. 浙江大学" not in page and "2. 浙江大学（高校）" in page
    assert "3. 某研究所（科研院所，省外）" in page


def test_only_an_enterprise_is_offered_the_submit_button_and_a_finished_call_has_no_empty_actions(client, world,
                                                                                                   ranked):
    open_ = research.open_call(world["province"], year=2026, name="2026年征集", deadline=dt.date(2099, 12, 31),
                               on=dt.date(2026, 1, 5))
    client.force_login(world["province"])  # may run the call, is no enterprise
    html = client.get(_url(open_)).content.decode()
    assert f"/programs/calls/{open_.pk}/submit/" not in html and 'id="call-actions"' in html
    ResearchCall.objects.filter(pk=ranked["call"].pk).update(state=calls.RECOMMENDED)
    assert 'id="call-actions"' not in client.get(_url(ranked["call"])).content.decode()
    client.force_login(world["owner"])
    assert f"/programs/calls/{open_.pk}/submit/" in client.get(_url(open_)).content.decode()


def test_a_refused_call_keeps_what_was_typed(client, world):
    client.force_login(world["province"])
    r = client.post("/programs/calls/", {"name": "2027年征集", "year": "2027", "deadline": "2020-01-01", "quota": "12",
                                         "guide": "面向415X集群"})
    html = r.content.decode()
    assert "申报截止日期不能早于发布日期" in html
    assert 'value="2027年征集"' in html and 'value="12"' in html and "面向415X集群</textarea>" in html


def test_a_return_reason_shows_while_returned_and_then_only_in_the_step_log(client, world):
    call = research.open_call(world["province"], year=2026, name="2026年征集", deadline=dt.date(2099, 12, 31),
                              on=dt.date(2026, 1, 5))
    need = research.submit_need(world["owner"], call, world["a"], {
        "title": "耐高温密封件", "field": "新材料", "problem": "p", "targets": "t", "budget": 1_000_000}, [],
        dt.date(2026, 1, 6))
    client.force_login(world["county"])
    r = client.post(f"/programs/needs/{need.pk}/", {"action": "county_return", "on": "2026-01-07",
                                                    "note": "考核指标未量化"}, follow=True)
    html = r.content.decode()
    assert "已办理：县级退回修改" in html and "<dt>审核意见</dt><dd>考核指标未量化</dd>" in html
    research.act(world["owner"], need.pk, "resubmit", dt.date(2026, 1, 8))
    r = client.post(f"/programs/needs/{need.pk}/", {"action": "county_pass", "on": "2026-01-09"}, follow=True)
    html = r.content.decode()
    assert "已办理：县级审核通过" in html and "<dt>审核意见</dt>" not in html and "考核指标未量化" in html
