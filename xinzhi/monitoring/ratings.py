"""红黄蓝 ratings (seed task 15) — the rule set of shared/domain/ratings.md, thresholds from ``data/ratings.toml``.

Two separate questions, as ratings.md asks:

1. **Trajectory (目标进度)** — will the region meet its target? ``rating`` ∈ blue / yellow / red, grey when
   the target exists but the data do not, null when the indicator has no target for the region.
   * count and amount targets: ``p = value / target`` against ``t = month / 12`` (序时进度);
   * level targets (ratios, growth rates): the YTD value against ``T`` by the comparator
     (">", ">=", "about" ±0.5 pp, "faster_than" another indicator of the same region and period),
     yellow when the projected year-end value meets ``T`` or the gap is within 5% of ``T``.
2. **Level against peers (横向比较)** — value / peer average: leading > 125%, strong 100–125%,
   moderate 70–100%, emerging < 70% (inverted for lower-is-better).

Comparisons use the published value (rounded to the indicator's precision), so the colour always agrees
with the number printed in the reason. Every row carries the rule-set version and a one-sentence
Chinese reason. All of it is Polars expressions over the engine's output frame.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from .catalogue import Catalogue, load_catalogue, load_rules
from .display import add_display_columns, fixed_expr, period_label, published, target_text_expr

EPS = 1e-9
ROUND = "half_away_from_zero"
PEER_NOUN = {"city": "个设区市", "county": "个县（市、区）", "cluster": "个产业集群", "category": "个高新技术产业类别"}


def _attrs(catalogue: Catalogue) -> pl.DataFrame:
    cat = catalogue.frame().select(
        "indicator", "name_zh", "short_zh", "display_scale", "display_unit", "display_precision", "target_indicator",
    )
    refs = catalogue.frame().select(pl.col("indicator").alias("target_indicator"), pl.col("short_zh").alias("ref_short_zh"))
    return cat.join(refs, on="target_indicator", how="left").drop("target_indicator")


def _meets(value: pl.Expr, target: pl.Expr, about_band: float, about_overshoot_meets: bool = False) -> pl.Expr:
    """Does ``value`` meet ``target`` under the row's comparator and direction?

    With ``about_overshoot_meets`` an "about T" (左右) target is also met by a value beyond the band in
    the indicator's good direction (e.g. 18.6% against "16%左右" for a higher-is-better share).
    """
    higher = pl.col("direction") != "lower"
    cmp = pl.col("comparator")
    strictly = pl.when(higher).then(value > target + EPS).otherwise(value < target - EPS)
    at_least = pl.when(higher).then(value >= target - EPS).otherwise(value <= target + EPS)
    in_band = (value - target).abs() <= about_band + EPS
    if about_overshoot_meets:
        beyond = pl.when(higher).then(value >= target - about_band - EPS).otherwise(value <= target + about_band + EPS)
        in_band = in_band | beyond
    return (
        pl.when(cmp.is_in([">", "faster_than"]))
        .then(strictly)
        .when(cmp == "about")
        .then(in_band)
        .otherwise(at_least)
    )


def _trajectory(rules: dict[str, Any]) -> tuple[pl.Expr, pl.Expr]:
    count_rules, level_rules = rules["trajectory"]["count"], rules["trajectory"]["level"]
    band = float(count_rules["yellow_band_pp"])
    about = float(level_rules["about_band_pp"])
    share = float(level_rules["yellow_gap_share_of_target"])
    use_projection = bool(level_rules.get("yellow_if_projection_meets", True))
    overshoot = bool(level_rules.get("about_overshoot_meets", False))

    has_target = pl.col("target").is_not_null()
    no_data = pl.col("value").is_null()
    count_like = pl.col("kind").is_in(["count", "amount"])
    schedule = pl.col("schedule_pp")
    count_colour = (
        pl.when(schedule >= 0).then(pl.lit("blue")).when(schedule >= -band - EPS).then(pl.lit("yellow")).otherwise(pl.lit("red"))
    )
    v, t = pl.col("_v"), pl.col("_t")
    meets = _meets(v, t, about, overshoot)
    projected_meets = pl.col("projected_meets").fill_null(False) if use_projection else pl.lit(False)
    near = (v - t).abs() <= share * t.abs() + EPS
    level_colour = (
        pl.when(meets).then(pl.lit("blue")).when(projected_meets | near).then(pl.lit("yellow")).otherwise(pl.lit("red"))
    )
    # a count target of 0 (a region allocated none) is met by any count: rated, not greyed
    zero_target = count_like & (pl.col("_t").abs() <= EPS)
    colour = (
        pl.when(~has_target)
        .then(None)
        .when(no_data | (count_like & pl.col("progress").is_null() & ~zero_target))
        .then(pl.lit("grey"))
        .when(zero_target)
        .then(pl.lit("blue"))
        .when(count_like)
        .then(count_colour)
        .otherwise(level_colour)
    )
    return colour, meets


def _level_reason(label: str) -> pl.Expr:
    """Reason of a level rating, e.g. 1—6月高新技术产业增加值占比67.8%，高于目标0.3个百分点."""
    gap = pl.col("_v") - pl.col("_t")
    word = pl.when(gap > EPS).then(pl.lit("高于")).when(gap < -EPS).then(pl.lit("低于")).otherwise(pl.lit("等于"))
    head = pl.format(label + "{}{}{}", pl.col("short_zh"), pl.col("value_text"), pl.col("display_unit"))
    gap_text = pl.col("_gap_text")
    plain = pl.when(word == "等于").then(pl.format("{}，与目标持平", head)).otherwise(
        pl.format("{}，{}目标{}个百分点", head, word, gap_text)
    )
    about = pl.format("{}，与目标{}%左右相差{}个百分点", head, pl.col("_target_text"), gap_text)
    about = pl.when(pl.col("rating") == "blue").then(
        pl.format("{}，达到目标{}%左右（{}{}个百分点）", head, pl.col("_target_text"), word, gap_text)
    ).otherwise(about)
    faster = pl.when(word == "等于").then(pl.format("{}，与{}持平", head, pl.col("ref_short_zh"))).otherwise(
        pl.format(
            "{}，{}{}{}个百分点",
            head,
            pl.when(gap > 0).then(pl.lit("快于")).otherwise(pl.lit("慢于")),
            pl.col("ref_short_zh"),
            gap_text,
        )
    )
    base = (
        pl.when(pl.col("comparator") == "about")
        .then(about)
        .when(pl.col("comparator") == "faster_than")
        .then(faster)
        .otherwise(plain)
    )
    with_projection = pl.format("{}，按去年同期进度预计全年{}{}", base, pl.col("projected_text"), pl.col("display_unit"))
    return (
        pl.when((pl.col("rating") == "yellow") & pl.col("projected_meets").fill_null(False))
        .then(with_projection)
        .otherwise(base)
    )


def _count_reason() -> pl.Expr:
    """完成年度目标的58.3%，快于序时进度8.3个百分点 / 慢于序时进度6.2个百分点; with the seasonal schedule
    the schedule is named: …，快于按上年认定进度计算的序时进度（50.0%）8.3个百分点. A zero target reads
    年度目标为0个，已完成2个."""
    word = pl.when(pl.col("schedule_pp") >= 0).then(pl.lit("快于")).otherwise(pl.lit("慢于"))
    linear = pl.format("完成年度目标的{}%，{}序时进度{}个百分点", pl.col("progress_text"), word, pl.col("schedule_text"))
    seasonal = pl.format(
        "完成年度目标的{}%，{}按上年同期认定进度计算的序时进度（{}%）{}个百分点",
        pl.col("progress_text"), word, pl.col("time_elapsed_text"), pl.col("schedule_text"),
    )
    zero = pl.format("年度目标为0{}，已完成{}{}", pl.col("display_unit"), pl.col("value_text"), pl.col("display_unit"))
    return (
        pl.when(pl.col("_t").abs() <= EPS)
        .then(zero)
        .when(pl.col("schedule_basis") == "seasonal")
        .then(seasonal)
        .otherwise(linear)
    )


def _grey_reason(label: str) -> pl.Expr:
    return (
        pl.when(~pl.col("available"))
        .then(pl.format("{}数据来源尚未接入，暂无数据，不予评价", pl.col("short_zh")))
        .otherwise(pl.format(label + "{}数据不足，不予评价", pl.col("short_zh")))
    )


def _peers(rules: dict[str, Any]) -> tuple[pl.Expr, pl.Expr]:
    p = rules["peers"]
    lower = pl.col("direction") == "lower"
    ratio = pl.when(lower).then(pl.col("peer_mean") / pl.col("value")).otherwise(pl.col("value") / pl.col("peer_mean"))
    valid = (pl.col("peer_mean") > 0) & (~lower | (pl.col("value") > 0))
    ratio = pl.when(valid).then(ratio.round(6))
    group = (
        pl.when(pl.col("region_level") == "province")
        .then(None)
        .when(pl.col("value").is_null())
        .then(pl.lit("grey"))
        .when(ratio.is_null())
        .then(None)
        .when(ratio > p["leading_above"])
        .then(pl.lit("leading"))
        .when(ratio >= p["strong_from"])
        .then(pl.lit("strong"))
        .when(ratio >= p["moderate_from"])
        .then(pl.lit("moderate"))
        .otherwise(pl.lit("emerging"))
    )
    return group, ratio


def _peer_reason(rules: dict[str, Any]) -> pl.Expr:
    labels = rules["peers"]["labels"]
    label = pl.col("level_group").replace_strict(labels, default=None, return_dtype=pl.String)
    noun = pl.col("region_level").replace_strict(PEER_NOUN, default="个", return_dtype=pl.String)
    rel = fixed_expr(pl.col("peer_ratio") * 100, 1)
    return (
        pl.when(pl.col("level_group") == "grey")
        .then(pl.format("{}暂无数据", pl.col("short_zh")))
        .when(pl.col("level_group").is_not_null())
        .then(
            pl.format(
                "为同级平均水平的{}%，属{}组；在{}{}中排第{}位",
                rel,
                label,
                pl.col("peer_count"),
                noun,
                pl.col("rank"),
            )
        )
    )


def _schedule(frame: pl.DataFrame, rules: dict[str, Any]) -> pl.DataFrame:
    """序时进度 of count targets: with ``schedule = "seasonal"`` (ratings.toml) last year's cumulative share
    of the year's recognitions by month N (batch recognitions: HTE certificates are issued once a year),
    where last year recognised any; otherwise, and for amounts, month / 12. ``schedule_basis`` says which."""
    seasonal = rules["trajectory"]["count"].get("schedule", "linear") == "seasonal"
    if "seasonal_elapsed" not in frame.columns:
        frame = frame.with_columns(seasonal_elapsed=pl.lit(None, pl.Float64))
    use = (pl.col("kind") == "count") & pl.col("seasonal_elapsed").is_not_null() & pl.lit(seasonal)
    return frame.with_columns(
        time_elapsed=pl.when(use).then(pl.col("seasonal_elapsed")).otherwise(pl.col("time_elapsed")),
        schedule_basis=pl.when(pl.col("time_elapsed").is_null()).then(None)
        .when(use).then(pl.lit("seasonal")).otherwise(pl.lit("linear")),
    )


def _change(rules: dict[str, Any]) -> pl.Expr:
    """Change since last year, as printed: ``up`` (better), ``flat`` (the printed change is 0 or within
    ``change.flat_band``), ``down`` (worse) — in the indicator's good direction; null without a change."""
    band = float(rules.get("change", {}).get("flat_band", 0.0))
    shown = pl.when(pl.col("kind").is_in(["ratio", "relative"])).then(published(pl.col("yoy"))).otherwise(
        pl.col("yoy").round(1, mode="half_away_from_zero")
    )
    better = pl.when(pl.col("direction") == "lower").then(-shown).otherwise(shown)
    return (
        pl.when(pl.col("region_level") == "province").then(None)
        .when(shown.is_null()).then(None)
        .when(better > band + EPS).then(pl.lit("up"))
        .when(better < -band - EPS).then(pl.lit("down"))
        .otherwise(pl.lit("flat"))
    )


def rate(frame: pl.DataFrame, catalogue: Catalogue | None = None, rules: dict[str, Any] | None = None) -> pl.DataFrame:
    """Add display texts, the trajectory rating and the peer group, with reasons and the rule version.

    ``frame`` is the output of ``engine.compute_period`` (one period). Returns it with the columns
    ``value_text`` … (display.py), ``rating``, ``rating_reason``, ``projected_meets``, ``level_group``,
    ``peer_ratio``, ``level_reason``, ``change_group``, ``target_text``, ``schedule_basis`` and
    ``rules_version``.
    """
    catalogue = catalogue or load_catalogue()
    rules = rules or load_rules()
    months = frame["month"].unique().to_list()
    if len(months) != 1:
        raise ValueError("rate() expects one period")
    label = period_label(int(months[0]))
    about = float(rules["trajectory"]["level"]["about_band_pp"])

    out = frame.join(_attrs(catalogue), on="indicator", how="left")
    if "coverage_missing" not in out.columns:
        out = out.with_columns(coverage_missing=pl.lit(None, pl.Int64))
    out = _schedule(out, rules)
    out = add_display_columns(out.with_columns(pl.col("precision").cast(pl.Int64)))
    # the value, the target and the projection as printed: the colour agrees with the printed numbers
    out = out.with_columns(
        _v=published(pl.col("value")), _t=published(pl.col("target")), _p=published(pl.col("projected")),
        target_text=target_text_expr(),
    )
    out = out.with_columns(
        projected_meets=pl.when(pl.col("_p").is_not_null() & pl.col("_t").is_not_null()).then(
            pl.when(pl.col("kind").is_in(["count", "amount"]))
            .then(pl.col("_p") >= pl.col("_t") - EPS)
            .otherwise(_meets(pl.col("_p"), pl.col("_t"), about))
        ),
        _gap_text=pl.col("gap_text"),
        _target_text=fixed_expr(pl.col("_t"), "precision").str.replace(r"\.0+$", "").str.replace(r"(\.\d*?)0+$", "$1"),
    )
    colour, _ = _trajectory(rules)
    out = out.with_columns(rating=colour)
    reason = (
        pl.when(pl.col("rating").is_null())
        .then(None)
        .when(pl.col("rating") == "grey")
        .then(_grey_reason(label))
        .when(pl.col("kind").is_in(["count", "amount"]))
        .then(_count_reason())
        .otherwise(_level_reason(label))
    )
    reason = pl.when(reason.is_not_null() & (pl.col("coverage_missing").fill_null(0) > 0)).then(
        pl.format("{}（{}个县（市、区）未报送固定资产投资，未计入）", reason, pl.col("coverage_missing"))
    ).otherwise(reason)
    group, ratio = _peers(rules)
    out = out.with_columns(rating_reason=reason, level_group=group, peer_ratio=ratio, change_group=_change(rules))
    out = out.with_columns(level_reason=_peer_reason(rules), rules_version=pl.lit(str(rules["version"])))
    return out.drop("_v", "_t", "_p", "_gap_text", "_target_text")
