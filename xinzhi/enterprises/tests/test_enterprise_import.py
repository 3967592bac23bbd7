"""The enterprise register import (enterprises): register + above-scale status per year."""

from __future__ import annotations

import datetime

import pytest
from auditlog.models import LogEntry

from xinzhi.core.imports import commit_import, get_kind, preview_import, read_table
from xinzhi.core.imports.exports import export_kind, write_template
from xinzhi.core.tests.helpers import code, write_csv, write_xlsx
from xinzhi.enterprises.models import Enterprise, EnterpriseYear

pytestmark = pytest.mark.django_db

HEADER = ["统一社会信用代码", "企业名称", "县（市、区）代码", "行业代码", "成立日期", "登记注册类型", "是否上市",
          "规上年度", "是否规上"]


def rows(n: int = 10) -> list[list[object]]:
    return [[code("330106", i), f"西湖{i}号公司", "330106", "3973", "2015-03-18", "民营", "否", 2025,
             "是" if i % 2 else "否"] for i in range(1, n + 1)]


def test_register_import_is_idempotent_and_writes_years(tmp_path):
    path = write_xlsx(tmp_path / "e.xlsx", HEADER, rows())
    first = commit_import("enterprises", path)
    assert first.committed and first.result.counts["new"] == 10, first.result.errors
    e = Enterprise.objects.get(uscc=code("330106", 1))
    assert (e.name, e.division_id, e.industry_id, e.registered_on, e.ownership, e.is_listed) == (
        "西湖1号公司", "330106", "3973", datetime.date(2015, 3, 18), "private", False)
    assert e.import_batch == first.batch
    assert EnterpriseYear.objects.filter(year=2025, above_scale=True).count() == 5
    again = commit_import("enterprises", path)
    assert again.result.counts["unchanged"] == 10 and again.result.counts["changed"] == 0


def test_changes_update_and_audit(tmp_path):
    commit_import("enterprises", write_csv(tmp_path / "a.csv", HEADER, rows()))
    changed = rows()
    changed[0][1] = "西湖一号有限公司"
    changed[1][8] = "是"  # above-scale status of 2025 flips
    changed[2][7] = 2024  # a new year row for an existing enterprise
    outcome = commit_import("enterprises", write_csv(tmp_path / "b.csv", HEADER, changed))
    assert outcome.result.counts["changed"] == 3 and outcome.result.counts["unchanged"] == 7
    assert LogEntry.objects.get(content_type__model="enterprise", action=1).changes == {
        "name": ["西湖1号公司", "西湖一号有限公司"]}
    year_entry = LogEntry.objects.get(content_type__model="enterpriseyear", action=1)
    assert year_entry.changes == {"above_scale": ["False", "True"]}
    assert EnterpriseYear.objects.filter(year=2024).count() == 1


def test_register_validation(tmp_path):
    good = rows(1)[0]
    bad = [
        good,
        [code("330212", 2), "鄞州注册西湖经营", "330106", "3973", None, None, None, None, None],  # warning only
        [code("330106", 3), "市级代码", "330100", "3973", None, None, None, None, None],
        [code("330106", 4), "未知区划", "339999", "3973", None, None, None, None, None],
        [code("330106", 5), "大类", "330106", "39", None, None, None, None, None],
        [code("330106", 6), "未知行业", "330106", "9999", None, None, None, None, None],
        [code("330106", 7), "缺是否规上", "330106", "3973", "2015-02-30", "私营", None, 2025, None],
        [code("330106", 8), None, "330106", "3973", None, None, None, None, None],
    ]
    outcome = preview_import("enterprises", write_csv(tmp_path / "v.csv", HEADER, bad))
    got = [(i.row, i.field, i.reason_zh) for i in outcome.result.errors]
    assert got == [
        (4, "县（市、区）代码", "区划代码“330100”（杭州市）不是县（市、区）级区划"),
        (5, "县（市、区）代码", "区划代码“339999”不存在"),
        (6, "行业代码", "行业代码“39”（计算机、通信和其他电子设备制造业）不是4位行业小类"),
        (7, "行业代码", "行业代码“9999”不在国民经济行业分类（GB/T 4754-2017）中"),
        (8, "成立日期", "“2015-02-30”不是有效日期，应为 YYYY-MM-DD"),
        (8, "登记注册类型", "“私营”不是有效取值，应为：国有、集体、民营、港澳台投资、外商投资、其他"),
        (8, "是否规上", "填写了规上年度须同时填写“是否规上”"),
        (9, "企业名称", "必填项为空"),
    ]
    warnings = [(i.row, i.field, i.reason_zh) for i in outcome.result.warnings]
    assert (3, "统一社会信用代码", "统一社会信用代码第3–8位登记机关区划“330212”与所在县（市、区）“330106”不一致") in warnings


def test_absent_optional_columns_keep_stored_values(tmp_path):
    commit_import("enterprises", write_csv(tmp_path / "a.csv", HEADER, rows(2)))
    short = [[r[0], r[1], r[2], r[3]] for r in rows(2)]
    outcome = commit_import("enterprises", write_csv(tmp_path / "b.csv", HEADER[:4], short))
    assert outcome.result.counts["unchanged"] == 2
    assert Enterprise.objects.get(uscc=code("330106", 1)).registered_on == datetime.date(2015, 3, 18)


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet"])
def test_export_round_trip(tmp_path, fmt):
    commit_import("enterprises", write_csv(tmp_path / "a.csv", HEADER, rows()))
    out = tmp_path / f"e.{fmt}"
    export_kind("enterprises", None, fmt, out)
    assert read_table(out).frame.columns == HEADER
    outcome = commit_import("enterprises", out)
    assert outcome.result.counts["unchanged"] == 10, outcome.result.errors


def test_template_columns(tmp_path):
    write_template("enterprises", "xlsx", tmp_path / "t.xlsx")
    assert read_table(tmp_path / "t.xlsx").frame.columns == [c.header for c in get_kind("enterprises").columns]
