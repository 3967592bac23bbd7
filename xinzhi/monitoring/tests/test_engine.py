"""Engine tests on the hand-made province of ``fixtures.py``.

Every expected number is computed by hand in the comment next to it from the fixture's rows.
No database: plain pytest functions.
"""

from __future__ import annotations

import polars as pl
import pytest

from xinzhi.monitoring.engine import Facts, compute_period, rank_frame

from .fixtures import facts


@pytest.fixture(scope="module")
def june() -> pl.DataFrame:
    return compute_period(facts(), 2025, 6, targets={"new_hte": {"330100": 4}})


def cell(frame: pl.DataFrame, indicator: str, region: str, column: str = "value"):
    rows = frame.filter((pl.col("indicator") == indicator) & (pl.col("region") == region))
    assert rows.height == 1, (indicator, region, rows.height)
    return rows[column].item()


def test_output_columns(june):
    for col in (
        "indicator", "region", "region_level", "period", "value", "last_year_value", "yoy", "yoy_unit", "target",
        "gap", "progress", "time_elapsed", "projected", "rank", "peer_count",
    ):
        assert col in june.columns
    assert set(june["period"].unique()) == {"2025-06"}


def test_high_tech_share_province_exact(june):
    # 2025 above-scale set {E1,E2,E3,E4,E6}; high-tech classes 3911, 2710 → E1 300 + E3 200 + E4 150 + E6 50 = 700
    # all value added 300+300+200+150+50 = 1000 → 70.0%
    assert cell(june, "ht_va_share", "330000") == pytest.approx(70.0)
    assert cell(june, "ht_va_share", "330000", "region_level") == "province"
    assert cell(june, "ht_va_share", "330000", "yoy_unit") == "百分点"


def test_ytd_is_the_cumulative_filing_not_a_sum_of_months():
    # 1–5月 only E1 (240, high-tech) and E2 (230) filed: 240 / 470
    may = compute_period(facts(), 2025, 5)
    assert cell(may, "ht_va_share", "330000") == pytest.approx(240 / 470 * 100)
    assert cell(may, "ht_value_added", "330000") == pytest.approx(240)
    # nothing was filed for 2024-05: no last-year value, no yoy, no projection
    assert cell(may, "ht_value_added", "330000", "last_year_value") is None
    assert cell(may, "ht_value_added", "330000", "yoy") is None
    assert cell(may, "ht_value_added", "330000", "projected") is None


def test_comparable_basis_yoy(june):
    # this year's set {E1,E2,E3,E4,E6} against the SAME enterprises' 2024-06 filings:
    #   E4 entered in 2025 → compared with its own 2024 figures; E6 has none; E5 left → excluded
    #   high-tech VA last year: E1 250 + E3 150 + E4 100 = 500; all VA 250+300+150+100 = 800 → 62.5%
    assert cell(june, "ht_va_share", "330000", "last_year_value") == pytest.approx(62.5)
    assert cell(june, "ht_va_share", "330000", "yoy") == pytest.approx(7.5)  # 70.0 − 62.5 percentage points
    # published last year (2024's own set {E1,E2,E3,E5}): 250+150 = 400 of 250+300+150+200 = 900
    assert cell(june, "ht_va_share", "330000", "last_year_published") == pytest.approx(400 / 900 * 100)
    # amounts: 700 against 500 → +40.0%
    assert cell(june, "ht_value_added", "330000", "last_year_value") == pytest.approx(500)
    assert cell(june, "ht_value_added", "330000", "yoy") == pytest.approx(40.0)
    assert cell(june, "ht_value_added", "330000", "yoy_unit") == "%"


def test_rd_intensity_and_new_product_rate(june):
    # R&D 40+0+20+18+5 = 83 over revenue 1000+500+800+600+100 = 3000
    assert cell(june, "rd_intensity", "330000") == pytest.approx(83 / 3000 * 100)
    # comparable last year: R&D 30+6+14+0 = 50 over revenue 900+600+700+500 = 2700
    assert cell(june, "rd_intensity", "330000", "yoy") == pytest.approx(83 / 30 - 50 / 27)
    # new products 500+100+400+300+20 = 1320 over output 1000+500+800+600+100 = 3000 → 44.0%
    assert cell(june, "new_product_rate", "330000") == pytest.approx(44.0)


def test_rd_activity_coverage_comparable(june):
    # 4 of 5 above-scale enterprises have R&D > 0 (E2 has none) → 80%
    assert cell(june, "rd_activity_coverage", "330000") == pytest.approx(80.0)
    # of the 4 that filed last year (E1,E2,E3,E4), 3 had R&D (E4 had 0) → 75%
    assert cell(june, "rd_activity_coverage", "330000", "last_year_value") == pytest.approx(75.0)
    assert cell(june, "rd_activity_coverage", "330000", "yoy") == pytest.approx(5.0)


def test_city_county_province_by_prefix(june):
    # counties: 330102 = E1+E2, 330106 = E3, 330203 = E4+E6; city 330100 = 330102+330106
    assert cell(june, "ht_value_added", "330102") == pytest.approx(300)
    assert cell(june, "ht_value_added", "330106") == pytest.approx(200)
    assert cell(june, "ht_value_added", "330203") == pytest.approx(200)
    assert cell(june, "ht_value_added", "330100") == pytest.approx(500)
    assert cell(june, "ht_value_added", "330200") == pytest.approx(200)
    assert cell(june, "ht_va_share", "330100") == pytest.approx(500 / 800 * 100)  # (300+200)/(300+300+200)
    assert cell(june, "ht_va_share", "330100", "region_level") == "city"
    assert cell(june, "ht_va_share", "330102", "region_level") == "county"


def test_prefix_derivation_for_other_codes():
    stats = pl.DataFrame(
        {
            "enterprise_id": ["A", "B", "C"], "division_code": ["330282", "331003", "331004"],
            "year": [2025] * 3, "month": [3] * 3, "output_value": [10, 20, 30], "value_added": [1, 2, 4],
            "revenue": [10, 20, 30], "rd_expense": [1, 1, 1], "new_product_output": [1, 1, 1], "employees": [1, 1, 1],
        }
    )
    years = pl.DataFrame({"enterprise_id": ["A", "B", "C"], "year": [2025] * 3, "above_scale": [True] * 3})
    out = compute_period(Facts(monthly_stats=stats, enterprise_years=years), 2025, 3)
    regions = set(out.filter(pl.col("indicator") == "rd_expense")["region"])
    assert regions == {"330000", "330200", "331000", "330282", "331003", "331004"}
    assert cell(out, "rd_expense", "331000") == pytest.approx(2)  # B + C
    # no enterprise register → no high-tech membership → high-tech indicators are "no data", not 0
    assert cell(out, "ht_va_share", "330000") is None


def test_cluster_and_category(june):
    # cluster consumption_health = classes 1311 (E2) and 2710 (E3): high-tech 200 of 300+200
    assert cell(june, "ht_va_share", "consumption_health") == pytest.approx(40.0)
    assert cell(june, "ht_va_share", "consumption_health", "region_level") == "cluster"
    # category 01 = class 3911 (E1, E4, E6): 300+150+50 = 500; category 04 = 2710 (E3): 200
    assert cell(june, "ht_value_added", "01") == pytest.approx(500)
    assert cell(june, "ht_value_added", "04") == pytest.approx(200)
    assert cell(june, "ht_value_added", "01", "region_level") == "category"
    # ht_va_share is not defined for categories (always 100%)
    assert june.filter((pl.col("indicator") == "ht_va_share") & (pl.col("region_level") == "category")).height == 0


def test_projection(june):
    # amount: last year's set, high-tech VA 2024-06 = 250+150 = 400, 2024-12 = 500+300 = 800 → ×2 → 1400
    assert cell(june, "ht_value_added", "330000", "projected") == pytest.approx(1400)
    # ratio: numerator 700 × 800/400 = 1400; denominator 1000 × (500+600+300+500)/(250+300+150+200) = 1000 × 1900/900
    assert cell(june, "ht_va_share", "330000", "projected") == pytest.approx(1400 / (1000 * 1900 / 900) * 100)
    # investment: high-tech 160 × (200+100)/(80+40) = 400; share projection 400 / (1000 × 1800/900) = 20%
    assert cell(june, "ht_investment", "330000", "projected") == pytest.approx(400)
    assert cell(june, "ht_investment_share", "330000", "projected") == pytest.approx(20.0)


def test_investment_share_and_growth(june):
    # high-tech projects P1 100 + P2 60 (P3 is not high-tech); total FAI 600+100+300 = 1000 → 16.0%
    assert cell(june, "ht_investment_share", "330000") == pytest.approx(16.0)
    assert cell(june, "ht_investment_share", "330106") == pytest.approx(0.0)  # FAI 100, no high-tech project
    # growth: 160 vs 80+40 = 120 → 33.33%; FAI 1000 vs 900 → 11.11%; faster_than target = FAI growth
    assert cell(june, "ht_investment_growth", "330000") == pytest.approx(100 / 3)
    assert cell(june, "ht_investment_growth", "330000", "target") == pytest.approx(100 / 9)
    assert cell(june, "ht_investment_growth", "330000", "gap") == pytest.approx(100 / 3 - 100 / 9)
    # last year's growth 120 vs 2023-06 (50+30 = 80) → 50%; change −16.67 points
    assert cell(june, "ht_investment_growth", "330000", "last_year_value") == pytest.approx(50.0)
    assert cell(june, "ht_investment_growth", "330000", "yoy") == pytest.approx(100 / 3 - 50)
    # city 330100: high-tech 100 vs 80 → 25%; FAI 700 vs 600 → 16.67%
    assert cell(june, "ht_investment_growth", "330100", "target") == pytest.approx(100 / 6)


def test_targets_default_province_only_and_given(june):
    assert cell(june, "ht_va_share", "330000", "target") == pytest.approx(67.5)
    assert cell(june, "ht_va_share", "330000", "gap") == pytest.approx(2.5)
    assert cell(june, "ht_va_share", "330100", "target") is None
    assert cell(june, "new_hte", "330000", "target") == pytest.approx(5000)
    assert cell(june, "new_hte", "330100", "target") == pytest.approx(4)  # from the targets argument
    assert cell(june, "new_hte", "330100", "progress") == pytest.approx(0.25)  # 1 of 4 (E1, issued 2025-03-15)
    assert cell(june, "new_hte", "330100", "time_elapsed") == pytest.approx(0.5)  # 6 / 12
    frame_targets = pl.DataFrame({"indicator": ["rd_intensity"], "division_code": ["330203"], "target": [3.0]})
    out = compute_period(facts(), 2025, 6, targets=frame_targets)
    assert cell(out, "rd_intensity", "330203", "target") == pytest.approx(3.0)
    assert cell(out, "rd_intensity", "330203", "comparator") == ">"
    # the catalogue's 2025 targets do not apply to another year
    assert cell(compute_period(facts(), 2024, 6), "ht_va_share", "330000", "target") is None


def test_counts_from_registries(june):
    # HTE certificates dated 1 Jan – 30 Jun 2025: E1 (330102, 2025-03-15); E3's is dated 2025-11-28, later
    assert cell(june, "new_hte", "330000") == 1
    # the same span of 2024: E5 (2024-05-10)
    assert cell(june, "new_hte", "330000", "last_year_value") == 1
    assert cell(june, "new_hte", "330000", "yoy") == pytest.approx(0.0)
    assert cell(june, "new_hte", "330203") == 0  # the register exists and lists none: zero, not "no data"
    assert cell(june, "new_tech_sme", "330203") == 1  # E6, entered 2025-06-30
    # R&D institutions: E1's provincial tech centre (2025) counts; E4's national centre was revoked
    assert cell(june, "new_provincial_tech_centre", "330000") == 0  # recognised 2025, no date: counts from 31 Dec
    assert cell(compute_period(facts(), 2025, 12), "new_provincial_tech_centre", "330000") == 1
    assert cell(june, "new_national_tech_centre", "330000") == 0
    # projection: 1 × (2024 full year 1 ÷ 2024 Jan–Jun 1) = 1; seasonal schedule: 2024 had 1 of 1 by June
    assert cell(june, "new_hte", "330000", "projected") == pytest.approx(1.0)
    assert cell(june, "new_hte", "330000", "seasonal_elapsed") == pytest.approx(1.0)


def test_counts_are_as_of_the_month_end_and_first_time_is_counted_apart():
    """A certificate counts from its issue date, not from its year (old code: 2 in June, both 2025 certificates)."""
    may = compute_period(facts(), 2025, 2)
    assert cell(may, "new_hte", "330000") == 0  # E1's certificate is dated 2025-03-15
    assert cell(compute_period(facts(), 2025, 3), "new_hte", "330000") == 1
    dec = compute_period(facts(), 2025, 12)
    # all of 2025: E1 (first) and E3 (renewal of its 2022 certificate)
    assert cell(dec, "hte_recognitions", "330000") == 2
    # the target counts first recognitions only (monitoring.new_hte_target_basis = first_time from 2025-01-01)
    assert cell(dec, "new_hte", "330000") == 1
    assert cell(dec, "new_hte", "330106") == 0  # E3 renewed: not new
    assert cell(dec, "hte_recognitions", "330106") == 1


def test_target_basis_is_a_dated_parameter():
    from datetime import date

    from xinzhi.monitoring.catalogue import monitoring_parameters

    params = monitoring_parameters().with_overrides({"monitoring.new_hte_target_basis": "all"}, start=date(2025, 7, 1))
    # in force from July: June still counts first recognitions, December all of them
    assert cell(compute_period(facts(), 2025, 12, parameters=params), "new_hte", "330000") == 2
    assert cell(compute_period(facts(), 2025, 6, parameters=params), "new_hte", "330000") == 1


def test_undated_certificates_count_on_the_last_day_of_their_year():
    f = facts()
    f.certifications = f.certifications.drop("issued_on")
    assert cell(compute_period(f, 2025, 11), "hte_recognitions", "330000") == 0
    assert cell(compute_period(f, 2025, 12), "hte_recognitions", "330000") == 2


def test_register_shares(june):
    # valid HTE certificates on 2025-06-30 among 2025's above-scale set {E1,E2,E3,E4,E6}: E1 (2025-03-15),
    # E3 (2022-11-20, valid to 2025-11-19), E4 (2023-12-08); E2's (2022-06-01) ended 2025-05-31 → 3/5
    assert cell(june, "hte_share", "330000") == pytest.approx(60.0)
    # on 2024-06-30 among 2024's set {E1,E2,E3,E5}: E2, E3 (2022) and E5 (2024-05-10) → 3/4
    assert cell(june, "hte_share", "330000", "last_year_value") == pytest.approx(75.0)
    # a month earlier in 2025 E2 was still valid (to 2025-05-31): 4/5 — the share is as of the month end
    assert cell(compute_period(facts(), 2025, 5), "hte_share", "330000") == pytest.approx(80.0)
    # active institutions: E1 (recognised 2025), E3 (warned); E2's is revoked. On 2025-06-30 E1's (2025, no
    # date: 31 Dec) is not recognised yet → 1/5; at the year end 2/5
    assert cell(june, "rd_institution_coverage", "330000") == pytest.approx(20.0)
    assert cell(compute_period(facts(), 2025, 12), "rd_institution_coverage", "330000") == pytest.approx(40.0)


def test_registries_not_built_yield_no_data(june):
    for ind in ("new_product_approvals", "excellent_new_products", "advanced_achievements",
                "st_projects_enterprise_involved", "st_projects_enterprise_led"):
        rows = june.filter(pl.col("indicator") == ind)
        assert rows.height > 0
        assert rows["value"].null_count() == rows.height
        assert not rows["available"].any()
    assert cell(june, "new_product_approvals", "330000", "target") == pytest.approx(5000)


def test_missing_frames_yield_no_data():
    f = facts()
    f.project_progress = None
    out = compute_period(f, 2025, 6)
    assert cell(out, "ht_investment_share", "330000") is None
    assert cell(out, "ht_investment", "330000") is None
    assert cell(out, "fixed_asset_investment", "330000") == pytest.approx(1000)


def test_ranks_with_ties(june):
    # counties ht_va_share: 330106 100%, 330203 100% (tie), 330102 50%
    assert cell(june, "ht_va_share", "330106", "rank") == 1
    assert cell(june, "ht_va_share", "330203", "rank") == 1
    assert cell(june, "ht_va_share", "330102", "rank") == 3
    assert cell(june, "ht_va_share", "330102", "peer_count") == 3
    # cities among cities
    assert cell(june, "ht_va_share", "330200", "rank") == 1
    assert cell(june, "ht_va_share", "330100", "rank") == 2
    assert cell(june, "ht_va_share", "330100", "peer_count") == 2
    assert cell(june, "ht_va_share", "330000", "rank") is None


def test_ranks_use_the_shown_values():
    """Ranks are of the values as printed (precision 2, 四舍五入): equal shown values share a rank, different
    shown values never do (the old chain rule tied 3.155 and 3.151, printed 3.16 and 3.15)."""
    frame = pl.DataFrame(
        {
            "indicator": ["x"] * 6,
            "region": ["330102", "330106", "330203", "330204", "330205", "330206"],
            "region_level": ["county"] * 6,
            "value": [3.155, 3.151, 3.1451, 3.1449, 3.13, None],  # shown 3.16, 3.15, 3.15, 3.14, 3.13, —
            "precision": [2] * 6,
            "direction": ["higher"] * 6,
        }
    )
    ranked = rank_frame(frame, pl.col("precision"), pl.col("direction"))
    assert ranked["rank"].to_list() == [1, 2, 2, 4, 5, None]
    assert ranked["peer_count"].to_list() == [5] * 6
    lower = rank_frame(frame.with_columns(direction=pl.lit("lower")), pl.col("precision"), pl.col("direction"))
    assert lower["rank"].to_list() == [5, 3, 3, 2, 1, None]
    # amounts rank as shown in 亿元 with one decimal
    amounts = frame.with_columns(value=pl.Series([1.23e8, 1.24e8, 1.26e8, 1.25e8, 1.2e8, None]), precision=pl.lit(1))
    shown = rank_frame(amounts, pl.col("precision"), pl.col("direction"), pl.lit(1e8))
    assert shown["rank"].to_list() == [3, 3, 1, 1, 3, None]  # shown 1.2, 1.2, 1.3, 1.3 (四舍五入), 1.2


def test_sql_shaped_inputs_are_normalised():
    # SQLite hands back integer codes and 0/1 flags
    f = facts()
    f.monthly_stats = f.monthly_stats.with_columns(pl.col("division_code").cast(pl.Int64))
    f.enterprise_years = f.enterprise_years.with_columns(pl.col("above_scale").cast(pl.Int64))
    f.project_progress = f.project_progress.with_columns(pl.col("is_high_tech").cast(pl.Int64))
    out = compute_period(f, 2025, 6)
    assert cell(out, "ht_va_share", "330000") == pytest.approx(70.0)
    assert cell(out, "ht_investment_share", "330000") == pytest.approx(16.0)


def test_empty_untyped_sql_results():
    # read_frame returns Null-typed columns for an empty result: an empty register counts 0, not an error
    f = facts()
    f.certifications = pl.DataFrame({n: [] for n in ("enterprise_id", "program", "year")})
    f.project_progress = pl.DataFrame(
        {n: [] for n in ("project_id", "division_code", "is_high_tech", "year", "month", "ytd_completed")}
    )
    out = compute_period(f, 2025, 6)
    assert cell(out, "new_hte", "330000") == 0
    assert cell(out, "hte_share", "330000") == pytest.approx(0.0)
    assert cell(out, "ht_investment_share", "330000") == pytest.approx(0.0)  # FAI reported, no high-tech project
    assert cell(out, "ht_va_share", "330000") == pytest.approx(70.0)


def test_investment_share_uses_one_set_of_counties():
    """A county without fixed-asset investment is left out of both sides (old code kept its high-tech
    investment in the numerator: (100 + 60) / 700 = 22.9% instead of 100 / 700)."""
    f = facts()
    f.region_investment = f.region_investment.filter(~((pl.col("division_code") == "330203") & (pl.col("year") == 2025)))
    f.divisions = pl.DataFrame({"division_code": ["330102", "330106", "330203"]})
    out = compute_period(f, 2025, 6)
    # 330102: 100 high-tech of 600; 330106: 0 of 100 → 100 / 700
    assert cell(out, "ht_investment_share", "330000") == pytest.approx(100 / 700 * 100)
    assert cell(out, "ht_investment_share", "330000", "coverage_missing") == 1
    assert cell(out, "ht_investment_share", "330100", "coverage_missing") == 0
    assert cell(out, "ht_investment_share", "330203") is None
    # the total of high-tech investment still counts every project
    assert cell(out, "ht_investment", "330000") == pytest.approx(160)
