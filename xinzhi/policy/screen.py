"""One answer per programme for one enterprise and year: ``screen(package, year) -> dict``.

For each programme: eligible or not (``None`` when data or expert scores are still missing), the
score and its parts, each condition with the enterprise's value, the threshold and the citation,
the benefit in yuan where one applies (Decimal amounts serialised as strings), and the gaps — what
would change the answer. Deterministic; ``trace`` lists every parameter used, with its dates and
reference, and which of them are unverified.

Dates: recognition rules (HTE, tech-SME, advanced service) use the parameters in force on the
application date (``application_date``, default 31 December of the year); tax rules use those in
force on 1 January of the tax year and note any change within the year.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from .package import AnnualPackage
from .params import ParameterTree, ParameterView, jsonable, load_parameters
from .rules import advanced_service, hte, hte_tax, rd_super_deduction, tech_sme, vat_additional_deduction
from .rules.common import STATUS_LABELS, ProgramResult

SCHEMA = "xinzhi.screen/1"


def assessment_date(package: AnnualPackage, year: int) -> date:
    if package.application_date is not None and year == package.year:
        return package.application_date
    return date(year, 12, 31)


def run(package: AnnualPackage, year: int, tree: ParameterTree) -> tuple[list[ProgramResult], list[ParameterView]]:
    """Evaluate every programme; returns the results and the parameter views used (for the trace)."""
    recognition = tree.at(assessment_date(package, year))
    taxes = tree.at(date(year, 1, 1))
    hte_result = hte.evaluate(package, recognition)
    sme_result = tech_sme.evaluate(package, recognition)
    service_result = advanced_service.evaluate(package, recognition)
    is_hte_year = hte_tax.hte_tax_year(package, year, taxes)
    rate = taxes("income_tax.hte_rate" if is_hte_year else "income_tax.standard_rate")
    results = [
        hte_result,
        sme_result,
        service_result,
        rd_super_deduction.evaluate(package, taxes, year, Decimal(rate)),
        vat_additional_deduction.evaluate(package, taxes, year),
        hte_tax.evaluate(package, taxes, year, sme_result.eligible is True),
    ]
    return results, [recognition, taxes]


def summary_line(result: ProgramResult) -> str:
    text = f"{result.label}：{STATUS_LABELS.get(result.status, result.status)}"
    if result.extra.get("summary"):
        text += "，" + result.extra["summary"]
    elif result.gaps:
        text += f"（差距{len(result.gaps)}项）"
    return text


def trace(views: list[ParameterView]) -> dict[str, Any]:
    entries: dict[tuple[str, str], dict[str, Any]] = {}
    for view in views:
        for item in view.trace_list():
            item["on"] = view.on.isoformat()
            entries[(item["name"], item["from"])] = item
    params = [entries[k] for k in sorted(entries)]
    return {"parameters": params, "unverified": sorted({p["name"] for p in params if p["unverified"]})}


def screen(package: AnnualPackage, year: int | None = None, tree: ParameterTree | None = None) -> dict[str, Any]:
    """Screen one package for every programme; JSON-ready dict (money as strings)."""
    year = year or package.year
    tree = tree or load_parameters()
    results, views = run(package, year, tree)
    out: dict[str, Any] = {
        "schema": SCHEMA,
        "enterprise": {"uscc": package.uscc, "name": package.name},
        "year": year,
        "data_year": package.year,
        "assessment_date": assessment_date(package, year).isoformat(),
        "summary": [summary_line(r) for r in results],
        "programs": {r.program: r.as_dict() for r in results},
        "trace": trace(views),
    }
    if year != package.year:
        out["notes"] = [f"数据年度为{package.year}年，按{year}年度的规则参数计算"]
    return jsonable(out)
