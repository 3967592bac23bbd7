"""The catalogue holds the seed's targets as data, and the docs list every indicator."""

from __future__ import annotations

from pathlib import Path

import pytest

from xinzhi.monitoring.catalogue import CatalogueError, load_catalogue, parse_catalogue

DOCS = Path(__file__).resolve().parents[3] / "docs" / "monitoring.md"

# (indicator, comparator, value) as written in the seed (seed_en.md §I table and §II tasks 4, 5, 12, 14)
SEED_TARGETS = [
    ("ht_va_share", ">", 67.5),
    ("ht_investment_share", "about", 16.0),
    ("rd_intensity", ">", 3.15),
    ("new_product_rate", ">=", 40.0),
    ("new_hte", ">=", 5000),
    ("new_tech_sme", ">=", 12000),
    ("new_advanced_service", ">=", 20),
    ("new_national_tech_centre", ">=", 5),
    ("new_provincial_tech_centre", ">=", 130),
    ("new_provincial_key_institute", ">=", 60),
    ("new_provincial_institute", ">=", 220),
    ("new_product_approvals", ">=", 5000),
    ("excellent_new_products", ">=", 100),
    ("advanced_achievements", ">=", 100),
    ("st_projects_enterprise_involved", ">=", 80.0),
    ("st_projects_enterprise_led", ">=", 70.0),
]


@pytest.mark.parametrize(("indicator", "comparator", "value"), SEED_TARGETS)
def test_seed_targets(indicator, comparator, value):
    ind = load_catalogue()[indicator]
    assert ind.target["comparator"] == comparator
    assert ind.target["value"] == value
    assert ind.target["year"] == 2025
    assert "2025年工业科技创新工作要点" in load_catalogue().citation(ind)


def test_faster_than_and_raise():
    cat = load_catalogue()
    assert cat["ht_investment_growth"].target["comparator"] == "faster_than"
    assert cat["ht_investment_growth"].target["indicator"] == "fai_growth"
    for ind in ("hte_share", "rd_institution_coverage", "rd_activity_coverage"):
        assert cat[ind].goal["direction"] == "raise"
        assert cat[ind].target is None


def test_every_registry_is_built():
    """The five programme indicators read xinzhi.programs (issue 17); none is marked unavailable any more."""
    cat = load_catalogue()
    assert {i.id for i in cat if not i.available} == set()
    assert cat["st_projects_enterprise_led"].numerator == {"flag": "led"}


def test_catalogue_validation():
    bad = {"indicators": {"x": {
        "name_zh": "x", "name_en": "x", "unit": "%", "direction": "up", "kind": "ratio", "source": "s",
        "frequency": "monthly", "precision": 1, "levels": ["province"],
    }}}
    with pytest.raises(CatalogueError):
        parse_catalogue(bad)


def test_docs_list_every_indicator():
    text = DOCS.read_text(encoding="utf-8")
    for ind in load_catalogue():
        assert f"`{ind.id}`" in text, ind.id
