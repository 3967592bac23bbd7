"""The one definition of "holds a valid high-tech enterprise (HTE) certificate on date D".

Used by monitoring (the HTE share of above-scale enterprises), screening (who already holds the
recognition) and cultivation sampling (the certified population). Pure module: no Django.

Rule (国科发火〔2016〕32号《高新技术企业认定管理办法》, policy_criteria.md §1): the qualification is
valid for ``hte.validity_years`` years **from the certificate's issue date** (自颁发证书之日起有效期为三年),
so a certificate issued on ``I`` is valid on every day ``D`` with ``I ≤ D ≤ I + N years − 1 day``,
where ``N`` is the parameter value in force on the issue date (``xinzhi/policy/parameters/hte.toml``).
A stored end date earlier than that (``expires_on``: the qualification was cancelled early) ends it
sooner; a later stored date does not extend it. A certificate without an issue date is taken as issued
on 31 December of its recognition year (the latest date the year allows), the same date monitoring
counts it on (``recognition_date_expr``).
"""

from __future__ import annotations

from datetime import date

import polars as pl

from .params import Parameter, ParameterTree

VALIDITY_PARAMETER = "hte.validity_years"


def _parameter(tree: ParameterTree) -> Parameter:
    return tree.get(VALIDITY_PARAMETER)


def validity_years(tree: ParameterTree, issued: date) -> int:
    """Years of validity of a certificate issued on ``issued`` (the value in force on that day)."""
    return int(_parameter(tree).at(issued).value)


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February → 28 February, as Polars' offset_by does
        return day.replace(year=day.year + years, day=28)


def certificate_expiry(issued: date, tree: ParameterTree, ends_on: date | None = None) -> date:
    """The last day a certificate issued on ``issued`` is valid."""
    end = date.fromordinal(_add_years(issued, validity_years(tree, issued)).toordinal() - 1)
    return min(end, ends_on) if ends_on is not None else end


def valid_on(issued: date | None, on: date, tree: ParameterTree, ends_on: date | None = None) -> bool:
    """Whether a certificate issued on ``issued`` is valid on ``on``."""
    return issued is not None and issued <= on <= certificate_expiry(issued, tree, ends_on)


def expiry_expr(issued: pl.Expr, tree: ParameterTree) -> pl.Expr:
    """Columnar :func:`certificate_expiry` (without an early end): per row, the years in force on its issue date."""
    out: pl.Expr | None = None
    for item in _parameter(tree).values:  # sorted by start: a later-starting value wins, as Parameter.at
        covers = issued >= pl.lit(item.start)
        if item.end is not None:
            covers = covers & (issued <= pl.lit(item.end))
        end = issued.dt.offset_by(f"{int(item.value)}y").dt.offset_by("-1d")
        out = pl.when(covers).then(end) if out is None else pl.when(covers).then(end).otherwise(out)
    if out is None:
        return pl.lit(None, pl.Date)
    return out


def valid_on_expr(issued: pl.Expr, on: date | pl.Expr, tree: ParameterTree, ends_on: pl.Expr | None = None) -> pl.Expr:
    """Columnar :func:`valid_on`; null issue dates are not valid."""
    day = pl.lit(on) if isinstance(on, date) else on
    end = expiry_expr(issued, tree)
    if ends_on is not None:
        end = pl.min_horizontal(end, pl.coalesce(ends_on, end))
    return (issued.is_not_null() & (issued <= day) & (day <= end)).fill_null(False)


def recognition_date_expr(issued: str = "issued_on", year: str = "year") -> pl.Expr:
    """The date a recognition counts from: the issue date, else 31 December of its recognition year."""
    fallback = pl.date(pl.col(year), 12, 31)
    return pl.coalesce(pl.col(issued).cast(pl.Date), fallback)


def holders(certifications: pl.DataFrame, on: date, tree: ParameterTree) -> pl.DataFrame:
    """``enterprise_id`` of every enterprise holding a valid HTE certificate on ``on``.

    ``certifications`` has ``enterprise_id, program`` and ``issued_on`` and/or ``year``; an ``expires_on``
    column, if present, ends a certificate early. Rows of other programmes are ignored.
    """
    frame = certifications.filter(pl.col("program") == "hte")
    if "issued_on" not in frame.columns:
        frame = frame.with_columns(issued_on=pl.lit(None, pl.Date))
    if "year" not in frame.columns:
        frame = frame.with_columns(year=pl.lit(None, pl.Int64))
    ends = pl.col("expires_on").cast(pl.Date) if "expires_on" in frame.columns else None
    valid = valid_on_expr(recognition_date_expr(), on, tree, ends)
    return frame.filter(valid).select("enterprise_id").unique()
