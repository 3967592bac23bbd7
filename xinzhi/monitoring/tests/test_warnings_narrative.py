"""Early warnings and narrative sentences (numbers must be the table's numbers)."""

from __future__ import annotations

import re

import polars as pl

from xinzhi.monitoring.display import fixed
from xinzhi.monitoring.engine import compute_period
from xinzhi.monitoring.narrative import narrative, sentence
from xinzhi.monitoring.ratings import rate
from xinzhi.monitoring.warnings import early_warnings

from .fixtures import facts
from .rows import frame, row


def test_projected_miss_and_rating_drop():
    current = rate(
        frame(
            row("rd_intensity", 2.90, 3.15, projected=3.00),  # projected to miss → warning
            row("ht_va_share", 68.0, 67.5, projected=68.5),  # on track → none
            row("new_hte", 2000, 5000, region="330100", region_level="city"),  # blue → yellow → warning
            row("new_product_rate", 41.0, 40.0),  # no projection, blue → none
        )
    )
    previous = rate(
        frame(
            row("rd_intensity", 3.20, 3.15, month=5),
            row("ht_va_share", 68.0, 67.5, month=5),
            row("new_hte", 2200, 5000, month=5, region="330100", region_level="city"),  # 44% vs 41.7% → blue
            row("new_product_rate", 41.0, 40.0, month=5),
        )
    )
    assert previous["rating"].to_list() == ["blue", "blue", "blue", "blue"]
    warnings = early_warnings(current, previous)
    assert warnings.select("indicator", "region", "projected_miss", "rating_drop", "rating").rows() == [
        ("rd_intensity", "330000", True, True, "red"),
        ("new_hte", "330100", False, True, "yellow"),
    ]
    assert warnings["message"][0] == "按去年同期进度推算，全年研发费用占营业收入比重预计为3.00%，达不到年度目标；评级由蓝转红"
    # a drop names the indicator (old code: "评级由蓝转黄" alone), its value and the region's own target
    assert warnings["message"][1] == "新认定高新技术企业评级由蓝转黄：1—6月2,000个，目标5,000个"


def test_warnings_without_previous_month():
    current = rate(frame(row("ht_investment_share", 16.0, 16.0, projected=17.0)))  # 17.0 outside ±0.5
    warnings = early_warnings(current)
    assert warnings["indicator"].to_list() == ["ht_investment_share"]
    assert warnings["rating_drop"].to_list() == [False]


def test_sentence_example_from_the_brief():
    out = rate(frame(row("ht_va_share", 67.8, 67.5, yoy=1.2, last_year_value=66.6)))
    assert sentence(out.row(0, named=True)) == (
        "1—6月，全省高新技术产业增加值占规上工业比重为67.8%，同比提高1.2个百分点，高于年度目标0.3个百分点。"
    )


def test_sentences_for_counts_amounts_and_no_data():
    out = rate(
        frame(
            row("new_hte", 2500, 5000, yoy=25.0),
            row("ht_value_added", 123_456_000_000.0, yoy=8.14),
            row("new_product_approvals", None, 5000, available=False),
        )
    )
    s = [sentence(r) for r in out.iter_rows(named=True)]
    assert s[0] == "1—6月，全省新认定高新技术企业数2,500个，同比增长25.0%，完成年度目标的50.0%，快于序时进度0.0个百分点。"
    assert s[1] == "1—6月，全省高新技术产业增加值1,234.56亿元，同比增长8.1%。"
    assert s[2] == "1—6月，全省省级工业新产品（新技术）立项数暂无数据。"


def test_narrative_numbers_are_the_table_numbers():
    table = rate(compute_period(facts(), 2025, 6))
    sentences = narrative(table, "330000", indicators=["ht_va_share", "rd_intensity", "ht_investment_growth"])
    rows = {
        r["indicator"]: r
        for r in table.filter(pl.col("region") == "330000").iter_rows(named=True)
    }
    # the table's texts, checked against hand-rounded values of the fixture (70.0, 7.5, 2.5; 83/3000 → 2.77 …)
    assert rows["ht_va_share"]["value_text"] == "70.0"
    assert rows["ht_va_share"]["yoy_text"] == "+7.5"  # signed in tables; the prose says 提高
    assert rows["ht_va_share"]["gap_text"] == "2.5"
    assert rows["rd_intensity"]["value_text"] == "2.77"
    assert rows["rd_intensity"]["yoy_text"] == "+0.91"  # 2.7667 − 1.8519 = 0.9148
    assert rows["rd_intensity"]["gap_text"] == "0.38"  # published 2.77 − 3.15
    assert rows["ht_investment_growth"]["value_text"] == "33.3"
    for s, ind in zip(sentences, ["ht_va_share", "rd_intensity", "ht_investment_growth"], strict=True):
        r = rows[ind]
        numbers = re.findall(r"\d+(?:\.\d+)?", s.split("，", 1)[1])
        assert numbers[0] == r["value_text"], s
        assert r["yoy_text"].lstrip("+-") in numbers, s
        assert r["gap_text"] in numbers, s
    assert sentences[0] == "1—6月，全省高新技术产业增加值占规上工业比重为70.0%，同比提高7.5个百分点，高于年度目标2.5个百分点。"


def test_city_names_and_fixed_formatting():
    table = rate(compute_period(facts(), 2025, 6))
    s = narrative(table, "330100", indicators=["ht_va_share"], names={"330100": "杭州市"})
    assert s == ["1—6月，杭州市高新技术产业增加值占规上工业比重为62.5%，同比提高5.4个百分点。"]
    assert fixed(2.345, 2) == "2.35"  # 四舍五入, not banker's rounding
    assert fixed(-0.04, 1) == "0.0"
    assert fixed(16, 1) == "16.0"
    assert fixed(None, 1) is None
