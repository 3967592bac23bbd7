"""The columnar engine agrees with the scalar engine row by row; what-if counts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from xinzhi.policy.bulk import frame_from_packages, screen_frame
from xinzhi.policy.package import parse_package
from xinzhi.policy.params import load_parameters
from xinzhi.policy.rules import hte, tech_sme

from .generate import packages

N = 400


@pytest.fixture(scope="module")
def parsed():
    return [parse_package(d) for d in packages(N)]


@pytest.fixture(scope="module")
def screened(parsed):
    return screen_frame(frame_from_packages(parsed), date(2024, 12, 31))


def _scalar(p):
    view = load_parameters().at(p.assessment_date)
    h = hte.evaluate(p, view)
    s = tech_sme.evaluate(p, view)
    rd = h.condition("rd_ratio")
    st = h.condition("st_staff_share")
    return {
        "hte_eligible": h.eligible,
        "hte_score": h.score["total"],
        "hte_score_max": h.score["max"],
        "hte_score_gap": h.condition("innovation_score").gap_value,
        "hte_rd_gap_fen": int(rd.gap_value * 100) if rd.met is False else 0,
        "hte_st_staff_gap": st.gap_value,
        **{f"hte_{k}": h.condition(c).met for k, c in (
            ("registration", "registration"), ("ip", "ip"), ("field_ok", "field"), ("st_staff", "st_staff_share"),
            ("rd_ratio", "rd_ratio"), ("rd_domestic", "rd_domestic_share"),
            ("high_tech_revenue", "high_tech_revenue_share"), ("innovation_score", "innovation_score"),
            ("no_incidents", "no_incidents"))},
        "tech_sme_eligible": s.eligible,
        "tech_sme_score": s.score["total"],
        "tech_sme_score_gap": s.condition("evaluation").gap_value,
        "tech_sme_hires_to_nonzero": s.extra["personnel_hires_to_nonzero"],
        "tech_sme_direct": bool(s.extra["direct_qualification"]),
    }


def test_generated_packages_cover_the_interesting_cases(parsed, screened):
    assert screened["hte_eligible"].sum() > 5
    assert screened["hte_eligible"].is_null().sum() > 5
    assert screened["tech_sme_eligible"].sum() > 20
    assert (~screened["tech_sme_eligible"]).sum() > 20
    assert any(p.revenue.sales_revenue in (Decimal(50_000_000), Decimal(200_000_000)) for p in parsed)


def test_bulk_agrees_with_scalar_row_by_row(parsed, screened):
    rows = screened.to_dicts()
    mismatches = []
    for p, row in zip(parsed, rows, strict=True):
        expected = _scalar(p)
        for key, value in expected.items():
            if row[key] != value:
                mismatches.append((p.uscc, key, value, row[key]))
    assert not mismatches, mismatches[:10]


# ---------------------------------------------------------------- tax incentives, columnar vs scalar

TAX_YEARS = (2022, 2024, 2028)  # 75% rate / VAT not yet in force; 100%/120% and VAT; IC rate and VAT expired


def _fen_or_none(value):
    return None if value is None else int(value * 100)


def _scalar_tax(p, year):
    from xinzhi.policy.rules import hte_tax, rd_super_deduction, vat_additional_deduction

    tree = load_parameters()
    taxes = tree.at(date(year, 1, 1))
    sme = tech_sme.evaluate(p, tree.at(p.assessment_date))
    is_hte_year = hte_tax.hte_tax_year(p, year, taxes)
    rate = taxes("income_tax.hte_rate" if is_hte_year else "income_tax.standard_rate")
    rd = rd_super_deduction.evaluate(p, taxes, year, Decimal(rate))
    vat = vat_additional_deduction.evaluate(p, taxes, year)
    ht = hte_tax.evaluate(p, taxes, year, sme.eligible is True)
    vb = vat.benefit or {}
    return {
        "rd_sd_eligible": rd.eligible,
        "rd_sd_extra_fen": _fen_or_none(rd.benefit["extra_deduction"]) if rd.benefit else None,
        "rd_sd_tax_fen": _fen_or_none(rd.benefit["tax_value_estimate"]) if rd.benefit else None,
        "vat_eligible": vat.eligible,
        "vat_accrued_fen": _fen_or_none(vb.get("accrued")),
        "vat_available_fen": _fen_or_none(vb.get("available")),
        "vat_used_fen": _fen_or_none(vb.get("used")),
        "vat_benefit_fen": _fen_or_none(vb.get("benefit_yuan")),
        "hte_tax_eligible": ht.eligible,
        "hte_tax_benefit_fen": _fen_or_none(ht.benefit["benefit_yuan"]) if ht.benefit else None,
    }


@pytest.mark.parametrize("year", TAX_YEARS)
def test_tax_incentives_bulk_agree_with_scalar_row_by_row(year):
    from xinzhi.policy.bulk import screen_taxes

    parsed = [parse_package(d) for d in packages(300, seed=year, year=year)]
    frame = frame_from_packages(parsed)
    on = date(year, 12, 31)
    out = screen_taxes(frame, year, tech_sme_now=screen_frame(frame, on)["tech_sme_eligible"])
    rows = out.to_dicts()
    mismatches = []
    for p, row in zip(parsed, rows, strict=True):
        for key, value in _scalar_tax(p, year).items():
            if row[key] != value:
                mismatches.append((p.uscc, key, value, row[key]))
    assert not mismatches, mismatches[:10]
    if year == 2024:  # the generated packages reach the interesting branches
        assert out["rd_sd_eligible"].sum() > 50 and (~out["rd_sd_eligible"]).sum() > 20
        assert out["vat_eligible"].sum() > 3
        assert out["hte_tax_eligible"].sum() > 20
        assert (out["hte_tax_benefit_fen"].fill_null(0) > 0).sum() > 20
        special = [r for p, r in zip(parsed, rows, strict=True)
                   if (p.tax.ic_enterprise or p.tax.industrial_mother_machine_enterprise) and r["rd_sd_eligible"]]
        assert special


# ---------------------------------------------------------------- integer width, cached expressions


def test_int64_and_int128_paths_agree(parsed, screened, monkeypatch):
    """The HTE money arithmetic runs in Int64 when the bound check allows it; forced to Int128, same frame."""
    from xinzhi.policy import bulk

    frame = frame_from_packages(parsed)
    view = load_parameters().at(date(2024, 12, 31))
    assert bulk._int64_bounds(bulk._int64_constants(view), bulk._magnitude(frame)) < bulk.INT64_LIMIT  # Int64 here
    monkeypatch.setattr(bulk, "INT64_LIMIT", 0)  # every frame "too large": Int128
    wide = screen_frame(frame, date(2024, 12, 31))
    assert wide.equals(screened)
    assert wide.schema == screened.schema


def _scaled(data, factor):
    """A package with every amount × factor (yuan), counts and dates unchanged."""
    def scale(x):
        return str(int(x) * factor)

    data = {**data, "revenue": {k: scale(v) for k, v in data["revenue"].items()},
            "rd_expense": {k: scale(v) for k, v in data["rd_expense"].items()},
            "net_assets": scale(data["net_assets"]), "total_assets": scale(data["total_assets"]),
            "prior_years": [{**y, **{k: scale(y[k]) for k in ("sales_revenue", "net_assets", "rd_expense")}}
                            for y in data["prior_years"]]}
    return data


def test_huge_amounts_use_int128_and_agree_with_scalar(monkeypatch):
    """Amounts up to ~1.2×10^18 fen (3×10^7 times the generated ones): Int64 would overflow (the 3-year R&D
    sum × the ratio denominator), so the bound check picks Int128; results agree with the scalar engine."""
    from xinzhi.policy import bulk

    parsed_big = [parse_package(_scaled(d, 30_000_000)) for d in packages(120, seed=11)]
    frame = frame_from_packages(parsed_big)
    on = date(2024, 12, 31)
    assert bulk._magnitude(frame) > 10**18
    assert bulk._int64_bounds(bulk._int64_constants(load_parameters().at(on)), bulk._magnitude(frame)) \
        >= bulk.INT64_LIMIT
    out = screen_frame(frame, on)
    rows = out.to_dicts()
    mismatches = [(p.uscc, key, value, row[key]) for p, row in zip(parsed_big, rows, strict=True)
                  for key, value in _scalar(p).items() if row[key] != value]
    assert not mismatches, mismatches[:10]
    monkeypatch.setattr(bulk, "INT64_LIMIT", 2**200)  # the check bypassed: Int64 wraps, results change
    assert not screen_frame(frame, on).equals(out)


def test_cached_expressions_follow_the_tree(parsed, screened):
    """Expressions are kept per parameter tree: an overridden tree gets its own, the base tree keeps its."""
    frame = frame_from_packages(parsed)
    on = date(2024, 12, 31)
    tree = load_parameters()
    looser = screen_frame(frame, on, tree.with_overrides({"hte.st_staff_min_share": Decimal("0.01")}))
    again = screen_frame(frame, on, tree)
    assert again.equals(screened)
    assert looser["hte_st_staff"].sum() > screened["hte_st_staff"].sum()
    stricter = screen_frame(frame, on, tree.with_overrides({"hte.score.pass_min": 100}))
    assert stricter["hte_innovation_score"].fill_null(False).sum() == 0
    assert screen_frame(frame, on, tree).equals(screened)
    hte_only = screen_frame(frame, on, tree, programs=("hte",))
    assert hte_only.equals(screened.drop([c for c in screened.columns if c.startswith("tech_sme_")]))
