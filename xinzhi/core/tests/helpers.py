"""Helpers for import tests: write real files (csv, xlsx) and make register rows."""

from __future__ import annotations

import csv
import datetime
import io
from pathlib import Path

import xlsxwriter

from xinzhi.core import uscc
from xinzhi.enterprises.models import Enterprise


def write_csv(path: Path, header: list[str], rows: list[list[object]], encoding: str = "utf-8") -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([header, *rows])
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    """An .xlsx as a user would make it: numbers as number cells, text as text."""
    with xlsxwriter.Workbook(str(path)) as workbook:
        sheet = workbook.add_worksheet("Sheet1")
        sheet.write_row(0, 0, header)
        for r, line in enumerate(rows, start=1):
            for c, value in enumerate(line):
                if value is None:
                    continue
                if isinstance(value, int | float):
                    sheet.write_number(r, c, value)
                else:
                    sheet.write_string(r, c, str(value))
    return path


def code(county: str, serial: int) -> str:
    """A valid USCC registered in ``county``."""
    return uscc.make("91", county, f"MA{serial:06d}")


def make_enterprise(county: str = "330106", serial: int = 1, name: str | None = None,
                    industry: str = "3973") -> Enterprise:
    return Enterprise.objects.create(
        uscc=code(county, serial), name=name or f"企业{serial}", division_id=county, industry_id=industry,
        registered_on=datetime.date(2015, 1, 1),
    )
