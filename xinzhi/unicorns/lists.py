"""Published lists as events of the dynamic monitoring (动态监测): per list and year, who is on it, who entered
(on this year's list and not on last year's) and who left (the reverse) — read from the imported
:class:`~xinzhi.unicorns.models.ListEntry` rows, scoped by the company's region."""

from __future__ import annotations

import polars as pl

from .models import ListEntry, ListTier

TIER_LABEL = dict(ListTier.choices)


def entries_frame(user, years: list[int]) -> pl.DataFrame:
    rows = list(ListEntry.objects.restrict(user).filter(year__in=years)
                .values_list("list_name", "year", "company_id", "company__name", "tier", "valuation_usd"))
    schema = {"list_name": pl.String, "year": pl.Int64, "company_id": pl.Int64, "name": pl.String, "tier": pl.String,
              "valuation_usd": pl.Int64}
    return pl.DataFrame(rows, schema=schema, orient="row")


def movements(user, year: int) -> list[dict]:
    """One dict per list published in ``year``: its size, the entries and exits against the same list of the
    year before (``compared`` False when that list has no entries the year before: nothing to compare)."""
    frame = entries_frame(user, [year, year - 1])
    out = []
    for name in sorted(frame.filter(pl.col("year") == year)["list_name"].unique().to_list()):
        now = frame.filter((pl.col("list_name") == name) & (pl.col("year") == year))
        before = frame.filter((pl.col("list_name") == name) & (pl.col("year") == year - 1))
        compared = before.height > 0
        entered = now.join(before.select("company_id"), on="company_id", how="anti").sort("name") if compared else now.clear()
        left = before.join(now.select("company_id"), on="company_id", how="anti").sort("name")
        out.append({
            "list_name": name, "year": year, "count": now.height, "compared": compared,
            "by_tier": {TIER_LABEL.get(t, t): n for t, n in now.group_by("tier").len().sort("tier").iter_rows()},
            "entered": entered["name"].to_list(), "left": left["name"].to_list(),
        })
    return out
