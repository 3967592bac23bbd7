"""Report rendering: one :class:`Document` model, three files — DOCX (GB/T 9704 layout), PDF and XLSX.

Build a :class:`Document` from blocks and call :func:`render`::

    from xinzhi.reports import Document, Heading, Paragraph, render
    doc = Document(title="运行报告", blocks=[Heading(1, "一、总体情况"), Paragraph("……")])
    render(doc, "pdf", "out/report.pdf")

See docs/reports.md.
"""

from .document import (
    MISSING,
    RATING_FILLS,
    Block,
    Cell,
    Chart,
    Column,
    Document,
    Heading,
    KeyFigure,
    KeyFigures,
    Note,
    PageBreak,
    Paragraph,
    Run,
    Series,
    Table,
)
from .render import CONTENT_TYPES, FORMATS, render, render_bytes


def render_docx(doc: Document, target) -> None:
    """Write ``doc`` as DOCX (see :mod:`xinzhi.reports.docx_render`)."""
    render(doc, "docx", target)


def render_pdf(doc: Document, target) -> None:
    """Write ``doc`` as PDF (see :mod:`xinzhi.reports.pdf_render`)."""
    render(doc, "pdf", target)


def render_xlsx(doc: Document, target) -> None:
    """Write ``doc`` as XLSX (see :mod:`xinzhi.reports.xlsx_render`)."""
    render(doc, "xlsx", target)


__all__ = [
    "CONTENT_TYPES",
    "FORMATS",
    "MISSING",
    "RATING_FILLS",
    "Block",
    "Cell",
    "Chart",
    "Column",
    "Document",
    "Heading",
    "KeyFigure",
    "KeyFigures",
    "Note",
    "PageBreak",
    "Paragraph",
    "Run",
    "Series",
    "Table",
    "render",
    "render_bytes",
    "render_docx",
    "render_pdf",
    "render_xlsx",
]
