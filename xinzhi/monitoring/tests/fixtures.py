"""A small hand-made province for the monitoring tests (no database).

Three counties in two cities of province 33:
* 330102 and 330106 in city 330100; 330203 in city 330200.
Enterprises (industry class → high-tech category / 415X cluster):
* E1 330102 class 3911 (high-tech category 01, cluster new_gen_it) — above scale 2024 and 2025
* E2 330102 class 1311 (not high-tech, cluster consumption_health) — above scale 2024 and 2025
* E3 330106 class 2710 (high-tech category 04, cluster consumption_health) — above scale 2024 and 2025
* E4 330203 class 3911 — ENTERED the above-scale set in 2025; filed in 2024 too
* E5 330203 class 1311 — LEFT the above-scale set in 2025 (above scale 2024 only)
* E6 330203 class 3911 — new in 2025, no filing in 2024
Amounts are small integers so every expected number in the tests is computed by hand.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from xinzhi.monitoring.engine import Facts

STAT_COLS = ["enterprise_id", "division_code", "year", "month", "output_value", "value_added", "revenue",
             "rd_expense", "new_product_output", "employees"]

STATS = [
    # 2025, 1–6月 cumulative
    ("E1", "330102", 2025, 6, 1000, 300, 1000, 40, 500, 10),
    ("E2", "330102", 2025, 6, 500, 300, 500, 0, 100, 10),
    ("E3", "330106", 2025, 6, 800, 200, 800, 20, 400, 10),
    ("E4", "330203", 2025, 6, 600, 150, 600, 18, 300, 10),
    ("E6", "330203", 2025, 6, 100, 50, 100, 5, 20, 10),
    # 2025, 1–5月 cumulative (must not be added to 1–6月)
    ("E1", "330102", 2025, 5, 800, 240, 800, 30, 400, 10),
    ("E2", "330102", 2025, 5, 400, 230, 400, 0, 80, 10),
    # 2024, 1–6月
    ("E1", "330102", 2024, 6, 900, 250, 900, 30, 400, 10),
    ("E2", "330102", 2024, 6, 600, 300, 600, 6, 100, 10),
    ("E3", "330106", 2024, 6, 700, 150, 700, 14, 300, 10),
    ("E4", "330203", 2024, 6, 500, 100, 500, 0, 200, 10),
    ("E5", "330203", 2024, 6, 400, 200, 400, 8, 80, 10),
    # 2024, 1–12月
    ("E1", "330102", 2024, 12, 1800, 500, 1800, 60, 800, 10),
    ("E2", "330102", 2024, 12, 1200, 600, 1200, 12, 200, 10),
    ("E3", "330106", 2024, 12, 1400, 300, 1400, 28, 600, 10),
    ("E4", "330203", 2024, 12, 1000, 200, 1000, 0, 400, 10),
    ("E5", "330203", 2024, 12, 800, 500, 800, 16, 160, 10),
]


def facts() -> Facts:
    stats = pl.DataFrame(STATS, schema=STAT_COLS, orient="row")
    enterprise_years = pl.DataFrame(
        [
            ("E1", 2025, True), ("E2", 2025, True), ("E3", 2025, True), ("E4", 2025, True),
            ("E5", 2025, False), ("E6", 2025, True),
            ("E1", 2024, True), ("E2", 2024, True), ("E3", 2024, True), ("E4", 2024, False),
            ("E5", 2024, True),
        ],
        schema=["enterprise_id", "year", "above_scale"],
        orient="row",
    )
    enterprises = pl.DataFrame(
        [
            ("E1", "330102", "3911"), ("E2", "330102", "1311"), ("E3", "330106", "2710"),
            ("E4", "330203", "3911"), ("E5", "330203", "1311"), ("E6", "330203", "3911"),
        ],
        schema=["enterprise_id", "division_code", "industry_code"],
        orient="row",
    )
    high_tech = pl.DataFrame({"industry_code": ["3911", "2710"], "category_code": ["01", "04"]})
    clusters = pl.DataFrame(
        {"industry_code": ["3911", "1311", "2710"], "cluster_code": ["new_gen_it", "consumption_health", "consumption_health"]}
    )
    project_progress = pl.DataFrame(
        [
            ("P1", "330102", True, 2025, 6, 100), ("P2", "330203", True, 2025, 6, 60),
            ("P3", "330102", False, 2025, 6, 500),
            ("P1", "330102", True, 2024, 6, 80), ("P2", "330203", True, 2024, 6, 40),
            ("P1", "330102", True, 2024, 12, 200), ("P2", "330203", True, 2024, 12, 100),
            ("P1", "330102", True, 2023, 6, 50), ("P2", "330203", True, 2023, 6, 30),
        ],
        schema=["project_id", "division_code", "is_high_tech", "year", "month", "ytd_completed"],
        orient="row",
    )
    region_investment = pl.DataFrame(
        [
            ("330102", 2025, 6, 600), ("330106", 2025, 6, 100), ("330203", 2025, 6, 300),
            ("330102", 2024, 6, 500), ("330106", 2024, 6, 100), ("330203", 2024, 6, 300),
            ("330102", 2024, 12, 1000), ("330106", 2024, 12, 200), ("330203", 2024, 12, 600),
            ("330102", 2023, 6, 400), ("330203", 2023, 6, 300),
        ],
        schema=["division_code", "year", "month", "ytd_fixed_asset_investment"],
        orient="row",
    )
    # certificates count from their issue date; E3's 2025 certificate renews its 2022 one (not first-time)
    certifications = pl.DataFrame(
        [
            ("E1", "hte", 2025, date(2025, 3, 15)), ("E3", "hte", 2025, date(2025, 11, 28)),
            ("E3", "hte", 2022, date(2022, 11, 20)), ("E4", "hte", 2023, date(2023, 12, 8)),
            ("E2", "hte", 2022, date(2022, 6, 1)), ("E5", "hte", 2024, date(2024, 5, 10)),
            ("E6", "tech_sme", 2025, date(2025, 6, 30)),
        ],
        schema=["enterprise_id", "program", "year", "issued_on"],
        orient="row",
    )
    rd_institutions = pl.DataFrame(
        [
            ("E1", "provincial_tech_centre", 2025, "recognised"),
            ("E3", "provincial_institute", 2020, "warned"),
            ("E2", "city_level", 2019, "revoked"),
            ("E4", "national_tech_centre", 2025, "revoked"),
        ],
        schema=["enterprise_id", "level", "recognised_year", "status"],
        orient="row",
    )
    return Facts(
        monthly_stats=stats, enterprise_years=enterprise_years, enterprises=enterprises, high_tech=high_tech,
        clusters=clusters, project_progress=project_progress, region_investment=region_investment,
        certifications=certifications, rd_institutions=rd_institutions,
    )
