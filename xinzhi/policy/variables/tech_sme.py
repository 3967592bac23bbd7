"""Technology-based SME evaluation — 科技型中小企业评价, over the whole register at once.

国科发政〔2017〕115号《科技型中小企业评价办法》: 第六条 (conditions), 第七条 (the 100-point score: S&T
personnel, R&D input by either ratio, S&T achievements), 第八条 (direct qualification); with the 2022
service guideline 国科火字〔2022〕67号 (audit-based collection, the industry restriction — dated parameters
in ``parameters/tech_sme.toml``). R&D is counted in the super-deduction scope
(:func:`xinzhi.policy.variables.rd_super_deduction.base`).
"""

from __future__ import annotations

from fractions import Fraction

import polars as pl

from ..conditions import (
    I128,
    WIDE,
    AtMost,
    Computed,
    Condition,
    Flag,
    NoneInYears,
    NotInIndustries,
    ScorePasses,
    Width,
    all_met,
    compile_stage,
    reaches,
)
from ..params import ParameterView
from .common import band_expr, i64, ip_band_index, lookup, ratio_band_index
from .rd_super_deduction import base as sd_base

P = "tech_sme"

CONDITIONS: tuple[Condition, ...] = (
    Condition(P, "resident", "境内居民企业", Flag("registered_in_mainland"), "在中国境内（不含港、澳、台）注册的居民企业",
              ("tech_sme.requires_mainland_resident",), threshold="是", gap="须为在中国境内注册的居民企业",
              when="tech_sme.requires_mainland_resident"),
    Condition(P, "employees", "职工人数", AtMost("staff_total", "tech_sme.max_employees", unit="persons"),
              "职工总数不超过{tech_sme.max_employees}", ("tech_sme.max_employees",),
              threshold="不超过{tech_sme.max_employees}", gap="职工总数超过科技型中小企业上限（{tech_sme.max_employees}）",
              value="{num}"),
    Condition(P, "sales_revenue", "销售收入规模", AtMost("sales", "tech_sme.max_sales_revenue", per_unit=100, unit="fen"),
              "年销售收入不超过{tech_sme.max_sales_revenue}", ("tech_sme.max_sales_revenue",),
              threshold="不超过{tech_sme.max_sales_revenue}",
              gap="年销售收入超过科技型中小企业上限（{tech_sme.max_sales_revenue}）", value="{num}"),
    Condition(P, "total_assets", "资产规模", AtMost("total_assets", "tech_sme.max_total_assets", per_unit=100, unit="fen"),
              "资产总额不超过{tech_sme.max_total_assets}", ("tech_sme.max_total_assets",),
              threshold="不超过{tech_sme.max_total_assets}",
              gap="资产总额超过科技型中小企业上限（{tech_sme.max_total_assets}）", value="{num}"),
    Condition(P, "not_restricted", "非禁止限制淘汰类", Flag("restricted_category", expected=False),
              "产品（服务）不属于国家规定的禁止、限制和淘汰类", ("tech_sme.excludes_restricted_categories",),
              threshold="不属于", gap="产品（服务）属于国家规定的禁止、限制和淘汰类",
              when="tech_sme.excludes_restricted_categories"),
    Condition(P, "no_incidents", "无事故失信", NoneInYears("last_incident_year", "tech_sme.incident_lookback_years"),
              "上一会计年度至当年未发生重大安全、重大质量事故、严重环境违法、科研严重失信行为，且未列入经营异常名录和严重违法失信名单",
              ("tech_sme.incident_lookback_years",), threshold="无",
              gap="上一会计年度至当年有事故、违法失信或列入名录的情形（最近一次在{last}年），{gap}年起方可参加评价",
              value="{incident_year}"),
    Condition(P, "audit_collection", "查账征收", Flag("collection_audit"), "企业所得税实行查账征收",
              ("tech_sme.requires_audit_collection",), threshold="查账征收", gap="须为企业所得税查账征收企业",
              when="tech_sme.requires_audit_collection"),
    Condition(P, "industry", "所在行业", NotInIndustries("rd_super_deduction.negative_list"),
              "所在行业不属于研发费用加计扣除政策规定的不适用行业", ("tech_sme.excludes_negative_list_industries",),
              threshold="不属于：{rd_super_deduction.negative_list}",
              gap="所在行业属于研发费用加计扣除政策规定的不适用行业", when="tech_sme.excludes_negative_list_industries"),
    Condition(P, "evaluation", "综合评价得分", ScorePasses("tech_sme.score", "tech_sme.score.pass_min", unless="tech_sme.direct"),
              "综合评价得分不低于{tech_sme.score.pass_min}，或符合直接认定条件", ("tech_sme.score.pass_min",),
              threshold="不低于{tech_sme.score.pass_min}", gap="综合评价得分{score}分，还差{gap}分可达到{tech_sme.score.pass_min}",
              value="{score}分", closable=True, stage=2),
    Condition(P, "personnel_score", "科技人员指标得分", Computed(unit="persons"),
              "科技人员指标得分不为零，或符合直接认定条件", ("tech_sme.score.pass_min",), threshold="大于零",
              gap="科技人员还差{gap}人可使科技人员指标得分不为零", value="{personnel_points}分", closable=True, stage=2),
)

PARTS = {"personnel": "科技人员指标", "rd_input": "研发投入指标", "achievements": "科技成果指标"}
DIRECT = {"direct_hte": "持有有效期内的高新技术企业资格证书",
          "direct_award": "近五年内获得过国家级科技奖励，并在获奖单位中排在前三名",
          "direct_institution": "拥有经认定的省部级以上研发机构",
          "direct_standard": "近五年内主导制定过国际标准、国家标准或行业标准"}


def hires_to(share: Fraction, w: Width = WIDE) -> pl.Expr:
    """New S&T staff (staff grow with them) until st_staff / staff_total ≥ share (0 when reached)."""
    st, total = w.col("st_staff"), w.col("staff_total")
    short = w.lit(share.numerator) * total - w.lit(share.denominator) * st
    step = share.denominator - share.numerator
    return pl.when(reaches(st, total, share, w)).then(w.lit(0)).otherwise(
        (pl.max_horizontal(w.lit(0), short) + w.lit(step - 1)) // w.lit(step)).cast(pl.Int64)


def stages(v: ParameterView, w: Width, ctx: object = None) -> list[dict[str, pl.Expr]]:
    """Stage 1: the R&D expense, band indexes, the basic conditions; 2: points, total, direct paths; 3: the
    evaluation conditions; 4: eligibility."""
    k = WIDE
    st, total = k.col("st_staff"), k.col("staff_total")
    pb, sb, cb, ib = (v(f"{P}.score.personnel_bands"), v(f"{P}.score.rd_sales_bands"), v(f"{P}.score.rd_cost_bands"),
                      v(f"{P}.score.ip_bands"))
    first = {
        "tech_sme.rd_expense": sd_base(v)["total"],
        "tech_sme.personnel.grade": ratio_band_index(st, total, pb),
        "tech_sme.achievements.grade": ip_band_index(pl.col("class1"), pl.col("class2"), ib),
        **compile_stage(CONDITIONS, 0, v, k),
    }
    rd = k.col("tech_sme.rd_expense")
    by_sales = ratio_band_index(rd, k.col("sales"), sb)
    by_costs = ratio_band_index(rd, k.col("total_costs"), cb)
    sales_points, cost_points = lookup(by_sales, [b["points"] for b in sb]), lookup(by_costs, [b["points"] for b in cb])
    use_costs = pl.col("total_costs").is_not_null() & (cost_points > sales_points)
    personnel = lookup(pl.col("tech_sme.personnel.grade"), [b["points"] for b in pb])
    rd_points = pl.when(use_costs).then(cost_points).otherwise(sales_points)
    ip_points = lookup(pl.col("tech_sme.achievements.grade"), [b["points"] for b in ib])
    score = personnel + rd_points + ip_points
    year = pl.col("assessment_date").dt.year().cast(pl.Int64)
    since = year - v(f"{P}.direct.lookback_years") + 1
    direct = {
        "tech_sme.direct_hte": pl.col("hte.certified"),
        "tech_sme.direct_award": (pl.col("last_award_year") >= since).fill_null(False),
        "tech_sme.direct_institution": pl.col("provincial_rd_institution").fill_null(False),
        "tech_sme.direct_standard": (pl.col("last_led_standard_year") >= since).fill_null(False),
    }
    any_direct = pl.any_horizontal(list(direct.values()))
    scoring = [b for b in pb if b["points"] > 0]
    second = {
        **direct, "tech_sme.direct": any_direct,
        "tech_sme.rd_input.grade": pl.when(use_costs).then(by_costs).otherwise(by_sales),
        "tech_sme.rd_method_costs": use_costs,
        "tech_sme.personnel.points": personnel, "tech_sme.rd_input.points": rd_points,
        "tech_sme.achievements.points": ip_points, "tech_sme.score": score,
        "tech_sme.personnel_score": (personnel > 0) | any_direct,
        "tech_sme.personnel_score.gap": pl.when(any_direct).then(i64(0)).otherwise(hires_to(Fraction(scoring[-1]["min"]))),
        # the next band up of each indicator, what it takes (for the suggestions shown with a gap)
        "tech_sme.next.hires": _next_hires(pl.col("tech_sme.personnel.grade"), pb),
        "tech_sme.next.rd_fen": _next_rd(by_sales, sb),
    }
    last = {"tech_sme.eligible": all_met(CONDITIONS, v)}
    return [first, second, compile_stage(CONDITIONS, 2, v, k), last]


def _next_hires(grade: pl.Expr, bands: list) -> pl.Expr:
    """S&T hires to reach the next personnel band up (null at the top band)."""
    expr = pl.lit(None, dtype=pl.Int64)
    for i in range(1, len(bands)):
        expr = pl.when(grade == i).then(hires_to(Fraction(bands[i - 1]["min"]))).otherwise(expr)
    return expr


def _next_rd(grade: pl.Expr, bands: list, w: Width = WIDE) -> pl.Expr:
    """R&D (fen, sales unchanged) to reach the next R&D/sales band up (null at the top band or without sales)."""
    rd, sales = w.col("tech_sme.rd_expense"), w.col("sales")
    expr = pl.lit(None, dtype=I128)
    for i in range(1, len(bands)):
        t = Fraction(bands[i - 1]["min"])
        need = (w.lit(t.numerator) * sales - w.lit(t.denominator) * rd + w.lit(t.denominator - 1)) // w.lit(t.denominator)
        expr = pl.when((grade == i) & (sales > w.lit(0))).then(pl.max_horizontal(w.lit(0), need)).otherwise(expr)
    return expr


OUTPUTS = ("tech_sme.eligible", "tech_sme.score", "tech_sme.evaluation.gap", "tech_sme.personnel_score.gap",
           "tech_sme.direct")

__all__ = ["CONDITIONS", "OUTPUTS", "band_expr", "stages"]
