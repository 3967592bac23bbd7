"""File downloads with Chinese names: ``Content-Disposition`` carries the name RFC 5987-encoded
(``filename*=UTF-8''…``), which every current browser uses, and an ASCII fallback for the others —
a bare non-ASCII ``filename="…"`` arrives as ``download.xlsx``."""

from __future__ import annotations

from urllib.parse import quote

from django.http import HttpResponse


def attachment(response: HttpResponse, filename: str) -> HttpResponse:
    suffix = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
    ascii_name = filename if filename.isascii() else f"download.{suffix}"
    response["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    return response
