"""Target allocation on hand-made numbers."""

import pytest

from xinzhi.monitoring.allocation import allocate_count, allocate_level


def test_counts_are_proportional_whole_and_sum_back():
    parts = allocate_count(5000, {"330100": 1200, "330200": 900, "330300": 400, "331100": 0}, floor_share=0.0)
    assert sum(parts.values()) == 5000
    # 5000 × 1200/2500 = 2400 exactly; 5000 × 900/2500 = 1800; 5000 × 400/2500 = 800
    assert parts == {"330100": 2400, "330200": 1800, "330300": 800, "331100": 0}


def test_largest_remainder_rounding():
    # quotas 10/3 = 3.33 each: one region gets the extra unit, and it is stable (code order on ties)
    assert allocate_count(10, {"a": 1, "b": 1, "c": 1}) == {"a": 4, "b": 3, "c": 3}
    parts = allocate_count(7, {"a": 5, "b": 3, "c": 2})  # quotas 3.5, 2.1, 1.4 → 3,2,1 + remainder 1 to "a"
    assert parts == {"a": 4, "b": 2, "c": 1}


def test_floor_share_gives_regions_without_a_base_a_target():
    parts = allocate_count(100, {"a": 90, "b": 10, "c": 0}, floor_share=0.1)
    assert parts["c"] > 0 and sum(parts.values()) == 100


def test_negative_total_rejected():
    with pytest.raises(ValueError):
        allocate_count(-1, {"a": 1})


def test_level_targets_keep_each_regions_position():
    # province base 3.10 → target 3.15: every city is asked for the same +0.05 pp step
    targets = allocate_level(3.15, 3.10, {"330100": 4.00, "330200": 2.50, "339900": None})
    assert targets["330100"] == pytest.approx(4.05)
    assert targets["330200"] == pytest.approx(2.55)
    assert targets["339900"] == 3.15


def test_level_targets_are_never_easier_than_the_region_already_is():
    """The province's base (44.2%) already beats "≥ 40%": the step is −4.2 points. Old code gave 舟山
    (36.6%) a target of 32.4% and rated it blue; the floor min(own base, parent target) keeps 36.6."""
    targets = allocate_level(40.0, 44.2, {"舟山": 36.6, "杭州": 47.9, "嘉兴": 41.0, "new": None}, decimals=1)
    assert targets["舟山"] == 36.6  # min(36.6, 40) = own base: not asked to fall back
    assert targets["杭州"] == 43.7  # 47.9 − 4.2 = 43.7 is above min(47.9, 40) = 40
    assert targets["嘉兴"] == 40.0  # 41.0 − 4.2 = 36.8 < min(41.0, 40) = 40
    assert targets["new"] == 40.0
    # mirror for "at most" targets (lower is better): never above max(own base, parent target)
    lower = allocate_level(10.0, 8.0, {"a": 5.0, "b": 12.0}, direction="lower")
    assert lower["a"] == pytest.approx(7.0)  # 5 + 2 = 7 ≤ max(5, 10) = 10
    assert lower["b"] == pytest.approx(12.0)  # 12 + 2 = 14 > max(12, 10) = 12


def test_level_targets_are_rounded_to_the_indicator_precision():
    targets = allocate_level(67.5, 67.39, {"a": 73.5874, "b": 61.04}, decimals=1)
    assert targets == {"a": 73.7, "b": 61.2}  # 73.6974 → 73.7; 61.15 → 61.2 (四舍五入)
