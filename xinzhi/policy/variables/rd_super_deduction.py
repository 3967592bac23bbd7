"""R&D expense super deduction — 研发费用加计扣除 (parameters in force on 1 January of the tax year).

* Who: audit-based collection; an industry outside the negative list (财税〔2015〕119号).
* The base (also the tech-SME R&D expense, 115号: 按研发费用加计扣除口径归集): items 1–5 (depreciation as
  deducted for tax when the package gives it, 国家税务总局公告2017年第40号) + other related expenses up to
  items 1–5 × 10% ÷ (1 − 10%) (pooled over all projects from 2021, 公告2021年第28号) + 80% of entrusted
  domestic R&D + 80% of entrusted-abroad R&D up to 2/3 of the domestic base (财税〔2018〕64号).
* The rate: the highest of the regimes the enterprise falls in that are in force — general (75% until
  2022-09-30, 100% in 2022 Q4 by 公告2022年第28号, 100% from 2023 by 公告2023年第7号), manufacturing enterprises
  (100% from 2021, 公告2021年第13号), tech-SMEs (100% from 2022, 公告2022年第16号), IC and industrial
  mother-machine enterprises (120% 2023–2027, 公告2023年第44号). Each regime is a pair of dated parameters.
* The value: extra deduction × the income-tax rate of the year (the HTE rate in a certificate year).
"""

from __future__ import annotations

import polars as pl

from ..conditions import (
    WIDE,
    Condition,
    InList,
    NotInIndustries,
    Width,
    all_met,
    compile_stage,
    reaches,
    scale_floor,
)
from ..params import ParameterView

P = "rd_super_deduction"

CONDITIONS: tuple[Condition, ...] = (
    Condition(P, "collection_method", "查账征收", InList("collection_method", "rd_super_deduction.allowed_collection_methods"),
              "企业所得税实行查账征收", ("rd_super_deduction.allowed_collection_methods",), threshold="查账征收",
              gap="核定征收企业不适用研发费用加计扣除，改为查账征收后方可享受", value="{collection}"),
    Condition(P, "negative_list", "行业不属于不适用行业", NotInIndustries("rd_super_deduction.negative_list"),
              "所属行业不属于不适用加计扣除的行业", ("rd_super_deduction.negative_list",),
              threshold="不属于：{rd_super_deduction.negative_list}",
              gap="所属行业属于不适用研发费用加计扣除的行业", value="{industry}"),
)

#: (regime, expensed-rate parameter, capitalised-rate parameter); the qualifier columns are below
REGIMES = (
    ("special", "rd_super_deduction.ic_expensed_extra_rate", "rd_super_deduction.ic_capitalised_amortisation_rate"),
    ("manufacturing", "rd_super_deduction.manufacturing_expensed_extra_rate",
     "rd_super_deduction.manufacturing_capitalised_amortisation_rate"),
    ("tech_sme", "rd_super_deduction.tech_sme_expensed_extra_rate",
     "rd_super_deduction.tech_sme_capitalised_amortisation_rate"),
    ("general", "rd_super_deduction.expensed_extra_rate", "rd_super_deduction.capitalised_amortisation_rate"),
)
REGIME_LABELS = {"special": "集成电路企业和工业母机企业", "manufacturing": "制造业企业", "tech_sme": "科技型中小企业",
                 "general": "一般企业"}


def base(v: ParameterView, w: Width = WIDE) -> dict[str, pl.Expr]:
    """The components of the deductible R&D base (fen), ``total`` last."""
    depreciation = pl.coalesce(pl.col("rd_depr_tax"), pl.col("rd_depr")).cast(w.dtype)
    items = w.col("rd_personnel") + w.col("rd_direct") + depreciation + w.col("rd_amort") + w.col("rd_design")
    share = v.fraction(P + ".other_related_cap_share")
    cap = scale_floor(items, share / (1 - share), w)
    other = pl.min_horizontal(w.col("rd_other"), cap)
    entrusted = scale_floor(w.col("rd_ent_dom"), v.fraction(P + ".entrusted_domestic_counted_share"), w)
    domestic = items + other + entrusted
    out = {"items_1_5": items, "other_related_cap": cap, "other_related": other, "entrusted_domestic": entrusted,
           "domestic": domestic}
    if v.in_force(P + ".entrusted_abroad_counted_share"):
        counted = scale_floor(w.col("rd_ent_abr"), v.fraction(P + ".entrusted_abroad_counted_share"), w)
        abroad = pl.min_horizontal(counted, scale_floor(domestic, v.fraction(P + ".entrusted_abroad_cap_of_domestic"), w))
    else:
        counted = abroad = w.lit(0)
    out.update(entrusted_abroad_counted=counted, entrusted_abroad=abroad, total=domestic + abroad)
    return out


def manufacturer(v: ParameterView, w: Width = WIDE) -> pl.Expr:
    """A manufacturing enterprise for the manufacturing rate: manufacturing revenue ≥ the minimum share of
    total revenue (公告2021年第13号)."""
    return reaches(w.col("mfg_sales"), w.col("total_revenue"), v.fraction(P + ".manufacturing_revenue_min_share"), w)


def stages(v: ParameterView, w: Width, ctx: object = None) -> list[dict[str, pl.Expr]]:
    """Stage 1: the base, the regime, the conditions; 2: the extra deduction and its value; 3: eligibility."""
    k = WIDE
    qualifies = {"special": pl.col("rd_special").fill_null(False),
                 "manufacturing": manufacturer(v, k) if v.in_force(REGIMES[1][1]) else pl.lit(False),
                 "tech_sme": pl.col("tech_sme.eligible").fill_null(False), "general": pl.lit(True)}
    # the applicable regime: the highest expensed rate among those in force that the enterprise falls in;
    # on a tie the more general one (the later in REGIMES: from 2023 the general rule covers everyone)
    general = len(REGIMES) - 1  # always required: a year without a general rate is not covered
    ranked = sorted(((i, v.fraction(e)) for i, (_, e, _c) in enumerate(REGIMES) if i == general or v.in_force(e)),
                    key=lambda item: (-item[1], -item[0]))
    regime = pl.lit(general)
    for i, _rate in reversed(ranked):
        regime = pl.when(qualifies[REGIMES[i][0]]).then(pl.lit(i)).otherwise(regime)
    first = {f"{P}.base.{name}": expr for name, expr in base(v, k).items()}
    first[f"{P}.regime"] = regime
    first.update(compile_stage(CONDITIONS, 0, v, k))

    expensed = pl.max_horizontal(k.lit(0), pl.col(f"{P}.base.total") - k.col("rd_capitalised"))
    extra = pl.lit(None, dtype=k.dtype)
    for i, (_, e, c) in enumerate(REGIMES):
        if i == general or v.in_force(e):
            value = scale_floor(expensed, v.fraction(e), k) + scale_floor(k.col("rd_cap_amort"), v.fraction(c) - 1, k)
            extra = pl.when(pl.col(f"{P}.regime") == i).then(value).otherwise(extra)
    eligible = all_met(CONDITIONS, v)
    hte_rate, standard = v.fraction("income_tax.hte_rate"), v.fraction("income_tax.standard_rate")
    amount = pl.when(eligible).then(extra).otherwise(k.lit(0))
    second = {
        f"{P}.extra_deduction": amount,
        f"{P}.tax_value": pl.when(pl.col("hte_income_tax.hte_tax_year")).then(scale_floor(amount, hte_rate, k))
        .otherwise(scale_floor(amount, standard, k)),
        f"{P}.eligible": eligible,
    }
    return [first, second]


OUTPUTS = ("rd_super_deduction.eligible", "rd_super_deduction.collection_method", "rd_super_deduction.negative_list",
           "rd_super_deduction.extra_deduction", "rd_super_deduction.tax_value")
