"""Enterprise-involved / enterprise-led shares on hand-made projects: ties in rank, projects with no
enterprise or no units at all, units outside the province, national projects left out, as of a date."""

import datetime as dt

import polars as pl
import pytest

from xinzhi.monitoring.engine import Facts, compute_period
from xinzhi.programs import shares

D = dt.date


def projects():
    return pl.DataFrame({
        "project_id": [1, 2, 3, 4, 5, 6, 7],
        "programme": ["jianbing", "lingyan", "lingyan", "major", "jianbing", "national", "major"],
        "approved_on": [D(2025, 3, 1), D(2025, 4, 1), D(2025, 5, 1), D(2025, 6, 1), D(2025, 9, 1), D(2025, 3, 1), D(2024, 5, 1)],
        "division_code": ["330106", "330106", "330212", "330212", "330302", "330106", "330106"],
    })


def units():
    rows = [
        (1, 1, "enterprise", True), (1, 2, "university", True),               # led (rank 1)
        (2, 1, "university", True), (2, 2, "institute", True), (2, 3, "enterprise", True),  # led (rank 3)
        (3, 1, "university", True), (3, 2, "institute", True), (3, 3, "institute", True),
        (3, 3, "other", True), (3, 4, "enterprise", True),                    # involved, not led (rank 4)
        (4, 1, "university", True), (4, 2, "institute", True), (4, 3, "enterprise", False),  # tie-free, outside
        # project 5 has no units recorded
        (6, 1, "enterprise", True),                                            # national: left out
        (7, 1, "enterprise", True),                                            # 2024
    ]
    return pl.DataFrame(rows, schema=["project_id", "rank", "kind", "in_province"], orient="row")


def test_flags():
    f = shares.project_flags(projects(), units()).sort("project_id")
    assert f["involved"].to_list() == [True, True, True, True, False, True, True]
    assert f["led"].to_list() == [True, True, False, True, False, True, True]
    assert f["no_units"].to_list() == [False, False, False, False, True, False, False]
    inside = shares.project_flags(projects(), units(), count_outside_province=False).sort("project_id")
    assert inside["involved"].to_list()[3] is False and inside["led"].to_list()[3] is False


def test_ties_at_rank_three_are_in_the_top_three():
    u = pl.DataFrame([(1, 1, "university", True), (1, 2, "institute", True), (1, 3, "university", True),
                      (1, 3, "enterprise", True)], schema=["project_id", "rank", "kind", "in_province"], orient="row")
    assert shares.project_flags(projects().head(1), u)["led"].to_list() == [True]


def test_shares_as_of_a_date_by_city():
    f = shares.project_flags(projects(), units())
    year = shares.shares(f, D(2025, 1, 1), D(2025, 12, 31))
    assert year.select("projects", "involved", "led", "no_units").row(0) == (5, 4, 3, 1)
    assert year["involved_share"][0] == pytest.approx(80.0) and year["led_share"][0] == pytest.approx(60.0)
    june = shares.shares(f, D(2025, 1, 1), D(2025, 6, 30))
    assert june.select("projects", "involved", "led").row(0) == (4, 4, 3)
    by_city = {r["city"]: (r["projects"], r["led"]) for r in shares.shares(f, D(2025, 1, 1), D(2025, 12, 31), ["city"]).to_dicts()}
    assert by_city == {"330100": (2, 2), "330200": (2, 1), "330300": (1, 0)}
    assert shares.shares(f, D(2026, 1, 1), D(2026, 12, 31)).height == 0


def test_the_monitoring_engine_reads_the_flags_and_programme_counts():
    f = shares.project_flags(projects(), units())
    st = f.filter(pl.col("programme") != "national").select("division_code", pl.col("approved_on").alias("on"), "involved", "led")
    records = pl.DataFrame({
        "division_code": ["330106", "330106", "330212", "330106", "330212"],
        "kind": ["new_product_projects", "new_product_projects", "new_product_projects", "excellent_products",
                 "technology_achievements"],
        "on": [D(2025, 2, 1), D(2025, 8, 1), D(2024, 3, 1), D(2025, 5, 1), D(2025, 6, 30)],
    })
    divisions = pl.DataFrame({"division_code": ["330106", "330212", "330302"]})
    out = compute_period(Facts(st_projects=st, programme_records=records, divisions=divisions), 2025, 6)

    def cell(ind, region, col="value"):
        row = out.filter((pl.col("indicator") == ind) & (pl.col("region") == region))
        return row[col][0] if row.height else None

    assert cell("st_projects_enterprise_involved", "330000") == pytest.approx(100.0)   # 4 of 4 by 30 June
    assert cell("st_projects_enterprise_led", "330000") == pytest.approx(75.0)         # 3 of 4
    assert cell("new_product_approvals", "330000") == 1          # the August one is not yet approved
    assert cell("new_product_approvals", "330100") == 1 and cell("new_product_approvals", "330212") == 0
    assert cell("new_product_approvals", "330212", "last_year_value") == 1   # same span last year
    assert cell("excellent_new_products", "330106") == 1
    assert cell("advanced_achievements", "330200") == 1
    assert cell("new_product_approvals", "330000", "available") is True
