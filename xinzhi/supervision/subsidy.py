"""Which enterprises meet a local R&D post-subsidy rule (研发投入后补助, seed task 6 "encourage local
post-subsidies"; "应享尽享") — pure: Polars in, Polars out, no Django.

Rules come from ``data/rd_subsidy_rules.toml`` (cited, marked unverified where they are). The generic shape
(domain notes §4, inferred): eligibility flags → base (the increase or the total R&D expense) → rate →
per-firm cap → minimum payout. The estimate is what the rule's rate and cap give, an upper bound: the
local authority decides the amount.

Input frame, one row per enterprise and year: ``enterprise_id``, ``division_code``, ``above_scale``,
``hte``, ``tech_sme`` (booleans as of 31 December), ``rd``, ``rd_last`` (R&D expense of the year and the
year before, whole yuan; null when not filed), ``revenue`` (of the year).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import polars as pl

RULES_FILE = Path(__file__).with_name("data") / "rd_subsidy_rules.toml"
REQUIRED = ("id", "name", "region_prefix", "source", "verified", "base", "rate", "cap_yuan", "min_yuan")


def load_rules(path: Path = RULES_FILE) -> list[dict]:
    rules = tomllib.loads(path.read_text(encoding="utf-8"))["rules"]
    for rule in rules:
        missing = [k for k in REQUIRED if k not in rule]
        if missing:
            raise ValueError(f"后补助规则 {rule.get('id', '?')} 缺少字段：{'、'.join(missing)}")
        if rule["base"] not in ("increase", "total") or not 0 < rule["rate"] <= 1:
            raise ValueError(f"后补助规则 {rule['id']} 的计算基数或比例有误")
    return rules


def eligible(frame: pl.DataFrame, rules: list[dict]) -> pl.DataFrame:
    """One row per (enterprise, rule) met: ``enterprise_id``, ``rule_id``, ``estimate`` (whole yuan)."""
    parts = []
    rd, last = pl.col("rd").fill_null(0), pl.col("rd_last").fill_null(0)
    for rule in rules:
        cond = pl.col("division_code").str.starts_with(rule["region_prefix"]) & (rd > 0)
        if rule.get("qualifications"):
            cond = cond & pl.any_horizontal([pl.col(q).fill_null(False) for q in rule["qualifications"]])
        if rule.get("above_scale"):
            cond = cond & pl.col("above_scale").fill_null(False)
        if rule.get("require_growth"):
            cond = cond & pl.col("rd_last").is_not_null() & (rd > last)
        if rule.get("first_rd"):
            cond = cond & (last == 0)
        if rule.get("min_rd_share"):
            cond = cond & (pl.col("revenue").fill_null(0) > 0) & (rd >= pl.col("revenue") * rule["min_rd_share"])
        base = (rd - last) if rule["base"] == "increase" else rd
        estimate = pl.min_horizontal((base * rule["rate"]).floor(), pl.lit(rule["cap_yuan"])).cast(pl.Int64)
        parts.append(frame.filter(cond).select(
            "enterprise_id", pl.lit(rule["id"]).alias("rule_id"), estimate.alias("estimate"))
            .filter(pl.col("estimate") >= max(rule["min_yuan"], 1)))
    if not parts:
        return pl.DataFrame(schema={"enterprise_id": pl.Int64, "rule_id": pl.String, "estimate": pl.Int64})
    return pl.concat(parts)
