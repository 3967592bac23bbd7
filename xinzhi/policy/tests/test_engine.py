"""The one engine: a row answers the same alone and in the register; integer widths; cached expressions
per parameter tree (what-if); years outside the parameters refused in Chinese; the trace."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from xinzhi.policy import engine, register
from xinzhi.policy.engine import YearNotCovered
from xinzhi.policy.frame import frame_from_json, frame_from_packages
from xinzhi.policy.package import parse_package
from xinzhi.policy.params import load_parameters
from xinzhi.policy.programmes import REGISTRY
from xinzhi.policy.screen import screen
from xinzhi.policy.variables import hte as hte_vars

from .cases import base_package
from .generate import packages

N = 400


@pytest.fixture(scope="module")
def generated():
    return [parse_package(d) for d in packages(N)]


@pytest.fixture(scope="module")
def frame(generated):
    return frame_from_packages(generated)


@pytest.fixture(scope="module")
def screened(frame):
    return engine.run(frame, 2024)


def test_generated_packages_reach_the_interesting_branches(generated, screened):
    assert screened["hte.eligible"].sum() > 5 and screened["hte.eligible"].is_null().sum() >= 3
    assert screened["hte.rd_domestic_share"].is_null().sum() > 5  # earlier years' domestic R&D not reported
    assert screened["tech_sme.eligible"].sum() > 20 and (~screened["tech_sme.eligible"]).sum() > 20
    assert screened["rd_super_deduction.eligible"].sum() > 50
    assert screened["vat_additional_deduction.eligible"].sum() > 3
    assert (screened["hte_income_tax.benefit"].fill_null(0) > 0).sum() > 20
    assert any(p.revenue.sales_revenue in (Decimal(50_000_000), Decimal(200_000_000)) for p in generated)


def test_one_row_equals_its_row_in_the_register(frame, screened):
    """Every column of every programme: each package alone gives exactly its row of the whole run."""
    for i in range(0, N, 7):
        assert engine.run(frame.slice(i, 1), 2024).row(0, named=True) == screened.row(i, named=True), i


def test_the_json_flattener_and_the_parsed_package_give_the_same_frame(generated):
    texts = [json.dumps(d, default=str) for d in packages(N)]
    assert frame_from_json(texts).equals(frame_from_packages(generated))


def test_int64_and_int128_paths_agree(frame, screened, monkeypatch):
    view = load_parameters().at(date(2024, 12, 31))
    assert hte_vars.int64_bounds(hte_vars.int64_constants(view), hte_vars.magnitude(frame)) < hte_vars.INT64_LIMIT
    monkeypatch.setattr(hte_vars, "INT64_LIMIT", 0)  # every frame "too large": Int128
    wide = engine.run(frame, 2024)
    assert wide.equals(screened) and wide.schema == screened.schema


def _scaled(data, factor):
    def scale(x):
        return str(int(x) * factor)

    return {**data, "revenue": {k: scale(v) for k, v in data["revenue"].items()},
            "rd_expense": {k: scale(v) for k, v in data["rd_expense"].items()},
            "net_assets": scale(data["net_assets"]), "total_assets": scale(data["total_assets"]),
            "prior_years": [{**y, **{k: scale(y[k]) for k in ("sales_revenue", "net_assets", "rd_expense", "rd_domestic")
                                     if k in y}} for y in data["prior_years"]]}


def test_huge_amounts_take_int128_and_agree_row_by_row(monkeypatch):
    """Amounts of ~10^18 fen: Int64 would overflow (the 3-year R&D sum × the ratio denominator), so the bound
    check picks Int128; each row alone (also Int128) answers the same."""
    big = frame_from_packages([parse_package(_scaled(d, 30_000_000)) for d in packages(60, seed=11)])
    assert hte_vars.magnitude(big) > 10**18
    out = engine.run(big, 2024, programmes=("hte",), benefits=False, outputs=hte_vars.OUTPUTS)
    for i in range(0, 60, 6):
        alone = engine.run(big.slice(i, 1), 2024, programmes=("hte",), benefits=False, outputs=hte_vars.OUTPUTS)
        assert alone.row(0) == out.row(i)
    monkeypatch.setattr(hte_vars, "INT64_LIMIT", 2**200)  # the check bypassed: Int64 wraps, results change
    assert not engine.run(big, 2024, programmes=("hte",), benefits=False, outputs=hte_vars.OUTPUTS).equals(out)


def test_cached_expressions_follow_the_tree(frame, screened):
    tree = load_parameters()
    looser = engine.run(frame, 2024, tree.with_overrides({"hte.st_staff_min_share": Decimal("0.01")}))
    assert engine.run(frame, 2024, tree).equals(screened)
    assert looser["hte.st_staff_share"].sum() > screened["hte.st_staff_share"].sum()
    stricter = engine.run(frame, 2024, tree.with_overrides({"hte.score.pass_min": 100}))
    assert stricter["hte.innovation_score"].fill_null(False).sum() == 0
    assert engine.run(frame, 2024, tree).equals(screened)


def test_a_parameter_change_is_seen_by_every_programme_that_reads_it(frame, screened):
    """The income-tax rates feed the HTE benefit, the HTE income tax and the super deduction's value; the
    certificate's validity feeds HTE holders, the tech-SME direct path, the list and the VAT deduction."""
    tree = load_parameters()
    rate = engine.run(frame, 2024, tree.with_overrides({"income_tax.hte_rate": Decimal("0.10")}))
    for column in ("hte_income_tax.benefit_if_certified", "hte_income_tax.benefit", "rd_super_deduction.tax_value"):
        assert rate[column].fill_null(0).sum() != screened[column].fill_null(0).sum(), column
    longer = engine.run(frame, 2024, tree.with_overrides({"hte.validity_years": 6}))
    for column in ("hte.certified", "tech_sme.direct_hte", "advanced_manufacturing.hte"):
        assert longer[column].sum() > screened[column].sum(), column


def test_a_dated_pass_mark_changes_the_answer_and_every_list_sentence(frame):
    """The doc's example: a pass mark of 75 from 2025-01-01 — 2024 keeps 71, 2025 uses 75, and the lists'
    gap sentences name the number in force."""
    tree = load_parameters().with_overrides({"hte.score.pass_min": 75}, start=date(2025, 1, 1))
    long24 = register.long_results(register.screen_all(frame, 2024, tree), 2024, tree)
    long25 = register.long_results(register.screen_all(frame, 2025, tree), 2025, tree)
    assert long24["gap_text"].str.contains("可达到71分").any() and not long24["gap_text"].str.contains("可达到75分").any()
    assert long25["gap_text"].str.contains("可达到75分").any() and not long25["gap_text"].str.contains("可达到71分").any()


# ---------------------------------------------------------------- years


@pytest.mark.parametrize("year,first", [(2016, 2018), (2017, 2018)])
def test_a_year_before_the_parameters_is_refused_in_chinese(year, first):
    package = parse_package({**base_package(), "year": year, "prior_years": []})
    with pytest.raises(YearNotCovered) as exc:
        screen(package)
    message = str(exc.value)
    assert f"无法计算{year}年度" in message and "研发费用加计扣除的政策参数自2018年起" in message
    assert f"可计算{first}年及以后的年度" in message and "Error" not in message


def test_every_accepted_year_answers_every_programme():
    """From the first year covered to the last year with dated values, every programme answers (the VAT
    deduction outside 2023–2027 as 政策不在执行期内)."""
    for year in range(2018, 2030):
        data = {**base_package(), "year": year, "registration_date": "2010-01-01",
                "prior_years": [{**y, "year": year - 2 + i} for i, y in enumerate(base_package()["prior_years"])]}
        answer = screen(parse_package(data))
        assert set(answer["programs"]) == {p.key for p in REGISTRY}
        vat = answer["programs"]["vat_additional_deduction"]["status"]
        assert (vat == "not_in_force") == (not 2023 <= year <= 2027), year


def test_first_covered_years():
    tree = load_parameters()
    assert engine.first_covered_year(tree, "hte") == 2016
    assert engine.first_covered_year(tree, "tech_sme") == 2017
    assert engine.first_covered_year(tree, "rd_super_deduction") == 2018


# ---------------------------------------------------------------- trace


def test_the_trace_lists_each_parameter_read_with_its_citation():
    answer = screen(parse_package(base_package()))
    traced = {p["name"]: p for p in answer["trace"]["parameters"]}
    for p in REGISTRY:  # every parameter a shown condition cites was read, and is traced with its citation
        for c in answer["programs"][p.key]["conditions"]:
            for citation in c["citations"]:
                assert any(t["reference"] == citation["text"] for t in traced.values()), (p.key, c["key"])
    for name in ("hte.st_staff_min_share", "hte.score.growth_bands", "rd_super_deduction.expensed_extra_rate",
                 "income_tax.standard_rate", "vat_additional_deduction.rate", "hte.validity_years"):
        assert name in traced and traced[name]["reference"] and traced[name]["from"], name
    assert traced["income_tax.standard_rate"]["reference"] == "《中华人民共和国企业所得税法》第四条"
    assert "income_tax.standard_rate" not in answer["trace"]["unverified"]
    assert "rd_super_deduction.negative_list" in answer["trace"]["unverified"]


def test_register_outputs_exist(frame):
    """The lists read only columns the engine computes (a renamed column would silently vanish)."""
    built = engine.built(load_parameters(), 2024)
    missing = [c for c in register.outputs() if c not in built.columns and c not in frame.columns]
    assert not missing, missing
