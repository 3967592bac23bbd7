"""Published unicorn lists through the import framework: matching (USCC, else exact name; unmatched rows
reported, not created), valuation units, duplicate rows, idempotent re-import, export round trip, province
only — and the list events feeding the monitoring (entries, exits) and the annual report."""

from __future__ import annotations

import datetime

import pytest

from xinzhi.accounts.models import Role, User
from xinzhi.core.imports import commit_import, kind_names, preview_import
from xinzhi.core.imports.exports import export_kind, write_template
from xinzhi.core.tests.helpers import code, write_csv
from xinzhi.reports import render_bytes
from xinzhi.unicorns import lists, report
from xinzhi.unicorns.models import Company, ListEntry

pytestmark = pytest.mark.django_db
D = datetime.date
HEAD = ["榜单名称", "榜单年度", "企业名称", "统一社会信用代码", "所在城市", "领域", "估值（亿美元）", "层级"]
GEI = "中国独角兽企业榜单（GEI）"


@pytest.fixture
def world(db):
    def user(name, role, division):
        return User.objects.create(username=name, role=role, division_id=division)

    big = Company.objects.create(name="云深智能科技", uscc=code("330106", 11), division_id="330106", field="人工智能",
                                 founded_on=D(2018, 3, 1))
    near = Company.objects.create(name="甬江新材料", division_id="330203", field="新材料", founded_on=D(2021, 1, 1))
    old = Company.objects.create(name="钱塘生物医药", division_id="330114", field="生物医药", founded_on=D(2016, 1, 1))
    return {"big": big, "near": near, "old": old, "province": user("p", Role.PROVINCE_STAFF, "330000"),
            "city": user("c", Role.CITY_STAFF, "330100"), "county": user("x", Role.COUNTY_STAFF, "330106")}


def rows(world):
    return [
        [GEI, "2025", "云深智能科技（杭州）", world["big"].uscc, "杭州", "人工智能", "12.5", "独角兽"],
        [GEI, "2025", "甬江新材料", "", "宁波", "新材料", "3.2", "潜在独角兽"],
        [GEI, "2025", "未登记的某某科技", "", "杭州", "集成电路", "15", "独角兽"],
    ]


def test_kind_and_template(tmp_path):
    assert "unicorn-lists" in kind_names()
    write_template("unicorn-lists", "xlsx", tmp_path / "t.xlsx")


def test_matching_commit_idempotent_and_round_trip(tmp_path, world):
    path = write_csv(tmp_path / "gei.csv", HEAD, rows(world))
    preview = preview_import("unicorn-lists", path, user=world["province"])
    warnings = {(w.row, w.field, w.reason_zh) for w in preview.result.warnings}
    assert (2, "企业名称", "名称与培育库中的“云深智能科技”不一致，已按统一社会信用代码匹配，请核对") in warnings
    assert (3, "企业名称", "已按企业名称匹配培育库中的企业，请核对") in warnings
    assert (4, "企业名称", "“未登记的某某科技”不在独角兽培育库中，本行不导入（请先登记该企业的所在县和成立日期）") in warnings
    assert not preview.result.errors
    outcome = commit_import("unicorn-lists", path, user=world["province"])
    assert outcome.committed and outcome.result.counts["new"] == 2
    assert not Company.objects.filter(name="未登记的某某科技").exists()  # reported, not created
    entry = ListEntry.objects.get(company=world["big"])
    assert (entry.year, entry.tier, entry.valuation_usd, entry.city) == (2025, "unicorn", 1_250_000_000, "杭州")
    again = commit_import("unicorn-lists", path, user=world["province"])
    assert (again.result.counts["new"], again.result.counts["changed"], again.result.counts["unchanged"]) == (0, 0, 2)
    out = tmp_path / "out.xlsx"
    assert export_kind("unicorn-lists", None, "xlsx", out) == 2
    back = commit_import("unicorn-lists", out, user=world["province"])
    assert back.committed and back.result.counts["unchanged"] == 2 and ListEntry.objects.count() == 2
    # a corrected valuation updates the entry, audited
    fixed = rows(world)[:2]
    fixed[1][6] = "3.25"
    assert commit_import("unicorn-lists", write_csv(tmp_path / "fix.csv", HEAD, fixed),
                         user=world["province"]).result.counts["changed"] == 1
    assert ListEntry.objects.get(company=world["near"]).valuation_usd == 325_000_000


def test_bad_valuation_units_and_duplicates(tmp_path, world):
    bad = [
        [GEI, "2025", "云深智能科技", "", "杭州", "人工智能", "80亿元", "独角兽"],
        [GEI, "2025", "甬江新材料", "", "宁波", "新材料", "350000", "潜在独角兽"],
        [GEI, "2025", "钱塘生物医药", "", "杭州", "生物医药", "0.8", "独角兽"],
        [GEI, "2025", "钱塘生物医药", "", "杭州", "生物医药", "0", "独角兽"],
    ]
    result = preview_import("unicorn-lists", write_csv(tmp_path / "bad.csv", HEAD, bad), user=world["province"]).result
    errors = {(e.row, e.field, e.reason_zh) for e in result.errors}
    assert (2, "估值（亿美元）", "“80亿元”不是数字：估值按亿美元填写数字（如 12.5），不带单位，人民币估值须先折算") in errors
    assert (3, "估值（亿美元）", "估值超过10,000亿美元，请核对单位（本列为亿美元，不是万美元或元）") in errors
    assert (4, "估值（亿美元）", "独角兽估值应不低于10亿美元，本行为0.8亿美元，请核对单位") in {
        (w.row, w.field, w.reason_zh) for w in result.warnings}
    assert (5, "估值（亿美元）", "估值须大于0") in errors
    assert any(r == 5 and "与第4行重复" in reason for r, _, reason in errors)
    # the same company once by code and once by name is a duplicate too
    dup = [[GEI, "2025", "云深智能科技", world["big"].uscc, "", "", "12", "独角兽"],
           [GEI, "2025", "云深", world["big"].uscc, "", "", "12", "独角兽"]]
    result = preview_import("unicorn-lists", write_csv(tmp_path / "dup.csv", HEAD, dup), user=world["province"]).result
    assert [(e.row, e.field) for e in result.errors] == [(3, "企业名称")]
    # a valuation header in another unit is not the column: the file is refused before any row is read
    other_unit = ["榜单名称", "榜单年度", "企业名称", "统一社会信用代码", "所在城市", "领域", "估值(亿元)", "层级"]
    outcome = commit_import("unicorn-lists", write_csv(tmp_path / "unit.csv", other_unit, bad[:1]), user=world["province"])
    assert not outcome.committed
    assert any("估值（亿美元）" in e.field or "估值（亿美元）" in e.reason_zh for e in outcome.result.errors)
    assert ListEntry.objects.count() == 0


def test_only_province_staff_import_lists(tmp_path, world):
    path = write_csv(tmp_path / "gei.csv", HEAD, rows(world)[:1])
    for who in ("county", "city"):  # even the county where the company is registered
        result = preview_import("unicorn-lists", path, user=world[who]).result
        assert [(e.row, e.field) for e in result.errors] == [(2, "榜单名称")]
        assert "不在您的管辖范围内" in result.errors[0].reason_zh
        assert not commit_import("unicorn-lists", path, user=world[who]).committed
    assert commit_import("unicorn-lists", path, user=world["province"]).committed
    # and once stored, a county may not correct it either
    assert preview_import("unicorn-lists", path, user=world["county"]).result.errors


def test_list_events_feed_monitoring_and_the_annual_report(tmp_path, world):
    y24 = [[GEI, "2024", "云深智能科技", "", "杭州", "人工智能", "9", "潜在独角兽"],
           [GEI, "2024", "钱塘生物医药", "", "杭州", "生物医药", "20", "独角兽"]]
    y25 = [[GEI, "2025", "云深智能科技", "", "杭州", "人工智能", "12.5", "独角兽"],
           [GEI, "2025", "甬江新材料", "", "宁波", "新材料", "3.2", "潜在独角兽"]]
    assert commit_import("unicorn-lists", write_csv(tmp_path / "l.csv", HEAD, y24 + y25), user=world["province"]).committed
    [gei] = lists.movements(world["province"], 2025)
    assert (gei["count"], gei["compared"], gei["entered"], gei["left"]) == (2, True, ["甬江新材料"], ["钱塘生物医药"])
    assert gei["by_tier"] == {"独角兽": 1, "潜在独角兽": 1}
    assert lists.movements(world["province"], 2024)[0]["compared"] is False
    # the county of 西湖区 sees only its own company's entries
    [own] = lists.movements(world["county"], 2025)
    assert (own["count"], own["entered"], own["left"]) == (1, [], [])
    f = report.figures(world["province"], 2025)
    assert f["lists"][0]["entered"] == ["甬江新材料"]
    data = render_bytes(report.document(f, world["province"]), "docx")
    import io

    import docx
    text = "\n".join(c.text for t in docx.Document(io.BytesIO(data)).tables for r in t.rows for c in r.cells)
    assert "六、榜单入选" in "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)
    assert "钱塘生物医药" in text and GEI in text


def test_list_events_api(client, tmp_path, world):
    y = [[GEI, "2025", "云深智能科技", "", "杭州", "人工智能", "12.5", "独角兽"]]
    assert commit_import("unicorn-lists", write_csv(tmp_path / "l.csv", HEAD, y), user=world["province"]).committed
    client.force_login(world["city"])
    body = client.get("/api/v1/unicorns/lists", {"year": 2025}).json()
    assert body == [{"list_name": GEI, "year": 2025, "count": 1, "compared": False, "by_tier": {"独角兽": 1},
                     "entered": [], "left": []}]
    client.force_login(world["county"].__class__.objects.create(username="nb", role=Role.COUNTY_STAFF,
                                                                 division_id="330203"))
    assert client.get("/api/v1/unicorns/lists", {"year": 2025}).json() == []
