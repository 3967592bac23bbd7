"""High-tech enterprise (HTE) recognition — 高新技术企业认定, over the whole register at once.

国科发火〔2016〕32号《高新技术企业认定管理办法》 第十一条 (the 8 conditions, all required) and
国科发火〔2016〕195号《高新技术企业认定管理工作指引》 (R&D scope; 十, the innovation-capability score).
Every number is a parameter in ``parameters/hte.toml``.

The score has computed parts (the *grade* of IP quantity, conversions and growth) and expert-judged
parts (the points within a grade; technical advancement; R&D management). A missing expert score counts
at the bottom of its range; ``hte.score_max`` counts it at the top, and the pass condition is
undetermined while the two straddle the pass mark.

Stages (one lazy query; each stage reads the package columns and the columns of the stages before):
1 package columns → R&D total, tier, grades, growth products, the first conditions; 2 three-year sums,
point ranges; 3 the R&D ratio and domestic share, growth ranges; 4 score totals; 5 the pass mark;
6 eligibility. Money and head counts run in the engine's width (Int64 when :func:`int64_bounds` allows),
growth products (fen × fen) in Int128.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

import polars as pl

from ..conditions import (
    I128,
    AtLeast,
    Computed,
    Condition,
    InList,
    NoneWithinYears,
    RatioAtLeast,
    ScorePasses,
    Width,
    YearsSince,
    added_to_reach,
    all_met,
    compile_stage,
)
from ..frame import EXPERT_KEYS
from ..params import ParameterView
from .common import band_expr, i64, ip_band_index, lookup

P = "hte"

CONDITIONS: tuple[Condition, ...] = (
    Condition(P, "registration", "注册成立年限", YearsSince("registration_date", "hte.registration_min_years"),
              "注册成立{hte.registration_min_years}以上", ("hte.registration_min_years",),
              threshold="申请日前注册成立满{hte.registration_min_years}",
              gap="注册成立满{hte.registration_min_years}（{gap}起）方可申请", value="注册成立日期：{registered}"),
    Condition(P, "ip", "知识产权", AtLeast("_ip_usable", "hte.ip_min_count"),
              "拥有对主要产品（服务）在技术上发挥核心支持作用的知识产权", ("hte.ip_min_count",),
              threshold="不少于{hte.ip_min_count}（Ⅱ类知识产权仅限使用一次）",
              gap="可用于申请的知识产权还差{gap}件（Ⅱ类知识产权仅限使用一次）",
              value="Ⅰ类知识产权{class1}件，可用的Ⅱ类知识产权{class2_usable}件", stage=1),
    Condition(P, "field", "技术领域", InList("hte_field", "hte.key_fields"),
              "核心技术属于《国家重点支持的高新技术领域》", ("hte.key_fields",),
              threshold="属于：{hte.key_fields}", gap="核心技术须属于《国家重点支持的高新技术领域》：{hte.key_fields}",
              pending="需填报核心技术所属的《国家重点支持的高新技术领域》", value="{field}"),
    Condition(P, "st_staff_share", "科技人员占比", RatioAtLeast("st_staff", "staff_total", "hte.st_staff_min_share", unit="persons"),
              "科技人员占企业当年职工总数的比例", ("hte.st_staff_min_share",),
              threshold="不低于{hte.st_staff_min_share}",
              gap="科技人员还差{gap}人可达到{hte.st_staff_min_share}（按新增科技人员计，职工总数同步增加）",
              value="科技人员{num}，职工总数{den}，占{ratio}", closable=True),
    Condition(P, "rd_ratio", "研发费用占比", Computed(unit="fen"),
              "近三个会计年度研究开发费用总额占同期销售收入总额的比例", ("hte.rd_ratio_scale", "hte.rd_years"),
              threshold="不低于{threshold}（最近一年销售收入{tier}）",
              gap="研究开发费用还差{gap}可达到{threshold}的比例要求",
              pending="需补充{years_missing}个以前年度的销售收入和研究开发费用",
              value="{years}个年度研究开发费用合计{num}，销售收入合计{den}，占{ratio}", closable=True, stage=2),
    Condition(P, "rd_domestic_share", "境内研发费用占比",
              RatioAtLeast("_dom_sum", "_rd_sum", "hte.rd_domestic_min_share", pending="_dom_pending"),
              "近三个会计年度在中国境内发生的研究开发费用占全部研究开发费用总额的比例",
              ("hte.rd_domestic_min_share",), threshold="不低于{hte.rd_domestic_min_share}",
              gap="境内研究开发费用还差{gap}可达到{hte.rd_domestic_min_share}",
              pending="待补充：以前年度的境内研究开发费用（近三年合计计算）",
              value="境内研究开发费用{num}，全部研究开发费用{den}，占{ratio}", stage=2),
    Condition(P, "high_tech_revenue_share", "高新技术产品收入占比",
              RatioAtLeast("high_tech_revenue", "total_revenue", "hte.high_tech_revenue_min_share"),
              "近一年高新技术产品（服务）收入占同期总收入的比例", ("hte.high_tech_revenue_min_share",),
              threshold="不低于{hte.high_tech_revenue_min_share}",
              gap="高新技术产品（服务）收入还差{gap}可达到{hte.high_tech_revenue_min_share}（新增收入计入总收入）",
              value="高新技术产品（服务）收入{num}，总收入{den}，占{ratio}"),
    Condition(P, "innovation_score", "创新能力评价",
              ScorePasses("hte.score", "hte.score.pass_min", best="hte.score_max", complete="hte.score_complete"),
              "企业创新能力评价", ("hte.score.pass_min",), threshold="不低于{hte.score.pass_min}",
              gap=(("hte.score_complete", "创新能力评价得分{score}分，还差{gap}分可达到{hte.score.pass_min}"),
                   (None, "即使待评的专家评分项全部取上限也只有{score_max}分，还差{gap_max}分可达到{hte.score.pass_min}")),
              pending="创新能力评价得分在{score}–{score_max}分之间，取决于专家评分；按已有评分（缺项按下限）计为{score}分，"
                      "还差{gap}分可达到{hte.score.pass_min}",
              value="{score}分（最高可得{score_max}分）", closable=True, stage=4),
    Condition(P, "no_incidents", "无重大事故和违法", NoneWithinYears("last_hte_incident", "hte.incident_lookback_years"),
              "申请认定前{hte.incident_lookback_years}内未发生重大安全、重大质量事故或严重环境违法行为",
              ("hte.incident_lookback_years",), threshold="无",
              gap="申请认定前{hte.incident_lookback_years}内发生过重大安全、重大质量事故或严重环境违法行为，{gap}起方可申请",
              value="{incident}"),
)

# the score items: (key, label, range from a parameter (fixed) or a grade (graded))
FIXED_ITEMS = {"ip_advancement": "技术的先进程度", "ip_core_support": "对主要产品（服务）在技术上发挥核心支持作用",
               "rd_org_rules": "研究开发组织管理制度、研发投入核算体系、研发费用辅助账",
               "rd_institution": "内部研究开发机构与产学研合作", "rd_conversion_rules": "科技成果转化的组织实施与激励奖励制度",
               "rd_talent": "科技人员的培养进修、人才引进与绩效评价奖励制度"}
GRADED_ITEMS = {"ip_quantity": "知识产权数量", "ip_acquisition": "知识产权获得方式", "ip_standards_bonus": "参与标准制定（加分）",
                "conversion": "科技成果转化能力", "growth_net_assets": "净资产增长率", "growth_sales": "销售收入增长率"}
IP_KEYS = ("ip_advancement", "ip_core_support", "ip_quantity", "ip_acquisition", "ip_standards_bonus")
PARTS = {"ip": "知识产权", "conversion": "科技成果转化能力", "rd_management": "研究开发组织管理水平", "growth": "企业成长性"}
MANAGEMENT_PARAM = {"rd_org_rules": "org_rules", "rd_institution": "institution", "rd_conversion_rules": "conversion_rules",
                    "rd_talent": "talent"}

GROWTH_OK, GROWTH_ZERO, GROWTH_UNDETERMINED = 0, 1, 2
#: (item, two years before, one year before, this year)
GROWTH = (("growth_net_assets", "na_p2", "na_p1", "net_assets"), ("growth_sales", "sales_p2", "sales_p1", "sales"))
RD_ITEMS = ("rd_personnel", "rd_direct", "rd_depr", "rd_amort", "rd_design", "rd_equip")


def fixed_maxima(v: ParameterView) -> dict[str, int]:
    """Maxima of the items whose range is a parameter (0 – max, expert points only)."""
    mgmt = v("hte.score.rd_management_max")
    return {"ip_advancement": v("hte.score.ip_advancement_max"), "ip_core_support": v("hte.score.ip_core_support_max"),
            **{key: mgmt[name] for key, name in MANAGEMENT_PARAM.items()}}


def expert_maxima(v: ParameterView) -> dict[str, int]:
    """The highest points an expert may give each item (for validating the package's expert scores)."""
    out = fixed_maxima(v)
    out["ip_quantity"] = max(b["points_max"] for b in v("hte.score.ip_quantity_bands"))
    out["ip_acquisition"] = max(b["points_max"] for b in v("hte.score.ip_acquisition_bands"))
    out["ip_standards_bonus"] = v("hte.score.ip_standards_bonus_max")
    out["conversion"] = max(b["points_max"] for b in v("hte.score.conversion_bands"))
    growth = max(b["points_max"] for b in v("hte.score.growth_bands"))
    out["growth_net_assets"] = out["growth_sales"] = growth
    assert set(out) == set(EXPERT_KEYS)
    return out


def rd_now(v: ParameterView, w: Width) -> pl.Expr:
    """R&D expense in the HTE scope (195号): 8 categories, entrusted at 80%, other ≤ 20% of the total —
    the cap is (the rest) × 20% ÷ (1 − 20%)."""
    base = w.col(RD_ITEMS[0])
    for name in RD_ITEMS[1:]:
        base = base + w.col(name)
    counted = v.fraction("hte.rd_entrusted_counted_share")
    base = base + (w.col("rd_ent_dom") + w.col("rd_ent_abr")) * w.lit(counted.numerator) // w.lit(counted.denominator)
    share = v.fraction("hte.rd_other_max_share")
    cap = share / (1 - share)
    return base + pl.min_horizontal(w.col("rd_other"), base * w.lit(cap.numerator) // w.lit(cap.denominator))


def growth_products(p2: str, p1: str, now: str) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """(growth rate + 1) as n / d (Int128; d > 0 when the status is ok) and the status (195号 十（四）).

    3 years ½(b/a + c/b) ⇒ n = b² + ca, d = 2ab; a year-1 value of 0 → the last two years c/b; 2 years
    c/x ⇒ n = c, d = x; a middle year of 0 → 0 points; a negative base year is not covered by the
    sources (undetermined: the experts judge it); one year only → 0 points.
    """
    a, b = pl.col(p2), pl.col(p1)
    three = a.is_not_null() & b.is_not_null() & (a != 0)
    x = pl.when(b.is_not_null()).then(b).otherwise(a)
    two = ~three & x.is_not_null()
    undetermined = (three & ((a < 0) | (b < 0))) | (two & (x < 0))
    zero = (~three & ~two) | (three & (b == 0)) | (two & (x == 0))
    a, b, c = a.cast(I128), b.cast(I128), pl.col(now).cast(I128)
    n = pl.when(three).then(b * b + c * a).otherwise(c)
    d = pl.when(three).then(pl.lit(2, dtype=I128) * a * b).otherwise(pl.when(b.is_not_null()).then(b).otherwise(a))
    status = pl.when(undetermined).then(pl.lit(GROWTH_UNDETERMINED)).when(zero).then(pl.lit(GROWTH_ZERO)) \
        .otherwise(pl.lit(GROWTH_OK))
    return n, d, status


def growth_index(key: str, bands: Sequence[Mapping[str, Any]]) -> pl.Expr:
    """Grade index into ``bands`` + one extra entry (the undetermined range 0 – top maximum).

    rate ≥ t = p/q ⇔ q·n ≥ (q + p)·d (``above``: >), on the ``_<key>_n/_d`` products.
    """
    n, d = pl.col(f"hte.item.{key}.n"), pl.col(f"hte.item.{key}.d")
    tests = []
    for i, band in enumerate(bands):
        for bound, strict in (("min", False), ("above", True)):
            if bound in band:
                t = Fraction(band[bound])
                lhs, rhs = pl.lit(t.denominator, dtype=I128) * n, pl.lit(t.denominator + t.numerator, dtype=I128) * d
                tests.append((lhs > rhs if strict else lhs >= rhs, i))
                break
    status = pl.col(f"hte.item.{key}.status")
    return pl.when((pl.col("_years_missing") > 0) | (status == GROWTH_UNDETERMINED)).then(pl.lit(len(bands))) \
        .when(status == GROWTH_ZERO).then(pl.lit(len(bands) - 1)).otherwise(band_expr(tests, len(bands) - 1))


def _expert(key: str) -> pl.Expr:
    return pl.col(f"expert_{key}").cast(pl.Int64)


def _pick(key: str, lo: pl.Expr, hi: pl.Expr) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """(points, best possible, missing) of an item with range [lo, hi]: the expert's points clamped to the
    range; a missing score at lo (points) / hi (best); a one-value range needs no expert."""
    e = _expert(key)
    clamped = pl.max_horizontal(pl.min_horizontal(e, hi), lo)
    return (pl.when(e.is_null()).then(lo).otherwise(clamped), pl.when(e.is_null()).then(hi).otherwise(clamped),
            e.is_null() & (lo != hi))


def stages(v: ParameterView, w: Width, ctx: Any = None) -> list[dict[str, pl.Expr]]:
    """The HTE columns as ``with_columns`` stages (see the module docstring)."""
    # stage 1: from the package columns
    used = pl.min_horizontal(pl.col("class2_used").cast(pl.Int64), pl.col("class2").cast(pl.Int64))
    class1, class2 = pl.col("class1").cast(pl.Int64), pl.col("class2").cast(pl.Int64) - used
    own = (pl.col("class1_own").cast(pl.Int64) + pl.max_horizontal(i64(0), pl.col("class2_own").cast(pl.Int64) - used)) > 0
    first: dict[str, pl.Expr] = {
        "hte.rd_expense": rd_now(v, w), "hte.class2_usable": class2, "_ip_usable": class1 + class2,
        "_sales_sum": w.col("sales") + w.col0("sales_p1") + w.col0("sales_p2"),
    }
    tiers = v("hte.rd_ratio_scale")
    tier = band_expr(
        [(w.col("sales") <= w.lit(t["sales_up_to"] * 100), i) for i, t in enumerate(tiers) if "sales_up_to" in t],
        len(tiers) - 1)
    ratios = [Fraction(t["min_ratio"]) for t in tiers]
    first["hte.rd_tier"] = tier
    first["_tier_num"] = lookup(tier, [r.numerator for r in ratios]).cast(w.dtype)
    first["_tier_den"] = lookup(tier, [r.denominator for r in ratios]).cast(w.dtype)
    first["hte.item.ip_quantity.grade"] = ip_band_index(class1, class2, v("hte.score.ip_quantity_bands"))
    first["hte.item.ip_acquisition.grade"] = pl.when((class1 + class2) <= 0).then(pl.lit(2)).when(own).then(pl.lit(0)) \
        .otherwise(pl.lit(1))  # 0 own-developed, 1 acquired only, 2 no IP (0 points)
    cb = v("hte.score.conversion_bands")
    # the annual average over the last ``conversion_years`` (fewer if the enterprise is younger); a year not
    # reported counts as 0: sum / years ≥ min ⇔ sum × q ≥ years × p
    conv_years = pl.max_horizontal(i64(1), pl.min_horizontal(i64(v("hte.score.conversion_years")),
                                                             pl.col("year").cast(pl.Int64)
                                                             - pl.col("registration_date").dt.year().cast(pl.Int64) + 1))
    first["hte.conversion_years"] = conv_years
    conv_sum = pl.col("conv_sum").cast(pl.Int64)
    first["hte.item.conversion.grade"] = band_expr(
        [(conv_sum * Fraction(b["min"]).denominator >= conv_years * Fraction(b["min"]).numerator, i)
         for i, b in enumerate(cb) if "min" in b], len(cb) - 1)
    for key, p2, p1, now in GROWTH:
        first[f"hte.item.{key}.n"], first[f"hte.item.{key}.d"], first[f"hte.item.{key}.status"] = \
            growth_products(p2, p1, now)
    fixed = fixed_maxima(v)
    picks = {key: _pick(key, i64(0), i64(hi)) for key, hi in fixed.items()}
    for key, (points, best, missing) in picks.items():
        first[f"hte.item.{key}.points"], first[f"_{key}_best"], first[f"hte.item.{key}.missing"] = points, best, missing
    first.update(compile_stage(CONDITIONS, 0, v, w))

    # stage 2: three-year sums, point ranges of the graded items
    qb, gb = v("hte.score.ip_quantity_bands"), v("hte.score.growth_bands")
    by_own = {b["own"]: b for b in v("hte.score.ip_acquisition_bands")}
    ab = [by_own[True], by_own[False]]
    counted = v.fraction("hte.rd_entrusted_counted_share")
    now = pl.col("hte.rd_expense")
    # R&D inside China this year: as reported (at most the total), else the total minus the counted abroad part
    dom_now = pl.when(pl.col("rd_in_china").is_not_null()).then(pl.min_horizontal(w.col("rd_in_china"), now)) \
        .otherwise(now - w.col("rd_ent_abr") * w.lit(counted.numerator) // w.lit(counted.denominator))
    prior_dom_missing = ((pl.col("rd_p1").is_not_null() & pl.col("rd_dom_p1").is_null()).cast(pl.Int64)
                         + (pl.col("rd_p2").is_not_null() & pl.col("rd_dom_p2").is_null()).cast(pl.Int64))
    second = {
        "_rd_sum": now + w.col0("rd_p1") + w.col0("rd_p2"),
        "hte.rd_ratio.years": 1 + pl.col("rd_p1").is_not_null().cast(pl.Int64) + pl.col("rd_p2").is_not_null().cast(pl.Int64),
        "_dom_sum": dom_now + w.col0("rd_dom_p1") + w.col0("rd_dom_p2"),
        "_dom_pending": (pl.col("_years_missing") > 0) | (prior_dom_missing > 0),
        "hte.item.ip_quantity.lo": lookup(pl.col("hte.item.ip_quantity.grade"), [b["points_min"] for b in qb]),
        "hte.item.ip_quantity.hi": lookup(pl.col("hte.item.ip_quantity.grade"), [b["points_max"] for b in qb]),
        "hte.item.ip_acquisition.lo": lookup(pl.col("hte.item.ip_acquisition.grade"), [b["points_min"] for b in ab] + [0]),
        "hte.item.ip_acquisition.hi": lookup(pl.col("hte.item.ip_acquisition.grade"), [b["points_max"] for b in ab] + [0]),
        "hte.item.ip_standards_bonus.lo": pl.col("participated_standard").cast(pl.Int64),
        "hte.item.ip_standards_bonus.hi": pl.col("participated_standard").cast(pl.Int64) * v("hte.score.ip_standards_bonus_max"),
        "hte.item.conversion.lo": lookup(pl.col("hte.item.conversion.grade"), [b["points_min"] for b in cb]),
        "hte.item.conversion.hi": lookup(pl.col("hte.item.conversion.grade"), [b["points_max"] for b in cb]),
        **{f"hte.item.{key}.grade": growth_index(key, gb) for key, *_ in GROWTH},
        **compile_stage(CONDITIONS, 1, v, w),
    }

    # stage 3: the R&D ratio (3 years) and domestic share, growth ranges
    rd_sum, sales_sum, num, den = pl.col("_rd_sum"), pl.col("_sales_sum"), pl.col("_tier_num"), pl.col("_tier_den")
    missing = pl.col("_years_missing") > 0
    third = {
        "hte.rd_ratio": pl.when(missing).then(pl.lit(None, dtype=pl.Boolean)).otherwise(
            (sales_sum > w.lit(0)) & (rd_sum * den >= sales_sum * num)),
        "hte.rd_ratio.gap": pl.when(missing).then(pl.lit(None, dtype=w.dtype)).otherwise(
            pl.max_horizontal(w.lit(0), (num * sales_sum - den * rd_sum + den - w.lit(1)) // den)),
        "hte.rd_ratio.num": rd_sum, "hte.rd_ratio.den": sales_sum,
        **compile_stage(CONDITIONS, 2, v, w),
    }
    for key, *_ in GROWTH:
        grade = pl.col(f"hte.item.{key}.grade")
        third[f"hte.item.{key}.lo"] = lookup(grade, [b["points_min"] for b in gb] + [0])
        third[f"hte.item.{key}.hi"] = lookup(grade, [b["points_max"] for b in gb] + [gb[0]["points_max"]])

    # stage 4: points of the graded items, score totals (IP part capped)
    fourth: dict[str, pl.Expr] = {}
    graded = {key: _pick(key, pl.col(f"hte.item.{key}.lo"), pl.col(f"hte.item.{key}.hi")) for key in GRADED_ITEMS}
    cap = i64(v("hte.score.ip_cap"))

    def item(key: str, j: int) -> pl.Expr:  # j = 0 points, 1 best possible
        if key in graded:
            return graded[key][j]
        return pl.col(f"hte.item.{key}.points") if j == 0 else pl.col(f"_{key}_best")

    def parts(j: int) -> dict[str, pl.Expr]:
        def total(prefix: str) -> pl.Expr:
            return pl.sum_horizontal([item(k, j) for k in (*fixed, *graded) if k.startswith(prefix)])
        return {"ip": pl.min_horizontal(cap, pl.sum_horizontal([item(k, j) for k in IP_KEYS])),
                "conversion": total("conversion"), "rd_management": total("rd_"), "growth": total("growth_")}

    for key, (points, _best, miss) in graded.items():
        fourth[f"hte.item.{key}.points"], fourth[f"hte.item.{key}.missing"] = points, miss
    points_parts, best_parts = parts(0), parts(1)
    fourth.update({f"hte.part.{name}": expr for name, expr in points_parts.items()})
    fourth["hte.score"], fourth["hte.score_max"] = pl.sum_horizontal(points_parts.values()), \
        pl.sum_horizontal(best_parts.values())
    fourth["hte.score_complete"] = ~pl.any_horizontal([m for *_, m in picks.values()] + [m for *_, m in graded.values()])

    # stage 5: the pass mark; stage 6: eligibility
    need = v("hte.score.pass_min")
    best = pl.col("hte.score_max")
    fifth = {"hte.score_gap_max": pl.max_horizontal(i64(0), i64(need) - best), **compile_stage(CONDITIONS, 4, v, w)}
    last = {"hte.eligible": all_met(CONDITIONS, v)}
    return [first, second, third, fourth, fifth, last]


#: the HTE columns the lists read (the bench times these)
OUTPUTS = ("hte.registration", "hte.ip", "hte.field", "hte.st_staff_share", "hte.rd_ratio", "hte.rd_domestic_share",
           "hte.high_tech_revenue_share", "hte.no_incidents", "hte.innovation_score", "hte.rd_ratio.gap",
           "hte.st_staff_share.gap", "hte.score", "hte.score_max", "hte.innovation_score.gap", "hte.eligible")


# --------------------------------------------------------------------------- Int64 when it cannot overflow

#: every intermediate of the Int64 path must stay below this
INT64_LIMIT = 2**62

#: the columns of the money / head-count arithmetic done in the working width
WIDE_COLUMNS = ("rd_personnel", "rd_direct", "rd_depr", "rd_amort", "rd_design", "rd_equip", "rd_other",
                "rd_ent_dom", "rd_ent_abr", "rd_in_china", "rd_p1", "rd_p2", "rd_dom_p1", "rd_dom_p2", "sales",
                "sales_p1", "sales_p2", "total_revenue", "high_tech_revenue", "staff_total", "st_staff")


def int64_constants(v: ParameterView) -> dict[str, int]:
    """The parameters' numerators, denominators and limits that the Int64 path multiplies or compares by."""
    def nd(name: str) -> tuple[int, int]:
        f = v.fraction(name)
        return abs(f.numerator), f.denominator

    ratios = [Fraction(t["min_ratio"]) for t in v("hte.rd_ratio_scale")]
    share = v.fraction("hte.rd_other_max_share")
    cap = share / (1 - share)
    (en, ed), (sn, sd) = nd("hte.rd_entrusted_counted_share"), nd("hte.st_staff_min_share")
    return {
        "en": en, "ed": ed, "cn": abs(cap.numerator), "cd": cap.denominator, "sn": sn, "sd": sd,
        "tn": max(abs(r.numerator) for r in ratios), "td": max(r.denominator for r in ratios),
        "dn": nd("hte.rd_domestic_min_share")[0], "dd": nd("hte.rd_domestic_min_share")[1],
        "hn": nd("hte.high_tech_revenue_min_share")[0], "hd": nd("hte.high_tech_revenue_min_share")[1],
        "limits": max([abs(t["sales_up_to"] * 100) for t in v("hte.rd_ratio_scale") if "sales_up_to" in t]
                      + [abs(v("hte.ip_min_count"))]),
    }


def int64_bounds(c: Mapping[str, int], m: int) -> int:
    """An upper bound of |every intermediate| of the Int64 path when |each WIDE_COLUMNS value| ≤ m."""
    entrusted = 2 * m * c["en"]                      # (dom + abr) × n
    base = 6 * m + entrusted // c["ed"] + 1          # items + floor(entrusted / d)
    cap = base * c["cn"]                             # base × n (the other-expenses cap)
    now = base + max(m, cap // c["cd"] + 1)
    rd_sum, sales_sum = now + 2 * m, 3 * m
    abroad = m * c["en"]
    dom_sum = now + abroad // c["ed"] + 1 + 2 * m
    grows = max(abs(c["sd"] - c["sn"]), abs(c["dd"] - c["dn"]), abs(c["hd"] - c["hn"]))
    return max(
        entrusted, cap, rd_sum, abroad,
        rd_sum * c["td"] + sales_sum * c["tn"] + c["td"],                   # the R&D ratio and its gap
        m * (c["sn"] + c["sd"]) + grows,                                    # S&T staff share and gap
        (dom_sum + rd_sum) * max(c["dn"], c["dd"]) + grows,                 # domestic share and gap
        m * (c["hn"] + c["hd"]) + grows,                                    # high-tech revenue share and gap
        3 * m, c["limits"],
    )


def magnitude(frame: pl.DataFrame) -> int:
    """max |value| of the WIDE_COLUMNS (0 for an empty frame)."""
    row = frame.select(pl.col(WIDE_COLUMNS).max().name.suffix("__hi"), pl.col(WIDE_COLUMNS).min().name.suffix("__lo")).row(0)
    return max((abs(int(x)) for x in row if x is not None), default=0)


__all__ = ["CONDITIONS", "OUTPUTS", "added_to_reach", "expert_maxima", "stages"]
