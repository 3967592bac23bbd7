"""Task 13's standards themes, "浙江制造" standards and 品字标 certificates: service rules with their Chinese
reasons, the in-force rule as of a date, the standards page's summary, scope (list, summary, export, API), the
import kinds (preview, commit, idempotent, round trip) and the enterprise panel."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied

from xinzhi.core.imports import commit_import, kind_names, preview_import
from xinzhi.core.imports.exports import export_kind, write_template
from xinzhi.core.testing import read_list_export, writes_during
from xinzhi.core.tests.helpers import write_csv
from xinzhi.programs import services
from xinzhi.programs.brand import in_force_q
from xinzhi.programs.models import BrandCertificate, Standard
from xinzhi.programs.standards import summary

D = dt.date
CERT = ["统一社会信用代码", "企业名称", "证书编号", "认证产品", "依据的浙江制造标准号", "认证机构", "发证日期", "有效期至",
        "证书终止", "终止日期"]
STD = ["统一社会信用代码", "企业名称", "标准名称", "标准号", "级别", "是否修订", "状态", "角色", "起草单位排名", "发布机构",
       "发布日期", "415X集群", "专题方向", "浙江制造标准"]


def _std(world, user, enterprise, **over):
    data = {"name": "柔性压力传感器通用规范", "level": "group", "status": "published", "role": "lead",
            "published_on": D(2023, 6, 1), "number": "T/ZZB 0001-2023"} | over
    return services.record_standard(world[user], world[enterprise], data)


def _cert(world, user, enterprise, **over):
    data = {"product": "柔性压力传感器", "number": "ZZ-0001", "standard_number": "T/ZZB 0001-2023",
            "certifier": "浙江某认证有限公司", "issued_on": D(2024, 3, 1), "valid_until": D(2027, 2, 28)} | over
    return services.record_certificate(world[user], world[enterprise], data)


def test_standard_theme_and_zhejiang_made(world):
    s = _std(world, "owner", "a", theme="双碳", zhejiang_made=True)
    assert (s.theme, s.get_theme_display(), s.zhejiang_made) == ("carbon", "双碳", True)
    assert _std(world, "owner", "a", name="数字标准", theme="digital").theme == "digital"
    assert _std(world, "owner", "a", name="无专题标准").theme == ""
    with pytest.raises(services.Refused, match="专题方向须为：数字产业化、双碳、绿色制造、高耗能行业标准修订，或留空"):
        _std(world, "owner", "a", name="x", theme="低碳")
    with pytest.raises(services.Refused, match="“浙江制造”标准为团体标准，级别须为团体标准"):
        _std(world, "owner", "a", name="国家标准", level="national", zhejiang_made=True)
    assert not Standard.objects.filter(name__in=["x", "国家标准"]).exists()


def test_certificate_rules_in_chinese(world):
    c = _cert(world, "owner", "a")
    assert (c.division_id, c.end_kind, c.ended_on) == ("330106", "", None)
    assert LogEntry.objects.get_for_object(c).count() == 1
    with pytest.raises(services.Refused, match=r"有效期至不能早于发证日期（2024-03-01）"):
        _cert(world, "owner", "a", number="ZZ-0002", valid_until=D(2024, 2, 1))
    with pytest.raises(services.Refused, match="证书编号“ZZ-0001”已登记"):
        _cert(world, "county", "a")
    with pytest.raises(PermissionDenied, match="只能为本地区企业办理"):
        _cert(world, "county", "c", number="ZZ-0003")
    with pytest.raises(PermissionDenied, match="企业用户只能为本企业办理"):
        _cert(world, "owner", "c", number="ZZ-0003")
    with pytest.raises(PermissionDenied):
        _cert(world, "leader", "a", number="ZZ-0003")
    with pytest.raises(services.Refused, match="证书已撤销的须填写终止日期"):
        _cert(world, "owner", "a", number="ZZ-0004", end="撤销")
    with pytest.raises(services.Refused, match="填写终止日期的须选择证书终止方式"):
        _cert(world, "owner", "a", number="ZZ-0004", ended_on=D(2025, 1, 1))
    with pytest.raises(services.Refused, match="终止日期不能早于发证日期"):
        _cert(world, "owner", "a", number="ZZ-0004", end="revoked", ended_on=D(2024, 1, 1))
    with pytest.raises(services.Refused, match="请填写认证机构"):
        _cert(world, "owner", "a", number="ZZ-0004", certifier=" ")
    assert BrandCertificate.objects.count() == 1


def _in_force(number, on):
    return BrandCertificate.objects.filter(in_force_q(on), number=number).exists()


def test_in_force_as_of_a_date(world):
    _cert(world, "owner", "a", number="EXP", valid_until=D(2025, 2, 28))
    _cert(world, "owner", "a", number="REV", end="revoked", ended_on=D(2025, 6, 1))
    _cert(world, "owner", "a", number="LATE", issued_on=D(2025, 9, 1), valid_until=D(2028, 8, 31))
    assert _in_force("EXP", D(2025, 2, 28)) and not _in_force("EXP", D(2025, 3, 1))  # expired the day after
    assert _in_force("REV", D(2025, 5, 31)) and not _in_force("REV", D(2025, 6, 1))  # revoked on the date: not in force
    assert not _in_force("LATE", D(2025, 8, 31)) and _in_force("LATE", D(2025, 9, 1))  # issued after the date
    assert not _in_force("EXP", D(2024, 2, 29))  # before issue


def test_summary_as_of_a_date_and_scope(world):
    _std(world, "owner", "a", theme="green", zhejiang_made=True)
    _std(world, "owner", "a", name="国家标准", level="national", role="participate", theme="digital", published_on=D(2025, 1, 1))
    _std(world, "owner", "a", name="草案", level="industry", status="drafting", published_on=None, theme="digital")
    _std(world, "owner", "a", name="晚发布", level="national", published_on=D(2025, 12, 1), theme="digital")
    _std(world, "other_owner", "c", name="宁波团体标准", zhejiang_made=True, theme="green")
    # a: first certificate 2024 (expired 2025-02-28), second 2025 (revoked 2025-06-01)
    _cert(world, "owner", "a", number="ZZ-A1", valid_until=D(2025, 2, 28))
    _cert(world, "owner", "a", number="ZZ-A2", issued_on=D(2025, 4, 1), end="revoked", ended_on=D(2025, 6, 1))
    # c: first certificate in 2025, in force
    _cert(world, "other_owner", "c", number="ZZ-C1", issued_on=D(2025, 5, 1))

    s = summary(world["province"], D(2025, 5, 15))
    levels = {r["code"]: (r["lead"], r["participate"]) for r in s["levels"]}
    assert levels["group"] == (2, 0) and levels["national"] == (0, 1) and (s["lead"], s["participate"]) == (2, 1)
    assert {t["code"]: t["count"] for t in s["themes"]} == {"digital": 1, "carbon": 0, "green": 2, "energy_intensive": 0}
    assert (s["zhejiang_made"], s["brand_enterprises"], s["new_brand_enterprises"]) == (2, 2, 1)
    later = summary(world["province"], D(2025, 6, 1))  # a's 2025 certificate revoked on that day
    assert (later["brand_enterprises"], later["new_brand_enterprises"]) == (1, 1)
    assert summary(world["province"], D(2024, 12, 31))["new_brand_enterprises"] == 1  # a, in 2024
    assert summary(world["province"], D(2025, 4, 30))["brand_enterprises"] == 1  # A1 expired, A2 in force; C1 not yet
    own = summary(world["county"], D(2025, 5, 15))  # the county sees a only
    assert (own["zhejiang_made"], own["brand_enterprises"], own["new_brand_enterprises"], own["lead"]) == (1, 1, 0, 1)


def _figures(html: str) -> dict[str, int]:
    return {k: int(v) for k, v in re.findall(r'data-key="([\w-]+)">(\d+)<', html)}


def test_standards_page_shows_the_summary_and_filters(client, world):
    _std(world, "owner", "a", theme="green", zhejiang_made=True)
    _std(world, "owner", "a", name="数字整机规范", level="national", role="participate", theme="digital", published_on=D(2025, 1, 1))
    _std(world, "other_owner", "c", name="宁波团体标准", zhejiang_made=True)
    _cert(world, "owner", "a", number="ZZ-A1")
    _cert(world, "other_owner", "c", number="ZZ-C1", issued_on=D(2025, 5, 1))
    got = {}
    for user in ("province", "county"):
        client.force_login(world[user])
        assert writes_during(lambda: got.update(r=client.get("/programs/standards/?as_of=2025-06-30"))) == []
        html = got["r"].content.decode()
        s = summary(world[user], D(2025, 6, 30))
        figures = _figures(html)
        assert "截至 2025-06-30" in html
        assert figures["lead"] == s["lead"] and figures["participate"] == s["participate"]
        assert figures["zhejiang_made"] == s["zhejiang_made"] and figures["brand_enterprises"] == s["brand_enterprises"]
        assert figures["new_brand_enterprises"] == s["new_brand_enterprises"]
        assert figures["theme-green"] == s["themes"][2]["count"] and figures["lead-group"] == s["levels"][4]["lead"]
        assert "4,000" not in html and "4000" not in html  # no province-wide target on the page
    assert (figures["zhejiang_made"], figures["brand_enterprises"]) == (1, 1)  # the county: a only
    client.force_login(world["province"])
    html = client.get("/programs/standards/?zhejiang_made=yes").content.decode()
    assert '<input type="hidden" name="zhejiang_made" value="yes">' in html  # the date form keeps the list's filters
    assert "宁波团体标准（浙江制造）" in html and "数字整机规范" not in html
    html = client.get("/programs/standards/?theme=digital").content.decode()
    assert "数字整机规范" in html and "宁波团体标准" not in html
    assert "宁波团体标准" in client.get("/programs/standards/?theme=none").content.decode()
    header, rows = read_list_export(client.get("/programs/standards/?format=xlsx"))
    assert "专题方向" in header and "浙江制造标准" in header and len(rows) == 3
    client.force_login(world["county"])
    _, rows = read_list_export(client.get("/programs/standards/?format=xlsx"))
    assert len(rows) == 2
    # the form: 浙江制造 on a national standard is refused with the reason
    client.force_login(world["owner"])
    r = client.post("/programs/standards/", {"name": "整机国家标准", "level": "national", "status": "published", "role": "lead",
                                             "published_on": "2025-01-05", "zhejiang_made": "on"}, follow=True)
    assert "级别须为团体标准" in r.content.decode() and not Standard.objects.filter(name="整机国家标准").exists()
    r = client.post("/programs/standards/", {"name": "绿色团体标准", "level": "group", "status": "published", "role": "lead",
                                             "published_on": "2025-01-05", "zhejiang_made": "on", "theme": "green"},
                    follow=True)
    assert "标准已登记" in r.content.decode()
    assert Standard.objects.filter(name="绿色团体标准", zhejiang_made=True, theme="green").exists()


def test_certificate_page_export_scope_and_form(client, world):
    _cert(world, "owner", "a", number="ZZ-A1", valid_until=D(2025, 2, 28))
    _cert(world, "owner", "a", number="ZZ-A0", end="suspended", ended_on=D(2025, 5, 1))
    _cert(world, "other_owner", "c", number="ZZ-C1", issued_on=D(2025, 5, 1))
    client.force_login(world["county"])
    html = client.get("/programs/standards/brand-certificates/?on=2025-06-30").content.decode()
    assert "ZZ-A1" in html and "ZZ-C1" not in html
    header, rows = read_list_export(client.get("/programs/standards/brand-certificates/?on=2025-06-30&format=xlsx&sort=number"))
    assert header[0] == "证书编号" and header[7] == "证书状态"
    assert [(r[0], r[7]) for r in rows] == [("ZZ-A0", "已暂停"), ("ZZ-A1", "已过期")]
    _, rows = read_list_export(client.get("/programs/standards/brand-certificates/?on=2025-06-30&format=xlsx&sort=-state"))
    assert [r[7] for r in rows] == ["已过期", "已暂停"]  # the states' own order (有效 … 已暂停, 已过期), not the codes'
    _, rows = read_list_export(client.get("/programs/standards/brand-certificates/?on=2025-04-30&format=xlsx&sort=number"))
    assert [(r[0], r[7]) for r in rows] == [("ZZ-A0", "有效"), ("ZZ-A1", "已过期")]
    assert "ZZ-A0" in client.get("/programs/standards/brand-certificates/?on=2025-06-30&state=suspended").content.decode()
    assert "ZZ-A1" not in client.get("/programs/standards/brand-certificates/?on=2025-06-30&state=in_force").content.decode()
    assert "ZZ-A1" in client.get("/programs/standards/brand-certificates/?on=2024-06-30&state=in_force").content.decode()
    r = client.post("/programs/standards/brand-certificates/", {
        "uscc": world["a"].uscc, "product": "触觉阵列", "number": "ZZ-A2", "standard_number": "T/ZZB 2-2024",
        "certifier": "某认证机构", "issued_on": "2025-01-01", "valid_until": "2024-12-31"}, follow=True)
    assert "有效期至不能早于发证日期" in r.content.decode()
    r = client.post("/programs/standards/brand-certificates/", {
        "uscc": world["c"].uscc, "product": "触觉阵列", "number": "ZZ-A2", "standard_number": "T/ZZB 2-2024",
        "certifier": "某认证机构", "issued_on": "2025-01-01", "valid_until": "2027-12-31"}, follow=True)
    assert "该企业不在本地区" in r.content.decode()
    r = client.post("/programs/standards/brand-certificates/", {
        "uscc": world["a"].uscc, "product": "触觉阵列", "number": "ZZ-A2", "standard_number": "T/ZZB 2-2024",
        "certifier": "某认证机构", "issued_on": "2025-01-01", "valid_until": "2027-12-31"}, follow=True)
    assert "品字标认证证书已登记" in r.content.decode()
    client.force_login(world["leader"])
    assert "登记品字标认证证书" not in client.get("/programs/standards/brand-certificates/").content.decode()
    assert client.post("/programs/standards/brand-certificates/", {"number": "x"}).status_code == 403
    # the enterprise panel lists the certificates next to the standards
    client.force_login(world["owner"])
    html = client.get(f"/enterprises/{world['a'].pk}/").content.decode()
    assert "品字标认证证书" in html and "ZZ-A2" in html and "ZZ-A1" in html


def test_api_scope_and_fields(client, world):
    _std(world, "owner", "a", theme="green", zhejiang_made=True)
    _cert(world, "owner", "a", number="ZZ-A1", valid_until=D(2025, 2, 28))
    _cert(world, "other_owner", "c", number="ZZ-C1", issued_on=D(2025, 5, 1))
    client.force_login(world["county"])
    body = client.get("/api/v1/programs/brand-certificates?on=2025-01-01").json()
    assert body["count"] == 1 and body["items"][0]["number"] == "ZZ-A1" and body["items"][0]["in_force"] is True
    assert client.get("/api/v1/programs/brand-certificates?on=2025-06-01&in_force=true").json()["count"] == 0
    item = client.get("/api/v1/programs/standards").json()["items"][0]
    assert (item["theme"], item["zhejiang_made"]) == ("green", True)
    assert client.get("/api/v1/programs/standards?zhejiang_made=false").json()["count"] == 0
    client.force_login(world["province"])
    assert client.get("/api/v1/programs/brand-certificates").json()["count"] == 2
    assert "/api/v1/programs/brand-certificates" in client.get("/api/v1/openapi.json").json()["paths"]


def test_certificate_import_preview_commit_round_trip(tmp_path, world):
    a, c = world["a"], world["c"]
    assert "brand-certificates" in kind_names()
    write_template("brand-certificates", "xlsx", tmp_path / "t.xlsx")
    good = [[a.uscc, a.name, "ZZ-A1", "柔性压力传感器", "T/ZZB 1-2023", "某认证机构", "2024-03-01", "2027-02-28", "", ""],
            [a.uscc, a.name, "ZZ-A2", "触觉阵列", "T/ZZB 2-2023", "某认证机构", "2024-03-01", "2027-02-28", "撤销", "2025-06-01"]]
    bad = [[a.uscc, a.name, "B1", "x", "T/ZZB 1", "某", "2025-03-01", "2025-02-28", "", ""],
           [a.uscc, a.name, "B2", "x", "T/ZZB 1", "某", "2025-03-01", "2027-02-28", "撤销", ""],
           [a.uscc, a.name, "B3", "x", "T/ZZB 1", "某", "2025-03-01", "2027-02-28", "", "2025-05-01"],
           [a.uscc, a.name, "B4", "x", "T/ZZB 1", "某", "2025-03-01", "2027-02-28", "吊销", "2025-05-01"],
           [a.uscc, a.name, "ZZ-A1", "x", "T/ZZB 1", "某", "2025-03-01", "2027-02-28", "", ""]]
    preview = preview_import("brand-certificates", write_csv(tmp_path / "bad.csv", CERT, good + bad), user=world["province"])
    errors = {(e.row, e.field, e.reason_zh) for e in preview.result.errors}
    assert {(4, "有效期至", "有效期至不能早于发证日期"), (5, "终止日期", "证书已撤销、注销或暂停的须填写终止日期"),
            (6, "证书终止", "填写终止日期的须填写证书终止方式（撤销、注销或暂停）")} <= errors
    assert any(r == 7 and f == "证书终止" for r, f, _ in errors) and any(r == 8 and f == "证书编号" for r, f, _ in errors)
    assert not commit_import("brand-certificates", write_csv(tmp_path / "bad2.csv", CERT, good + bad),
                             user=world["province"]).committed
    assert not BrandCertificate.objects.exists()
    # a county user imports for its own county only
    other = [[c.uscc, c.name, "ZZ-C1", "铸件", "T/ZZB 3-2023", "某认证机构", "2024-03-01", "2027-02-28", "", ""]]
    assert not commit_import("brand-certificates", write_csv(tmp_path / "c.csv", CERT, other), user=world["county"]).committed
    path = write_csv(tmp_path / "ok.csv", CERT, good)
    outcome = commit_import("brand-certificates", path, user=world["county"])
    assert outcome.committed and outcome.result.counts["new"] == 2
    a2 = BrandCertificate.objects.get(number="ZZ-A2")
    assert (a2.end_kind, a2.ended_on, a2.division_id, a2.enterprise_id) == ("revoked", D(2025, 6, 1), "330106", a.pk)
    assert commit_import("brand-certificates", path, user=world["county"]).result.counts["unchanged"] == 2
    good[0][7] = "2028-02-29"
    fixed = commit_import("brand-certificates", write_csv(tmp_path / "ok2.csv", CERT, good), user=world["county"])
    assert fixed.result.counts["changed"] == 1
    assert BrandCertificate.objects.get(number="ZZ-A1").valid_until == D(2028, 2, 29)
    assert LogEntry.objects.get_for_object(BrandCertificate.objects.get(number="ZZ-A1")).exists()
    # the number is registered for a: another enterprise's row is refused, not moved
    moved = [[c.uscc, c.name, "ZZ-A1", "x", "T/ZZB 1", "某", "2025-03-01", "2027-02-28", "", ""]]
    preview = preview_import("brand-certificates", write_csv(tmp_path / "m.csv", CERT, moved), user=world["province"])
    assert (2, "证书编号", "证书编号“ZZ-A1”已登记在其他企业名下") in {(e.row, e.field, e.reason_zh) for e in preview.result.errors}
    out = tmp_path / "out.xlsx"
    assert export_kind("brand-certificates", None, "xlsx", out) == 2
    assert commit_import("brand-certificates", out, user=world["province"]).result.counts["unchanged"] == 2


def test_standards_import_theme_and_zhejiang_made(tmp_path, world):
    a = world["a"]
    rows = [[a.uscc, a.name, "绿色团体标准", "T/ZZB 1-2024", "团体标准", "否", "发布", "主导制定", "1", "某协会", "2024-05-01", "",
             "绿色制造", "是"],
            [a.uscc, a.name, "数字国家标准", "GB/T 1-2024", "国家标准", "否", "发布", "参与制定", "3", "某部委", "2024-05-01", "",
             "", "否"],
            [a.uscc, a.name, "整机国家标准", "GB/T 2-2024", "国家标准", "否", "发布", "主导制定", "1", "某部委", "2024-05-01", "",
             "低碳", "是"]]
    preview = preview_import("standards", write_csv(tmp_path / "s.csv", STD, rows), user=world["province"])
    errors = {(e.row, e.field, e.reason_zh) for e in preview.result.errors}
    assert (4, "浙江制造标准", "“浙江制造”标准为团体标准，级别须为团体标准") in errors
    assert any(r == 4 and f == "专题方向" for r, f, _ in errors)
    path = write_csv(tmp_path / "ok.csv", STD, rows[:2])
    assert commit_import("standards", path, user=world["province"]).result.counts["new"] == 2
    green = Standard.objects.get(name="绿色团体标准")
    assert (green.theme, green.zhejiang_made) == ("green", True)
    assert Standard.objects.get(name="数字国家标准").theme == ""
    out = tmp_path / "out.xlsx"
    assert export_kind("standards", None, "xlsx", out) == 2
    assert commit_import("standards", out, user=world["province"]).result.counts["unchanged"] == 2
