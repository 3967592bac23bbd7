"""Number formatting and text measuring shared by the renderers, so every format shows the same figures."""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import replace

from xinzhi.core.numbers import fixed

from .document import MISSING, Cell, Column, KeyFigure, Table, Value


def is_number(value: object) -> bool:
    """True for int/float (not bool) that is finite."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def format_number(value: float, decimals: int | None = None, thousands: bool = True, signed: bool = False) -> str:
    """Format like Excel would with :func:`excel_number_format` (``1,234.5``, ``+8.2``), rounded 四舍五入 by
    the platform's one formatter (:func:`xinzhi.core.numbers.fixed`), so a report prints what the page shows."""
    if decimals is None:
        decimals = 0 if isinstance(value, int) else 2
    return fixed(float(value), decimals, thousands, signed) or MISSING


def cell_column(cell: Cell, column: Column) -> Column:
    """The column's number format with the cell's own ``decimals`` / ``signed`` where it sets them."""
    if cell.decimals is None and cell.signed is None:
        return column
    return replace(column, decimals=column.decimals if cell.decimals is None else cell.decimals,
                   signed=column.signed if cell.signed is None else cell.signed)


def format_cell(cell: Cell, column: Column) -> str:
    """Display text of a table cell (the column's format, the cell's overrides)."""
    return format_value(cell.value, cell_column(cell, column))


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
        content = max((text_width(format_cell(r[i], column)) for r in rows), default=0.0)
        weights.append(min(max(header, content, 4.0), cap) + 2.0)
    return weights


SHORT_TEXT = 14.0  # half-width units: a text this short without figures (景宁畲族自治县) stays on one line


def _unbreakable(text: str) -> float:
    """Width (half-width units) a cell needs so that it does not wrap badly: a short text without figures
    whole (a region name such as 景宁畲族自治县), else its longest number or Latin word (超过67.5% may wrap
    before 67.5%, never inside it) and at least two CJK characters — never one character per line."""
    if not text:
        return 0.0
    if text_width(text) <= SHORT_TEXT and not re.search(r"[0-9]", text):
        return text_width(text)
    runs = re.findall(r"[0-9A-Za-z.,+\-%—/]+", text)
    longest = max((text_width(r) for r in runs), default=0.0)
    return max(longest, 4.0)


def _header_need(part: str) -> float:
    """Width a header part needs: whole up to 4 CJK characters, else half of it (two balanced lines,
    增加值/占比, 1—N月/累计), never less than three characters — so no header ends with a lone character."""
    width = text_width(part)
    need = width if width <= 8.0 else max(6.0, math.ceil(width / 2))
    return need + 1.0  # headers are bold, and office suites substitute their own (wider) CJK fonts


def column_widths(table: Table, total: float, size: float, padding: float) -> list[float]:
    """Column widths (in the caller's unit, e.g. points) that fill ``total``.

    Every column gets at least its widest unbreakable content — a number, a unit word, two CJK
    characters of the header — at font ``size`` plus ``padding``, so numbers never wrap inside
    (“0.1/0”) and no header stacks one character per line; the remaining width is shared in
    proportion to :func:`column_weights`."""
    rows = table.cells()
    half = size * 0.56  # digits and Latin letters of CJK fonts are a little over half an em wide
    minimum = []
    for i, column in enumerate(table.columns):
        texts = [format_cell(r[i], column) for r in rows]
        header_parts = column.title.replace("（", "\n（").split("\n")
        need = max([_unbreakable(t) for t in texts] + [_header_need(p) for p in header_parts] + [4.0])
        minimum.append(need * half + padding)
    weights = column_weights(table)
    floor = sum(minimum)
    if floor >= total:  # too many columns: shrink proportionally (the caller may use a smaller font)
        return [m * total / floor for m in minimum]
    # water-filling: widths proportional to the weights, but never below the minimum
    widths = [0.0] * len(weights)
    free = list(range(len(weights)))
    left = total
    while True:
        weight_sum = sum(weights[i] for i in free)
        fixed = [i for i in free if left * weights[i] / weight_sum < minimum[i]]
        if not fixed:
            for i in free:
                widths[i] = left * weights[i] / weight_sum
            return widths
        for i in fixed:
            widths[i] = minimum[i]
            left -= minimum[i]
            free.remove(i)
        if not free:
            return widths
