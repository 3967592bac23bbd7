"""Issue 14 §8: published recognition lists imported in bulk — matching by USCC, else by exact name (shown for
review), enterprises not in the register reported and skipped, atomic, idempotent, export round trip, audit."""

from __future__ import annotations

import datetime

import pytest
from auditlog.models import LogEntry

from xinzhi.accounts.models import Role, User
from xinzhi.core.imports import commit_import, preview_import
from xinzhi.core.imports.exports import export_kind, write_template
from xinzhi.core.tests.helpers import code, make_enterprise, write_csv, write_xlsx
from xinzhi.cultivation.models import Certification

pytestmark = pytest.mark.django_db

HTE = ["批次", "证书编号", "企业名称", "统一社会信用代码", "发证日期"]


@pytest.fixture
def register():
    return {
        "a": make_enterprise("330106", 1, "杭州甲科技有限公司"),
        "b": make_enterprise("330108", 2, "杭州乙智能有限公司"),
        "c": make_enterprise("330212", 3, "宁波丙材料有限公司"),
    }


def test_hte_list_matches_by_code_then_name_and_skips_unknown(tmp_path, register):
    rows = [
        ["2025年第一批", "GR202533000101", "杭州甲科技有限公司", register["a"].uscc, "2025-12-02"],
        ["2025年第一批", "GR202533000102", "杭州乙智能有限公司", "", "2025/12/02"],           # no code: by name
        ["2025年第一批", "GR202533000103", "宁波丙材料股份有限公司", register["c"].uscc, "2025-12-02"],  # renamed
        ["2025年第一批", "GR202533000104", "温州丁不在库有限公司", code("330302", 9), "2025-12-02"],  # not in register
    ]
    path = write_xlsx(tmp_path / "hte.xlsx", HTE, rows)
    preview = preview_import("hte-list", path)
    assert preview.ok and preview.result.counts["new"] == 3
    warnings = [(i.row, i.field, i.reason_zh) for i in preview.result.warnings]
    assert (3, "企业名称", f"未按统一社会信用代码找到企业，按名称匹配到企业库中的“杭州乙智能有限公司”（{register['b'].uscc}），请核对后再导入") in warnings
    assert (4, "企业名称", "名称与企业库中的“宁波丙材料有限公司”不一致，已按统一社会信用代码匹配，请核对") in warnings
    assert (5, "统一社会信用代码", "企业“温州丁不在库有限公司”不在企业库中，本行不导入（请先通过“企业名录”导入该企业）") in warnings
    assert not Certification.objects.exists()  # a preview writes nothing
    outcome = commit_import("hte-list", path)
    assert outcome.committed
    cert = Certification.objects.get(enterprise=register["a"])
    assert (cert.program, cert.year, cert.certificate_no, cert.batch, cert.issued_on, cert.expires_on) == (
        "hte", 2025, "GR202533000101", "2025年第一批", datetime.date(2025, 12, 2), datetime.date(2028, 12, 1))
    assert Certification.objects.count() == 3
    # idempotent, and the export re-imports unchanged
    assert commit_import("hte-list", path).result.counts == {"rows": 4, "new": 0, "changed": 0, "unchanged": 3,
                                                            "errors": 0, "warnings": 3, "flags": 0,
                                                            "flagged_rows": 0}
    for fmt in ("csv", "xlsx"):
        out = tmp_path / f"export.{fmt}"
        assert export_kind("hte-list", None, fmt, out) == 3
        again = commit_import("hte-list", out)
        assert again.committed and again.result.counts["unchanged"] == 3 and again.result.counts["new"] == 0
    # a corrected list updates the changed field, audited; nothing stored is lost
    rows[0][4] = "2025-11-28"
    commit_import("hte-list", write_csv(tmp_path / "fix.csv", HTE, rows[:1]))
    cert.refresh_from_db()
    assert cert.issued_on == datetime.date(2025, 11, 28) and Certification.objects.count() == 3
    entry = LogEntry.objects.get(content_type__model="certification", action=1)
    assert entry.changes == {"issued_on": ["2025-12-02", "2025-11-28"], "expires_on": ["2028-12-01", "2028-11-27"]}


def test_list_errors_are_per_row_and_reject_the_whole_file(tmp_path, register):
    make_enterprise("330110", 4, "杭州甲科技有限公司")  # a second enterprise of the same name
    rows = [
        ["2025年第一批", "GR202533000201", "杭州甲科技有限公司", "", "2025-12-02"],          # ambiguous name
        ["2025年第一批", "GR202533000202", "杭州乙智能有限公司", register["b"].uscc, "2025-13-02"],  # bad date
        ["2025年第一批", "GR202533000202", "宁波丙材料有限公司", register["c"].uscc, "2025-12-02"],  # repeated number
        ["2025年第一批", "GR202533000204", "宁波丙材料有限公司", register["c"].uscc, "2025-12-09"],  # same firm & year
    ]
    outcome = commit_import("hte-list", write_csv(tmp_path / "bad.csv", HTE, rows))
    assert not outcome.committed and not Certification.objects.exists()
    errors = {(i.row, i.field): i.reason_zh for i in outcome.result.errors}
    assert errors[(2, "企业名称")] == "企业库中有2家企业名为“杭州甲科技有限公司”，无法确定是哪一家，请填写企业的统一社会信用代码"
    assert "不是有效日期" in errors[(3, "发证日期")]
    assert errors[(4, "证书编号")] == "与第3行重复（同一证书编号只能出现一次）"
    assert errors[(5, "企业名称")] == "与第4行重复（同一企业在同一年度只能出现一次）"


def test_tech_sme_and_advanced_service_lists(tmp_path, register):
    header = ["批次", "入库登记编号", "企业名称", "统一社会信用代码", "入库年度", "入库日期"]
    rows = [["2025年第三批", "20253301060A000123", "杭州甲科技有限公司", register["a"].uscc, 2025, "2025-05-20"],
            ["2025年第三批", "20253301080A000124", "杭州乙智能有限公司", register["b"].uscc, 2025, ""]]
    assert commit_import("tech-sme-list", write_csv(tmp_path / "sme.csv", header, rows)).committed
    sme = Certification.objects.get(enterprise=register["a"], program="tech_sme")
    assert (sme.year, sme.certificate_no, sme.issued_on, sme.expires_on) == (2025, "20253301060A000123",
                                                                           datetime.date(2025, 5, 20), None)
    out = tmp_path / "sme-export.csv"
    export_kind("tech-sme-list", None, "csv", out)
    assert commit_import("tech-sme-list", out).result.counts["unchanged"] == 2
    header = ["批次", "证书编号", "企业名称", "统一社会信用代码", "名单年度", "认定日期"]
    assert commit_import("advanced-service-list", write_csv(
        tmp_path / "as.csv", header, [["2025年", "", "杭州乙智能有限公司", register["b"].uscc, 2025, ""]])).committed
    assert Certification.objects.get(program="advanced_service").enterprise == register["b"]
    template = tmp_path / "t.xlsx"
    write_template("hte-list", "xlsx", template)
    assert template.stat().st_size > 0


def test_a_city_imports_its_own_enterprises_only(tmp_path, register):
    ningbo = User.objects.create(username="nb", role=Role.CITY_STAFF, division_id="330200")
    rows = [["2025年第一批", "GR1", "杭州甲科技有限公司", register["a"].uscc, "2025-12-02"],
            ["2025年第一批", "GR2", "宁波丙材料有限公司", register["c"].uscc, "2025-12-02"]]
    outcome = commit_import("hte-list", write_csv(tmp_path / "x.csv", HTE, rows), user=ningbo)
    assert not outcome.committed
    assert [(i.row, i.field) for i in outcome.result.errors] == [(2, "统一社会信用代码")]
