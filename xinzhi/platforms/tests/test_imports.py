"""Issue 14 §8: R&D institutions and platform lists imported in bulk (template, preview, atomic commit, per-row
Chinese errors, idempotent, export round trip, members of alliances, matching with review)."""

from __future__ import annotations

import datetime

import pytest
from auditlog.models import LogEntry

from xinzhi.accounts.models import Role, User
from xinzhi.core.imports import commit_import, kind_names, preview_import
from xinzhi.core.imports.exports import export_kind, write_template
from xinzhi.core.tests.helpers import code, make_enterprise, write_csv
from xinzhi.platforms.models import Platform, PlatformMember, RDInstitution
from xinzhi.platforms.services import counts_vs_targets

pytestmark = pytest.mark.django_db

INST = ["统一社会信用代码", "企业名称", "机构名称", "级别", "认定日期", "状态", "技术领域"]
ALLIANCE = ["名称", "级别", "牵头单位统一社会信用代码", "牵头单位名称", "所在县（市、区）代码", "领域", "415X集群", "状态",
            "认定（批复）日期", "成员单位统一社会信用代码", "成员单位名称", "成员角色", "产业链环节", "加入年度"]


@pytest.fixture
def register():
    return [make_enterprise("330106", 1, "杭州甲科技有限公司"), make_enterprise("330108", 2, "杭州乙智能有限公司"),
            make_enterprise("330212", 3, "宁波丙材料有限公司")]


def test_every_list_kind_is_registered_with_a_template(tmp_path):
    wanted = {"hte-list", "tech-sme-list", "advanced-service-list", "rd-institutions", "innovation-centres",
              "pilot-platforms", "alliances", "public-service-platforms", "incubators"}
    assert wanted <= set(kind_names())
    for kind in wanted:
        write_template(kind, "xlsx", tmp_path / f"{kind}.xlsx")


def test_institutions_by_level_and_date_feed_the_counts(tmp_path, register):
    a, b, c = register
    rows = [
        [a.uscc, a.name, "杭州甲科技有限公司省级企业技术中心", "省级企业技术中心", "2025-06-28", "", "智能传感器"],
        ["", b.name, "杭州乙智能有限公司省企业研究院", "省企业研究院", "2025-11-20", "已认定", ""],
        [c.uscc, c.name, "宁波丙国家企业技术中心", "国家企业技术中心", "2024-12-26", "", ""],
        [code("330302", 9), "温州丁有限公司", "温州丁技术中心", "省级企业技术中心", "2025-06-28", "", ""],
    ]
    path = write_csv(tmp_path / "inst.csv", INST, rows)
    outcome = commit_import("rd-institutions", path)
    assert outcome.committed and outcome.result.counts["new"] == 3 and outcome.result.warning_count == 2
    inst = RDInstitution.objects.get(enterprise=a)
    assert (inst.level, inst.recognised_on, inst.recognised_year, inst.status, inst.field) == (
        "provincial_tech_centre", datetime.date(2025, 6, 28), 2025, "recognised", "智能传感器")
    # the counts read the dates: as of 30 June one provincial tech centre is new in 2025
    june = {r["level"]: r for r in counts_vs_targets(User.objects.create(username="p", role=Role.PROVINCE_STAFF,
                                                                         division_id="330000"),
                                                      2025, datetime.date(2025, 6, 30))["levels"]}
    assert june["provincial_tech_centre"]["new"] == 1 and june["provincial_institute"]["new"] == 0
    assert commit_import("rd-institutions", path).result.counts["unchanged"] == 3
    out = tmp_path / "export.xlsx"
    assert export_kind("rd-institutions", None, "xlsx", out) == 3
    assert commit_import("rd-institutions", out).result.counts["unchanged"] == 3
    # a corrected date updates the row (audited), the status is never overwritten by a list
    inst.status = "warned"
    inst.save()
    rows[0][4], rows[0][5] = "2025-06-30", "已认定"
    commit_import("rd-institutions", write_csv(tmp_path / "fix.csv", INST, rows[:1]))
    inst.refresh_from_db()
    assert (inst.recognised_on, inst.status) == (datetime.date(2025, 6, 30), "warned")
    assert LogEntry.objects.filter(content_type__model="rdinstitution", changes__has_key="recognised_on").exists()


def test_institution_errors_name_row_field_and_reason(tmp_path, register):
    a = register[0]
    rows = [[a.uscc, a.name, "甲中心", "省级技术中心", "2025-06-28", "", ""],
            [a.uscc, a.name, "甲中心", "省级企业技术中心", "", "", ""]]
    outcome = preview_import("rd-institutions", write_csv(tmp_path / "bad.csv", INST, rows))
    errors = {(i.row, i.field): i.reason_zh for i in outcome.result.errors}
    assert errors[(2, "级别")].startswith("“省级技术中心”不是有效取值，应为：国家企业技术中心")
    assert errors[(3, "认定日期")] == "必填项为空"


def test_alliance_with_members_round_trip(tmp_path, register):
    a, b, c = register

    def row(member, role="成员单位", position="上游", name="浙江省人形机器人产业技术创新联盟"):
        return [name, "省级", a.uscc, a.name, "330106", "人形机器人", "", "已认定", "2024-11-15",
                member.uscc, member.name, role, position, 2024]

    rows = [row(a, "牵头单位", "中游"), row(b), row(c, position="下游")]
    path = write_csv(tmp_path / "alliance.csv", ALLIANCE, rows)
    outcome = commit_import("alliances", path)
    assert outcome.committed, outcome.result.errors
    alliance = Platform.objects.get(kind="alliance")
    assert (alliance.lead_enterprise, alliance.division_id, alliance.recognised_on, alliance.status) == (
        a, "330106", datetime.date(2024, 11, 15), "recognised")
    members = dict(PlatformMember.objects.filter(platform=alliance).values_list("enterprise_id", "chain_position"))
    assert members == {a.pk: "midstream", b.pk: "upstream", c.pk: "downstream"}
    assert commit_import("alliances", path).result.counts["unchanged"] == 3
    out = tmp_path / "alliances.csv"
    assert export_kind("alliances", None, "csv", out) == 3
    assert commit_import("alliances", out).result.counts["unchanged"] == 3
    # one platform, inconsistent rows → every row of it is an error; nothing written
    bad = [row(a, "牵头单位", "中游", "新联盟"), row(b, name="新联盟")]
    bad[1][4] = "330108"
    outcome = commit_import("alliances", write_csv(tmp_path / "bad.csv", ALLIANCE, bad))
    assert not outcome.committed and {i.reason_zh for i in outcome.result.errors} == {"同一平台各行的平台信息不一致"}
    assert not Platform.objects.filter(name="新联盟").exists()


def test_platform_lists_and_scope(tmp_path, register):
    header = ["名称", "级别", "牵头单位统一社会信用代码", "牵头单位名称", "所在县（市、区）代码", "领域", "415X集群", "状态",
              "认定（批复）日期"]
    rows = [["浙江省精细化工中试平台", "省级", "", "不在库的化工公司", "330106", "精细化工", "", "", "2025-03-01"],
            ["宁波新材料中试平台", "市级", register[2].uscc, register[2].name, "330212", "新材料", "", "培育创建", ""]]
    path = write_csv(tmp_path / "pilots.csv", header, rows)
    outcome = commit_import("pilot-platforms", path)
    assert outcome.committed
    assert any("平台照常登记，不关联牵头单位" in i.reason_zh for i in outcome.result.warnings)
    pilot = Platform.objects.get(name="浙江省精细化工中试平台")
    assert (pilot.kind, pilot.lead_enterprise_id, pilot.recognised_year) == ("pilot_platform", None, 2025)
    assert Platform.objects.get(name="宁波新材料中试平台").status == "creating"
    hangzhou = User.objects.create(username="hz", role=Role.CITY_STAFF, division_id="330100")
    outcome = commit_import("incubators", write_csv(tmp_path / "inc.csv", header, [
        ["西湖创新谷科技企业孵化器", "国家级", "", "", "330106", "", "", "", ""],
        ["鄞州科创孵化器", "省级", "", "", "330212", "", "", "", ""]]), user=hangzhou)
    assert not outcome.committed
    assert [(i.row, i.field) for i in outcome.result.errors] == [(3, "所在县（市、区）代码")]
