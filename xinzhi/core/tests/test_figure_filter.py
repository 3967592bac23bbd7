"""Stored fixed-point numbers print without trailing zeros: “181.0000人” read as 181人."""

from django.template.loader import render_to_string

from xinzhi.core.templatetags.numbers import figure


def test_figure_drops_trailing_zeros_and_groups_thousands():
    assert [figure(x) for x in ("181.0000", "5.2500", "12345.60", "0.0000", "-3.5000", None, "abc")] == [
        "181", "5.25", "12,345.6", "0", "-3.5", "—", "abc"]


def test_evaluation_indicator_values_read_as_figures():
    results = [{"name": "研发人员数", "value": "181.0000", "unit": "人", "points": "8.00", "weight": "10",
                "explanation": ""}, {"name": "研发投入强度", "value": None, "unit": "%", "points": "0", "weight": "10",
                                     "explanation": ""}]
    html = render_to_string("evaluation/_indicators.html", {"results": results})
    assert "181人" in html and "181.0000" not in html and "—" in html
