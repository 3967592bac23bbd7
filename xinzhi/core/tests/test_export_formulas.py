"""Exports cannot carry formulas (issue 12 item 9).

An enterprise (and, to reach the documents about regions, a county) named ``=HYPERLINK("http://x","y")``
is written through every CSV and XLSX the platform produces: the import-format exports of every kind
(CSV and XLSX), the 应享尽享 list and the cultivation pool (web xlsx), an indicator's ranking (web xlsx),
the briefing's workbook (web xlsx) and ``xinzhi monitor --format csv``. No CSV cell may start with a
formula character (a plain number excepted), no XLSX cell may be a formula, and the text is kept.
Before: the CSV carried the name unescaped, and the web xlsx of the 应享尽享 list stored a live formula.
"""

from __future__ import annotations

import csv
import io
import sys

import openpyxl
import polars as pl
import pytest
from django.core.management import call_command

from xinzhi.accounts.models import User
from xinzhi.core import cells
from xinzhi.core.imports.exports import export_kind
from xinzhi.core.imports.reading import read_table
from xinzhi.core.imports.registry import kind_names
from xinzhi.demo.testing import small_demo
from xinzhi.enterprises.models import Enterprise
from xinzhi.regions.models import Division

pytestmark = pytest.mark.django_db
EVIL = '=HYPERLINK("http://x","y")'
EVIL_COUNTY = "=cmd|' /C calc'!A0"


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), small_demo(seed=3, months=[(2025, 6)]):
        yield


@pytest.fixture
def evil(demo):
    """Every enterprise of 西湖区 named like a formula (as a registrant could), and 西湖区 itself."""
    Enterprise.objects.filter(division_id="330106").update(name=EVIL)
    Division.objects.filter(code="330106").update(name=EVIL_COUNTY)
    from django.core.cache import cache

    cache.clear()


def _csv_cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))) for cell in row]


def _assert_csv_safe(text: str, what: str) -> None:
    bad = [c for c in _csv_cells(text) if cells.is_dangerous(c)]
    assert bad == [], f"{what}: cells a spreadsheet would run: {bad[:3]}"


def _assert_xlsx_safe(data: bytes, what: str, expect: str | None = None) -> bool:
    book = openpyxl.load_workbook(io.BytesIO(data))
    found = False
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{what}: formula in {sheet.title}!{cell.coordinate}: {cell.value}"
                if isinstance(cell.value, str) and cell.value.startswith(cells.TRIGGERS):
                    assert cells.is_dangerous(cell.value) is False or cell.quotePrefix, (
                        f"{what}: {sheet.title}!{cell.coordinate} without quote prefix")
                found |= cell.value == expect
    if expect is not None:
        assert found, f"{what}: the text {expect!r} is not in the workbook"
    return found


def _has(data: bytes, text: str) -> bool:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return any(cell.value == text for sheet in book.worksheets for row in sheet.iter_rows() for cell in row)


def test_the_helper_neutralises_only_formula_text():
    assert cells.csv_cell(EVIL) == "'" + EVIL
    assert [cells.csv_cell(v) for v in ("+1+1", "@SUM(A1)", "\tx", "\rx", "-cmd")] == [
        "'+1+1", "'@SUM(A1)", "'\tx", "'\rx", "'-cmd"]
    assert [cells.csv_cell(v) for v in ("-12.5", "+3", "12", "西湖区", "", None, 5)] == [
        "-12.5", "+3", "12", "西湖区", "", None, 5]
    frame = pl.DataFrame({"name": [EVIL, "甲公司", "-1.5", None], "n": [1, 2, 3, 4]})
    assert cells.csv_frame(frame)["name"].to_list() == ["'" + EVIL, "甲公司", "-1.5", None]
    unquoted = pl.DataFrame({"v": ["'" + EVIL, "'abc", "x"]}).select(cells.unquote_expr("v"))["v"].to_list()
    assert unquoted == [EVIL, "'abc", "x"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_import_format_export(evil, tmp_path, fmt):
    exported_evil = 0
    for kind in kind_names():
        output = tmp_path / f"{kind}.{fmt}"
        export_kind(kind, "2025-06", fmt, output)
        data = output.read_bytes()
        if fmt == "csv":
            text = data.decode("utf-8")
            _assert_csv_safe(text, f"export {kind}.csv")
            exported_evil += ("'" + EVIL).replace('"', '""') in text
        else:
            exported_evil += _assert_xlsx_safe(data, f"export {kind}.xlsx", expect=None) or _has(data, EVIL)
    assert exported_evil >= 1  # the register (and the kinds naming the enterprise) carried the name


def test_an_exported_register_imports_back_unchanged(evil, tmp_path):
    output = tmp_path / "enterprises.csv"
    export_kind("enterprises", "2025-06", "csv", output)
    assert "'" + EVIL.replace('"', '""') in output.read_text(encoding="utf-8-sig")
    table = read_table(output)
    values = {v for c in table.frame.columns for v in table.frame.get_column(c).to_list()}
    assert EVIL in values and "'" + EVIL not in values


def test_web_spreadsheets(client, evil):
    from xinzhi.cultivation.services import screening

    client.force_login(User.objects.get(username="province"))
    if screening.latest_run(2025) is None:
        screening.run_screening(2025, User.objects.get(username="province"))
    for kind in ("unclaimed", "pool"):
        for program in ("hte", "tech_sme"):
            response = client.get(f"/cultivation/{kind}/?year=2025&program={program}&division=330106&format=xlsx")
            assert response.status_code == 200, kind
            _assert_xlsx_safe(response.content, f"{kind} {program}")
    response = client.get("/cultivation/unclaimed/?year=2025&program=hte&format=xlsx")
    _assert_xlsx_safe(response.content, "unclaimed hte")
    response = client.get("/monitoring/indicators/rd_intensity/?period=2025-06&region=330100&format=xlsx")
    assert response.status_code == 200
    _assert_xlsx_safe(response.content, "indicator ranking", expect=EVIL_COUNTY)
    hangzhou = User.objects.get(username="hangzhou")
    client.force_login(hangzhou)
    response = client.get("/monitoring/reports/?kind=briefing&format=xlsx&period=2025-06")
    assert response.status_code == 200
    _assert_xlsx_safe(response.content, "briefing xlsx", expect=EVIL_COUNTY)


def test_the_monitor_command_csv(evil, capsys, monkeypatch):
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    call_command("monitor", "--period", "2025-06", "--region", "330106", "--format", "csv")
    text = out.getvalue()
    assert "'" + EVIL_COUNTY in text.replace('""', '"') or "'=cmd" in text
    _assert_csv_safe(text, "monitor csv")
