"""Vectorised generation of demo report-once packages (pure: numpy + Polars, no Django).

Input: one row per above-scale firm-year with the figures the platform already holds (the December
1–N月累计 MonthlyStat: revenue, R&D expenses, employees; the register: USCC, name, industry class,
registration date; the certificate register: the latest HTE certificate issued by the year's end).
Output: the same rows with ``data`` = the package JSON text (``xinzhi.report_once/1``, money as strings
in yuan), valid for :func:`xinzhi.policy.package.parse_package` (a test parses a sample).

Consistency with the statistics: ``revenue.sales_revenue`` = the year's revenue; the HTE-scope R&D
total (8 categories, entrusted at 80%, other within its cap) = the year's R&D expenses (to the yuan,
up to the 80% rounding of the entrusted amount); ``staff.total`` = December employees. Everything else
(shares, IP, scores, tax figures) is drawn from documented estimates, per firm, with one seeded
generator: same input and seed → the same packages.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

FIELDS = ("电子信息", "生物与新医药", "航空航天", "新材料", "高技术服务", "新能源与节能", "资源与环境", "先进制造与自动化")
#: R&D split of the HTE-scope total (estimate): personnel, direct input, depreciation, amortisation,
#: design & trials, equipment debugging, other (≤ 20% cap), entrusted (counted at 80%)
RD_SPLIT = np.array([0.46, 0.24, 0.10, 0.03, 0.07, 0.02, 0.05, 0.03])

INPUT_COLUMNS = ("enterprise_id", "uscc", "name", "industry_code", "registered_on", "year", "revenue", "rd_expense",
                 "employees", "high_tech", "hte_issue", "prev_revenue", "prev_rd_expense")


def _money(values: np.ndarray) -> pl.Series:
    return pl.Series(np.maximum(np.round(values), 0).astype(np.int64)).cast(pl.String)


def _signed(values: np.ndarray) -> pl.Series:
    return pl.Series(np.round(values).astype(np.int64)).cast(pl.String)


def generate_packages(firms: pl.DataFrame, seed: int) -> pl.DataFrame:
    """``firms`` (``INPUT_COLUMNS``; ``prev_*`` null when the firm had no filing the year before) →
    ``enterprise_id, year, data`` with ``data`` the package JSON text."""
    firms = firms.sort(["year", "enterprise_id"])
    n = firms.height
    rng = np.random.default_rng(seed)
    year = firms["year"].to_numpy().astype(np.int64)
    sales = np.maximum(firms["revenue"].to_numpy().astype(float), 1.0)
    rd = np.maximum(firms["rd_expense"].to_numpy().astype(float), 0.0)
    staff = np.maximum(firms["employees"].to_numpy().astype(np.int64), 1)
    ht = firms["high_tech"].fill_null(False).to_numpy()
    has_hte = firms["hte_issue"].is_not_null().to_numpy()
    quality = rng.normal(0, 1, n) + np.where(has_hte, 0.8, 0.0) + np.where(ht, 0.3, 0.0)

    # --- revenue
    total_revenue = sales * rng.uniform(1.0, 1.04, n)
    ht_share = np.clip(np.where(has_hte | ht, rng.beta(7, 3, n), rng.beta(2, 4, n)), 0, 1)
    mfg_share = np.where(rng.random(n) < 0.9, rng.uniform(0.52, 1.0, n), rng.uniform(0.3, 0.5, n))
    # --- R&D categories summing (HTE scope) to the statistics' R&D expenses
    split = RD_SPLIT * np.exp(0.25 * rng.standard_normal((n, len(RD_SPLIT))))
    split = split / split.sum(axis=1, keepdims=True)
    entrusted_counted = np.floor(rd * split[:, 7])
    entrusted = np.floor(entrusted_counted / 0.8)
    entrusted_counted = np.floor(entrusted * 0.8)
    abroad = np.where(rng.random(n) < 0.08, np.floor(entrusted * 0.3), 0.0)
    domestic = entrusted - abroad
    parts = np.floor(rd[:, None] * split[:, :7])
    parts[:, 0] += rd - parts.sum(axis=1) - (np.floor(domestic * 0.8) + np.floor(abroad * 0.8))
    parts = np.maximum(parts, 0)
    # --- staff: S&T share, a cluster just above 10% (the HTE threshold) for the risk signals
    st_share = np.where(has_hte | ht, rng.beta(4, 18, n) + 0.03, rng.beta(2, 20, n))
    near = rng.random(n) < 0.12
    st_share = np.where(near, rng.uniform(0.095, 0.112, n), st_share)
    st_staff = np.minimum(staff, np.round(staff * np.clip(st_share, 0, 0.9))).astype(np.int64)
    college = np.minimum(staff, np.round(staff * rng.uniform(0.15, 0.6, n))).astype(np.int64)
    # --- balance sheet and prior years
    net_assets = sales * rng.uniform(0.25, 0.8, n)
    total_assets = net_assets * rng.uniform(1.4, 2.3, n)
    prev_rev = firms["prev_revenue"].to_numpy().astype(float)
    prev_rd = firms["prev_rd_expense"].to_numpy().astype(float)
    g1 = rng.uniform(0.95, 1.25, n)
    p1_sales = np.where(np.isnan(prev_rev), sales / g1, prev_rev)
    p1_rd = np.where(np.isnan(prev_rd), rd / g1 * rng.uniform(0.85, 1.1, n), prev_rd)
    g2 = rng.uniform(0.95, 1.25, n)
    p2_sales = p1_sales / g2
    p2_rd = p1_rd / g2 * rng.uniform(0.85, 1.1, n)
    # the domestic share of R&D in earlier years: this year's (the abroad-entrusted part counted at 80% is not domestic)
    domestic_share = 1.0 - np.divide(np.floor(abroad * 0.8), rd, out=np.zeros(n), where=rd > 0)
    na1 = net_assets / rng.uniform(1.0, 1.3, n)
    na2 = na1 / rng.uniform(1.0, 1.3, n)
    reg = firms["registered_on"].fill_null(date(2010, 1, 1))
    reg_year = reg.dt.year().to_numpy().astype(np.int64)
    has_p1 = reg_year <= year - 1
    has_p2 = reg_year <= year - 2
    # --- IP, conversions, management items, expert (self-assessed) scores
    class1 = rng.poisson(np.where(has_hte | ht, 1.6, 0.4) * np.exp(0.3 * quality.clip(-2, 2)))
    class2 = rng.poisson(np.where(has_hte | ht, 7.0, 2.5))
    conv = rng.poisson(np.where(has_hte, 3.0, 1.2)[:, None] * np.ones((1, 3)))

    def expert(maximum: int, lo: float = 0.45) -> np.ndarray:
        frac = np.clip(lo + 0.18 * quality + rng.normal(0.25, 0.15, n), 0, 1)
        return np.round(frac * maximum).astype(np.int64)

    # --- tax
    vat_general = rng.random(n) < 0.95
    audit = rng.random(n) < 0.97
    input_vat = sales * 0.13 * rng.uniform(0.35, 0.7, n)
    taxable = sales * rng.uniform(-0.02, 0.12, n)
    incident = rng.random(n) < 0.005
    incident_day = rng.integers(0, 330, n)
    field_idx = rng.integers(0, len(FIELDS), n)
    flags = rng.random((n, 7)) < np.clip(0.35 + 0.15 * quality, 0.05, 0.95)[:, None]
    # claim flags of the tax incentives (drawn last: the draws above are unchanged); most claim, some do not say
    claims = rng.random((n, 3))
    claim_rd, claim_vat, claim_rate = ([None if x > 0.9 else bool(x < 0.8) for x in claims[:, j]] for j in range(3))

    cols = pl.DataFrame({
        "enterprise_id": firms["enterprise_id"], "year": firms["year"].cast(pl.Int64),
        "uscc": firms["uscc"], "name": firms["name"], "industry_code": firms["industry_code"],
        "registration_date": reg.cast(pl.String),
        "total_revenue": _money(total_revenue), "sales_revenue": _money(sales),
        "high_tech_revenue": _money(total_revenue * ht_share), "manufacturing_sales": _money(sales * mfg_share),
        "total_costs_expenses": _money(sales * rng.uniform(0.8, 0.96, n)), "export_sales": _money(sales * rng.beta(1, 6, n)),
        **{k: _money(parts[:, i]) for i, k in enumerate(("personnel", "direct_input", "depreciation", "amortisation",
                                                          "design_and_trials", "equipment_debugging", "other"))},
        "entrusted_domestic": _money(domestic), "entrusted_abroad": _money(abroad),
        "st_total": pl.Series(staff), "st_staff": pl.Series(st_staff), "college": pl.Series(college),
        "net_assets": _signed(net_assets), "total_assets": _money(total_assets),
        "p1_sales": _money(p1_sales), "p1_na": _signed(na1), "p1_rd": _money(p1_rd), "has_p1": has_p1,
        "p2_sales": _money(p2_sales), "p2_na": _signed(na2), "p2_rd": _money(p2_rd), "has_p2": has_p2,
        "p1_rd_dom": _money(np.floor(np.round(p1_rd) * domestic_share)),
        "p2_rd_dom": _money(np.floor(np.round(p2_rd) * domestic_share)),
        "class1_own": class1, "class2_own": class2, "conv1": conv[:, 0], "conv2": conv[:, 1], "conv3": conv[:, 2],
        **{f"m{i}": flags[:, i] for i in range(7)},
        "incident": incident,
        "incident_day": incident_day,
        "vat_general": vat_general, "audit": audit,
        "input_vat": _money(input_vat), "taxable": _signed(taxable),
        "claim_rd": pl.Series(claim_rd, dtype=pl.Boolean), "claim_vat": pl.Series(claim_vat, dtype=pl.Boolean),
        "claim_rate": pl.Series(claim_rate, dtype=pl.Boolean),
        "hte_issue": firms["hte_issue"].cast(pl.String), "hte_field": np.array(FIELDS)[field_idx],
        "participated": rng.random(n) < 0.2,
        **{f"e_{k}": expert(m) for k, m in (("ip_advancement", 8), ("ip_core_support", 8), ("ip_quantity", 8),
                                            ("ip_acquisition", 6), ("conversion", 30), ("rd_org_rules", 6),
                                            ("rd_institution", 6), ("rd_conversion_rules", 4), ("rd_talent", 4),
                                            ("growth_net_assets", 10), ("growth_sales", 10))},
        "e_ip_standards_bonus": rng.integers(0, 3, n),
    }).with_columns(
        incident_date=pl.date(pl.col("year"), 1, 15) + pl.duration(days=pl.col("incident_day")),
    )
    return cols.select("enterprise_id", "year", data=_package_struct().struct.json_encode())


def _prior(prefix: str, back: int) -> pl.Expr:
    return pl.struct(year=pl.col("year") - back, sales_revenue=pl.col(f"{prefix}_sales"),
                     net_assets=pl.col(f"{prefix}_na"), rd_expense=pl.col(f"{prefix}_rd"),
                     rd_domestic=pl.col(f"{prefix}_rd_dom"))


def _package_struct() -> pl.Expr:
    c = pl.col
    prior_dtype = pl.List(pl.Struct({"year": pl.Int64, "sales_revenue": pl.String, "net_assets": pl.String,
                                     "rd_expense": pl.String, "rd_domestic": pl.String}))
    priors = (pl.when(c("has_p2")).then(pl.concat_list([_prior("p2", 2), _prior("p1", 1)]))
              .when(c("has_p1")).then(pl.concat_list([_prior("p1", 1)]))
              .otherwise(pl.lit([], dtype=prior_dtype)))
    incident_dtype = pl.List(pl.Struct({"type": pl.String, "date": pl.String}))
    incidents = pl.when(c("incident")).then(pl.concat_list([pl.struct(
        type=pl.lit("major_quality_accident"), date=c("incident_date").cast(pl.String))])).otherwise(
        pl.lit([], dtype=incident_dtype))
    management = ("has_rd_rules", "has_rd_ledger", "has_rd_institution", "has_industry_university_cooperation",
                  "has_conversion_rules", "has_open_platform", "has_talent_system")
    experts = ("ip_advancement", "ip_core_support", "ip_quantity", "ip_acquisition", "ip_standards_bonus",
               "conversion", "rd_org_rules", "rd_institution", "rd_conversion_rules", "rd_talent",
               "growth_net_assets", "growth_sales")
    return pl.struct(
        pl.lit("xinzhi.report_once/1").alias("schema"), uscc=c("uscc"), name=c("name"), year=c("year"),
        registration_date=c("registration_date"), industry_code=c("industry_code"),
        revenue=pl.struct(*[c(k) for k in ("total_revenue", "sales_revenue", "high_tech_revenue", "manufacturing_sales",
                                           "total_costs_expenses", "export_sales")]),
        rd_expense=pl.struct(*[c(k) for k in ("personnel", "direct_input", "depreciation", "amortisation",
                                              "design_and_trials", "equipment_debugging", "other",
                                              "entrusted_domestic", "entrusted_abroad")]),
        staff=pl.struct(total=c("st_total"), st_staff=c("st_staff"), college_or_above=c("college")),
        net_assets=c("net_assets"), total_assets=c("total_assets"),
        prior_years=priors,
        ip=pl.struct(class1_own=c("class1_own"), class2_own=c("class2_own")),
        conversions=pl.concat_list([c("conv1"), c("conv2"), c("conv3")]),
        rd_management=pl.struct(**{name: c(f"m{i}") for i, name in enumerate(management)}),
        incidents=incidents,
        tax=pl.struct(collection_method=pl.when(c("audit")).then(pl.lit("audit")).otherwise(pl.lit("deemed")),
                      vat_general_taxpayer=c("vat_general"), creditable_input_vat=c("input_vat"),
                      taxable_income_before_losses=c("taxable"), claims_rd_super_deduction=c("claim_rd"),
                      claims_vat_additional_deduction=c("claim_vat"), claims_hte_rate=c("claim_rate")),
        holdings=pl.struct(hte_certificate_issue_date=c("hte_issue"), hte_field=c("hte_field"),
                           participated_standard=c("participated")),
        expert_scores=pl.struct(**{k: c(f"e_{k}") for k in experts}),
    )
