"""DOCX renderer: the editable original, laid out after GB/T 9704-2012 (党政机关公文格式).

A4 with margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm (type area 156 × 225 mm); title in
2号 (22 pt) 方正小标宋简体; body in 3号 (16 pt) 仿宋_GB2312 with a fixed 29 pt line pitch (22 lines a page)
and a two-character first-line indent; heading levels in 黑体 / 楷体_GB2312 / 仿宋 bold / 仿宋; page numbers
in 4号 宋体 in the footer. Everything is carried by named styles (Normal, Heading 1–4, ``XZ …``) so an editor
can restyle the document in Word or WPS.
"""

from __future__ import annotations

import datetime as dt
import io
import math

from docx import Document as new_docx
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor
from docx.table import _Cell
from docx.text.paragraph import Paragraph as DocxParagraph
from lxml import etree

from .charts import chart_png
from .document import (
    Chart,
    Document,
    Heading,
    KeyFigures,
    Note,
    PageBreak,
    Paragraph,
    Table,
    resolve_fill,
)
from .fonts import DOCX_FONTS, DocxFont
from .formatting import column_align, column_widths, format_cell, format_figure, text_width
from .output import Target, write_bytes, zip_normalise

# GB/T 9704-2012 page geometry and type sizes.
PAGE_W, PAGE_H = Mm(210), Mm(297)
MARGINS = {"top": Mm(37), "bottom": Mm(35), "left": Mm(28), "right": Mm(26)}
COMPACT_MARGINS = {"top": Mm(25), "bottom": Mm(25)}  # one-page 简报
TYPE_AREA_W = Mm(156)
SIZE_TITLE = Pt(22)  # 二号
SIZE_BODY = Pt(16)  # 三号
SIZE_PAGE = Pt(14)  # 四号
SIZE_NOTE = Pt(12)  # 小四
SIZE_TABLE = Pt(10.5)  # 五号
LINE_PITCH = Pt(29)  # 225 mm / 22 lines ≈ 28.95 pt
RED = RGBColor(0xE6, 0x00, 0x12)  # 公文 red
CELL_PADDING = Mm(4)  # Word's default cell margins, 1.9 mm left and right, plus a little
SMALL_CELL_PADDING = Mm(2.5)  # a wide table: 1 mm margins left and right, plus a little
HEADER_FILL = "#E7ECF4"
FIGURE_FILL = "#EEF3FA"

_ALIGN = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
}
_THEME_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def render_docx(doc: Document, target: Target) -> None:
    """Write ``doc`` as a DOCX file to a path or binary stream."""
    write_bytes(docx_bytes(doc), target)


def docx_bytes(doc: Document) -> bytes:
    """The DOCX file as bytes (deterministic: fixed timestamps in the package and its properties)."""
    word = new_docx()
    _setup_page(word, doc)
    _setup_styles(word, doc.compact)
    _setup_font_table(word)
    _set_properties(word, doc)
    _write_front(word, doc)
    captions = doc.captions()
    pending_break = False
    for block in doc.blocks:
        if isinstance(block, PageBreak):
            pending_break = True
            continue
        body = word.element.body
        start = len(body) - 1  # the last child is sectPr; new blocks go before it
        _write_block(word, block, captions.get(id(block), ""))
        if pending_break:
            _break_before(word, body[start])
            pending_break = False
    buf = io.BytesIO()
    word.save(buf)
    return zip_normalise(buf.getvalue())


# --------------------------------------------------------------------------- set-up


def _setup_page(word: DocxDocument, doc: Document) -> None:
    section = word.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = PAGE_W, PAGE_H
    margins = MARGINS | (COMPACT_MARGINS if doc.compact else {})
    section.top_margin, section.bottom_margin = margins["top"], margins["bottom"]
    section.left_margin, section.right_margin = MARGINS["left"], MARGINS["right"]
    section.header_distance = Mm(15)
    section.footer_distance = Mm(14) if doc.compact else Mm(24)  # page number ≈ 7 mm below the type area
    _page_number_footer(section.footer.paragraphs[0], doc.page_number_format)


def _page_number_footer(para: DocxParagraph, fmt: str) -> None:
    """Footer text such as “第 N 页”, with N a PAGE field."""
    para.style = "Footer"
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    before, _, after = fmt.partition("{page}")
    if before:
        para.add_run(before)
    _add_field(para, "PAGE", "1")
    if after:
        para.add_run(after)


def _add_field(para: DocxParagraph, instruction: str, placeholder: str) -> None:
    run = para.add_run()
    for kind, text in (("begin", None), ("instr", instruction), ("separate", None), ("text", placeholder),
                       ("end", None)):
        if kind == "instr":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = f" {text} "
        elif kind == "text":
            el = OxmlElement("w:t")
            el.text = text
        else:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        run._r.append(el)


def _set_fonts(style_or_run_element, font: DocxFont) -> None:
    """Set ascii/hAnsi/eastAsia/cs fonts on an element with rPr (style or run), dropping theme fonts."""
    rpr = style_or_run_element.get_or_add_rPr()
    rfonts = rpr.get_or_add_rFonts()
    for attr in _THEME_ATTRS:
        rfonts.attrib.pop(qn(attr), None)
    rfonts.set(qn("w:ascii"), font.latin)
    rfonts.set(qn("w:hAnsi"), font.latin)
    rfonts.set(qn("w:cs"), font.latin)
    rfonts.set(qn("w:eastAsia"), font.east_asia)


def _style(word: DocxDocument, name: str, font: DocxFont, size: Pt, *, base: str = "Normal",
           bold: bool = False, align: str | None = None, exact: Pt | None = None,
           before: Pt | None = None, after: Pt | None = None, indent: Pt | None = None):
    """Create or reset a paragraph style."""
    styles = word.styles
    style = styles[name] if name in [s.name for s in styles] else styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    if name != "Normal":
        style.base_style = styles[base]
    rpr = style.element.get_or_add_rPr()
    for tag in ("w:color", "w:b", "w:bCs", "w:i", "w:iCs"):
        for el in rpr.findall(qn(tag)):
            rpr.remove(el)
    _set_fonts(style.element, font)
    style.font.size = size
    style.font.bold = bold
    style.font.color.rgb = RGBColor(0, 0, 0)
    pf = style.paragraph_format
    if align:
        pf.alignment = _ALIGN[align]
    if exact is not None:
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = exact
    else:
        pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
    pf.space_before, pf.space_after = before or Pt(0), after or Pt(0)
    pf.first_line_indent = indent
    return style


def _setup_styles(word: DocxDocument, compact: bool = False) -> None:
    """Body, headings (outline levels kept for the navigation pane) and the XZ helper styles.

    ``compact`` (one-page 简报): body 小四 (12 pt) on a 16 pt pitch, tables 小五 (9 pt), a smaller masthead."""
    body, table = DOCX_FONTS["body"], DOCX_FONTS["table"]
    size, pitch = (Pt(12), Pt(16)) if compact else (SIZE_BODY, LINE_PITCH)
    _doc_defaults(word, body)
    _style(word, "Normal", body, size, align="justify", exact=pitch)
    indent = Pt(2 * size.pt)  # two characters
    _style(word, "Heading 1", DOCX_FONTS["heading1"], size, exact=pitch, indent=indent)
    _style(word, "Heading 2", DOCX_FONTS["heading2"], size, exact=pitch, indent=indent)
    _style(word, "Heading 3", body, size, bold=True, exact=pitch, indent=indent)
    _style(word, "Heading 4", body, size, exact=pitch, indent=indent)
    for level in range(1, 5):
        word.styles[f"Heading {level}"].paragraph_format.keep_with_next = True
    if compact:
        _style(word, "XZ Masthead", DOCX_FONTS["title"], Pt(22), align="center", after=Pt(0))
        _style(word, "XZ Title", DOCX_FONTS["title"], Pt(17), align="center", exact=Pt(23), before=Pt(4),
               after=Pt(2))
    else:
        _style(word, "XZ Masthead", DOCX_FONTS["title"], Pt(36), align="center", after=Pt(6))
        _style(word, "XZ Title", DOCX_FONTS["title"], SIZE_TITLE, align="center", exact=Pt(35), before=Pt(12),
               after=Pt(20))
    _style(word, "XZ Subtitle", DOCX_FONTS["heading2"], size, align="center", exact=pitch)
    table_size = Pt(9) if compact else SIZE_TABLE  # 小五 in a one-page briefing
    word.__dict__["_xz_table_size"] = table_size
    _style(word, "XZ Caption", DOCX_FONTS["heading1"], Pt(11) if compact else Pt(14), align="center",
           before=Pt(4) if compact else Pt(10), after=Pt(2) if compact else Pt(4))
    _style(word, "XZ Table", table, table_size)
    _style(word, "XZ Source", table, table_size, align="left", before=Pt(2) if compact else Pt(3),
           after=Pt(4) if compact else Pt(8))
    _style(word, "XZ Note", body, Pt(9) if compact else SIZE_NOTE, align="justify", exact=Pt(13) if compact else Pt(20),
           before=Pt(2), after=Pt(2))
    _style(word, "XZ Figure", body, SIZE_BODY, align="center", before=Pt(6))
    _style(word, "Footer", DOCX_FONTS["page"], SIZE_PAGE, base="Normal", align="center")
    for name in ("XZ Caption", "XZ Figure"):
        word.styles[name].paragraph_format.keep_with_next = True


def _doc_defaults(word: DocxDocument, font: DocxFont) -> None:
    """Replace the template's theme fonts in docDefaults and mark the language as zh-CN."""
    rpr = word.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in _THEME_ATTRS:
        rfonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        rfonts.set(qn(attr), font.latin)
    rfonts.set(qn("w:eastAsia"), font.east_asia)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")


def _setup_font_table(word: DocxDocument) -> None:
    """Declare the government fonts with ``altName`` fallbacks and the GB2312 charset in fontTable.xml."""
    part = word.part.part_related_by(RT.FONT_TABLE)
    root = etree.fromstring(part.blob)
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    known = {f.get(f"{w}name") for f in root.findall(f"{w}font")}
    for font in {f.east_asia: f for f in DOCX_FONTS.values()}.values():
        if font.east_asia in known:
            continue
        el = etree.SubElement(root, f"{w}font", {f"{w}name": font.east_asia})
        etree.SubElement(el, f"{w}altName", {f"{w}val": font.fallback})
        etree.SubElement(el, f"{w}charset", {f"{w}val": "86"})  # GB2312
        etree.SubElement(el, f"{w}family", {f"{w}val": "modern"})
        etree.SubElement(el, f"{w}pitch", {f"{w}val": "fixed"})
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _set_properties(word: DocxDocument, doc: Document) -> None:
    props = word.core_properties
    props.title = doc.title
    props.subject = doc.subtitle
    props.author = doc.issuer or "新质"
    props.last_modified_by = doc.issuer or "新质"
    props.language = "zh-CN"
    props.revision = 1
    props.comments = ""
    stamp = _stamp(doc)
    props.created = props.modified = stamp
    props.last_printed = stamp


def _stamp(doc: Document) -> dt.datetime:
    """A fixed timestamp for the file properties: the document date, else 2000-01-01."""
    day = doc.date if isinstance(doc.date, dt.date) else dt.date(2000, 1, 1)
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


# --------------------------------------------------------------------------- front matter


def _write_front(word: DocxDocument, doc: Document) -> None:
    body = word.paragraphs[0] if word.paragraphs else None
    if body is not None and not body.text:
        body._p.getparent().remove(body._p)
    if doc.masthead:
        _masthead(word, doc)
        _add(word, doc.title, "XZ Title")
        if doc.subtitle:
            _add(word, doc.subtitle, "XZ Subtitle")
        return
    _add(word, doc.title, "XZ Title")
    for line in (doc.subtitle, " ".join(x for x in (doc.issuer, doc.date_text) if x)):
        if line:
            _add(word, line, "XZ Subtitle")
    if doc.subtitle or doc.issuer or doc.date:
        _add(word, "", "Normal")


def _masthead(word: DocxDocument, doc: Document) -> None:
    """Red masthead, issue number, issuer/date line above a red rule (简报 layout)."""
    head = _add(word, "", "XZ Masthead")
    run = head.add_run(doc.masthead)
    run.font.color.rgb = RED
    if doc.issue:
        _add(word, doc.issue, "XZ Subtitle")
    line = _add(word, "", "Normal")
    line.paragraph_format.tab_stops.add_tab_stop(TYPE_AREA_W, WD_TAB_ALIGNMENT.RIGHT)
    line.paragraph_format.first_line_indent = Pt(0)
    line.add_run(f"{doc.issuer}\t{doc.date_text}")
    _bottom_border(line, "E60012", 18)


def _bottom_border(para: DocxParagraph, colour: str, eighth_points: int) -> None:
    ppr = para._p.get_or_add_pPr()
    bdr = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, val in (("val", "single"), ("sz", str(eighth_points)), ("space", "4"), ("color", colour)):
        bottom.set(qn(f"w:{key}"), val)
    bdr.append(bottom)
    ppr.append(bdr)


# --------------------------------------------------------------------------- blocks


def _style_id(word: DocxDocument, name: str) -> str:
    """Style id for a style name, cached per document (python-docx's name lookup is slow per paragraph)."""
    cache = word.__dict__.setdefault("_xz_style_ids", {})
    if name not in cache:
        cache[name] = word.styles[name].style_id
    return cache[name]


def _styled(para: DocxParagraph, word: DocxDocument, name: str) -> DocxParagraph:
    if name != "Normal":
        para._p.style = _style_id(word, name)
    return para


def _add(word: DocxDocument, text: str, style: str) -> DocxParagraph:
    """Append a paragraph with a style (by name)."""
    return _styled(word.add_paragraph(text), word, style)


def _write_block(word: DocxDocument, block, caption: str) -> None:
    if isinstance(block, Heading):
        _add(word, block.text, f"Heading {block.level}")
    elif isinstance(block, Paragraph):
        _paragraph(word, block)
    elif isinstance(block, Note):
        _add(word, block.label + block.text, "XZ Note")
    elif isinstance(block, KeyFigures):
        _key_figures(word, block)
    elif isinstance(block, Table):
        _table(word, block, caption)
    elif isinstance(block, Chart):
        _chart(word, block, caption)
    elif isinstance(block, PageBreak):
        _add(word, "", "Normal").add_run().add_break(WD_BREAK.PAGE)
    else:
        raise TypeError(f"DOCX renderer does not know block {type(block).__name__}")


def _break_before(word: DocxDocument, first) -> None:
    """Start the element on a new page: ``pageBreakBefore`` on a paragraph, else an explicit break before it.

    A separate break paragraph would spill onto an empty page when the previous page is full.
    """
    if first.tag == qn("w:p"):
        DocxParagraph(first, word.part).paragraph_format.page_break_before = True
        return
    para = _add(word, "", "Normal")
    para.add_run().add_break(WD_BREAK.PAGE)
    first.addprevious(para._p)


def _paragraph(word: DocxDocument, block: Paragraph) -> None:
    para = _add(word, "", "Normal")
    para.alignment = _ALIGN[block.align]
    size = word.styles["Normal"].font.size.pt
    para.paragraph_format.first_line_indent = Pt(2 * size) if block.indent else Pt(0)
    for run in block.runs:
        para.add_run(run.text).bold = run.bold or None


def _shade(cell: _Cell, colour: str) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), colour.lstrip("#"))
    tcpr.append(shd)


def _cell_text(word: DocxDocument, cell: _Cell, text: str, *, align: str = "left", bold: bool = False,
               size: Pt | None = None, style: str = "XZ Table") -> DocxParagraph:
    para = _styled(cell.paragraphs[0], word, style)
    para.alignment = _ALIGN[align]
    run = para.add_run(text)
    if bold:
        run.bold = True
    if size is not None:
        run.font.size = size
    return para


def _key_figures(word: DocxDocument, block: KeyFigures) -> None:
    figures = block.figures
    if block.title:
        _add(word, block.title, "XZ Caption")
    per_row = max(1, min(block.per_row, len(figures) or 1))
    rows = math.ceil(len(figures) / per_row)
    table = word.add_table(rows=rows, cols=per_row)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    width = TYPE_AREA_W // per_row
    _fix_grid(table, [width] * per_row)
    for index, cell in enumerate(c for row in table.rows for c in row.cells):
        cell.width = width
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        _shade(cell, FIGURE_FILL)
        if index >= len(figures):
            continue
        fig = figures[index]
        para = _cell_text(word, cell, format_figure(fig), align="center", bold=True, size=Pt(20))
        para.paragraph_format.space_before = Pt(6)
        if fig.unit:
            para.add_run(" " + fig.unit).font.size = Pt(11)
        _styled(cell.add_paragraph(fig.label), word, "XZ Table").alignment = WD_ALIGN_PARAGRAPH.CENTER
        note = _styled(cell.add_paragraph(fig.note), word, "XZ Table")
        note.alignment = WD_ALIGN_PARAGRAPH.CENTER
        note.paragraph_format.space_after = Pt(6)
        for run in note.runs:
            run.font.size = Pt(9)
            run.font.color.rgb = RGBColor(0x59, 0x59, 0x59)
    # the cards stay together: no row splits, and every row keeps with the next one
    for r, row in enumerate(table.rows):
        _cant_split(row)
        if r < len(table.rows) - 1:
            for cell in row.cells:
                for para in cell.paragraphs:
                    para.paragraph_format.keep_with_next = True
    _add(word, "", "XZ Source")


def _table(word: DocxDocument, block: Table, caption: str) -> None:
    if caption:
        _add(word, caption, "XZ Caption")
    rows = block.cells()
    table = word.add_table(rows=len(rows) + 1, cols=len(block.columns))
    table.style = word.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    size = word.__dict__.get("_xz_table_size", SIZE_TABLE)
    padding = CELL_PADDING
    if block.small:
        size, padding = min(size, Pt(9)), SMALL_CELL_PADDING
    widths = [int(w) for w in column_widths(block, TYPE_AREA_W, size, padding)]
    _fix_grid(table, widths)
    if block.small:
        _cell_margins(table, SMALL_CELL_PADDING // 2 - Mm(0.25))
    aligns = [column_align(block, i) for i in range(len(block.columns))]
    header = table.rows[0]
    _repeat_header(header)
    for cell, column, width in zip(header.cells, block.columns, widths, strict=True):
        cell.width = width
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        _shade(cell, HEADER_FILL)
        split = _unit_on_own_line(column, width, size)
        para = _cell_text(word, cell, column.header if split else column.title, align="center", bold=True,
                          size=size if block.small else None)
        if split:
            para.runs[-1].add_break()
            unit = para.add_run(f"（{column.unit}）")
            unit.bold = True
            if block.small:
                unit.font.size = size
    for row, values in zip(table.rows[1:], rows, strict=True):
        _cant_split(row)
        for cell, value, column, width, align in zip(row.cells, values, block.columns, widths, aligns, strict=True):
            cell.width = width
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            fill = resolve_fill(value.fill)
            if fill:
                _shade(cell, fill)
            _cell_text(word, cell, format_cell(value, column), align=align, bold=value.bold,
                       size=size if block.small else None)
    if block.source:
        _add(word, f"资料来源：{block.source}", "XZ Source")
    else:
        _add(word, "", "XZ Source")


def _cell_margins(table, side: int) -> None:
    """Left and right cell margins of the whole table (``w:tblCellMar``), for wide tables."""
    tblpr = table._tbl.tblPr
    mar = OxmlElement("w:tblCellMar")
    for edge in ("left", "right"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:w"), str(int(side / 635)))
        el.set(qn("w:type"), "dxa")
        mar.append(el)
    tblpr.find(qn("w:tblLayout")).addnext(mar)  # schema order: … tblLayout, tblCellMar, tblLook


def _fix_grid(table, widths: list[int]) -> None:
    """Column widths on the table grid (``w:tblGrid``), the table width and a fixed layout, not only on the
    cells: LibreOffice and WPS lay out from the grid and fall back to equal columns without it."""
    tbl = table._tbl
    grid = tbl.tblGrid
    for col, width in zip(grid.findall(qn("w:gridCol")), widths, strict=True):
        col.set(qn("w:w"), str(int(width / 635)))  # EMU → twips (twentieths of a point)
    tblpr = tbl.tblPr
    for tag in ("w:tblW", "w:tblLayout"):
        for old in tblpr.findall(qn(tag)):
            tblpr.remove(old)
    tblw = OxmlElement("w:tblW")
    tblw.set(qn("w:w"), str(int(sum(widths) / 635)))
    tblw.set(qn("w:type"), "dxa")
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    # schema order inside tblPr: tblStyle, …, tblW, jc, …, tblLayout, …
    style = tblpr.find(qn("w:tblStyle"))
    (style.addnext(tblw) if style is not None else tblpr.insert(0, tblw))
    jc = tblpr.find(qn("w:jc"))
    (jc.addnext(layout) if jc is not None else tblw.addnext(layout))


def _unit_on_own_line(column, width: int, size: int = SIZE_TABLE) -> bool:
    """Put “（unit）” on its own header line when header and unit do not fit on one line."""
    usable = width - Mm(2.5)  # default cell margins
    return bool(column.unit) and text_width(column.title) * size / 2 > usable


def _repeat_header(row) -> None:
    trpr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    trpr.append(el)
    _cant_split(row)


def _cant_split(row) -> None:
    trpr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:cantSplit")
    el.set(qn("w:val"), "true")
    trpr.append(el)


def _chart(word: DocxDocument, block: Chart, caption: str) -> None:
    para = _add(word, "", "XZ Figure")
    width = min(Cm(block.width_cm), TYPE_AREA_W)
    para.add_run().add_picture(io.BytesIO(chart_png(block)), width=width)
    if caption:
        _add(word, caption, "XZ Caption").paragraph_format.keep_with_next = bool(block.source)
    if block.source:
        source = _add(word, f"资料来源：{block.source}", "XZ Source")
        source.alignment = WD_ALIGN_PARAGRAPH.CENTER

