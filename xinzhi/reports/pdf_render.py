"""PDF renderer (reportlab platypus) with the same GB/T 9704 page geometry as the DOCX.

All text is set in the vendored Noto Sans SC, embedded as a TrueType subset with a ToUnicode map, so the PDF
shows and extracts Chinese identically everywhere. Tables repeat their header row on every page and keep
their rating fills; charts are the same PNGs as in the DOCX; every page carries “第 N 页”.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Sequence
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm, mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    FrameBreak,
    HRFlowable,
    Image,
    KeepTogether,
    PageTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus import PageBreak as RLPageBreak
from reportlab.platypus import Paragraph as RLParagraph
from reportlab.platypus import Table as RLTable

from .charts import chart_png
from .document import (
    Chart,
    Column,
    Document,
    Heading,
    KeyFigures,
    Note,
    PageBreak,
    Paragraph,
    Run,
    Table,
    resolve_fill,
)
from .fonts import register_pdf_fonts
from .formatting import column_align, column_widths, format_cell, format_figure, text_width
from .output import Target, write_bytes

MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = 37 * mm, 35 * mm, 28 * mm, 26 * mm
COMPACT_TOP, COMPACT_BOTTOM = 25 * mm, 25 * mm  # one-page 简报: more of the page for the text and the table
FRAME_W = A4[0] - MARGIN_LEFT - MARGIN_RIGHT  # 156 mm
BODY_SIZE, BODY_LEADING = 16, 29  # 三号, 22 lines a page
TABLE_SIZE, TABLE_LEADING = 10.5, 13.5  # 五号
RED = colors.HexColor("#E60012")
HEADER_FILL = colors.HexColor("#E7ECF4")
FIGURE_FILL = colors.HexColor("#EEF3FA")
GRID = colors.HexColor("#404040")
_ALIGN = {"left": TA_LEFT, "center": TA_CENTER, "right": TA_RIGHT, "justify": TA_JUSTIFY}
CELL_PAD = 3
KEEP_MIN_ROOM = 180  # pt: caption + header + ~6 rows
_FIGURE = re.compile(r"[0-9.,+\-%—]+")


def render_pdf(doc: Document, target: Target) -> None:
    """Write ``doc`` as a PDF file to a path or binary stream."""
    write_bytes(pdf_bytes(doc), target)


def pdf_bytes(doc: Document) -> bytes:
    """The PDF as bytes (deterministic: reportlab's invariant mode fixes dates and ids)."""
    regular, bold = register_pdf_fonts()
    styles = _styles(regular, bold, doc.compact)
    buf = io.BytesIO()
    template = _template(buf, doc, regular)
    story = _front(doc, styles)
    captions = doc.captions()
    for block in doc.blocks:
        story.extend(_block(block, styles, captions.get(id(block), ""), bold))
    template.build(story)
    return buf.getvalue()


# --------------------------------------------------------------------------- page and styles


class _KeepWithNext(KeepTogether):
    """Group built from ``keepWithNext`` chains (heading → caption → table/chart).

    reportlab's default moves the whole group to a new page whenever it does not fit, which strands a page of
    space before a long table. This group moves only when little room is left — less than a caption, header
    and a few rows plus any images in it; otherwise it starts here and the table splits across pages.
    """

    def __init__(self, flowables: list[Flowable], maxHeight: float | None = None) -> None:  # noqa: N803
        super().__init__(flowables, maxHeight)
        images = sum(getattr(f, "drawHeight", 0) for f in flowables if isinstance(f, Image))
        self._min_room = KEEP_MIN_ROOM + images

    def split(self, aW: float, aH: float) -> list[Flowable]:  # noqa: N803
        if getattr(self, "_wrapInfo", None) != (aW, aH):
            self.wrap(aW, aH)
        content = self._content[:]
        frame = getattr(self, "_frame", None)
        at_top = bool(frame and getattr(frame, "_atTop", False))
        if self._H > aH and aH < self._min_room and not at_top:
            content.insert(0, FrameBreak())
        return content


def _template(buf: io.BytesIO, doc: Document, font: str) -> BaseDocTemplate:
    top, bottom = (COMPACT_TOP, COMPACT_BOTTOM) if doc.compact else (MARGIN_TOP, MARGIN_BOTTOM)
    template = BaseDocTemplate(
        buf, pagesize=A4, leftMargin=MARGIN_LEFT, rightMargin=MARGIN_RIGHT, topMargin=top,
        bottomMargin=bottom, title=doc.title, author=doc.issuer or "新质", subject=doc.subtitle,
        creator="新质 Xinzhi reports", invariant=1, lang="zh-CN", initialFontName=font,
    )
    frame = Frame(MARGIN_LEFT, bottom, FRAME_W, A4[1] - top - bottom, id="body",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)

    def page_number(canvas: Canvas, _doc: BaseDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(font, 14)  # 四号
        text = doc.page_number_format.format(page=canvas.getPageNumber())
        canvas.drawCentredString(A4[0] / 2, bottom - 7 * mm - 14, text)
        canvas.restoreState()

    template.keepTogetherClass = _KeepWithNext
    template.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=page_number)])
    return template


def _styles(regular: str, bold: str, compact: bool = False) -> dict[str, ParagraphStyle]:
    """Paragraph styles; ``compact`` (one-page 简报): body 12 pt on a 16 pt pitch, tables 9 pt, smaller masthead."""
    size, leading = (12, 16) if compact else (BODY_SIZE, BODY_LEADING)
    base = ParagraphStyle("body", fontName=regular, fontSize=size, leading=leading, wordWrap="CJK",
                          alignment=TA_JUSTIFY, firstLineIndent=2 * size)

    def derive(name: str, **kw) -> ParagraphStyle:
        return ParagraphStyle(name, parent=base, **kw)

    heading = {"keepWithNext": 1, "alignment": TA_LEFT}
    return {
        "body": base,
        "h1": derive("h1", fontName=bold, **heading),
        "h2": derive("h2", fontName=bold, **heading),
        "h3": derive("h3", fontName=bold, **heading),
        "h4": derive("h4", **heading),
        "masthead": derive("masthead", fontName=bold, fontSize=22 if compact else 32, leading=27 if compact else 44,
                           alignment=TA_CENTER, textColor=RED, firstLineIndent=0),
        "title": derive("title", fontName=bold, fontSize=17 if compact else 22, leading=23 if compact else 35,
                        alignment=TA_CENTER, firstLineIndent=0, spaceBefore=4 if compact else 8,
                        spaceAfter=2 if compact else 14),
        "subtitle": derive("subtitle", alignment=TA_CENTER, firstLineIndent=0),
        "plain": derive("plain", firstLineIndent=0, alignment=TA_LEFT),
        "caption": derive("caption", fontName=bold, fontSize=11 if compact else 12, leading=15 if compact else 18,
                          alignment=TA_CENTER,
                          firstLineIndent=0, spaceBefore=8, spaceAfter=4, keepWithNext=1),
        "source": derive("source", fontSize=9, leading=13, alignment=TA_LEFT, firstLineIndent=0, spaceBefore=3,
                         spaceAfter=8, textColor=colors.HexColor("#404040")),
        "note": derive("note", fontSize=9 if compact else 12, leading=13 if compact else 20, firstLineIndent=0,
                       spaceBefore=2, spaceAfter=2),
        "cell": derive("cell", fontSize=9 if compact else TABLE_SIZE, leading=11.5 if compact else TABLE_LEADING,
                       firstLineIndent=0, alignment=TA_LEFT),
        "figure_value": derive("figure_value", fontName=bold, fontSize=18, leading=24, alignment=TA_CENTER,
                               firstLineIndent=0),
        "figure_label": derive("figure_label", fontSize=10.5, leading=14, alignment=TA_CENTER, firstLineIndent=0),
        "figure_note": derive("figure_note", fontSize=8.5, leading=11, alignment=TA_CENTER, firstLineIndent=0,
                              textColor=colors.HexColor("#595959")),
    }


def _markup(runs: Sequence[Run]) -> str:
    return "".join(f"<b>{escape(r.text)}</b>" if r.bold else escape(r.text) for r in runs)


def _para(text: str, style: ParagraphStyle) -> RLParagraph:
    return RLParagraph(escape(text), style)


# --------------------------------------------------------------------------- front matter


def _front(doc: Document, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    story: list[Flowable] = []
    if doc.masthead:
        story.append(_para(doc.masthead, styles["masthead"]))
        if doc.issue:
            story.append(_para(doc.issue, styles["subtitle"]))
        line = RLTable([[_para(doc.issuer, styles["plain"]),
                         _para(doc.date_text, ParagraphStyle("r", parent=styles["plain"], alignment=TA_RIGHT))]],
                       colWidths=[FRAME_W / 2] * 2)
        line.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
        story += [line, HRFlowable(width="100%", thickness=2.2, color=RED, spaceBefore=2,
                                   spaceAfter=4 if doc.compact else 10)]
        story.append(_para(doc.title, styles["title"]))
        if doc.subtitle:
            story.append(_para(doc.subtitle, styles["subtitle"]))
        return story
    story.append(_para(doc.title, styles["title"]))
    for line_text in (doc.subtitle, " ".join(x for x in (doc.issuer, doc.date_text) if x)):
        if line_text:
            story.append(_para(line_text, styles["subtitle"]))
    story.append(Spacer(1, BODY_LEADING / 2))
    return story


# --------------------------------------------------------------------------- blocks


def _block(block, styles: dict[str, ParagraphStyle], caption: str, bold: str) -> list[Flowable]:
    if isinstance(block, Heading):
        return [_para(block.text, styles[f"h{block.level}"])]
    if isinstance(block, Paragraph):
        style = styles["body"]
        if not block.indent or block.align != "justify":
            style = ParagraphStyle("p", parent=style, firstLineIndent=2 * style.fontSize if block.indent else 0,
                                   alignment=_ALIGN[block.align])
        return [RLParagraph(_markup(block.runs), style)]
    if isinstance(block, Note):
        return [_para(block.label + block.text, styles["note"])]
    if isinstance(block, KeyFigures):
        return _key_figures(block, styles)
    if isinstance(block, Table):
        return _table(block, styles, caption, bold)
    if isinstance(block, Chart):
        return _chart(block, styles, caption)
    if isinstance(block, PageBreak):
        return [RLPageBreak()]
    raise TypeError(f"PDF renderer does not know block {type(block).__name__}")


def _key_figures(block: KeyFigures, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    figures = block.figures
    per_row = max(1, min(block.per_row, len(figures) or 1))
    cells: list[list] = []
    for i in range(math.ceil(len(figures) / per_row)):
        row = []
        for fig in figures[i * per_row:(i + 1) * per_row]:
            unit = f' <font size="10">{escape(fig.unit)}</font>' if fig.unit else ""
            row.append([RLParagraph(escape(format_figure(fig)) + unit, styles["figure_value"]),
                        _para(fig.label, styles["figure_label"]), _para(fig.note, styles["figure_note"])])
        row += [""] * (per_row - len(row))
        cells.append(row)
    table = RLTable(cells, colWidths=[FRAME_W / per_row] * per_row)
    table.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, -1), FIGURE_FILL),
        ("GRID", (0, 0), (-1, -1), 3, colors.white),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 6),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
    ]))
    out: list[Flowable] = [_para(block.title, styles["caption"])] if block.title else []
    # the cards (with their title) are never split across pages
    return [KeepTogether(out + [table]), Spacer(1, 8)]


def _is_figure(text: str) -> bool:
    """A number, a dash or a short code: printed on one line, never wrapped (no “0.1/0”)."""
    return bool(_FIGURE.fullmatch(text))


def _table(block: Table, styles: dict[str, ParagraphStyle], caption: str, bold: str) -> list[Flowable]:
    size, leading = styles["cell"].fontSize, styles["cell"].leading
    if block.small:
        size, leading = min(size, 9), min(leading, 11.5)
    pad = CELL_PAD if size >= TABLE_SIZE else 1.5
    widths = column_widths(block, FRAME_W, size, 2 * (pad + 1))
    aligns = [column_align(block, i) for i in range(len(block.columns))]
    header_style = ParagraphStyle("th", parent=styles["cell"], fontName=bold, alignment=TA_CENTER, fontSize=size,
                                  leading=leading)
    data: list[list] = [[_header(c, w, header_style, pad) for c, w in zip(block.columns, widths, strict=True)]]
    commands: list[tuple] = [
        ("GRID", (0, 0), (-1, -1), 0.5, GRID),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("FONTNAME", (0, 1), (-1, -1), styles["cell"].fontName),
        ("FONTSIZE", (0, 0), (-1, -1), size),
        ("LEADING", (0, 0), (-1, -1), leading),
        ("TOPPADDING", (0, 0), (-1, -1), pad),
        ("BOTTOMPADDING", (0, 0), (-1, -1), pad),
        ("LEFTPADDING", (0, 0), (-1, -1), pad + 1),
        ("RIGHTPADDING", (0, 0), (-1, -1), pad + 1),
    ]
    commands += [("ALIGN", (i, 1), (i, -1), a.upper()) for i, a in enumerate(aligns)]
    cell_styles = {a: ParagraphStyle(f"td-{a}", parent=styles["cell"], alignment=_ALIGN[a], fontSize=size,
                                     leading=leading) for a in _ALIGN}
    for r, row in enumerate(block.cells(), start=1):
        out_row = []
        for c, (cell, column) in enumerate(zip(row, block.columns, strict=True)):
            text = format_cell(cell, column)
            room = widths[c] - 2 * (pad + 1)
            fits = text_width(text) * size / 2 <= room and "\n" not in text
            if fits:
                out_row.append(text)  # plain strings are much faster than Paragraphs
            elif _is_figure(text):  # a figure is never wrapped: a smaller font instead
                out_row.append(text)
                smaller = max(6.0, size * room / (text_width(text) * size / 2))
                commands.append(("FONTSIZE", (c, r), (c, r), smaller))
            else:
                markup = f"<b>{escape(text)}</b>" if cell.bold else escape(text)
                out_row.append(RLParagraph(markup, cell_styles[aligns[c]]))
            if cell.bold:
                commands.append(("FONTNAME", (c, r), (c, r), bold))
            fill = resolve_fill(cell.fill)
            if fill:
                commands.append(("BACKGROUND", (c, r), (c, r), colors.HexColor(fill)))
        data.append(out_row)
    table = RLTable(data, colWidths=widths, repeatRows=1, hAlign="CENTER")
    table.setStyle(TableStyle(commands))
    # The caption keeps with the table: a table that fits on a page is kept whole, a longer one splits in place
    # and repeats its header row.
    out: list[Flowable] = [_para(caption, styles["caption"])] if caption else []
    out.append(table)
    out.append(_para(f"资料来源：{block.source}", styles["source"]) if block.source else Spacer(1, 8))
    return out


def _header(column: Column, width: float, style: ParagraphStyle, pad: float = CELL_PAD) -> RLParagraph:
    """Header cell; the unit goes onto its own line when header and unit do not fit on one."""
    if column.unit and text_width(column.title) * style.fontSize / 2 > width - 2 * (pad + 1):
        return RLParagraph(f"{escape(column.header)}<br/>（{escape(column.unit)}）", style)
    return _para(column.title, style)


def _chart(block: Chart, styles: dict[str, ParagraphStyle], caption: str) -> list[Flowable]:
    width = min(block.width_cm * cm, FRAME_W)
    height = width * block.height_cm / block.width_cm
    image = Image(io.BytesIO(chart_png(block)), width=width, height=height)
    spacer = Spacer(1, 6)
    # keepWithNext chains (not KeepTogether) so that a heading before the chart stays with it too.
    spacer.keepWithNext = image.keepWithNext = bool(caption or block.source)
    parts: list[Flowable] = [spacer, image]
    if caption:
        parts.append(_para(caption, ParagraphStyle("fc", parent=styles["caption"], keepWithNext=0)))
    if block.source:
        parts.append(_para(f"资料来源：{block.source}", ParagraphStyle("fs", parent=styles["source"],
                                                                   alignment=TA_CENTER)))
    return parts
