"""The one flattener: report-once packages (JSON) → one row per package of plain columns.

Every programme in :mod:`xinzhi.policy.variables` reads these columns and nothing else; an enterprise's
answer is the one-row case (:func:`frame_from_packages` of one parsed package), the register is the
same call over every stored package's JSON text (:func:`frame_from_json`, one ``str.json_decode`` and one
expression per column — no Python loop over packages).

Units: money in whole fen (Int64), counts Int64, dates Date. The JSON struct type and every default
come from the package's own dataclasses (:mod:`xinzhi.policy.package`), so a field's default is written
once. Lists are reduced to what the rules read (last incident dates, latest award / standard years, the
conversions' sum) except the losses and the status years, kept as lists for the 10-year loss rule.
"""

from __future__ import annotations

import dataclasses
import json
import typing
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

import polars as pl

from .package import AnnualPackage, _strip_optional, defaults, industry_section, to_json

S, INT, B = pl.String, pl.Int64, pl.Boolean

#: incident types that block HTE recognition (国科发火〔2016〕32号 第十一条第（八）项); all types block tech-SME
HTE_INCIDENTS = ("major_safety_accident", "major_quality_accident", "serious_environmental_violation")

#: expert-scored items of the HTE innovation-capability evaluation (package ``expert_scores``)
EXPERT_KEYS = ("ip_advancement", "ip_core_support", "ip_quantity", "ip_acquisition", "ip_standards_bonus",
               "conversion", "rd_org_rules", "rd_institution", "rd_conversion_rules", "rd_talent",
               "growth_net_assets", "growth_sales")
#: R&D-management facts the enterprise reports (package ``rd_management``)
MANAGEMENT_KEYS = ("has_rd_rules", "has_rd_ledger", "has_rd_institution", "has_industry_university_cooperation",
                   "has_conversion_rules", "has_open_platform", "has_talent_system")


def _dtype(tp: Any) -> pl.DataType:
    """The JSON-decoding type of a package field (money and dates as text, parsed afterwards)."""
    tp = _strip_optional(tp)
    if typing.get_origin(tp) is list:
        return pl.List(_dtype(typing.get_args(tp)[0]))
    if dataclasses.is_dataclass(tp):
        hints = typing.get_type_hints(tp)
        return pl.Struct({f.name: _dtype(hints[f.name]) for f in dataclasses.fields(tp)})
    return {Decimal: S, date: S, str: S, int: INT, bool: B}[tp]


@lru_cache(maxsize=1)
def package_dtype() -> pl.Struct:
    return _dtype(AnnualPackage)  # type: ignore[return-value]


def _f(path: str) -> pl.Expr:
    parts = path.split(".")
    expr = pl.col(parts[0])
    for p in parts[1:]:
        expr = expr.struct.field(p)
    return expr


def money_fen(expr: pl.Expr) -> pl.Expr:
    """Yuan text (``"1234.5"``, ``"-3"``, ``"1,000"``) → whole fen, exact (Decimal, no float)."""
    text = expr.str.strip_chars().str.replace_all(",", "")
    return (text.cast(pl.Decimal(38, 2), strict=False) * 100).cast(pl.Decimal(38, 0)).cast(INT)


def _date(expr: pl.Expr) -> pl.Expr:
    return expr.str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False)


@lru_cache(maxsize=1)
def _defaults() -> dict[str, Any]:
    return defaults()


def field(path: str) -> pl.Expr:
    """A package field with its default when absent (the package's own default, never a second one)."""
    default = _defaults().get(path)
    expr = _f(path)
    if isinstance(default, Decimal):
        return money_fen(expr).fill_null(int(default * 100))
    if path in _MONEY:
        return money_fen(expr)
    if isinstance(default, list) or default is None:
        return expr.fill_null([]) if isinstance(default, list) else expr
    return expr.fill_null(default)


@lru_cache(maxsize=1)
def _money_paths() -> frozenset[str]:
    out = set()

    def walk(cls: type, prefix: str) -> None:
        hints = typing.get_type_hints(cls)
        for f in dataclasses.fields(cls):
            tp = _strip_optional(hints[f.name])
            path = f"{prefix}.{f.name}" if prefix else f.name
            if dataclasses.is_dataclass(tp):
                walk(tp, path)
            elif tp is Decimal:
                out.add(path)

    walk(AnnualPackage, "")
    return frozenset(out)


_MONEY = _money_paths()


def frame_from_json(data: pl.Series | list[str], ids: pl.DataFrame | None = None) -> pl.DataFrame:
    """The flat frame of package JSON texts (one per row; ``ids`` columns are carried alongside)."""
    series = data if isinstance(data, pl.Series) else pl.Series("data", data, dtype=S)
    dtype = package_dtype()
    raw = pl.DataFrame({"p": series.str.json_decode(dtype)}).unnest("p")
    for name, tp in dtype.to_schema().items():  # columns absent from every package decode to null
        if name not in raw.columns:
            raw = raw.with_columns(pl.lit(None, dtype=tp).alias(name))
    on = pl.coalesce(_date(pl.col("application_date")), pl.date(pl.col("year"), 12, 31))
    staged = raw.with_columns(_on=on)

    def rd(key: str) -> pl.Expr:
        return field(f"rd_expense.{key}").fill_null(0)

    incidents = field("incidents")
    inc_type = pl.element().struct.field("type")
    inc_date = _date(pl.element().struct.field("date"))
    out = staged.with_columns(
        uscc=pl.col("uscc").fill_null(""), name=pl.col("name").fill_null(""), year=pl.col("year").cast(pl.Int32),
        assessment_date=pl.col("_on"), registration_date=_date(pl.col("registration_date")),
        industry_code=pl.col("industry_code"), industry_division=pl.col("industry_code").str.slice(0, 2),
        sales=field("revenue.sales_revenue").fill_null(0), total_revenue=field("revenue.total_revenue").fill_null(0),
        high_tech_revenue=field("revenue.high_tech_revenue").fill_null(0),
        total_costs=field("revenue.total_costs_expenses"), mfg_sales=field("revenue.manufacturing_sales"),
        export_sales=field("revenue.export_sales"), adv_service_revenue=field("revenue.advanced_service_revenue"),
        offshore_revenue=field("revenue.offshore_outsourcing_revenue"),
        total_assets=field("total_assets").fill_null(0), net_assets=field("net_assets").fill_null(0),
        rd_personnel=rd("personnel"), rd_direct=rd("direct_input"), rd_depr=rd("depreciation"),
        rd_depr_tax=field("rd_expense.depreciation_tax"), rd_amort=rd("amortisation"),
        rd_design=rd("design_and_trials"), rd_equip=rd("equipment_debugging"), rd_other=rd("other"),
        rd_ent_dom=rd("entrusted_domestic"), rd_ent_abr=rd("entrusted_abroad"),
        rd_in_china=field("rd_expense.in_china"), rd_capitalised=rd("capitalised"),
        rd_cap_amort=rd("capitalised_amortisation"),
        staff_total=field("staff.total").fill_null(0), st_staff=field("staff.st_staff").fill_null(0),
        college=field("staff.college_or_above"),
        class1_own=field("ip.class1_own"), class1=field("ip.class1_own") + field("ip.class1_acquired"),
        class2_own=field("ip.class2_own"), class2=field("ip.class2_own") + field("ip.class2_acquired"),
        class2_used=field("ip.class2_used_before"),
        conv_sum=field("conversions").list.sum().fill_null(0).cast(INT),
        conv_n=field("conversions").list.len().cast(INT),
        **{f"mgmt_{k}": field(f"rd_management.{k}") for k in MANAGEMENT_KEYS},
        participated_standard=field("holdings.participated_standard"), hte_field=field("holdings.hte_field"),
        hte_issue=_date(field("holdings.hte_certificate_issue_date")),
        provincial_rd_institution=field("holdings.provincial_rd_institution"),
        adv_service_scope=field("holdings.advanced_service_scope"),
        **{f"expert_{k}": field(f"expert_scores.{k}") for k in EXPERT_KEYS},
        registered_in_mainland=field("compliance.registered_in_mainland"),
        restricted_category=field("compliance.restricted_category"),
        collection_method=field("tax.collection_method"), collection_audit=field("tax.collection_method") == "audit",
        vat_general=field("tax.vat_general_taxpayer"), other_vat_chosen=field("tax.other_vat_deduction_chosen"),
        input_vat=field("tax.creditable_input_vat"), input_vat_out=field("tax.input_vat_transferred_out"),
        export_input_vat=field("tax.export_input_vat"), unsplittable_input_vat=field("tax.unsplittable_input_vat"),
        vat_payable=field("tax.vat_payable_before_deduction"), vat_bf=field("tax.vat_credit_brought_forward"),
        taxable_income=field("tax.taxable_income_before_losses"),
        rd_special=field("tax.ic_enterprise") | field("tax.industrial_mother_machine_enterprise"),
        loss_years=field("tax.losses").list.eval(pl.element().struct.field("year")),
        loss_amounts=field("tax.losses").list.eval(money_fen(pl.element().struct.field("amount"))),
        qualified_years=field("holdings.qualified_years"),
        claims_rd=field("tax.claims_rd_super_deduction"), claims_vat=field("tax.claims_vat_additional_deduction"),
        claims_hte_rate=field("tax.claims_hte_rate"),
        _hte_dates=incidents.list.eval(pl.when(inc_type.is_in(list(HTE_INCIDENTS))).then(inc_date)),
        _any_years=incidents.list.eval(inc_date.dt.year()),
        _awards=field("holdings.national_award_years"), _standards=field("holdings.led_standard_years"),
    ).with_row_index("_i")
    # the two earlier years (year − 1, year − 2) of ``prior_years``
    priors = (out.select("_i", pl.col("year").alias("_year"), "prior_years").explode("prior_years")
              .drop_nulls("prior_years").unnest("prior_years"))
    for back in (1, 2):
        part = priors.filter(pl.col("year") == pl.col("_year") - back).unique("_i", keep="first").select(
            "_i", **{f"{name}_p{back}": money_fen(pl.col(key)) for name, key in
                     (("sales", "sales_revenue"), ("na", "net_assets"), ("rd", "rd_expense"),
                      ("rd_dom", "rd_domestic"))})
        out = out.join(part, on="_i", how="left")
    # list reductions that compare with the row's own assessment date
    for column, name, keep, cast in (("_hte_dates", "last_hte_incident", pl.col("_v") <= pl.col("_on"), pl.Date),
                                     ("_any_years", "last_incident_year", pl.col("_v") <= pl.col("_on").dt.year(), INT),
                                     ("_awards", "last_award_year", pl.col("_v") <= pl.col("_on").dt.year(), INT),
                                     ("_standards", "last_led_standard_year", pl.col("_v") <= pl.col("_on").dt.year(),
                                      INT)):
        part = (out.select("_i", "_on", _v=column).explode("_v").filter(keep).group_by("_i")
                .agg(pl.col("_v").max().cast(cast).alias(name)))
        out = out.join(part, on="_i", how="left")
    codes = out["industry_code"].drop_nulls().unique().to_list()
    out = out.with_columns(industry_section=pl.col("industry_code").replace_strict(
        {c: industry_section(c) or "" for c in codes}, default="", return_dtype=S))
    flat = out.sort("_i").select([pl.col(c).cast(t) for c, t in SCHEMA.items()])
    return pl.concat([ids, flat], how="horizontal") if ids is not None else flat


def frame_from_packages(packages: Iterable[AnnualPackage]) -> pl.DataFrame:
    """The flat frame of parsed packages (through their JSON: the same flattener as the register)."""
    return frame_from_json([json.dumps(to_json(p), ensure_ascii=False) for p in packages])


_MONEY_COLUMNS = ("sales", "total_revenue", "high_tech_revenue", "total_costs", "mfg_sales", "export_sales",
                  "adv_service_revenue", "offshore_revenue", "total_assets", "net_assets", "rd_personnel", "rd_direct",
                  "rd_depr", "rd_depr_tax", "rd_amort", "rd_design", "rd_equip", "rd_other", "rd_ent_dom", "rd_ent_abr",
                  "rd_in_china", "rd_capitalised", "rd_cap_amort", "input_vat", "input_vat_out", "export_input_vat",
                  "unsplittable_input_vat", "vat_payable", "vat_bf", "taxable_income", "sales_p1", "sales_p2", "na_p1",
                  "na_p2", "rd_p1", "rd_p2", "rd_dom_p1", "rd_dom_p2")

#: every column of the flat frame and its type (money in fen)
SCHEMA: dict[str, pl.DataType] = {
    "uscc": S, "name": S, "year": pl.Int32, "assessment_date": pl.Date, "registration_date": pl.Date,
    "industry_code": S, "industry_section": S, "industry_division": S,
    **{c: INT for c in _MONEY_COLUMNS},
    "staff_total": INT, "st_staff": INT, "college": INT,
    "class1": INT, "class1_own": INT, "class2": INT, "class2_own": INT, "class2_used": INT, "conv_sum": INT,
    "conv_n": INT, **{f"mgmt_{k}": B for k in MANAGEMENT_KEYS},
    "participated_standard": B, "hte_field": S, "hte_issue": pl.Date, "provincial_rd_institution": B,
    "adv_service_scope": B, **{f"expert_{k}": INT for k in EXPERT_KEYS},
    "last_hte_incident": pl.Date, "last_incident_year": INT, "last_award_year": INT, "last_led_standard_year": INT,
    "registered_in_mainland": B, "restricted_category": B, "collection_method": S, "collection_audit": B, "vat_general": B,
    "other_vat_chosen": B, "rd_special": B, "loss_years": pl.List(INT), "loss_amounts": pl.List(INT),
    "qualified_years": pl.List(INT), "claims_rd": B, "claims_vat": B, "claims_hte_rate": B,
}
