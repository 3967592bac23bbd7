"""The one number formatter: the scalar and the column forms agree, and the renderers use it."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import polars as pl

from xinzhi.core.numbers import fixed, fixed_expr, wan_figure, yuan_text
from xinzhi.reports.formatting import format_number


def test_scalar_and_column_forms_agree_on_many_values():
    rng = np.random.default_rng(7)
    values = np.concatenate([rng.normal(0, 1000, 40_000), rng.normal(0, 3, 40_000),
                             np.round(rng.normal(0, 50, 20_000), 3),  # written with 3 decimals: …5 cases
                             [0.0, -0.0, 0.05, -0.05, 2.345, -2.345, 1e9, -1e-9]])
    frame = pl.DataFrame({"v": values})
    for decimals in (0, 1, 2):
        for thousands in (False, True):
            for signed in (False, True):
                column = frame.select(fixed_expr(pl.col("v"), decimals, thousands, signed)).to_series().to_list()
                scalar = [fixed(float(v), decimals, thousands, signed) for v in values]
                assert column == scalar, (decimals, thousands, signed)


def test_rounding_is_half_away_from_zero_and_zero_has_no_sign():
    assert fixed(2.345, 2) == "2.35" and fixed(-2.345, 2) == "-2.35"  # as written, not as stored in binary
    assert fixed(0.04, 1, signed=True) == "0.0" and fixed(-0.04, 1) == "0.0"
    assert fixed(4.98, 1, signed=True) == "+5.0" and fixed(-4.98, 1, signed=True) == "-5.0"
    assert fixed(1234567.891, 1, thousands=True) == "1,234,567.9"
    assert fixed(None, 1) is None and fixed(float("nan"), 1) is None


def test_reports_print_what_the_page_shows():
    # Python's format() rounds the binary value (2.675 → "2.67"); the page and the report both print 2.68
    assert format(2.675, ".2f") == "2.67"
    assert format_number(2.675, 2) == fixed(2.675, 2) == "2.68"
    assert format_number(-0.001, 2, signed=True) == "0.00"
    assert format_number(1234, None) == "1,234" and format_number(8.2, 1, signed=True) == "+8.2"


def test_money_reads_in_wan_from_one_wan():
    assert yuan_text(Decimal("5671111.11")) == "567.11万元" and yuan_text(5000) == "5,000元"
    assert wan_figure(12_345_678) == "1,234.6" and wan_figure(None) == "—" and wan_figure(-50_000) == "-5.0"
