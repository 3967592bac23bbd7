"""Demo data for unicorn cultivation (called by ``xinzhi demo``): a plausible set of innovative enterprises
— unicorns, quasi-unicorns, seed candidates and others — with financing rounds, confirmed tier history and
a watch-list. Deterministic for a seed.

Shape (estimates, not statistics): GEI counted 33 Zhejiang unicorns in 2022 (domain file §2.2); the full
demo has about 40 companies at unicorn valuations, 120 quasi, 300 seed-stage and 240 others, most in
Hangzhou. Valuations grow round by round to each company's level; about 5 % of later rounds are
down-rounds; a few unicorns list in 2025 (exit by listing). USD rates are the approximate annual
averages below (estimates). Tiers are assessed with the platform's own criteria at each year-end
2023–2025 and confirmed for most companies; about 15 % of the 2025 changes are left unconfirmed, so
遴选发现 has work.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

import numpy as np
import polars as pl
from django.db import transaction

from xinzhi.core.bulk import insert_frame, read_frame

from . import tiers
from .models import Company, FinancingRound, TierChange

Log = Callable[[str], None] | None
RATES = {2014: 6.16, 2015: 6.23, 2016: 6.64, 2017: 6.75, 2018: 6.62, 2019: 6.90, 2020: 6.90, 2021: 6.45,
         2022: 6.73, 2023: 7.08, 2024: 7.19, 2025: 7.18}  # estimates of the annual average, CNY per USD
FIELDS = ["人工智能", "集成电路", "生物医药", "新能源汽车", "机器人", "数字安防", "新材料", "电子商务", "金融科技",
          "企业服务", "智能制造", "低空经济", "医疗器械", "新能源"]
WORDS = list("云深智创芯瑞华微鲸灵极光域数星启元澜拓睿海岳凌锐恒越")
SCALE = {"full": {"unicorn": 40, "quasi": 120, "seed": 300, "other": 240},
         "small": {"unicorn": 6, "quasi": 15, "seed": 30, "other": 20}}
ROUNDS = ["天使轮", "A轮", "B轮", "C轮", "D轮", "E轮", "Pre-IPO轮"]
INVESTORS = ["红杉中国", "高瓴创投", "IDG资本", "深创投", "浙江省产业基金", "杭州市创新投", "元璟资本", "经纬创投",
             "君联资本", "华睿投资", "赛伯乐", "启明创投"]


def _date(y: int, doy: int) -> datetime.date:
    return datetime.date(y, 1, 1) + datetime.timedelta(days=int(doy))


def load(scale: str, seed: int, log: Log = None) -> dict[str, int]:
    clear()
    rng = np.random.default_rng(seed + 4711)
    counts = SCALE.get(scale, SCALE["small"])
    counties = read_frame("SELECT code FROM regions_division WHERE level = 'county' ORDER BY code")["code"].cast(
        pl.String).to_list()
    if not counties:
        return {}
    hz = [c for c in counties if c.startswith("3301")]
    others = [c for c in counties if not c.startswith("3301")]
    kinds = (["unicorn"] * counts["unicorn"] + ["quasi"] * counts["quasi"] + ["seed"] * counts["seed"]
             + ["other"] * counts["other"])
    n = len(kinds)
    kinds = np.array(kinds)
    # target valuation (USD) and founding year by kind
    low, high, y0, y1 = (np.select([kinds == k for k in ("unicorn", "quasi", "seed", "other")], v) for v in (
        [1.0e9, 1.0e8, 4.2e7, 5e6], [1.2e10, 9.5e8, 1.4e8, 4e7], [2015, 2015, 2021, 2014], [2021, 2022, 2024, 2023]))
    valuation = np.exp(rng.uniform(np.log(low), np.log(high)))
    founded_year = rng.integers(y0, y1 + 1)
    founded = [_date(int(y), d) for y, d in zip(founded_year, rng.integers(0, 360, n), strict=True)]
    county = np.where(rng.random(n) < 0.55, np.array(hz)[rng.integers(0, len(hz), n)],
                      np.array(others)[rng.integers(0, len(others), n)])
    field = np.array(FIELDS)[rng.integers(0, len(FIELDS), n)]
    names, seen = [], set()
    for i in range(n):
        name = "".join(WORDS[j] for j in rng.integers(0, len(WORDS), 2)) + field[i][:2] + "科技有限公司"
        while name in seen:
            name = "".join(WORDS[j] for j in rng.integers(0, len(WORDS), 2)) + name
        seen.add(name)
        names.append(name)
    listed = (kinds == "unicorn") & (rng.random(n) < 0.12)
    listed_on = [_date(2025, int(d)) if flag else None for d, flag in zip(rng.integers(30, 330, n), listed, strict=True)]
    companies = pl.DataFrame({
        "name": names, "uscc": "", "division_code": county, "field": field,
        "founded_on": [d.isoformat() for d in founded],
        "listed_on": [d.isoformat() if d else None for d in listed_on], "exited_on": [None] * n,
        "exit_reason": "", "tier": "none", "on_watch": (kinds != "other") & (rng.random(n) < 0.1),
    }, schema_overrides={"exited_on": pl.String})

    # rounds: 2–6 per company between founding and 2025, valuations rising to the target
    k = np.where(kinds == "other", rng.integers(1, 4, n), rng.integers(2, 7, n))
    rows = []
    for i in range(n):
        start = founded[i] + datetime.timedelta(days=int(rng.integers(90, 500)))
        span = max((datetime.date(2025, 11, 30) - start).days, 30)
        days = np.sort(rng.integers(0, span, k[i]))
        steps = np.linspace(np.log(valuation[i]) - 2.5, np.log(valuation[i]), k[i])
        vals = np.exp(steps + rng.normal(0, 0.08, k[i]))
        if k[i] >= 3 and rng.random() < 0.05:
            vals[-1] = vals[-2] * rng.uniform(0.6, 0.9)  # a down-round
        usd = valuation[i] >= 3e8
        for j in range(k[i]):
            day = start + datetime.timedelta(days=int(days[j]))
            if day > datetime.date(2025, 12, 31):
                continue
            rate = RATES.get(day.year, 7.1)
            amount_usd = vals[j] * rng.uniform(0.08, 0.2)
            factor = 1.0 if usd else rate
            rows.append((names[i], day.isoformat(), ROUNDS[min(j, len(ROUNDS) - 1)], "USD" if usd else "CNY",
                         int(round(amount_usd * factor, -4)), int(round(vals[j] * factor, -4)), f"{rate:.4f}",
                         "、".join(INVESTORS[x] for x in rng.choice(len(INVESTORS), 2, replace=False))))
    with transaction.atomic():
        insert_frame(Company._meta.db_table, companies)
        ids = read_frame("SELECT id, name FROM unicorns_company").with_columns(pl.col("id").cast(pl.Int64),
                                                                             pl.col("name").cast(pl.String))
        rounds = pl.DataFrame(rows, schema=["name", "announced_on", "round_name", "currency", "amount",
                                            "post_valuation", "usd_rate", "investors"], orient="row")
        rounds = rounds.join(ids, on="name").rename({"id": "company_id"}).drop("name")
        insert_frame(FinancingRound._meta.db_table, rounds)
        changes = _tier_history(ids, companies, rounds, rng)
        insert_frame(TierChange._meta.db_table, changes)
        current = changes.sort("effective_on").group_by("company_id").agg(pl.col("to_tier").last())
        for tier in ("unicorn", "quasi_unicorn", "seed"):
            chosen = current.filter(pl.col("to_tier") == tier)["company_id"].to_list()
            Company.objects.filter(id__in=chosen).update(tier=tier)
    (log or (lambda _m: None))(f"独角兽培育库写入 {n} 家企业")
    return {"unicorn_companies": n, "financing_rounds": rounds.height, "tier_changes": changes.height}


def _tier_history(ids: pl.DataFrame, companies: pl.DataFrame, rounds: pl.DataFrame, rng) -> pl.DataFrame:
    """Assess at each year-end with the platform's criteria and record the confirmed changes."""
    base = companies.select("name", "founded_on", "listed_on", "exited_on").join(ids, on="name").with_columns(
        pl.col("founded_on", "listed_on", "exited_on").cast(pl.String).str.to_date("%Y-%m-%d", strict=False))
    r = rounds.with_columns(pl.col("announced_on").str.to_date(), pl.col("usd_rate").cast(pl.Float64),
                            pl.col("amount", "post_valuation").cast(pl.Float64))
    usd = pl.col("currency") == "USD"
    r = r.with_columns(
        a_usd=pl.when(usd).then(pl.col("amount")).otherwise(pl.col("amount") / pl.col("usd_rate")),
        a_cny=pl.when(usd).then(pl.col("amount") * pl.col("usd_rate")).otherwise(pl.col("amount")),
        v_usd=pl.when(usd).then(pl.col("post_valuation")).otherwise(pl.col("post_valuation") / pl.col("usd_rate")),
        v_cny=pl.when(usd).then(pl.col("post_valuation") * pl.col("usd_rate")).otherwise(pl.col("post_valuation")))
    previous = base.select("id").with_columns(tier=pl.lit("none"))
    out = []
    for year in (2023, 2024, 2025):
        day = datetime.date(year, 12, 31)
        upto = r.filter(pl.col("announced_on") <= day).sort("announced_on")
        agg = upto.group_by("company_id").agg(
            valuation_usd=pl.col("v_usd").last().round(0).cast(pl.Int64),
            valuation_cny=pl.col("v_cny").last().round(0).cast(pl.Int64),
            financing_usd=pl.col("a_usd").sum().round(0).cast(pl.Int64),
            financing_cny=pl.col("a_cny").sum().round(0).cast(pl.Int64))
        frame = base.join(agg.rename({"company_id": "id"}), on="id", how="left")
        now = tiers.assess(frame, day, tiers.load_criteria(day)).select("id", "tier", "listed_on")
        diff = now.join(previous.rename({"tier": "before"}), on="id").filter(pl.col("tier") != pl.col("before"))
        if year == 2025:  # leave some of the latest changes for staff to confirm
            diff = diff.filter(pl.Series(rng.random(diff.height) < 0.85))
        listed = pl.col("listed_on").is_not_null() & (pl.col("listed_on") <= day)
        out.append(diff.select(
            company_id="id", from_tier="before", to_tier="tier", effective_on=pl.lit(day.isoformat()),
            reason=pl.when(listed).then(pl.lit("上市毕业")).otherwise(pl.lit(f"{year}年度层级测算确认")),
            confirmed_at=pl.lit(f"{year + 1}-01-20 10:00:00+00:00")))
        previous = previous.join(diff.select("id", new="tier"), on="id", how="left").with_columns(
            tier=pl.coalesce("new", "tier")).drop("new")
    return pl.concat(out)


@transaction.atomic
def clear() -> None:
    for model in (TierChange, FinancingRound, Company):
        qs = model.objects.all()
        qs._raw_delete(qs.db)
