"""HTE income-tax preference and the 10-year loss carry-forward (parameters of 1 January of the tax year).

* 《中华人民共和国企业所得税法》第二十八条第二款: 15% for HTEs, instead of the 25% of 第四条, for the tax
  years the certificate covers (from the year it is issued).
* Losses: 5 years (第十八条); 财税〔2018〕76号 from 2018-01-01: a year with HTE or tech-SME status carries
  the losses of the 5 years before it forward for up to 10 years (status years: the package's list, the
  certificate's tax years, this year's tech-SME answer).
* Benefit = tax at the standard rate with 5-year losses − tax with the preferences; the same formula
  with "certified this year" gives what an enterprise not yet certified would save (the HTE
  recognition's benefit: one formula for both).
"""

from __future__ import annotations

import polars as pl

from ..conditions import WIDE, Condition, Flag, Width, all_met, compile_stage, scale_floor
from ..params import ParameterView

P = "hte_income_tax"

CONDITIONS: tuple[Condition, ...] = (
    Condition(P, "hte_tax_year", "有效的高企证书", Flag("hte_income_tax.hte_tax_year"), "该纳税年度在高新技术企业证书覆盖的年度内",
              ("income_tax.hte_rate", "income_tax.hte_tax_years"),
              threshold="自证书颁发年度起的{income_tax.hte_tax_years}内",
              gap="取得高新技术企业证书后，自颁发证书之日所在年度起享受{income_tax.hte_rate}税率", value="{certificate}",
              stage=1),
)


def hte_tax_year(v: ParameterView, year: int) -> pl.Expr:
    """The certificate covers the tax year: issue year ≤ year < issue year + ``hte_tax_years``."""
    issued = pl.col("hte_issue").dt.year().cast(pl.Int64)
    return ((issued <= year) & (pl.lit(year, dtype=pl.Int64) < issued + v("income_tax.hte_tax_years"))).fill_null(False)


def losses(frame: pl.DataFrame, v: ParameterView, year: int) -> pl.DataFrame:
    """Per row of ``frame`` (same order): usable losses (fen) with 5 years, and with the extension with and
    without a status this year (this year's tech-SME answer, or a certificate if certified now); and each
    loss's window both ways. Losses are offset up to the income, oldest first — the sum is
    min(income, Σ losses within their window). Computed on the loss columns only (narrow), before the query."""
    general = v("income_tax.loss_years_general")
    narrow = frame.select(_i=pl.int_range(0, frame.height, dtype=pl.UInt32),
                          _issue=pl.col("hte_issue").dt.year().cast(pl.Int64), q="qualified_years",
                          ly="loss_years", amt="loss_amounts")
    rows = narrow.select("_i", "_issue", "q", "ly", "amt").explode(["ly", "amt"]).drop_nulls("ly")
    if v.in_force("income_tax.loss_years_qualified"):
        lookback, extended = v("income_tax.loss_lookback_years"), v("income_tax.loss_years_qualified")
        start = v.entry("income_tax.loss_years_qualified").start.year
        years = v("income_tax.hte_tax_years")
        lo = pl.max_horizontal(pl.lit(start), pl.col("ly") + 1)
        hi = pl.min_horizontal(pl.col("ly") + lookback, pl.lit(year))
        iy = pl.col("_issue")
        by_cert = (iy.is_not_null() & (pl.max_horizontal(lo, iy) <= pl.min_horizontal(hi, iy + years - 1))).fill_null(False)
        now = (lo <= year) & (pl.col("ly") + lookback >= year)  # a status this year extends this loss
        listed = (rows.select("_i", "ly", "q").explode("q").drop_nulls("q")
                  .filter((pl.col("q") <= year) & (pl.col("q") >= pl.max_horizontal(pl.lit(start), pl.col("ly") + 1))
                          & (pl.col("q") <= pl.col("ly") + lookback))
                  .select("_i", "ly").unique().with_columns(_listed=pl.lit(True)))
        rows = rows.join(listed, on=["_i", "ly"], how="left", maintain_order="left")
        base = by_cert | pl.col("_listed").fill_null(False)
        rows = rows.with_columns(w0=pl.when(base).then(pl.lit(extended)).otherwise(pl.lit(general)),
                                 w1=pl.when(base | now).then(pl.lit(extended)).otherwise(pl.lit(general)))
    else:
        rows = rows.with_columns(w0=pl.lit(general), w1=pl.lit(general))
    age = year - pl.col("ly")
    per_row = rows.group_by("_i").agg(
        _loss_general=pl.when(age <= general).then(pl.col("amt")).otherwise(0).sum(),
        _loss_ext0=pl.when(age <= pl.col("w0")).then(pl.col("amt")).otherwise(0).sum(),
        _loss_ext1=pl.when(age <= pl.col("w1")).then(pl.col("amt")).otherwise(0).sum(),
        _windows0=pl.struct(year=pl.col("ly"), years=pl.col("w0")),
        _windows1=pl.struct(year=pl.col("ly"), years=pl.col("w1")),
    )
    return narrow.select("_i").join(per_row, on="_i", how="left", maintain_order="left").drop("_i")


def stages(v: ParameterView, w: Width, ctx: object = None) -> list[dict[str, pl.Expr]]:
    """Stage 1: the certificate's tax years, the condition; 2: tax with and without the preferences."""
    year = ctx.year  # type: ignore[attr-defined]
    k = WIDE
    first = {f"{P}.hte_tax_year": hte_tax_year(v, year)}
    income = k.col("taxable_income")
    positive = pl.max_horizontal(k.lit(0), income)
    standard, reduced = v.fraction("income_tax.standard_rate"), v.fraction("income_tax.hte_rate")
    general = pl.min_horizontal(positive, k.col0("_loss_general"))
    sme = pl.col("tech_sme.eligible").fill_null(False)
    tax_general = scale_floor(positive - general, standard, k)

    def tax_with(losses: str, hte: pl.Expr) -> pl.Expr:
        offset = pl.min_horizontal(positive, k.col0(losses))
        return pl.when(hte).then(scale_floor(positive - offset, reduced, k)).otherwise(
            scale_floor(positive - offset, standard, k))

    def unless_no_income(expr: pl.Expr) -> pl.Expr:
        return pl.when(income.is_null()).then(pl.lit(None, dtype=k.dtype)).otherwise(expr)

    tax_pref = pl.when(sme).then(tax_with("_loss_ext1", pl.col(f"{P}.hte_tax_year"))).otherwise(
        tax_with("_loss_ext0", pl.col(f"{P}.hte_tax_year")))
    extended = pl.when(sme).then(k.col0("_loss_ext1")).otherwise(k.col0("_loss_ext0"))
    second = {
        **compile_stage(CONDITIONS, 1, v, k),
        f"{P}.losses_offset_general": unless_no_income(general),
        f"{P}.losses_offset_with_preference": unless_no_income(pl.min_horizontal(positive, extended)),
        f"{P}.loss_windows": pl.when(sme).then(pl.col("_windows1")).otherwise(pl.col("_windows0")),
        f"{P}.tax_at_standard_rate": unless_no_income(tax_general),
        f"{P}.tax_with_preference": unless_no_income(tax_pref),
        f"{P}.benefit": unless_no_income(tax_general - tax_pref),
        f"{P}.benefit_if_certified": unless_no_income(tax_general - tax_with("_loss_ext1", pl.lit(True))),
    }
    return [first, second, {f"{P}.eligible": all_met(CONDITIONS, v)}]


OUTPUTS = ("hte_income_tax.eligible", "hte_income_tax.benefit", "hte_income_tax.benefit_if_certified")
