"""Column parsing and shared checks, on plain frames (no files)."""

import random

import polars as pl
import pytest

from xinzhi.core import uscc
from xinzhi.core.imports.checks import uscc_issues
from xinzhi.core.imports.exports import money_text
from xinzhi.core.imports.parsing import _date, _money, _money_parts, _period, map_headers
from xinzhi.core.imports.registry import get_kind
from xinzhi.core.units import to_yuan


def money(values, unit):
    frame = pl.DataFrame({"v": values}, schema={"v": pl.String}).with_columns(_money_parts("v"))
    yuan, not_numeric, too_large = _money("v", unit)
    return frame.select(yuan.alias("y"), not_numeric.alias("n"), too_large.alias("t"))


def test_money_is_converted_exactly_half_up():
    out = money(["1234.567", "0.0005", "0.0004", "1,234", " 12 ", "7", "-1.5", ".5", "1.23456"], "千元")
    assert out["y"].to_list() == [1234567, 1, 0, 1234000, 12000, 7000, -1500, 500, 1235]
    assert out["n"].to_list() == [False] * 9
    assert money(["1.00005", "3"], "万元")["y"].to_list() == [10001, 30000]
    assert money(["12.5", "12.4"], "元")["y"].to_list() == [13, 12]


def test_money_agrees_with_units_module():
    rng = random.Random(7)
    values = [f"{rng.randint(0, 10**9)}.{rng.randint(0, 99999):05d}" for _ in range(500)]
    for unit in ("元", "千元", "万元", "亿元"):
        assert money(values, unit)["y"].to_list() == [to_yuan(v, unit) for v in values]


def test_money_rejects_text_and_huge_numbers():
    out = money(["abc", "1e5", "1.2.3", None, "", "9" * 20], "千元")
    assert out["n"].to_list() == [True, True, True, False, False, False]
    assert out["t"].to_list()[-1] is True
    assert out["y"].to_list()[:5] == [None] * 5


def test_money_text_round_trips():
    yuan = pl.Series([1234567, 0, 5, 1000, 123456789012], dtype=pl.Int64)
    for unit in ("元", "千元", "万元"):
        text = pl.select(money_text(pl.lit(yuan), unit)).to_series()
        assert money(text.to_list(), unit)["y"].to_list() == yuan.to_list()
    assert pl.select(money_text(pl.lit(yuan), "千元")).to_series().to_list()[:3] == ["1234.567", "0", "0.005"]


def test_uscc_check_matches_stdnum():
    rng = random.Random(1)
    good = [uscc.make("91", "330106", f"MA{rng.randint(0, 9_999_999):07d}") for _ in range(300)]
    bad = [g[:-1] + uscc.ALPHABET[(uscc.ALPHABET.index(g[-1]) + 1) % 31] for g in good[:100]]
    odd = ["91330106MA00000O1X", "123", "9133010", "A1330106MA0000001X"]
    codes = good + bad + odd
    frame = pl.DataFrame({"_row": range(2, len(codes) + 2), "u": codes})
    flagged = set(uscc_issues(frame, "u", "统一社会信用代码")["_row"].to_list())
    assert {r for r, c in zip(frame["_row"], codes, strict=True) if not uscc.is_valid(c)} == flagged
    assert len(flagged) == 104


def test_period_forms():
    frame = pl.DataFrame({"p": ["2025-06", "2025/6", "2025年6月", "2025.06", "2025-06-01 00:00:00", "202506",
                                "2025-13", "25-06", "abc", None]})
    year, month, bad = _period("p")
    out = frame.select(year.alias("y"), month.alias("m"), bad.alias("b"))
    assert out["m"].to_list() == [6] * 6 + [None] * 4
    assert out["b"].to_list() == [False] * 6 + [True] * 3 + [False]


def test_date_forms():
    frame = pl.DataFrame({"d": ["2015-01-02", "2015/1/2", "2015年1月2日", "20150102", "2015-01-02 00:00:00",
                                "2015-02-30", "x"]})
    value, bad = _date("d")
    out = frame.select(value.alias("v"), bad.alias("b"))
    assert out["v"].dt.strftime("%Y-%m-%d").to_list()[:5] == ["2015-01-02"] * 5
    assert out["b"].to_list() == [False] * 5 + [True, True]


@pytest.mark.parametrize("header, unit", [("工业总产值(千元)", "千元"), ("工业总产值（万元）", "万元"),
                                          ("工业总产值 (元)", "元"), ("工业总产值(thousand_yuan)", "千元")])
def test_unit_declared_in_header(header, unit):
    kind = get_kind("monthly-stats")
    headers = map_headers(kind, ["统一社会信用代码", "期别", header])
    assert headers.units["output_value"] == unit


def test_missing_unit_and_unknown_unit_are_errors():
    kind = get_kind("monthly-stats")
    headers = map_headers(kind, ["统一社会信用代码", "期别", "工业总产值", "工业增加值(美元)", "备注"])
    issues = pl.concat(headers.issues)
    reasons = dict(zip(issues["field"], issues["reason"], strict=True))
    assert "未声明计量单位" in reasons["工业总产值"]
    assert "未知计量单位“美元”" in reasons["工业增加值(美元)"]
    assert reasons["备注"] == "未识别的列，已忽略"
    assert "缺少必填列“营业收入”" in reasons["营业收入(千元)"]
