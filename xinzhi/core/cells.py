"""Spreadsheet cells that cannot carry formulas (CSV/formula injection; issue 12 item 9).

Every CSV and XLSX the platform writes goes through this module. Before, an enterprise named
``=HYPERLINK("http://x","y")`` (or ``=cmd|' /C calc'!A0``) was written unescaped to CSV, and the web xlsx
of the 应享尽享 list stored it as a live formula.

* **CSV**: a text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading
  apostrophe (OWASP's advice), so a spreadsheet opening the file shows text. Plain numbers (``-12.5``)
  are left as they are: they are not formulas, and the import files must keep their numbers.
* **XLSX**: workbooks are created with ``strings_to_formulas`` (and ``strings_to_urls``) off, text is
  written as a string cell (never a formula), and a text starting with one of those characters gets
  Excel's quote prefix (the cell format's 前导单引号: shown without the apostrophe, kept as text when
  edited). Numbers are number cells; NaN/Infinity are left blank.
* **Reading back** (imports): a leading apostrophe before one of those characters is removed
  (:func:`unquote_expr`), so an exported file imports unchanged.
"""

from __future__ import annotations

import re
from typing import Any

import polars as pl

#: the characters a spreadsheet may read as the start of a formula (or of a DDE command)
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)*(?:\.\d+)?%?$")
_TRIGGER_RE = r"^[=+\-@\t\r]"
_NUMBER_RE = r"^[+-]?\d+(?:[.,]\d+)*(?:\.\d+)?%?$"


def is_dangerous(text: str) -> bool:
    """Would a spreadsheet read ``text`` as a formula? (A plain signed number is not.)"""
    return bool(text) and text.startswith(TRIGGERS) and not _NUMBER.match(text)


def csv_cell(value: Any) -> Any:
    """A CSV cell's value, neutralised if it is text a spreadsheet would read as a formula."""
    if isinstance(value, str) and is_dangerous(value):
        return "'" + value
    return value


def csv_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with every text column's cells neutralised (columnar: one expression per column)."""
    texts = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    if not texts:
        return frame
    return frame.with_columns(
        pl.when(pl.col(c).str.contains(_TRIGGER_RE) & ~pl.col(c).str.contains(_NUMBER_RE))
        .then(pl.lit("'") + pl.col(c)).otherwise(pl.col(c)).alias(c)
        for c in texts
    )


def unquote_expr(column: str) -> pl.Expr:
    """Reading an imported file: remove the apostrophe :func:`csv_cell` put before a formula character."""
    return pl.col(column).str.replace(r"^'([=+\-@\t\r])", "${1}")


#: options every workbook is created with
WORKBOOK_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}


def workbook(target, **options):
    """An ``xlsxwriter.Workbook`` that writes no string as a formula or link (``target``: a path or a
    buffer; other options as xlsxwriter's, e.g. ``in_memory``)."""
    import xlsxwriter

    return xlsxwriter.Workbook(target, {**options, **WORKBOOK_OPTIONS})

