"""红黄蓝 rules at every threshold boundary (shared/domain/ratings.md; data/ratings.toml)."""

from __future__ import annotations

import polars as pl
import pytest

from xinzhi.monitoring.catalogue import load_rules
from xinzhi.monitoring.engine import compute_period
from xinzhi.monitoring.ratings import rate

from .fixtures import facts
from .rows import frame, row


def rated(*rows: dict) -> pl.DataFrame:
    return rate(frame(*rows))


def colours(*rows: dict) -> list[str | None]:
    return rated(*rows)["rating"].to_list()


# --- count targets: p against t = month / 12 ------------------------------------------------------


def test_count_exactly_on_schedule_is_blue():
    # 6 months: t = 50%; 2,500 of 5,000 = 50% → blue, "快于序时进度0.0个百分点"
    out = rated(row("new_hte", 2500, 5000))
    assert out["rating"].item() == "blue"
    assert out["rating_reason"].item() == "完成年度目标的50.0%，快于序时进度0.0个百分点"


def test_count_ahead_of_schedule_reason():
    # 7 months: t = 58.3%; 3,330 of 5,000 = 66.6% → 8.3 points ahead
    out = rated(row("new_hte", 3330, 5000, month=7))
    assert out["rating"].item() == "blue"
    assert out["rating_reason"].item() == "完成年度目标的66.6%，快于序时进度8.3个百分点"


def test_count_yellow_band_boundaries():
    # t − 0.10 exactly (40.0% at month 6) is yellow; 39.9% (just below) is red; 49.9% is yellow
    assert colours(row("new_hte", 2000, 5000)) == ["yellow"]
    assert colours(row("new_hte", 1995, 5000)) == ["red"]
    assert colours(row("new_hte", 2495, 5000)) == ["yellow"]
    out = rated(row("new_hte", 1995, 5000))
    assert out["rating_reason"].item() == "完成年度目标的39.9%，慢于序时进度10.1个百分点"


# --- level targets -------------------------------------------------------------------------------


def test_strictly_above_target_at_equality_is_not_blue():
    # "> 67.5%": 67.5 does not meet it; the gap 0 is within 5% of T → yellow
    out = rated(row("ht_va_share", 67.5, 67.5))
    assert out["rating"].item() == "yellow"
    assert out["rating_reason"].item() == "1—6月高新技术产业增加值占比67.5%，与目标持平"
    # the published value is compared: 67.54 is published as 67.5 → still yellow; 67.55 → 67.6 → blue
    assert colours(row("ht_va_share", 67.54, 67.5)) == ["yellow"]
    assert colours(row("ht_va_share", 67.55, 67.5)) == ["blue"]


def test_level_reason_example_from_ratings_md():
    out = rated(row("ht_va_share", 67.8, 67.5))
    assert out["rating"].item() == "blue"
    assert out["rating_reason"].item() == "1—6月高新技术产业增加值占比67.8%，高于目标0.3个百分点"


def test_at_least_target_at_equality_is_blue():
    assert colours(row("new_product_rate", 40.0, 40.0)) == ["blue"]
    assert colours(row("new_product_rate", 39.9, 40.0)) == ["yellow"]  # gap 0.1 ≤ 5% × 40 = 2


def test_gap_within_five_percent_of_target():
    # 5% of 3.15 = 0.1575: 3.00 (gap 0.15) is yellow, 2.99 (gap 0.16) red
    assert colours(row("rd_intensity", 3.00, 3.15)) == ["yellow"]
    assert colours(row("rd_intensity", 2.99, 3.15)) == ["red"]
    assert rated(row("rd_intensity", 2.99, 3.15))["rating_reason"].item() == (
        "1—6月研发费用占营业收入比重2.99%，低于目标0.16个百分点"
    )


def test_projection_meeting_target_makes_yellow():
    # 2.90 misses by 0.25 (> 5% of T) but the projection 3.20 meets "> 3.15" → yellow
    out = rated(row("rd_intensity", 2.90, 3.15, projected=3.20))
    assert out["rating"].item() == "yellow"
    assert out["projected_meets"].item() is True
    assert out["rating_reason"].item().endswith("按去年同期进度预计全年3.20%")
    assert colours(row("rd_intensity", 2.90, 3.15, projected=3.15)) == ["red"]  # projection must meet strictly


def test_about_target_band():
    # "16% 左右" is met within ±0.5 points, both sides inclusive
    assert colours(row("ht_investment_share", 16.5, 16.0)) == ["blue"]
    assert colours(row("ht_investment_share", 15.5, 16.0)) == ["blue"]
    # overshooting a higher-is-better "about" target meets it (rule about_overshoot_meets, default on)
    assert colours(row("ht_investment_share", 18.6, 16.0)) == ["blue"]
    assert rated(row("ht_investment_share", 18.6, 16.0))["rating_reason"].item() == (
        "1—6月高新技术产业投资占比18.6%，达到目标16%左右（高于2.6个百分点）"
    )
    # below the band: the gap 0.9 is not within 5% of 16 (0.8) → red; a projection inside the band → yellow
    assert colours(row("ht_investment_share", 15.1, 16.0)) == ["red"]
    assert colours(row("ht_investment_share", 15.4, 16.0)) == ["yellow"]  # gap 0.6 within 5% of 16
    assert colours(row("ht_investment_share", 15.1, 16.0, projected=15.6)) == ["yellow"]
    assert rated(row("ht_investment_share", 16.3, 16.0))["rating_reason"].item() == (
        "1—6月高新技术产业投资占比16.3%，达到目标16%左右（高于0.3个百分点）"
    )
    assert rated(row("ht_investment_share", 15.4, 16.0))["rating_reason"].item() == (
        "1—6月高新技术产业投资占比15.4%，与目标16%左右相差0.6个百分点"
    )


def test_faster_than_other_indicator():
    # target = the FAI growth of the same region and period; equal growth is not "faster"
    assert colours(row("ht_investment_growth", 12.0, 8.0)) == ["blue"]
    assert colours(row("ht_investment_growth", 8.0, 8.0)) == ["yellow"]  # gap 0 within 5%
    assert colours(row("ht_investment_growth", 5.0, 8.0)) == ["red"]
    out = rated(row("ht_investment_growth", 12.04, 7.52))
    assert out["rating_reason"].item() == "1—6月高新技术产业投资增速12.0%，快于固定资产投资增速4.5个百分点"


def test_grey_when_no_data_and_null_without_target():
    out = rated(
        row("ht_va_share", None, 67.5),
        row("new_product_approvals", None, 5000, available=False),
        row("hte_share", 60.0),
    )
    assert out["rating"].to_list() == ["grey", "grey", None]
    assert out["rating_reason"][0] == "1—6月高新技术产业增加值占比数据不足，不予评价"
    assert "数据来源尚未接入" in out["rating_reason"][1]


def test_rule_version_on_every_row():
    out = rated(row("new_hte", 2500, 5000), row("hte_share", 60.0))
    assert out["rules_version"].to_list() == [load_rules()["version"]] * 2


def test_rules_are_data():
    rules = load_rules()
    loose = {**rules, "trajectory": {**rules["trajectory"], "count": {**rules["trajectory"]["count"], "yellow_band_pp": 20.0}}}
    assert rate(frame(row("new_hte", 1995, 5000)), rules=loose)["rating"].item() == "yellow"


# --- level against peers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "group"),
    [(125.1, "leading"), (125.0, "strong"), (100.0, "strong"), (99.9, "moderate"), (70.0, "moderate"), (69.9, "emerging")],
)
def test_peer_groups_at_boundaries(value, group):
    out = rated(row("hte_share", value, region="330100", region_level="city", peer_mean=100.0, peer_count=11, rank=3))
    assert out["level_group"].item() == group


def test_peer_groups_inverted_for_lower_is_better():
    # lower is better: 80 against an average of 100 → 100/80 = 125% → strong; 79.9 → leading
    base = dict(region="330100", region_level="city", peer_mean=100.0, peer_count=11, rank=1, direction="lower")
    assert rated(row("hte_share", 80.0, **base))["level_group"].item() == "strong"
    assert rated(row("hte_share", 79.9, **base))["level_group"].item() == "leading"


def test_peer_reason_and_grey():
    out = rated(
        row("hte_share", 130.0, region="330100", region_level="city", peer_mean=100.0, peer_count=11, rank=2),
        row("hte_share", None, region="330200", region_level="city", peer_mean=100.0, peer_count=11),
        row("hte_share", 60.0),
    )
    assert out["level_group"].to_list() == ["leading", "grey", None]
    assert out["level_reason"][0] == "为同级平均水平的130.0%，属领先组；在11个设区市中排第2位"


def test_rates_engine_output():
    out = rate(compute_period(facts(), 2025, 6))
    prov = out.filter(pl.col("region") == "330000")
    by = dict(zip(prov["indicator"], prov["rating"], strict=True))
    # 70.0 > 67.5 blue; 16.0 within ±0.5 blue; 2.77 vs 3.15: gap 0.38 > 0.1575 and projection 2.77 → red
    assert by["ht_va_share"] == "blue"
    assert by["ht_investment_share"] == "blue"
    assert by["rd_intensity"] == "red"
    assert by["new_product_rate"] == "blue"  # 44.0 ≥ 40
    assert by["ht_investment_growth"] == "blue"  # 33.3 faster than 11.1
    assert by["new_product_approvals"] == "grey"


# --- edge cases a reader noticed (issue 13) ------------------------------------------------------------


def test_a_zero_count_target_is_rated_not_greyed():
    """湖州 recognised 2 national tech centres against an allocated 0: met, not "数据不足"."""
    out = rated(row("new_national_tech_centre", 2, 0, region="330500", region_level="city"))
    assert out["rating"].item() == "blue"
    assert out["rating_reason"].item() == "年度目标为0个，已完成2个"
    none = rated(row("new_national_tech_centre", None, 0, region="330500", region_level="city"))
    assert none["rating"].item() == "grey"


def test_reason_agrees_with_colour_at_the_printed_precision():
    """Value 61.14 (printed 61.1) against an allocated 61.1344 (printed 61.1): not above "超过61.1%", and the
    reason says so — the old reason read "低于目标0.0个百分点" next to a yellow."""
    out = rated(row("ht_va_share", 61.14, 61.1344, region="330800", region_level="city", projected=61.0))
    assert out["rating"].item() == "yellow"
    assert out["rating_reason"].item() == "1—6月高新技术产业增加值占比61.1%，与目标持平"
    assert out["target_text"].item() == "超过61.1%"
    above = rated(row("ht_va_share", 61.16, 61.1344, region="330800", region_level="city"))
    assert above["rating"].item() == "blue" and "高于目标0.1个百分点" in above["rating_reason"].item()


def test_targets_print_at_the_indicator_precision():
    out = rated(row("ht_va_share", 73.5, 73.6874), row("rd_intensity", 3.2, 3.15), row("new_product_rate", 41.0, 40.0),
                row("ht_investment_share", 17.0, 16.0), row("new_hte", 100, 5000))
    assert out["target_text"].to_list() == ["超过73.7%", "超过3.15%", "不低于40%", "16%左右", "5,000个"]


def test_seasonal_schedule_for_batch_recognitions():
    """HTE certificates come in November: last year had recognised 0% by June, so June's 0 is on schedule
    (month/12 would say 50 points behind, red)."""
    out = rated(row("new_hte", 0, 5000, seasonal_elapsed=0.0))
    assert out["rating"].item() == "blue" and out["schedule_basis"].item() == "seasonal"
    assert out["time_elapsed"].item() == 0.0
    assert out["rating_reason"].item() == "完成年度目标的0.0%，快于按上年同期认定进度计算的序时进度（0.0%）0.0个百分点"
    behind = rated(row("new_hte", 3000, 5000, month=12, seasonal_elapsed=1.0))
    assert behind["rating"].item() == "red" and "慢于按上年同期认定进度" in behind["rating_reason"].item()
    linear = rated(row("new_hte", 0, 5000))  # no dated history: month / 12
    assert linear["rating"].item() == "red" and linear["schedule_basis"].item() == "linear"


def test_change_since_last_year_view():
    out = rated(row("ht_va_share", 60.0, region="330100", region_level="city", yoy=0.04),
                row("ht_va_share", 60.0, region="330200", region_level="city", yoy=-0.06),
                row("ht_va_share", 60.0, region="330300", region_level="city", yoy=0.26),
                row("new_hte", 10, region="330100", region_level="city", yoy=-12.0),
                row("ht_va_share", 60.0, yoy=1.0))
    assert out["change_group"].to_list() == ["flat", "down", "up", "down", None]
    assert out["yoy_text"].to_list() == ["0.0", "-0.1", "+0.3", "-12.0", "+1.0"]
