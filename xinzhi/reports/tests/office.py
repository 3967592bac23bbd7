"""Open a DOCX the way an office suite does: LibreOffice headless converts it to PDF (``make test``
installs ``libreoffice-writer`` like it installs Chromium; set ``SOFFICE`` to another binary)."""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from pypdf import PdfReader

SOFFICE = os.environ.get("SOFFICE") or shutil.which("soffice") or "/usr/bin/soffice"
SINGLE_ALLOWED = set("红黄蓝灰—")  # rating cells and missing values are one character by design


@functools.cache
def _profile() -> Path:
    """LibreOffice's user profile of this test process, made by the first conversion and reused by the next
    (a fresh profile costs a few seconds a start); one per process, so parallel test workers do not share one."""
    folder = Path(tempfile.mkdtemp(prefix="xinzhi-lo-profile-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder / "profile"


def libreoffice_pdf(docx: bytes) -> bytes:
    """The PDF LibreOffice makes of ``docx`` (this process's own profile folder, so parallel runs do not
    collide)."""
    if not Path(SOFFICE).exists():
        raise RuntimeError("LibreOffice (soffice) is needed for the report tests: make test installs "
                           "libreoffice-writer, or apt-get install libreoffice-writer, or set SOFFICE")
    with tempfile.TemporaryDirectory(prefix="xinzhi-lo-") as tmp:
        src = Path(tmp) / "doc.docx"
        src.write_bytes(docx)
        subprocess.run([SOFFICE, f"-env:UserInstallation=file://{_profile()}", "--headless", "--convert-to", "pdf",
                        "--outdir", tmp, str(src)], check=True, capture_output=True, timeout=180)
        return (Path(tmp) / "doc.pdf").read_bytes()


def pdf_pages(pdf: bytes) -> int:
    import io

    return len(PdfReader(io.BytesIO(pdf)).pages)


def pdf_lines(pdf: bytes) -> list[str]:
    import io

    return [line.strip() for page in PdfReader(io.BytesIO(pdf)).pages for line in page.extract_text().splitlines()]


def stacked_characters(pdf: bytes) -> int:
    """Lines holding one CJK character only (a column too narrow stacks its text one character per line);
    rating words and dashes, one character by design, do not count."""
    return sum(1 for line in pdf_lines(pdf) if len(line) == 1 and ord(line) > 0x2E80 and line not in SINGLE_ALLOWED)
