"""Format dispatch: ``render(doc, "docx" | "pdf" | "xlsx", target)``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, TypeAlias

from .document import Document
from .output import Target, write_bytes

Format: TypeAlias = Literal["docx", "pdf", "xlsx"]

#: MIME types per format, for HTTP responses.
CONTENT_TYPES: dict[str, str] = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMATS: tuple[str, ...] = tuple(CONTENT_TYPES)


def _renderer(fmt: str) -> Callable[[Document], bytes]:
    """The bytes renderer for a format; imported lazily so one format does not load the others' libraries."""
    if fmt == "docx":
        from .docx_render import docx_bytes

        return docx_bytes
    if fmt == "pdf":
        from .pdf_render import pdf_bytes

        return pdf_bytes
    if fmt == "xlsx":
        from .xlsx_render import xlsx_bytes

        return xlsx_bytes
    raise ValueError(f"unknown report format {fmt!r}: use one of {', '.join(FORMATS)}")


def render_bytes(doc: Document, fmt: Format | str) -> bytes:
    """Render ``doc`` to the bytes of a ``docx``, ``pdf`` or ``xlsx`` file."""
    return _renderer(fmt.lower().lstrip("."))(doc)


def render(doc: Document, fmt: Format | str, target: Target) -> None:
    """Render ``doc`` as ``fmt`` into a file path (folders created) or a writable binary stream."""
    data = render_bytes(doc, fmt)
    write_bytes(data, target)
