"""XLSX renderer (xlsxwriter): a cover sheet with the text and key figures, one sheet per table, one per chart.

Tables keep real numbers with Excel number formats equal to the DOCX/PDF text, frozen header rows, an
autofilter, rating fills and column widths fitted to Chinese text (a CJK character counts two). Charts are
native Excel charts over the data written beside them, so they stay editable.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re

from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from xinzhi.core import cells

from .document import (
    MISSING,
    Chart,
    Column,
    Document,
    Heading,
    KeyFigures,
    Note,
    Paragraph,
    Table,
    resolve_fill,
)
from .formatting import (
    cell_column,
    column_align,
    excel_number_format,
    format_cell,
    format_figure,
    is_number,
    text_width,
)
from .output import Target, write_bytes

FONT = "等线"  # the East Asian default of current Office; WPS maps it too
HEADER_FILL = "#E7ECF4"
COVER_SHEET = "概览"
COVER_WIDTH = 100  # characters across the merged text area on the cover sheet
PALETTE = ["#1F5AA6", "#D9503F", "#F2A93B", "#3C9D5D", "#7A5BA6", "#5B6770", "#2BA6A6", "#B5651D"]
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def render_xlsx(doc: Document, target: Target) -> None:
    """Write ``doc`` as an XLSX workbook to a path or binary stream."""
    write_bytes(xlsx_bytes(doc), target)


def xlsx_bytes(doc: Document) -> bytes:
    """The workbook as bytes (deterministic: fixed creation date, fixed ZIP timestamps)."""
    buf = io.BytesIO()
    book = cells.workbook(buf, in_memory=True,  # no string is ever written as a formula (core.cells)
                          default_format_properties={"font_name": FONT, "font_size": 11})
    day = doc.date if isinstance(doc.date, dt.date) else dt.date(2000, 1, 1)
    book.set_properties({"title": doc.title, "subject": doc.subtitle, "author": doc.issuer or "新质",
                         "created": dt.datetime(day.year, day.month, day.day)})
    _Writer(book, doc).write()
    book.close()
    return buf.getvalue()


class _Writer:
    """Writes one document into one workbook; keeps the format cache and the sheet names."""

    def __init__(self, book: Workbook, doc: Document) -> None:
        self.book = book
        self.doc = doc
        self.formats: dict[tuple, Format] = {}
        self.names: set[str] = set()
        self.captions = doc.captions()

    # ----------------------------------------------------------------- helpers

    def fmt(self, **props) -> Format:
        """A cached cell format (xlsxwriter formats must not be created per cell)."""
        key = tuple(sorted(props.items()))
        if key not in self.formats:
            self.formats[key] = self.book.add_format(props)
        return self.formats[key]

    def sheet_name(self, wanted: str, fallback: str) -> str:
        """A unique, valid (≤ 31 characters, no []:*?/\\) sheet name."""
        base = _BAD_SHEET_CHARS.sub("_", wanted.strip() or fallback)[:31].strip("'") or fallback
        name, n = base, 2
        while name.lower() in self.names:
            suffix = f"({n})"
            name, n = base[:31 - len(suffix)] + suffix, n + 1
        self.names.add(name.lower())
        return name

    # ----------------------------------------------------------------- sheets

    def write(self) -> None:
        cover = self.book.add_worksheet(self.sheet_name(COVER_SHEET, COVER_SHEET))
        links: dict[int, str] = {}
        tables = [b for b in self.doc.blocks if isinstance(b, Table | Chart)]
        for i, block in enumerate(tables, start=1):
            if isinstance(block, Table):
                links[id(block)] = self.table_sheet(block, i)
            else:
                links[id(block)] = self.chart_sheet(block, i)
        self.cover(cover, links)
        cover.activate()

    def cover(self, ws: Worksheet, links: dict[int, str]) -> None:
        ws.set_column(0, 0, 24)
        ws.set_column(1, 1, 16)
        ws.set_column(2, 2, 10)
        ws.set_column(3, 3, COVER_WIDTH - 50)
        ws.hide_gridlines(2)
        row = self.merged(ws, 0, self.doc.title, self.fmt(bold=True, font_size=18, align="center",
                                                         valign="vcenter"), 34)
        for line in (self.doc.masthead, self.doc.issue, self.doc.subtitle,
                     " ".join(x for x in (self.doc.issuer, self.doc.date_text) if x)):
            if line:
                row = self.merged(ws, row, line, self.fmt(align="center", font_color="#404040"))
        row += 1
        for block in self.doc.blocks:
            row = self.cover_block(ws, row, block, links)

    def merged(self, ws: Worksheet, row: int, text: str, cell_format: Format, height: float | None = None) -> int:
        """Write text across the cover's four columns; the row height follows the wrapped line count."""
        lines = max(1, math.ceil(text_width(text) / COVER_WIDTH))
        ws.merge_range(row, 0, row, 3, text, cell_format)
        ws.set_row(row, height or 16 * lines + 4)
        return row + 1

    def cover_block(self, ws: Worksheet, row: int, block, links: dict[int, str]) -> int:
        wrap = {"text_wrap": True, "valign": "top"}
        if isinstance(block, Heading):
            return self.merged(ws, row, block.text, self.fmt(bold=True, font_size=13 if block.level == 1 else 12))
        if isinstance(block, Paragraph):
            return self.merged(ws, row, "\u3000\u3000" + block.plain if block.indent else block.plain,
                               self.fmt(**wrap))
        if isinstance(block, Note):
            return self.merged(ws, row, block.label + block.text, self.fmt(font_size=9, font_color="#595959",
                                                                          **wrap))
        if isinstance(block, KeyFigures):
            return self.key_figures(ws, row, block)
        if isinstance(block, Table | Chart):
            sheet = links[id(block)]
            label = self.captions.get(id(block)) or sheet
            ws.merge_range(row, 0, row, 3, "", self.fmt())
            ws.write_url(row, 0, f"internal:'{sheet}'!A1", self.fmt(font_color="#1F5AA6", underline=1),
                         string=f"{label}（见工作表“{sheet}”）")
            return row + 1
        return row  # PageBreak: nothing in a workbook

    def key_figures(self, ws: Worksheet, row: int, block: KeyFigures) -> int:
        if block.title:
            row = self.merged(ws, row, block.title, self.fmt(bold=True))
        head = self.fmt(bold=True, bg_color=HEADER_FILL, border=1, align="center")
        for col, text in enumerate(("指标", "数值", "单位", "说明")):
            ws.write_string(row, col, text, head)
        for fig in block.figures:
            row += 1
            ws.write_string(row, 0, fig.label, self.fmt(border=1))
            if is_number(fig.value):
                number = excel_number_format(Column("", decimals=fig.decimals), fig.value)
                ws.write_number(row, 1, fig.value, self.fmt(border=1, bold=True, num_format=number))
            else:
                ws.write_string(row, 1, format_figure(fig), self.fmt(border=1, bold=True, align="right"))
            ws.write_string(row, 2, fig.unit, self.fmt(border=1, align="center"))
            ws.write_string(row, 3, fig.note, self.fmt(border=1, text_wrap=True))
        return row + 2

    def table_sheet(self, table: Table, index: int) -> str:
        name = self.sheet_name(table.sheet_name or table.caption, f"表{index}")
        ws = self.book.add_worksheet(name)
        caption = self.captions.get(id(table)) or name
        ws.write_string(0, 0, caption, self.fmt(bold=True, font_size=13))
        ws.set_row(1, 32)
        header = self.fmt(bold=True, bg_color=HEADER_FILL, border=1, align="center", valign="vcenter",
                          text_wrap=True)
        for col, column in enumerate(table.columns):
            ws.write_string(1, col, column.title, header)
        widths = [text_width(c.title) for c in table.columns]
        aligns = [column_align(table, i) for i in range(len(table.columns))]
        for r, row in enumerate(table.cells(), start=2):
            for c, (cell, column) in enumerate(zip(row, table.columns, strict=True)):
                widths[c] = max(widths[c], self.write_cell(ws, r, c, cell, column, aligns[c]))
        last = len(table.rows) + 1
        if table.source:
            ws.write_string(last + 1, 0, f"资料来源：{table.source}", self.fmt(font_size=9, font_color="#595959"))
        for c, width in enumerate(widths):
            ws.set_column(c, c, min(max(width + 2, 8), 50))
        first_is_label = not any(is_number(row[0].value) for row in table.cells()[:20]) if table.rows else False
        ws.freeze_panes(2, 1 if first_is_label else 0)
        ws.autofilter(1, 0, last, len(table.columns) - 1)
        ws.repeat_rows(1)
        if len(table.columns) > 6:
            ws.set_landscape()
        ws.fit_to_pages(1, 0)
        ws.set_paper(9)  # A4
        return name

    def write_cell(self, ws: Worksheet, r: int, c: int, cell, column: Column, align: str) -> float:
        """Write one table cell with its number format and fill; return its display width."""
        props: dict = {"border": 1, "align": align, "valign": "vcenter"}
        fill = resolve_fill(cell.fill)
        if fill:
            props["bg_color"] = fill
        if cell.bold:
            props["bold"] = True
        value = cell.value
        column = cell_column(cell, column)
        if is_number(value):
            props["num_format"] = excel_number_format(column, value)
            ws.write_number(r, c, value, self.fmt(**props))
            return text_width(format_cell(cell, column)) + 1
        text = MISSING if value is None else str(value)
        if cells.is_dangerous(text):  # a name like =HYPERLINK(...) stays text, also when edited
            props["quote_prefix"] = True
        ws.write_string(r, c, text, self.fmt(**props))
        return text_width(text)

    def chart_sheet(self, chart: Chart, index: int) -> str:
        name = self.sheet_name(self.captions.get(id(chart)) or chart.title, f"图{index}")
        ws = self.book.add_worksheet(name)
        caption = self.captions.get(id(chart)) or chart.title
        ws.write_string(0, 0, caption, self.fmt(bold=True, font_size=13))
        header = self.fmt(bold=True, bg_color=HEADER_FILL, border=1, align="center")
        ws.write_string(1, 0, chart.x_label or "类别", header)
        number = self.fmt(border=1, num_format="#,##0." + "0" * chart.decimals if chart.decimals else "#,##0")
        for c, s in enumerate(chart.series, start=1):
            ws.write_string(1, c, f"{s.name}（{s.unit}）" if s.unit else s.name, header)
        for r, category in enumerate(chart.categories, start=2):
            ws.write_string(r, 0, category, self.fmt(border=1))
            for c, s in enumerate(chart.series, start=1):
                value = s.values[r - 2]
                if value is None:
                    ws.write_blank(r, c, None, number)
                else:
                    ws.write_number(r, c, value, number)
        ws.set_column(0, 0, max(10, max((text_width(x) for x in chart.categories), default=0) + 2))
        ws.set_column(1, len(chart.series), 14)
        ws.freeze_panes(2, 1)
        if chart.source:
            ws.write_string(len(chart.categories) + 3, 0, f"资料来源：{chart.source}",
                            self.fmt(font_size=9, font_color="#595959"))
        ws.insert_chart(1, len(chart.series) + 2, self.native_chart(chart, name),
                        {"x_scale": 1.6, "y_scale": 1.4})
        # print setup: the data and the chart on one landscape A4 page
        ws.set_landscape()
        ws.set_paper(9)
        ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
        ws.fit_to_pages(1, 1)
        ws.center_horizontally()
        ws.print_area(0, 0, max(len(chart.categories) + 4, 22), len(chart.series) + 14)
        ws.set_footer("&C第 &P 页")
        return name

    def native_chart(self, chart: Chart, sheet: str):
        """An Excel chart over the data block of the chart sheet; combo = columns plus lines."""
        font = {"name": FONT, "size": 9}
        kinds = {"line": "line", "bar": "column", "barh": "bar", "combo": "column"}
        series = chart.resolved_series()
        base_type = kinds[chart.kind]
        if chart.kind == "combo" and not any(s.kind == "bar" for s in series):
            base_type = "line"
        base = self.book.add_chart({"type": base_type})
        overlay = None
        n = len(chart.categories)
        for i, s in enumerate(series, start=1):
            target = base
            if chart.kind == "combo" and s.kind == "line" and base_type != "line":
                overlay = overlay or self.book.add_chart({"type": "line"})
                target = overlay
            spec = {
                "name": [sheet, 1, i],
                "categories": [sheet, 2, 0, n + 1, 0],
                "values": [sheet, 2, i, n + 1, i],
                "y2_axis": s.axis == "secondary",
            }
            colour = PALETTE[(i - 1) % len(PALETTE)]
            if s.kind == "line":
                spec |= {"line": {"color": colour, "width": 2}, "marker": {"type": "circle", "size": 5,
                         "fill": {"color": colour}, "border": {"color": colour}}}
            else:
                spec |= {"fill": {"color": colour}, "gap": 60}
            if chart.show_values:
                spec["data_labels"] = {"value": True, "font": font}
            target.add_series(spec)
        if overlay is not None:
            base.combine(overlay)
        base.set_title({"name": chart.title, "name_font": {**font, "size": 12, "bold": True}})
        base.set_legend({"position": "top", "font": font} if len(series) > 1 else {"none": True})
        cat_axis = {"num_font": font, "name": chart.x_label or None, "name_font": font}
        val_axis = {"num_font": font, "name": chart.axis_label("primary") or None, "name_font": font,
                    "major_gridlines": {"visible": True, "line": {"color": "#DDDDDD"}}}
        if chart.kind == "barh":
            base.set_y_axis({**cat_axis, "reverse": True})
            base.set_x_axis(val_axis)
        else:
            base.set_x_axis(cat_axis)
            base.set_y_axis(val_axis)
        if chart.has_secondary:
            holder = overlay if overlay is not None and any(
                s.axis == "secondary" and s.kind == "line" for s in series) else base
            holder.set_y2_axis({"num_font": font, "name": chart.axis_label("secondary") or None, "name_font": font})
        base.set_chartarea({"border": {"none": True}})
        return base
