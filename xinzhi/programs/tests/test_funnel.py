"""Funnel counts, stage medians and stalled items on hand-made data, as of a date."""

import datetime as dt

import polars as pl

from xinzhi.programs import funnel

D = dt.date


def frame():
    rows = [
        # id, county, cluster, posed, vetted, published, answered, contracted, verified, market, withdrawn, last
        (1, "330106", "c1", D(2025, 1, 10), D(2025, 1, 20), D(2025, 2, 1), D(2025, 3, 1), D(2025, 4, 1), D(2025, 9, 1), D(2026, 3, 5), None, D(2026, 3, 5)),
        (2, "330106", "c1", D(2025, 2, 1), D(2025, 2, 11), D(2025, 2, 21), None, None, None, None, None, D(2025, 2, 21)),
        (3, "330212", None, D(2025, 3, 1), None, None, None, None, None, None, D(2025, 3, 5), D(2025, 3, 5)),
        (4, "330212", "c2", D(2025, 5, 1), D(2025, 5, 31), None, None, None, None, None, None, D(2025, 5, 31)),
        (5, "330212", "c2", D(2026, 1, 1), None, None, None, None, None, None, None, D(2026, 1, 1)),
    ]
    cols = ["id", "division_code", "cluster_code", "posed_at", "vetted_at", "published_at", "answered_at",
            "contracted_at", "verified_at", "market_at", "withdrawn_at", "last_step_at"]
    return pl.DataFrame(rows, schema=cols, orient="row")


def test_funnel_by_city_as_of_a_date():
    f = funnel.funnel(frame(), D(2025, 12, 31), "city")
    assert f.to_dicts() == [
        {"group": "330100", "posed": 2, "vetted": 2, "published": 2, "answered": 1, "contracted": 1, "verified": 1, "market": 0},
        {"group": "330200", "posed": 2, "vetted": 1, "published": 0, "answered": 0, "contracted": 0, "verified": 0, "market": 0},
    ]
    later = funnel.funnel(frame(), D(2026, 6, 30), "province").row(0, named=True)
    assert later["posed"] == 5 and later["market"] == 1


def test_funnel_by_cluster_and_year():
    by_cluster = {r["group"]: r["posed"] for r in funnel.funnel(frame(), D(2026, 6, 30), "cluster").to_dicts()}
    assert by_cluster == {"": 1, "c1": 2, "c2": 2}
    by_year = {r["group"]: r["posed"] for r in funnel.funnel(frame(), D(2026, 6, 30), "year").to_dicts()}
    assert by_year == {"2025": 4, "2026": 1}


def test_stage_medians():
    s = {r["from_stage"]: r for r in funnel.stage_days(frame(), D(2026, 6, 30)).to_dicts()}
    assert s["posed"]["median_days"] == 10 and s["posed"]["problems"] == 3  # 10, 10, 30 days
    assert s["vetted"]["problems"] == 2 and s["vetted"]["median_days"] == 11  # 12 and 10 days
    assert s["verified"]["problems"] == 1


def test_stalled_items_exclude_withdrawn_and_market_proven():
    st = funnel.stalled(frame(), D(2025, 12, 31), 60)
    assert st["id"].to_list() == [2, 4]  # idle 313 and 214 days; 3 withdrawn; 1 still moving
    assert st["stage"].to_list() == ["published", "vetted"]
    # 2025-06-15: 2 idle since 02-21 (114 days), 1 contracted on 04-01 (75 days), 4 vetted 15 days ago
    assert funnel.stalled(frame(), D(2025, 6, 15), 60)["id"].to_list() == [2, 1]
    # verified on 2025-09-01: the 6-month evaluation is due 2026-03-01; 60 idle days after that it is stalled
    assert 1 not in funnel.stalled(frame(), D(2026, 2, 1), 60)["id"].to_list()
    late = frame().with_columns(market_at=None, last_step_at=D(2025, 9, 1))
    assert funnel.stalled(late, D(2026, 5, 1), 60).filter(pl.col("id") == 1)["idle_days"].to_list() == [61]
