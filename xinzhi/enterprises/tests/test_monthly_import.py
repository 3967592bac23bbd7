"""Monthly filings (monthly-stats): preview, atomic idempotent commit, audit, validation, units, round trip."""

from __future__ import annotations

import polars as pl
import pytest
from auditlog.models import LogEntry
from django.core.management import call_command
from django.core.management.base import CommandError

from xinzhi.accounts.models import Role, User
from xinzhi.core.imports import commit_import, get_kind, preview_import, read_table
from xinzhi.core.imports.exports import export_kind, write_template
from xinzhi.core.models import ImportBatch
from xinzhi.core.tests.helpers import code, make_enterprise, write_csv, write_xlsx
from xinzhi.enterprises.models import MonthlyStat

pytestmark = pytest.mark.django_db

HEADER = ["统一社会信用代码", "期别", "工业总产值(千元)", "工业增加值(千元)", "营业收入(千元)", "研发费用(千元)",
          "新产品产值(千元)", "从业人员期末人数", "是否修订"]


def row(uscc_code: str, period: str = "2025-03", base: float = 1000, revision: str = "否") -> list[object]:
    return [uscc_code, period, base, base / 4, base * 1.1, base / 50, base / 2, 120, revision]


@pytest.fixture
def register():
    return [make_enterprise("330106", i) for i in range(1, 21)]


@pytest.fixture
def clean_rows(register):
    return [row(e.uscc, base=1000 + i) for i, e in enumerate(register)]


def issues(outcome, severity="error"):
    found = {"error": outcome.result.errors, "warning": outcome.result.warnings, "flag": outcome.result.flags}
    return [(i.row, i.field, i.reason_zh) for i in found[severity]]


@pytest.mark.parametrize("writer, suffix", [(write_csv, "csv"), (write_xlsx, "xlsx")])
def test_clean_import_then_same_file_changes_nothing(tmp_path, clean_rows, writer, suffix):
    path = writer(tmp_path / f"m.{suffix}", HEADER, clean_rows)
    preview = preview_import("monthly-stats", path)
    assert preview.ok and preview.result.counts["new"] == 20
    assert MonthlyStat.objects.count() == 0
    first = commit_import("monthly-stats", path)
    assert first.committed and first.result.counts["new"] == 20
    assert MonthlyStat.objects.filter(import_batch=first.batch).count() == 20
    stat = MonthlyStat.objects.get(enterprise__uscc=clean_rows[0][0])
    assert (stat.output_value, stat.value_added, stat.revenue, stat.rd_expense) == (1_000_000, 250_000, 1_100_000, 20_000)
    assert stat.division_id == "330106" and (stat.year, stat.month) == (2025, 3)
    again = commit_import("monthly-stats", path)
    assert again.committed
    assert (again.result.count("new"), again.result.count("changed"), again.result.count("unchanged")) == (0, 0, 20)
    assert MonthlyStat.objects.count() == 20
    batches = ImportBatch.objects.filter(kind="monthly-stats").order_by("id")
    assert [b.status for b in batches] == ["previewed", "committed", "committed"]
    assert batches[1].created_count == 20 and batches[2].unchanged_count == 20
    assert batches[1].file_sha256 == batches[2].file_sha256 and batches[1].units["工业总产值(千元)"] == "千元"


def test_corrected_file_updates_exactly_changed_rows_with_audit(tmp_path, clean_rows):
    user = User.objects.create(username="hz", role=Role.CITY_STAFF, division_id="330100")
    commit_import("monthly-stats", write_csv(tmp_path / "a.csv", HEADER, clean_rows), user=user)
    corrected = [list(r) for r in clean_rows]
    corrected[3][2] = 5000  # 工业总产值
    corrected[7][7] = 99  # 从业人员
    outcome = commit_import("monthly-stats", write_csv(tmp_path / "b.csv", HEADER, corrected), user=user)
    assert outcome.committed
    assert outcome.result.counts == {"rows": 20, "new": 0, "changed": 2, "unchanged": 18, "errors": 0, "warnings": 0,
                                      "flags": 0, "flagged_rows": 0}
    assert MonthlyStat.objects.filter(import_batch=outcome.batch).count() == 2
    entries = LogEntry.objects.filter(content_type__model="monthlystat", action=LogEntry.Action.UPDATE)
    assert entries.count() == 2
    by_field = {tuple(e.changes): e for e in entries}
    assert by_field[("output_value",)].changes["output_value"] == ["1003000", "5000000"]
    assert by_field[("employees",)].changes["employees"] == ["120", "99"]
    assert all(e.actor == user for e in entries)
    assert by_field[("employees",)].object_repr == f"{clean_rows[7][0]} 2025-03"
    assert outcome.batch.user == user and outcome.batch.updated_count == 2


def test_one_bad_row_among_many_writes_nothing(tmp_path, clean_rows):
    rows = [list(r) for r in clean_rows * 1]
    rows[12][4] = "一百"
    outcome = commit_import("monthly-stats", write_xlsx(tmp_path / "bad.xlsx", HEADER, rows))
    assert not outcome.committed
    assert issues(outcome) == [(14, "营业收入", "“一百”不是有效数值")]
    assert MonthlyStat.objects.count() == 0
    assert outcome.batch.status == "rejected" and outcome.batch.error_count == 1
    assert outcome.batch.errors_sample[0] == {"row": 14, "field": "营业收入", "reason": "“一百”不是有效数值",
                                              "severity": "error"}


def test_each_validation_error(tmp_path, register):
    ok = register[0].uscc
    bad_check = ok[:-1] + ("0" if ok[-1] != "0" else "1")
    unknown = code("330106", 999)
    rows = [
        row(ok, "2025-03"),
        row(bad_check),  # 3: check character
        row(unknown),  # 4: not in register
        row(register[1].uscc, "2025-13"),  # 5: bad period
        [register[2].uscc, "2025-03", -5, 1, 1, 0, 1, 10, "否"],  # 6: negative
        [register[3].uscc, "2025-03", 10, None, 1, 0, 1, 10, "否"],  # 7: missing
        [register[4].uscc, "2025-03", 10, "abc", 1, 0, 1, 10, "否"],  # 8: non-numeric
        row(ok, "2025-03"),  # 9: duplicate of row 2
        [register[5].uscc, "2025-03", 10, 1, 1, 5, 1, 10, "否"],  # 10: R&D above revenue (warning)
        [register[6].uscc, "2025-03", 10, 1, 1, 0, 1, 10, "也许"],  # 11: bad flag
    ]
    outcome = preview_import("monthly-stats", write_csv(tmp_path / "e.csv", HEADER, rows))
    assert not outcome.ok
    assert issues(outcome) == [
        (3, "统一社会信用代码", "统一社会信用代码校验位错误"),
        (4, "统一社会信用代码", f"企业“{unknown}”不在企业库中，请先导入企业名录"),
        (5, "期别", "期别“2025-13”格式错误，应为 YYYY-MM"),
        (6, "工业总产值", "金额不能为负数"),
        (7, "工业增加值", "必填项为空"),
        (8, "工业增加值", "“abc”不是有效数值"),
        (9, "统一社会信用代码", "与第2行重复（同一统一社会信用代码＋期别只能出现一次）"),
        (11, "是否修订", "“也许”应填“是”或“否”"),
    ]
    assert issues(outcome, "flag") == [(10, "研发费用", "研发费用（5000元）高于营业收入（1000元），请核实")]
    with pytest.raises(CommandError) as exc:
        call_command("import", "monthly-stats", str(tmp_path / "e.csv"))
    assert exc.value.returncode == 1


def test_units_thousand_and_ten_thousand_yuan(tmp_path, register):
    header = ["统一社会信用代码", "期别", "工业总产值(万元)", "工业增加值（千元）", "营业收入(元)", "研发费用(千元)",
              "新产品产值(万元)", "从业人员期末人数"]
    rows = [[register[0].uscc, "2025-01", "1.23456", "0.0005", "999.5", "1,234.5", 1, 10]]
    # R&D above revenue is flagged for an explanation (核实性审核): given here, the units are the point
    outcome = commit_import("monthly-stats", write_csv(tmp_path / "u.csv", header, rows), confirmation="单位换算测试")
    assert outcome.committed, issues(outcome)
    stat = MonthlyStat.objects.get()
    assert (stat.output_value, stat.value_added, stat.revenue, stat.rd_expense, stat.new_product_output) == (
        12346, 1, 1000, 1234500, 10000)
    assert stat.is_revision is False
    assert outcome.batch.units == {"工业总产值(万元)": "万元", "工业增加值（千元）": "千元", "营业收入(元)": "元",
                                   "研发费用(千元)": "千元", "新产品产值(万元)": "万元"}


def test_cumulative_decrease_needs_an_explanation_unless_revision(tmp_path, register):
    """A 1–N月累计 below last month's is a plausibility flag (核实性审核): written only when explained, or
    when the row is a declared revision (是否修订=是)."""
    e = register[0].uscc
    assert commit_import("monthly-stats", write_csv(tmp_path / "feb.csv", HEADER, [row(e, "2025-02", 1000)])).committed
    lower = write_csv(tmp_path / "mar.csv", HEADER, [row(e, "2025-03", 900)])
    outcome = commit_import("monthly-stats", lower)
    assert not outcome.committed and outcome.ok and outcome.needs_confirmation
    assert outcome.batch.status == "unconfirmed"
    assert (2, "工业总产值", "累计值低于上月：本期900000元，2025年2月累计1000000元；如为修订请在“是否修订”填“是”，否则请核实"
            ) in issues(outcome, "flag")
    # from the same file: April lower than March
    same_file = write_csv(tmp_path / "q.csv", HEADER, [row(e, "2025-03", 1200), row(e, "2025-04", 1100)])
    assert preview_import("monthly-stats", same_file).result.flagged_rows == [3]
    explained = commit_import("monthly-stats", lower, confirmation="企业更正了3月的财务数据")
    assert explained.committed and explained.batch.confirmation == "企业更正了3月的财务数据"
    revised = write_csv(tmp_path / "rev.csv", HEADER, [row(e, "2025-03", 800, revision="是")])
    accepted = commit_import("monthly-stats", revised)
    assert accepted.committed and accepted.batch.flagged_count == 0
    assert MonthlyStat.objects.get(month=3).is_revision is True


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet"])
def test_export_reimports_unchanged_and_edits_update_exactly(tmp_path, register, fmt):
    rows = [row(e.uscc, base=1000.123 + i) for i, e in enumerate(register)]
    commit_import("monthly-stats", write_csv(tmp_path / "in.csv", HEADER, rows))
    out = tmp_path / f"out.{fmt}"
    assert export_kind("monthly-stats", "2025-03", fmt, out) == 20
    again = commit_import("monthly-stats", out)
    assert again.committed and again.result.counts["unchanged"] == 20, again.result.errors
    # edit one value in the exported file as a user would, then re-import
    frame = read_table(out).frame
    column = "营业收入(元)"
    edited = frame.with_columns(pl.when(pl.int_range(pl.len()) == 5).then(pl.lit("7777777"))
                                .otherwise(pl.col(column)).alias(column))
    edited_path = tmp_path / "edited.csv"
    write_csv(edited_path, edited.columns, edited.rows())
    outcome = commit_import("monthly-stats", edited_path)
    assert outcome.result.counts["changed"] == 1 and outcome.result.counts["unchanged"] == 19
    assert MonthlyStat.objects.get(enterprise__uscc=edited["统一社会信用代码"][5]).revenue == 7777777


def test_export_in_thousand_yuan_round_trips(tmp_path, register):
    rows = [row(e.uscc, base=1000.123 + i) for i, e in enumerate(register[:5])]
    commit_import("monthly-stats", write_csv(tmp_path / "in.csv", HEADER, rows))
    out = tmp_path / "out.xlsx"
    export_kind("monthly-stats", "2025-03", "xlsx", out, unit="千元")
    assert "工业总产值(千元)" in read_table(out).frame.columns
    assert commit_import("monthly-stats", out).result.counts["unchanged"] == 5


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_template_columns_equal_import_columns(tmp_path, fmt):
    kind = get_kind("monthly-stats")
    path = tmp_path / f"t.{fmt}"
    write_template(kind, fmt, path)
    headers = read_table(path).frame.columns
    assert headers == [c.header_with_unit() for c in kind.columns]
    assert "工业总产值(千元)" in headers
    outcome = preview_import(kind, path)  # an empty template is a clean (empty) file
    assert outcome.ok and outcome.result.row_count == 0


def test_gbk_csv_from_excel(tmp_path, register):
    path = write_csv(tmp_path / "gbk.csv", HEADER, [row(register[0].uscc)], encoding="gbk")
    assert preview_import("monthly-stats", path).result.counts["new"] == 1
    bom = tmp_path / "bom.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + (tmp_path / "gbk.csv").read_bytes().decode("gbk").encode())
    assert preview_import("monthly-stats", bom).result.counts["new"] == 1


def test_cli_exit_codes(tmp_path, clean_rows, capsys):
    User.objects.create(username="op", role=Role.PROVINCE_STAFF, division_id="330000")
    path = write_csv(tmp_path / "m.csv", HEADER, clean_rows)
    call_command("import", "monthly-stats", str(path))  # clean preview: returns normally (exit 0)
    assert "新增 20" in capsys.readouterr().out and MonthlyStat.objects.count() == 0
    call_command("import", "monthly-stats", str(path), "--commit", "--user", "op")
    assert MonthlyStat.objects.count() == 20
    assert ImportBatch.objects.filter(status="committed", user__username="op").count() == 1
    with pytest.raises(CommandError) as exc:
        call_command("import", "no-such-kind", str(path))
    assert exc.value.returncode == 2
    with pytest.raises(CommandError):
        call_command("import", "monthly-stats", str(path), "--user", "ghost")
    with pytest.raises(CommandError):
        call_command("export", "monthly-stats", "--format", "csv", "--output", str(tmp_path / "x.csv"))
    call_command("export", "monthly-stats", "--period", "2025-03", "--output", str(tmp_path / "x.csv"))
    call_command("template", "monthly-stats", "--output", str(tmp_path / "t.xlsx"))
    assert (tmp_path / "x.csv").exists() and (tmp_path / "t.xlsx").exists()


def test_cli_process_exit_status(tmp_path, clean_rows, monkeypatch):
    """``xinzhi import`` as a process exits 1 on errors, 0 on a clean file."""
    from django.core.management import base

    from xinzhi.cli import main

    # run_from_argv closes every connection when it ends, which would end the test's transaction;
    # --skip-checks: the exit status under test is the import's, not the project's system checks
    monkeypatch.setattr(base.connections, "close_all", lambda: None)

    bad = [list(r) for r in clean_rows]
    bad[0][1] = "2025-99"
    with pytest.raises(SystemExit) as exc:
        main(["import", "monthly-stats", str(write_csv(tmp_path / "bad.csv", HEADER, bad)), "--skip-checks"])
    assert exc.value.code == 1
    main(["import", "monthly-stats", str(write_csv(tmp_path / "ok.csv", HEADER, clean_rows)), "--skip-checks"])


def test_importing_user_scope(tmp_path, register):
    other = make_enterprise("330212", 99)
    path = write_csv(tmp_path / "m.csv", HEADER, [row(register[0].uscc), row(other.uscc)])
    county = User.objects.create(username="xh", role=Role.COUNTY_STAFF, division_id="330106")
    outcome = commit_import("monthly-stats", path, user=county)
    assert not outcome.committed
    assert [(i.row, i.field, i.reason_zh) for i in outcome.result.errors] == [
        (3, "统一社会信用代码", "该企业现属“宁波市鄞州区”，不在您的管辖范围内，无权导入")]
    province = User.objects.create(username="pv", role=Role.PROVINCE_STAFF, division_id="330000")
    assert preview_import("monthly-stats", path, user=province).ok
    leader = User.objects.create(username="ld", role=Role.LEADER, division_id="330000")
    assert preview_import("monthly-stats", path, user=leader).result.error_count == 2
    own = User.objects.create(username="ent", role=Role.ENTERPRISE, enterprise=other)
    assert [i.row for i in preview_import("monthly-stats", path, user=own).result.errors] == [2]


@pytest.mark.parametrize("writer, suffix", [(write_csv, "csv"), (write_xlsx, "xlsx")])
def test_row_numbers_count_blank_rows(tmp_path, clean_rows, writer, suffix):
    rows = [clean_rows[0], [None] * len(HEADER), [None] * len(HEADER), list(clean_rows[1])]
    rows[3][2] = "x"
    outcome = preview_import("monthly-stats", writer(tmp_path / f"gap.{suffix}", HEADER, rows))
    assert outcome.result.row_count == 2
    assert [(i.row, i.field) for i in outcome.result.errors] == [(5, "工业总产值")]
