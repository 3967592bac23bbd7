"""Stored package JSON → the flat columns of :func:`xinzhi.policy.bulk.flatten`, columnar (pure: no Django).

``xinzhi.policy.bulk.frame_from_packages`` flattens parsed packages one by one (≈1.5 ms each to parse);
the register holds ~62,000 packages a year, so here the JSON text of every stored package is decoded
in one ``str.json_decode`` with a fixed schema and each flat column is one expression. A test checks
that both paths give the same frame (``tests/test_flat.py``).

Besides the columns ``bulk.screen_frame`` reads, the frame carries the tax-incentive columns of
``bulk.tax_columns`` (``EXTRA_COLUMNS``: advanced-manufacturing list / VAT, R&D super deduction, income
tax with the losses and status years as lists, and the ``tax.claims_*`` flags).
"""

from __future__ import annotations

from datetime import date

import polars as pl

from xinzhi.policy.bulk import EXPERT_KEYS, SCHEMA, TAX_COLUMNS
from xinzhi.policy.package import _industries, industry_section
from xinzhi.policy.rules.hte import HTE_INCIDENTS

S, INT, B = pl.String, pl.Int64, pl.Boolean

_PRIOR = pl.Struct({"year": INT, "sales_revenue": S, "net_assets": S, "rd_expense": S})
PACKAGE_DTYPE = pl.Struct({
    "year": INT, "registration_date": S, "industry_code": S, "uscc": S, "name": S, "application_date": S,
    "revenue": pl.Struct({k: S for k in ("total_revenue", "sales_revenue", "high_tech_revenue", "manufacturing_sales",
                                         "advanced_service_revenue", "offshore_outsourcing_revenue",
                                         "total_costs_expenses", "export_sales")}),
    "rd_expense": pl.Struct({k: S for k in ("personnel", "direct_input", "depreciation", "amortisation",
                                            "design_and_trials", "equipment_debugging", "other", "entrusted_domestic",
                                            "entrusted_abroad", "in_china", "capitalised", "capitalised_amortisation")}),
    "staff": pl.Struct({"total": INT, "st_staff": INT, "college_or_above": INT}),
    "net_assets": S, "total_assets": S,
    "prior_years": pl.List(_PRIOR),
    "ip": pl.Struct({k: INT for k in ("class1_own", "class1_acquired", "class2_own", "class2_acquired",
                                    "class2_used_before")}),
    "conversions": pl.List(INT),
    "incidents": pl.List(pl.Struct({"type": S, "date": S})),
    "tax": pl.Struct({"collection_method": S, "vat_general_taxpayer": B, "creditable_input_vat": S,
                      "input_vat_transferred_out": S, "export_input_vat": S, "unsplittable_input_vat": S,
                      "vat_payable_before_deduction": S, "vat_credit_brought_forward": S,
                      "other_vat_deduction_chosen": B, "taxable_income_before_losses": S,
                      "losses": pl.List(pl.Struct({"year": INT, "amount": S})),
                      "ic_enterprise": B, "industrial_mother_machine_enterprise": B,
                      "claims_rd_super_deduction": B, "claims_vat_additional_deduction": B, "claims_hte_rate": B}),
    "holdings": pl.Struct({"hte_certificate_issue_date": S, "hte_field": S, "provincial_rd_institution": B,
                           "led_standard_years": pl.List(INT), "participated_standard": B,
                           "national_award_years": pl.List(INT), "qualified_years": pl.List(INT)}),
    "compliance": pl.Struct({"registered_in_mainland": B, "restricted_category": B}),
    "expert_scores": pl.Struct({k: INT for k in EXPERT_KEYS}),
})

#: the tax-incentive columns (``bulk.tax_columns``): advanced-manufacturing list, VAT, R&D deduction, income tax
EXTRA_COLUMNS = TAX_COLUMNS


def money_fen(expr: pl.Expr) -> pl.Expr:
    """Yuan text (``"1234.5"``, ``"-3"``, ``"1,000"``) → whole fen, exact (Decimal, no float)."""
    text = expr.str.strip_chars().str.replace_all(",", "")
    return (text.cast(pl.Decimal(38, 2), strict=False) * 100).cast(pl.Decimal(38, 0)).cast(INT)


def _date(expr: pl.Expr) -> pl.Expr:
    return expr.str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False)


def _f(path: str) -> pl.Expr:
    parts = path.split(".")
    expr = pl.col(parts[0])
    for p in parts[1:]:
        expr = expr.struct.field(p)
    return expr


def _section_map(codes: list[str]) -> dict[str, str]:
    return {c: industry_section(c) or "" for c in codes}


def frame_from_json(data: pl.Series | list[str], ids: pl.DataFrame | None = None) -> pl.DataFrame:
    """Flat screening frame from package JSON texts (one per row; ``ids`` columns are carried alongside).

    Money comes out in fen (Int64), as in :func:`xinzhi.policy.bulk.flatten`.
    """
    series = data if isinstance(data, pl.Series) else pl.Series("data", data, dtype=S)
    raw = pl.DataFrame({"p": series.str.json_decode(PACKAGE_DTYPE)}).unnest("p")
    for name, dtype in PACKAGE_DTYPE.to_schema().items():  # columns absent from every package decode to null
        if name not in raw.columns:
            raw = raw.with_columns(pl.lit(None, dtype=dtype).alias(name))
    year = pl.col("year")
    on = pl.coalesce(_date(pl.col("application_date")), pl.date(year, 12, 31))
    staged = raw.with_columns(_on=on)

    def rd(key: str) -> pl.Expr:
        return money_fen(_f(f"rd_expense.{key}")).fill_null(0)

    def money0(path: str) -> pl.Expr:
        return money_fen(_f(path)).fill_null(0)

    def flag(path: str, default: bool) -> pl.Expr:
        return _f(path).fill_null(default)

    def count(path: str) -> pl.Expr:
        return _f(path).fill_null(0)

    incidents = pl.col("incidents").fill_null([])
    inc_type = pl.element().struct.field("type")
    inc_date = _date(pl.element().struct.field("date"))
    on_col = pl.col("_on")
    hte_dates = incidents.list.eval(pl.when(inc_type.is_in(sorted(HTE_INCIDENTS))).then(inc_date))
    any_years = incidents.list.eval(inc_date.dt.year())
    awards = _f("holdings.national_award_years").fill_null([])
    standards = _f("holdings.led_standard_years").fill_null([])
    class1 = count("ip.class1_own") + count("ip.class1_acquired")
    class2 = count("ip.class2_own") + count("ip.class2_acquired")
    out = staged.with_columns(
        uscc=pl.col("uscc").fill_null(""), year=year.cast(pl.Int32), assessment_date=on_col,
        registration_date=_date(pl.col("registration_date")),
        industry_code=pl.col("industry_code"),
        industry_division=pl.col("industry_code").str.slice(0, 2),
        sales=money0("revenue.sales_revenue"), total_revenue=money0("revenue.total_revenue"),
        high_tech_revenue=money0("revenue.high_tech_revenue"), total_costs=money_fen(_f("revenue.total_costs_expenses")),
        total_assets=money0("total_assets"), net_assets=money0("net_assets"),
        rd_personnel=rd("personnel"), rd_direct=rd("direct_input"), rd_depr=rd("depreciation"),
        rd_amort=rd("amortisation"), rd_design=rd("design_and_trials"), rd_equip=rd("equipment_debugging"),
        rd_other=rd("other"), rd_ent_dom=rd("entrusted_domestic"), rd_ent_abr=rd("entrusted_abroad"),
        rd_in_china=money_fen(_f("rd_expense.in_china")),
        staff_total=count("staff.total"), st_staff=count("staff.st_staff"),
        class1=class1, class1_own=count("ip.class1_own"), class2=class2, class2_own=count("ip.class2_own"),
        class2_used=count("ip.class2_used_before"),
        conv_sum=pl.col("conversions").fill_null([]).list.sum().fill_null(0),
        conv_n=pl.col("conversions").fill_null([]).list.len().cast(INT),
        participated_standard=flag("holdings.participated_standard", False),
        hte_field=_f("holdings.hte_field"),
        **{f"expert_{k}": _f(f"expert_scores.{k}") for k in EXPERT_KEYS},
        _hte_dates=hte_dates, _any_years=any_years,
        registered_in_mainland=flag("compliance.registered_in_mainland", True),
        restricted_category=flag("compliance.restricted_category", False),
        collection_audit=_f("tax.collection_method").fill_null("audit") == "audit",
        hte_issue=_date(_f("holdings.hte_certificate_issue_date")),
        provincial_rd_institution=flag("holdings.provincial_rd_institution", False),
        _awards=awards, _standards=standards,
        mfg_sales=money0("revenue.manufacturing_sales"), vat_general=flag("tax.vat_general_taxpayer", False),
        other_vat_chosen=flag("tax.other_vat_deduction_chosen", False), input_vat=money0("tax.creditable_input_vat"),
        taxable_income=money_fen(_f("tax.taxable_income_before_losses")),
        rd_capitalised=rd("capitalised"), rd_cap_amort=rd("capitalised_amortisation"),
        rd_special=flag("tax.ic_enterprise", False) | flag("tax.industrial_mother_machine_enterprise", False),
        export_sales=money0("revenue.export_sales"), input_vat_out=money0("tax.input_vat_transferred_out"),
        export_input_vat=money0("tax.export_input_vat"), unsplittable_input_vat=money0("tax.unsplittable_input_vat"),
        vat_payable=money_fen(_f("tax.vat_payable_before_deduction")), vat_bf=money0("tax.vat_credit_brought_forward"),
        loss_years=_f("tax.losses").fill_null([]).list.eval(pl.element().struct.field("year")),
        loss_amounts=_f("tax.losses").fill_null([]).list.eval(money_fen(pl.element().struct.field("amount"))),
        qualified_years=_f("holdings.qualified_years").fill_null([]),
        claims_rd=_f("tax.claims_rd_super_deduction"), claims_vat=_f("tax.claims_vat_additional_deduction"),
        claims_hte_rate=_f("tax.claims_hte_rate"),
    )
    # list reductions that compare with the row's own year or assessment date: explode, aggregate back
    out = out.with_row_index("_i")
    priors = (out.select("_i", pl.col("year").alias("_year"), "prior_years").explode("prior_years")
              .drop_nulls("prior_years").unnest("prior_years"))
    for back in (1, 2):
        part = priors.filter(pl.col("year") == pl.col("_year") - back).unique("_i", keep="first").select(
            "_i", **{f"{name}_p{back}": money_fen(pl.col(field)) for name, field in
                     (("sales", "sales_revenue"), ("na", "net_assets"), ("rd", "rd_expense"))})
        out = out.join(part, on="_i", how="left")
    lists = out.select(
        "_i", "_on", "_hte_dates", "_any_years", "_awards", "_standards",
    )
    last_hte = (lists.select("_i", "_on", "_hte_dates").explode("_hte_dates")
                .filter(pl.col("_hte_dates") <= pl.col("_on")).group_by("_i")
                .agg(pl.col("_hte_dates").max().alias("last_hte_incident")))
    last_any = (lists.select("_i", "_on", "_any_years").explode("_any_years")
                .filter(pl.col("_any_years") <= pl.col("_on").dt.year()).group_by("_i")
                .agg(pl.col("_any_years").max().cast(INT).alias("last_incident_year")))
    last_award = (lists.select("_i", "_on", "_awards").explode("_awards")
                  .filter(pl.col("_awards") <= pl.col("_on").dt.year()).group_by("_i")
                  .agg(pl.col("_awards").max().alias("last_award_year")))
    last_std = (lists.select("_i", "_on", "_standards").explode("_standards")
                .filter(pl.col("_standards") <= pl.col("_on").dt.year()).group_by("_i")
                .agg(pl.col("_standards").max().alias("last_led_standard_year")))
    for part in (last_hte, last_any, last_award, last_std):
        out = out.join(part, on="_i", how="left")
    codes = out["industry_code"].drop_nulls().unique().to_list()
    out = out.with_columns(industry_section=pl.col("industry_code").replace_strict(
        _section_map(codes), default="", return_dtype=S))
    flat = out.select(FLAT_COLUMNS + list(EXTRA_COLUMNS)).with_columns(
        [pl.col(c).cast(t) for c, t in SCHEMA.items()])
    return pl.concat([ids, flat], how="horizontal") if ids is not None else flat


FLAT_COLUMNS = [
    "uscc", "year", "assessment_date", "registration_date", "industry_code", "industry_section", "industry_division",
    "sales", "total_revenue", "high_tech_revenue", "total_costs", "total_assets", "net_assets",
    "rd_personnel", "rd_direct", "rd_depr", "rd_amort", "rd_design", "rd_equip", "rd_other", "rd_ent_dom",
    "rd_ent_abr", "rd_in_china", "staff_total", "st_staff", "sales_p1", "sales_p2", "na_p1", "na_p2", "rd_p1",
    "rd_p2", "class1", "class1_own", "class2", "class2_own", "class2_used", "conv_sum", "conv_n",
    "participated_standard", "hte_field", *[f"expert_{k}" for k in EXPERT_KEYS], "last_hte_incident",
    "last_incident_year", "registered_in_mainland", "restricted_category", "collection_audit", "hte_issue",
    "provincial_rd_institution", "last_award_year", "last_led_standard_year",
]


def known_industry(code: str) -> bool:
    return _industries().get(code, ("", ""))[0] == "class"


def year_end(year: int) -> date:
    return date(year, 12, 31)
