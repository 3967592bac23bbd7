"""Tier criteria at their boundaries, discovery gaps and monitoring alerts — plain frames, no database."""

from __future__ import annotations

import datetime

import polars as pl
import pytest

from xinzhi.unicorns import tiers

D = datetime.date
AS_OF = D(2025, 12, 31)
C = tiers.load_criteria(AS_OF)


def companies(**cols) -> pl.DataFrame:
    n = len(next(iter(cols.values())))
    base = {"id": list(range(1, n + 1)), "founded_on": [D(2020, 1, 1)] * n, "listed_on": [None] * n,
            "exited_on": [None] * n, "valuation_usd": [None] * n, "valuation_cny": [None] * n,
            "financing_usd": [None] * n, "financing_cny": [None] * n}
    base.update(cols)
    return pl.DataFrame(base, schema_overrides={"founded_on": pl.Date, "listed_on": pl.Date, "exited_on": pl.Date,
                                                "valuation_usd": pl.Int64, "valuation_cny": pl.Int64,
                                                "financing_usd": pl.Int64, "financing_cny": pl.Int64})


def test_criteria_are_dated_cited_and_marked():
    u = C.tiers["unicorn"]
    assert (u.min_valuation, u.min_financing, u.max_age_years, u.currency, u.verified) == (
        1_000_000_000, 50_000_000, 10, "USD", True)
    assert not C.tiers["seed"].verified and "GEI" in u.source
    assert tiers.load_criteria(D(2020, 1, 1)).tiers["unicorn"].min_valuation == 1_000_000_000  # earliest applies


@pytest.mark.parametrize(("valuation", "financing", "tier"), [
    (1_000_000_000, 50_000_000, "unicorn"),       # both exactly at the threshold: 含
    (999_999_999, 50_000_000, "quasi_unicorn"),
    (1_000_000_000, 49_999_999, "quasi_unicorn"),
    (100_000_000, 0, "quasi_unicorn"),
    (99_999_999, 0, "none"),
])
def test_unicorn_and_quasi_thresholds(valuation, financing, tier):
    f = companies(valuation_usd=[valuation], financing_usd=[financing])
    assert tiers.assess(f, AS_OF, C)["tier"][0] == tier


def test_age_limit_is_inclusive_and_listing_excludes():
    limit = tiers.years_before(AS_OF, 10)  # 2015-12-31
    f = companies(founded_on=[limit, limit - datetime.timedelta(days=1), D(2020, 1, 1)],
                  listed_on=[None, None, D(2025, 6, 1)],
                  valuation_usd=[2_000_000_000] * 3, financing_usd=[300_000_000] * 3)
    assert tiers.assess(f, AS_OF, C)["tier"].to_list() == ["unicorn", "none", "none"]
    # listed after the cut-off: still unlisted at it
    g = companies(listed_on=[D(2026, 3, 1)], valuation_usd=[2_000_000_000], financing_usd=[300_000_000])
    assert tiers.assess(g, AS_OF, C)["tier"][0] == "unicorn"


def test_seed_tier_in_cny_with_age_five():
    limit = tiers.years_before(AS_OF, 5)
    f = companies(founded_on=[limit, limit - datetime.timedelta(days=1)], valuation_cny=[300_000_000] * 2,
                  financing_cny=[10_000_000] * 2)
    assert tiers.assess(f, AS_OF, C)["tier"].to_list() == ["seed", "none"]


def test_discovery_gaps_and_approaching():
    f = companies(valuation_usd=[850_000_000, 500_000_000, None], financing_usd=[60_000_000, 10_000_000, None],
                  valuation_cny=[None, None, 250_000_000], financing_cny=[None, None, 20_000_000],
                  founded_on=[D(2020, 1, 1), D(2020, 1, 1), D(2023, 1, 1)])
    out = tiers.assess(f, AS_OF, C).to_dicts()
    assert (out[0]["tier"], out[0]["next_tier"], out[0]["valuation_gap"], out[0]["financing_gap"],
            out[0]["approaching"]) == ("quasi_unicorn", "unicorn", 150_000_000, 0, True)
    assert out[0]["missing"] == ["估值未达标"]
    assert (out[1]["approaching"], out[1]["missing"]) == (False, ["估值未达标", "累计融资未达标"])
    assert (out[2]["tier"], out[2]["next_tier"], out[2]["valuation_gap"], out[2]["approaching"]) == (
        "none", "seed", 50_000_000, True)


def test_alerts_down_round_age_and_listing():
    comp = pl.DataFrame({"id": [1, 2, 3], "founded_on": [D(2016, 6, 1), D(2015, 6, 1), D(2020, 1, 1)],
                         "listed_on": [None, None, D(2025, 9, 1)], "exited_on": [None, None, None],
                         "tier": ["unicorn", "unicorn", "unicorn"]},
                        schema_overrides={"listed_on": pl.Date, "exited_on": pl.Date})
    rounds = pl.DataFrame({"company_id": [1, 1, 2], "announced_on": [D(2023, 1, 1), D(2025, 3, 1), D(2024, 1, 1)],
                           "valuation_usd": [2_000_000_000, 1_500_000_000, 3_000_000_000]})
    out = tiers.alerts(comp, rounds, AS_OF, C).sort("id").to_dicts()
    assert out[0]["down_round"] and out[0]["over_age_soon"] and not out[0]["over_age"]
    assert out[1]["over_age"] and not out[1]["down_round"]
    assert out[2]["listed"] and out[2]["alerts"] == ["已上市（上市毕业）"]
