"""Tier criteria and discovery — pure (Polars in, Polars out; no Django).

Criteria are dated, cited parameters in ``tiers.toml`` (``shared/domain/pipeline_unicorns_supervision.md``
§2.1: GEI's unicorn rule; the quasi-unicorn and seed figures are unverified local comparators, marked so).

Input of :func:`assess`, one row per company: ``id``, ``founded_on`` (date), ``listed_on``, ``exited_on``
(date or null), ``valuation_usd`` / ``valuation_cny`` (latest post-money up to the date, null if none),
``financing_usd`` / ``financing_cny`` (cumulative up to the date). Amounts in whole units of the currency.
"""

from __future__ import annotations

import datetime
import tomllib
from dataclasses import dataclass
from pathlib import Path

import polars as pl

CRITERIA_FILE = Path(__file__).with_name("tiers.toml")
RANK = ("unicorn", "quasi_unicorn", "seed")  # highest first
LABEL = {"unicorn": "独角兽", "quasi_unicorn": "准独角兽", "seed": "种子独角兽", "none": "未入选"}


@dataclass(frozen=True)
class Criterion:
    key: str
    effective_from: datetime.date
    max_age_years: int
    min_valuation: int
    min_financing: int
    currency: str
    unlisted: bool
    verified: bool
    source: str


@dataclass(frozen=True)
class Criteria:
    tiers: dict[str, Criterion]
    approach_share: float


def load_criteria(as_of: datetime.date, path: Path = CRITERIA_FILE) -> Criteria:
    """The criteria in force at ``as_of`` (for each tier, the latest ``effective_from`` not after it)."""
    return criteria_from(tomllib.loads(path.read_text(encoding="utf-8")), as_of)


def criteria_from(data: dict, as_of: datetime.date) -> Criteria:
    tiers: dict[str, Criterion] = {}
    for row in sorted(data["tier"], key=lambda r: r["effective_from"]):
        if row["effective_from"] <= as_of:
            tiers[row["key"]] = Criterion(
                key=row["key"], effective_from=row["effective_from"], max_age_years=int(row["max_age_years"]),
                min_valuation=int(row["min_valuation"]), min_financing=int(row["min_financing"]),
                currency=row["currency"], unlisted=bool(row["unlisted"]), verified=bool(row["verified"]),
                source=row["source"])
    if not tiers:  # the earliest criteria apply before their date too, rather than none at all
        return criteria_from({**data, "tier": [{**r, "effective_from": as_of} for r in data["tier"]]}, as_of)
    return Criteria(tiers, float(data.get("approach_share", 0.8)))


def years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _checks(c: Criterion, as_of: datetime.date) -> dict[str, pl.Expr]:
    cur = c.currency.lower()
    alive = pl.col("exited_on").is_null() | (pl.col("exited_on") > as_of)
    unlisted = pl.col("listed_on").is_null() | (pl.col("listed_on") > as_of) if c.unlisted else pl.lit(True)
    return {
        "age": pl.col("founded_on") >= years_before(as_of, c.max_age_years),
        "unlisted": unlisted & alive,
        "valuation": pl.col(f"valuation_{cur}").fill_null(0) >= c.min_valuation,
        "financing": pl.col(f"financing_{cur}").fill_null(0) >= c.min_financing,
    }


def assess(companies: pl.DataFrame, as_of: datetime.date, criteria: Criteria) -> pl.DataFrame:
    """Per company: the highest tier met (``tier``), and for the next tier up the gaps (``next_tier``,
    ``valuation_gap``, ``financing_gap`` in that tier's currency) and whether it is ``approaching`` it
    (age and listing met, valuation at least ``approach_share`` of the threshold)."""
    met = {}
    exprs = []
    for key in RANK:
        c = criteria.tiers.get(key)
        if c is None:
            continue
        checks = _checks(c, as_of)
        met[key] = pl.all_horizontal(list(checks.values()))
        exprs.append(met[key].alias(f"meets_{key}"))
    frame = companies.with_columns(exprs)
    tier = pl.lit("none")
    for key in reversed([k for k in RANK if k in met]):
        tier = pl.when(pl.col(f"meets_{key}")).then(pl.lit(key)).otherwise(tier)
    frame = frame.with_columns(tier=tier)
    # the next tier up and the gaps to it
    order = [k for k in RANK if k in criteria.tiers]
    nxt = pl.lit(None, dtype=pl.String)
    for i, key in enumerate(order):
        above = order[i - 1] if i > 0 else None
        if above:
            nxt = pl.when(pl.col("tier") == key).then(pl.lit(above)).otherwise(nxt)
    nxt = pl.when(pl.col("tier") == "none").then(pl.lit(order[-1])).otherwise(nxt)
    frame = frame.with_columns(next_tier=nxt)
    val_gap = pl.lit(None, dtype=pl.Int64)
    fin_gap = pl.lit(None, dtype=pl.Int64)
    approaching = pl.lit(False)
    reasons = pl.lit(None, dtype=pl.List(pl.String))
    for key in order:
        c = criteria.tiers[key]
        cur = c.currency.lower()
        checks = _checks(c, as_of)
        is_next = pl.col("next_tier") == key
        v = (pl.lit(c.min_valuation) - pl.col(f"valuation_{cur}").fill_null(0)).clip(lower_bound=0).cast(pl.Int64)
        f = (pl.lit(c.min_financing) - pl.col(f"financing_{cur}").fill_null(0)).clip(lower_bound=0).cast(pl.Int64)
        near = checks["age"] & checks["unlisted"] & (
            pl.col(f"valuation_{cur}").fill_null(0) >= criteria.approach_share * c.min_valuation)
        missing = pl.concat_list([
            pl.when(~checks["age"]).then(pl.lit(f"成立超过{c.max_age_years}年")),
            pl.when(~checks["unlisted"]).then(pl.lit("已上市或已退出")),
            pl.when(~checks["valuation"]).then(pl.lit("估值未达标")),
            pl.when(~checks["financing"]).then(pl.lit("累计融资未达标")),
        ]).list.drop_nulls()
        val_gap = pl.when(is_next).then(v).otherwise(val_gap)
        fin_gap = pl.when(is_next).then(f).otherwise(fin_gap)
        approaching = pl.when(is_next).then(near).otherwise(approaching)
        reasons = pl.when(is_next).then(missing).otherwise(reasons)
    return frame.with_columns(valuation_gap=val_gap, financing_gap=fin_gap, approaching=approaching,
                              missing=reasons)


def alerts(companies: pl.DataFrame, rounds: pl.DataFrame, as_of: datetime.date, criteria: Criteria) -> pl.DataFrame:
    """Watch-list alerts per company (dynamic monitoring, §2.1 graduation by listing or age):

    * ``down_round`` — the latest round's post-money valuation (USD) below the previous round's;
    * ``over_age_soon`` — the confirmed tier's age limit falls within the next 12 months;
    * ``over_age`` — past the confirmed tier's age limit (exit by age, 超龄毕业);
    * ``listed`` / ``exited`` — listed or exited while still holding a tier.
    ``companies`` needs ``id``, ``founded_on``, ``listed_on``, ``exited_on``, ``tier`` (confirmed);
    ``rounds`` needs ``company_id``, ``announced_on``, ``valuation_usd``."""
    valued = rounds.filter(pl.col("valuation_usd").is_not_null() & (pl.col("announced_on") <= as_of)).sort(
        ["company_id", "announced_on"])
    last_two = valued.group_by("company_id", maintain_order=True).agg(
        last=pl.col("valuation_usd").last(), previous=pl.col("valuation_usd").slice(-2, 1).first(),
        n=pl.len())
    frame = companies.join(last_two.rename({"company_id": "id"}), on="id", how="left")
    limit = pl.lit(None, dtype=pl.Int64)
    for key, c in criteria.tiers.items():
        limit = pl.when(pl.col("tier") == key).then(pl.lit(c.max_age_years)).otherwise(limit)
    ends = pl.col("founded_on").dt.offset_by(pl.format("{}y", limit))
    held = pl.col("tier") != "none"
    frame = frame.with_columns(
        down_round=(pl.col("n") >= 2) & (pl.col("last") < pl.col("previous")),
        over_age=held & (ends < pl.lit(as_of)),
        over_age_soon=held & (ends >= pl.lit(as_of)) & (ends <= pl.lit(as_of + datetime.timedelta(days=365))),
        listed=held & pl.col("listed_on").is_not_null() & (pl.col("listed_on") <= as_of),
        exited=held & pl.col("exited_on").is_not_null() & (pl.col("exited_on") <= as_of),
    ).with_columns(pl.col("down_round").fill_null(False))
    names = {"down_round": "最近一轮估值下降", "over_age": "已超过层级年龄上限（超龄）",
             "over_age_soon": "12个月内将超过年龄上限", "listed": "已上市（上市毕业）", "exited": "已退出"}
    return frame.with_columns(alerts=pl.concat_list([pl.when(pl.col(k)).then(pl.lit(v)) for k, v in names.items()])
                              .list.drop_nulls())
