"""The programmes' registers through the import framework: template, per-row Chinese errors, atomic commit,
idempotent re-import, correction with audit, export round trip."""

from __future__ import annotations

import datetime as dt

import pytest

from xinzhi.core.imports import commit_import, kind_names, preview_import
from xinzhi.core.imports.exports import export_kind, write_template
from xinzhi.core.tests.helpers import make_enterprise, write_csv
from xinzhi.programs.models import NewProductProject, Selection, Standard
from xinzhi.programs.standards import package_holdings

pytestmark = pytest.mark.django_db

NP = ["统一社会信用代码", "企业名称", "产品（技术）名称", "类型", "计划年度", "状态", "申报日期", "县级审核日期", "市级审核日期",
      "省级立项日期", "鉴定验收日期", "鉴定验收结论"]
STD = ["统一社会信用代码", "企业名称", "标准名称", "标准号", "级别", "是否修订", "状态", "角色", "起草单位排名", "发布机构",
       "发布日期", "415X集群"]
SEL = ["类别", "统一社会信用代码", "企业名称", "名称", "公布日期", "等次"]


@pytest.fixture
def ents():
    return make_enterprise("330106", 1, "杭州甲科技有限公司"), make_enterprise("330212", 3, "宁波丙材料有限公司")


def test_kinds_and_templates(tmp_path):
    for kind in ("new-product-projects", "programme-selections", "standards"):
        assert kind in kind_names()
        write_template(kind, "xlsx", tmp_path / f"{kind}.xlsx")


def test_new_products_round_trip(tmp_path, ents):
    a, c = ents
    rows = [[a.uscc, a.name, "柔性夹爪", "新产品", "2025", "省级立项", "2025-02-01", "2025-02-10", "2025-03-01", "2025-04-01", "", ""],
            [c.uscc, c.name, "精密铸件", "新技术", "2025", "企业申报", "2025-03-01", "", "", "", "", ""]]
    path = write_csv(tmp_path / "np.csv", NP, rows)
    outcome = commit_import("new-product-projects", path)
    assert outcome.committed and outcome.result.counts["new"] == 2
    p = NewProductProject.objects.get(enterprise=a)
    assert (p.stage, p.approved_on, p.division_id, p.kind) == ("approved", dt.date(2025, 4, 1), "330106", "product")
    assert commit_import("new-product-projects", path).result.counts["unchanged"] == 2
    rows[1][5], rows[1][7] = "县级审核通过", "2025-03-05"
    again = commit_import("new-product-projects", write_csv(tmp_path / "np2.csv", NP, rows))
    assert again.result.counts["changed"] == 1
    assert NewProductProject.objects.get(enterprise=c).stage == "county"
    assert export_kind("new-product-projects", None, "xlsx", tmp_path / "out.xlsx") == 2


def test_new_products_errors_name_row_field_reason(tmp_path, ents):
    a, _ = ents
    rows = [[a.uscc, a.name, "柔性夹爪", "新产品", "2025", "省级立项", "2025-02-01", "", "", "", "", ""],
            [a.uscc, a.name, "B", "新产品", "2025", "已完成", "2025-02-01", "", "", "", "", ""]]
    preview = preview_import("new-product-projects", write_csv(tmp_path / "bad.csv", NP, rows))
    reasons = {(e.row, e.field, e.reason_zh) for e in preview.result.errors}
    assert (2, "省级立项日期", "状态为省级立项或已鉴定验收的项目须填写立项日期") in reasons
    assert any(e.row == 3 and e.field == "状态" for e in preview.result.errors)
    assert not commit_import("new-product-projects", write_csv(tmp_path / "bad.csv", NP, rows)).committed
    assert NewProductProject.objects.count() == 0


def test_standards_and_selections(tmp_path, ents):
    a, c = ents
    rows = [[a.uscc, a.name, "柔性压力传感器通用规范", "JB/T 1-2024", "行业标准", "否", "发布", "主导制定", "1", "工信部", "2024-05-01", ""],
            [a.uscc, a.name, "传感器测试方法", "", "国家标准", "是", "在研", "参与制定", "", "", "", ""],
            [c.uscc, c.name, "铸件团体标准", "", "团体标准", "", "发布", "主导制定", "", "", "", "不存在的集群"]]
    preview = preview_import("standards", write_csv(tmp_path / "s.csv", STD, rows))
    assert {(e.row, e.field, e.reason_zh) for e in preview.result.errors} == {
        (4, "发布日期", "已发布的标准须填写发布日期"), (4, "415X集群", "“不存在的集群”不是415X集群名称")}
    rows = rows[:2]
    assert commit_import("standards", write_csv(tmp_path / "s2.csv", STD, rows)).result.counts["new"] == 2
    assert Standard.objects.get(name="传感器测试方法").revision is True
    # leading the published industry standard is taking part in it; the national one in drafting does not count
    assert package_holdings(a, 2025) == {"holdings": {"led_standard_years": [2024], "participated_standard": True}}
    assert export_kind("standards", None, "xlsx", tmp_path / "s.xlsx") == 2
    sel = [["优秀工业新产品（新技术）", a.uscc, a.name, "柔性夹爪", "2025-11-20", "一等奖"],
           ["先进技术成果", c.uscc, c.name, "精密铸造工艺", "2025-09-15", ""]]
    path = write_csv(tmp_path / "sel.csv", SEL, sel)
    assert commit_import("programme-selections", path).result.counts["new"] == 2
    assert commit_import("programme-selections", path).result.counts["unchanged"] == 2
    assert Selection.objects.get(kind="achievement").division_id == "330212"


MP = ["计划类别", "项目名称", "立项日期", "项目所在县代码", "技术领域", "省推荐", "排名", "承担单位名称", "单位性质",
      "承担单位统一社会信用代码", "省外单位"]


def test_major_projects_one_row_per_unit(tmp_path, ents):
    a, c = ents
    rows = [
        ["“尖兵”研发攻关计划", "柔性传感芯片", "2025-03-18", "", "传感器", "否", "1", "浙江大学", "高校", "", "否"],
        ["“尖兵”研发攻关计划", "柔性传感芯片", "2025-03-18", "", "传感器", "否", "2", a.name, "企业", a.uscc, "否"],
        ["“领雁”研发攻关计划", "量子测量", "2025-07-10", "330106", "", "否", "1", "中科院某所", "科研院所", "", "是"],
        ["“领雁”研发攻关计划", "量子测量", "2025-07-10", "330106", "", "否", "4", c.name, "企业", c.uscc, "否"],
    ]
    path = write_csv(tmp_path / "mp.csv", MP, rows)
    outcome = commit_import("major-projects", path)
    assert outcome.committed and outcome.result.counts["new"] == 4
    from xinzhi.programs.models import MajorProject
    from xinzhi.programs.selectors import st_project_flags
    p = MajorProject.objects.get(name="柔性传感芯片")
    assert (p.division_id, p.year, p.lead_enterprise_id) == ("330106", 2025, None)
    assert list(p.units.values_list("rank", "kind")) == [(1, "university"), (2, "enterprise")]
    q = MajorProject.objects.get(name="量子测量")
    assert q.division_id == "330212" and q.units.get(rank=1).in_province is False
    flags = {r["name"]: (r["involved"], r["led"]) for r in st_project_flags().to_dicts()}
    assert flags == {"柔性传感芯片": (True, True), "量子测量": (True, False)}
    assert commit_import("major-projects", path).result.counts["unchanged"] == 4
    rows[3][6] = "3"  # a corrected rank: a new unit row (the old one stays: nothing is deleted)
    assert commit_import("major-projects", write_csv(tmp_path / "mp2.csv", MP, rows)).result.counts["new"] == 1
    assert export_kind("major-projects", None, "xlsx", tmp_path / "mp.xlsx") == 5


def test_major_projects_errors(tmp_path, ents):
    rows = [["“尖兵”研发攻关计划", "无企业项目", "2025-03-18", "", "", "否", "1", "浙江大学", "高校", "", "否"],
            ["“尖兵”研发攻关计划", "不一致", "2025-03-18", "330106", "", "否", "1", "浙江大学", "高校", "", "否"],
            ["“尖兵”研发攻关计划", "不一致", "2025-04-18", "330106", "", "否", "2", "之江实验室", "科研院所", "", "否"]]
    preview = preview_import("major-projects", write_csv(tmp_path / "bad.csv", MP, rows))
    reasons = {(e.row, e.field, e.reason_zh) for e in preview.result.errors}
    assert (2, "项目所在县代码", "项目没有省内企业承担单位，须填写项目所在县代码") in reasons
    assert (3, "项目名称", "同一项目各行的项目信息不一致") in reasons
