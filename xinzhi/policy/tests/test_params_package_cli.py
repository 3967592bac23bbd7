"""Unit tests: parameter lookup by date, package validation, gap messages, the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from xinzhi.policy.package import PackageValidationError, field_table, parse_package
from xinzhi.policy.params import ParameterError, load_parameters, read_parameters
from xinzhi.policy.screen import screen

from .cases import base_package, merge

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "xinzhi" / "policy" / "examples" / "package.json"


# ---------------------------------------------------------------- parameters


def test_lookup_by_date_uses_value_in_force():
    tree = load_parameters()
    name = "rd_super_deduction.expensed_extra_rate"
    assert tree.at(date(2022, 9, 30))(name) == Decimal("0.75")
    assert tree.at(date(2022, 10, 1))(name) == Decimal("1.00")
    assert tree.at(date(2023, 1, 1))(name) == Decimal("1.00")


def test_lookup_outside_validity_raises_and_in_force_is_false():
    view = load_parameters().at(date(2028, 1, 1))
    assert not view.in_force("vat_additional_deduction.rate")
    with pytest.raises(ParameterError):
        view("vat_additional_deduction.rate")
    with pytest.raises(ParameterError):
        view("no.such.parameter")


def test_every_value_has_a_reference_and_decimals_not_floats():
    for param in load_parameters():
        for item in param.values:
            assert item.reference.strip(), param.name
            assert not isinstance(item.value, float), param.name


def test_trace_records_reference_and_unverified_flag():
    view = load_parameters().at(date(2024, 12, 31))
    view("income_tax.standard_rate")
    view("rd_super_deduction.negative_list")
    rate, negative = view.trace_list()
    assert rate["unverified"] is False and rate["reference"] == "《中华人民共和国企业所得税法》第四条"
    assert negative["unverified"] is True and negative["reference"].startswith("财税〔2015〕119号")


def test_rational_parameter():
    view = load_parameters().at(date(2024, 1, 1))
    assert view.fraction("rd_super_deduction.entrusted_abroad_cap_of_domestic") == Fraction(2, 3)


def test_overrides_do_not_touch_files():
    tree = read_parameters()
    changed = tree.with_overrides({"hte.st_staff_min_share": "0.12"})
    assert changed.at(date(2024, 1, 1))("hte.st_staff_min_share") == "0.12"
    assert load_parameters().at(date(2024, 1, 1))("hte.st_staff_min_share") == Decimal("0.10")


def test_override_from_a_date_keeps_history():
    tree = load_parameters().with_overrides({"hte.st_staff_min_share": Decimal("0.12")}, start=date(2026, 1, 1))
    assert tree.at(date(2025, 6, 1))("hte.st_staff_min_share") == Decimal("0.10")
    assert tree.at(date(2026, 6, 1))("hte.st_staff_min_share") == Decimal("0.12")


# ---------------------------------------------------------------- package validation


def _errors(data):
    with pytest.raises(PackageValidationError) as exc:
        parse_package(data)
    return {e["field"]: e["reason"] for e in exc.value.as_list()}, str(exc.value)


def test_missing_required_fields_are_named():
    errors, text = _errors({"year": 2024})
    assert "registration_date" in errors and errors["registration_date"] == "缺少必填字段"
    assert "revenue.total_revenue（总收入）" in text or "revenue" in errors


def test_float_money_rejected_with_chinese_reason():
    data = merge(base_package(), {})
    data["revenue"]["sales_revenue"] = 1.5
    errors, _ = _errors(data)
    assert "浮点数" in errors["revenue.sales_revenue"]


def test_bad_values_listed_together():
    data = merge(base_package(), {"staff": {"st_staff": 200}, "industry_code": "35", "uscc": "91330108MA2H3K7Q4X",
                                  "incidents": [{"type": "fire", "date": "2024-13-01"}], "unknown": 1})
    data["net_assets"] = "-1.234"
    errors, _ = _errors(data)
    assert "取值“fire”无效" in errors["incidents[0].type"]
    assert "YYYY-MM-DD" in errors["incidents[0].date"]
    assert "两位小数" in errors["net_assets"]
    assert errors["unknown"] == "未知字段"


def test_cross_field_checks():
    data = merge(base_package(), {"staff": {"st_staff": 200}, "industry_code": "35", "uscc": "91330108MA2H3K7Q4X"})
    errors, _ = _errors(data)
    assert "超过职工总数" in errors["staff.st_staff"]
    assert "4位小类" in errors["industry_code"]
    assert "校验位" in errors["uscc"]


def test_negative_money_only_where_signed():
    data = merge(base_package(), {"net_assets": "-5000", "tax": {"taxable_income_before_losses": "-100"}})
    assert parse_package(data).net_assets == Decimal("-5000")
    data = merge(base_package(), {"total_assets": "-1"})
    errors, _ = _errors(data)
    assert "负数" in errors["total_assets"]


def test_package_doc_lists_every_field():
    doc = (ROOT / "docs" / "report-once-package.md").read_text(encoding="utf-8")
    for path, *_ in field_table():
        assert f"`{path}`" in doc, path


# ---------------------------------------------------------------- gaps


def test_gaps_grow_the_whole_when_they_add_to_the_part():
    """New S&T staff are staff (9/100 → 11/102 ≥ 10%); new high-tech revenue is revenue."""
    import polars as pl

    from xinzhi.policy.conditions import WIDE, added_to_reach

    frame = pl.DataFrame({"n": [9, 10, 50, 0], "d": [100, 100, 100, 0]})
    for t, grows, strict, expected in ((Fraction(1, 10), True, False, [2, 0, 0, 0]),
                                       (Fraction(3, 5), True, False, [128, 125, 25, 0]),
                                       (Fraction(1, 2), True, True, [83, 81, 1, 1]),
                                       (Fraction(1, 10), False, False, [1, 0, 0, 0])):
        got = frame.select(added_to_reach(WIDE.col("n"), WIDE.col("d"), t, grows, strict)).to_series().to_list()
        assert got == expected, (t, grows, strict)


def test_rd_gap_message_in_wan():
    data = merge(base_package(), {"rd_expense": {"personnel": "2766000"}, "prior_years": [
        {"year": 2022, "sales_revenue": "100000000", "net_assets": "50000000", "rd_expense": "4000000"},
        {"year": 2023, "sales_revenue": "100000000", "net_assets": "50000000", "rd_expense": "4000000"}]})
    result = screen(parse_package(data))
    assert "研究开发费用还差123.4万元可达到4%的比例要求" in result["programs"]["hte"]["gaps"]


def test_screen_is_deterministic_and_traced():
    package = parse_package(json.loads(EXAMPLE.read_text(encoding="utf-8"), parse_float=Decimal))
    first, second = screen(package, 2024), screen(package, 2024)
    assert first == second
    names = {p["name"] for p in first["trace"]["parameters"]}
    assert "hte.rd_ratio_scale" in names and "rd_super_deduction.negative_list" in first["trace"]["unverified"]
    json.dumps(first, ensure_ascii=False)  # JSON-ready


# ---------------------------------------------------------------- CLI


def _cli(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "xinzhi", "screen", *args], cwd=ROOT, input=stdin,
                          capture_output=True, text=True, timeout=120)


def test_cli_json_in_json_out():
    proc = _cli("--input", str(EXAMPLE), "--year", "2024")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["programs"]["hte"]["label"] == "高新技术企业认定"
    assert "高新技术企业认定" in proc.stdout  # ensure_ascii=False


def test_cli_invalid_input_exits_nonzero_with_chinese_errors(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"year": 2024, "revenue": {"sales_revenue": -1}}), encoding="utf-8")
    proc = _cli("--input", str(bad))
    assert proc.returncode == 2
    assert "数据包校验未通过" in proc.stderr and "revenue.sales_revenue（销售收入）：不得为负数" in proc.stderr


def test_cli_refuses_a_year_the_parameters_do_not_cover_in_chinese_with_exit_1():
    proc = _cli("--input", str(EXAMPLE), "--year", "2016")
    assert proc.returncode == 1
    assert "无法计算2016年度" in proc.stderr and "自2018年起" in proc.stderr
    assert "Traceback" not in proc.stderr and "ParameterError" not in proc.stderr


def test_cli_not_json():
    proc = _cli("--input", "-", stdin="{not json")
    assert proc.returncode != 0 and "不是有效的 JSON" in proc.stderr


def test_rules_doc_lists_every_parameter():
    doc = (ROOT / "docs" / "policy-rules.md").read_text(encoding="utf-8")
    for param in load_parameters():
        assert f"`{param.name}`" in doc, param.name
