"""The advanced-manufacturing enterprise list (先进制造业企业名单) and its VAT 5% additional deduction.

List criteria (the annual list-making notices; issuer and number unverified): a valid HTE during the year,
industry in GB/T 4754-2017 section C, manufacturing sales strictly above half of sales. The list exists
for 财政部 税务总局公告2023年第43号 (2023-01-01 – 2027-12-31): outside that period it is not in force.

The VAT additional deduction (:data:`VAT_CONDITIONS`) is the list's criteria — the same conditions and
columns — plus the two conditions of claiming it: a general VAT taxpayer that has not chosen another
additional-deduction policy for the period. Accrual = 5% × (creditable input VAT − export input VAT −
unsplittable input VAT × export share) − 5% × input VAT transferred out; available = brought forward +
accrual; used against the payable by the three cases of 43号 (payable 0 → carry all; payable above the
credit → use all; else reduce the payable to 0 and carry the rest). One benefit formula: the list shows
the same amount the deduction gives.
"""

from __future__ import annotations

import polars as pl

from ..conditions import (
    WIDE,
    Condition,
    Equals,
    Flag,
    RatioAtLeast,
    Width,
    all_met,
    compile_stage,
    scale_floor,
)
from ..params import ParameterView

AM, VAT = "advanced_manufacturing", "vat_additional_deduction"
PERIOD = "vat_additional_deduction.rate"

CONDITIONS: tuple[Condition, ...] = (
    Condition(AM, "hte", "高新技术企业资格", Flag("hte.certified_in_year"), "年度内持有有效期内的高新技术企业证书",
              ("vat_additional_deduction.rate", "hte.validity_years"), threshold="是",
              gap="须先取得高新技术企业资格", value="{certificate}"),
    Condition(AM, "manufacturing_industry", "制造业",
              Equals("industry_section", "vat_additional_deduction.manufacturing_industry_section"),
              "所属行业为制造业（国民经济行业分类{vat_additional_deduction.manufacturing_industry_section}）",
              ("vat_additional_deduction.manufacturing_industry_section",),
              threshold="{vat_additional_deduction.manufacturing_industry_section}",
              gap="所属行业须为制造业（{vat_additional_deduction.manufacturing_industry_section}）", value="{industry}"),
    Condition(AM, "manufacturing_sales_share", "制造业销售额占比",
              RatioAtLeast("mfg_sales", "sales", "vat_additional_deduction.manufacturing_sales_min_share", strict=True),
              "制造业销售额占全部销售额的比例（均不含增值税）", ("vat_additional_deduction.manufacturing_sales_min_share",),
              threshold="超过{vat_additional_deduction.manufacturing_sales_min_share}（不含）",
              gap="制造业销售额还差{gap}可超过{vat_additional_deduction.manufacturing_sales_min_share}",
              value="制造业销售额{num}，全部销售额{den}，占{ratio}", closable=True),
)
VAT_CONDITIONS: tuple[Condition, ...] = (
    *CONDITIONS,
    Condition(VAT, "general_taxpayer", "一般纳税人", Flag("vat_general"), "增值税一般纳税人", ("vat_additional_deduction.rate",),
              threshold="是", gap="须为增值税一般纳税人"),
    Condition(VAT, "no_other_policy", "未选择其他加计抵减政策", Flag("other_vat_chosen", expected=False), "未选择适用其他增值税加计抵减政策",
              ("vat_additional_deduction.rate",), threshold="未选择",
              gap="同一期间只能选择一项增值税加计抵减政策，不得叠加"),
)


def am_stages(v: ParameterView, w: Width, ctx: object = None) -> list[dict[str, pl.Expr]]:
    """The list's criteria (only while the VAT policy is in force)."""
    if not v.in_force(PERIOD):
        return [{f"{AM}.in_force": pl.lit(False), f"{AM}.eligible": pl.lit(False)}]
    return [compile_stage(CONDITIONS, 0, v, WIDE),
            {f"{AM}.in_force": pl.lit(True), f"{AM}.eligible": all_met(CONDITIONS, v)}]


def vat_stages(v: ParameterView, w: Width, ctx: object = None) -> list[dict[str, pl.Expr]]:
    """The two claiming conditions, the accrual, the credit available and used, eligibility."""
    if not v.in_force(PERIOD):
        none = pl.lit(None, dtype=pl.Int128)
        return [{f"{VAT}.in_force": pl.lit(False), f"{VAT}.eligible": pl.lit(False),
                 **{f"{VAT}.{k}": none for k in ("accruable_input_vat", "accrued", "reduction_for_transfers_out",
                                                  "available", "used", "carried_forward", "benefit")}}]
    k = WIDE
    rate = v.fraction(PERIOD)
    sales = k.col("sales")
    # unsplittable input VAT × min(export / sales, 1), floored (no export share when sales ≤ 0)
    uns = k.col("unsplittable_input_vat")
    export_part = pl.when(sales <= k.lit(0)).then(k.lit(0)).when(k.col("export_sales") >= sales).then(uns) \
        .otherwise((uns * k.col("export_sales")) // pl.when(sales > k.lit(0)).then(sales).otherwise(k.lit(1)))
    accruable = pl.max_horizontal(k.lit(0), k.col("input_vat") - k.col("export_input_vat") - export_part)
    first = {f"{VAT}.accruable_input_vat": accruable, **compile_stage(VAT_CONDITIONS[len(CONDITIONS):], 0, v, k)}
    accrued = scale_floor(pl.col(f"{VAT}.accruable_input_vat"), rate, k)
    reduction = scale_floor(k.col("input_vat_out"), rate, k)
    available = pl.max_horizontal(k.lit(0), k.col("vat_bf") + accrued - reduction)
    payable = k.col("vat_payable")
    second = {
        f"{VAT}.accrued": accrued, f"{VAT}.reduction_for_transfers_out": reduction, f"{VAT}.available": available,
        f"{VAT}.in_force": pl.lit(True), f"{VAT}.eligible": all_met(VAT_CONDITIONS, v),
    }
    avail = pl.col(f"{VAT}.available")
    used = pl.when(payable.is_null()).then(pl.lit(None, dtype=k.dtype)).when(payable <= k.lit(0)).then(k.lit(0)) \
        .otherwise(pl.min_horizontal(payable, avail))
    third = {f"{VAT}.used": used, f"{VAT}.carried_forward": pl.when(used.is_null()).then(None).otherwise(avail - used),
             # the benefit: the credit used, or the credit available when the payable is not given
             f"{VAT}.benefit": pl.when(payable.is_null()).then(avail).otherwise(used)}
    return [first, second, third]


AM_OUTPUTS = ("advanced_manufacturing.eligible", "advanced_manufacturing.manufacturing_sales_share.gap")
VAT_OUTPUTS = ("vat_additional_deduction.eligible", "vat_additional_deduction.benefit")
