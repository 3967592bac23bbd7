"""Number formatting and text measuring shared by the renderers, so every format shows the same figures."""

from __future__ import annotations

import math
import unicodedata

from .document import MISSING, Column, KeyFigure, Table, Value


def is_number(value: object) -> bool:
    """True for int/float (not bool) that is finite."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def format_number(value: float, decimals: int | None = None, thousands: bool = True, signed: bool = False) -> str:
    """Format like Excel would with :func:`excel_number_format` (``1,234.5``, ``+8.2``)."""
    if decimals is None:
        decimals = 0 if isinstance(value, int) else 2
    spec = f"{',' if thousands else ''}.{decimals}f"
    text = format(value, spec)
    if text.startswith("-") and float(text.replace(",", "")) == 0:
        text = text[1:]  # no "-0.0"
    if signed and not text.startswith("-") and value != 0 and float(text.replace(",", "")) != 0:
        text = "+" + text
    return text


def format_value(value: Value, column: Column | None = None) -> str:
    """Display text of a cell value under a column's number format."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return MISSING
    if is_number(value):
        if column is None:
            return format_number(value)
        return format_number(value, column.decimals, column.thousands, column.signed)
    return str(value)


def format_figure(figure: KeyFigure) -> str:
    """Display text of a key figure's value (numbers grouped, ``decimals`` honoured)."""
    if is_number(figure.value):
        return format_number(figure.value, figure.decimals)
    return MISSING if figure.value is None else str(figure.value)


def excel_number_format(column: Column, sample: Value = None) -> str:
    """The Excel number format string equivalent to :func:`format_value` for the column."""
    decimals = column.decimals
    if decimals is None:
        decimals = 0 if isinstance(sample, int) else 2
    body = ("#,##0" if column.thousands else "0") + ("." + "0" * decimals if decimals else "")
    if column.signed:
        return f"+{body};-{body};{body}"
    return body


def is_numeric_column(table: Table, index: int) -> bool:
    """A column is numeric when its first non-missing value is a number."""
    for row in table.cells():
        value = row[index].value
        if value is not None:
            return is_number(value)
    return table.columns[index].decimals is not None


def column_align(table: Table, index: int) -> str:
    """Explicit column alignment, else right for numbers and left for text."""
    column = table.columns[index]
    if column.align:
        return column.align
    return "right" if is_numeric_column(table, index) else "left"


def text_width(text: str) -> float:
    """Display width in “half-width” units: CJK and full-width characters count 2, others 1."""
    return sum(2.0 if unicodedata.east_asian_width(ch) in "WF" else 1.0 for ch in text)


def column_weights(table: Table, cap: float = 24.0) -> list[float]:
    """Relative column widths: explicit ``Column.width`` or the widest content (header counted too)."""
    weights: list[float] = []
    rows = table.cells()
    for i, column in enumerate(table.columns):
        if column.width:
            weights.append(float(column.width))
            continue
        header = max((text_width(part) for part in column.title.split("\n")), default=0.0)
        header = min(header, max(8.0, header / 2))  # long headers may wrap onto two lines
        content = max((text_width(format_value(r[i].value, column)) for r in rows), default=0.0)
        weights.append(min(max(header, content, 4.0), cap) + 2.0)
    return weights
