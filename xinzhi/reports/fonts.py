"""Fonts: the vendored Noto Sans SC (SIL OFL) for PDF and charts, and the GB/T 9704 font names for DOCX.

PDF and chart PNGs embed/draw Noto Sans SC from ``xinzhi/data/fonts`` only, so they look the same on every
machine. DOCX files name the customary government fonts (仿宋_GB2312, 方正小标宋简体, 黑体, 楷体_GB2312) so
that the editable original follows the 公文 conventions; the font table gives each a fallback (``altName``)
that Word and WPS use where the first is not installed.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import xinzhi

FONT_DIR = Path(xinzhi.__file__).parent / "data" / "fonts"
REGULAR_TTF = FONT_DIR / "NotoSansSC_400Regular.ttf"
BOLD_TTF = FONT_DIR / "NotoSansSC_700Bold.ttf"

#: Family name of the vendored font, as matplotlib and reportlab know it.
NOTO_FAMILY = "Noto Sans SC"
PDF_REGULAR = "NotoSansSC"
PDF_BOLD = "NotoSansSC-Bold"


@dataclass(frozen=True)
class DocxFont:
    """A DOCX font: East Asian face, its fallback, and the face for Latin text and digits."""

    east_asia: str
    fallback: str
    latin: str = "Times New Roman"


#: GB/T 9704-2012 roles → fonts. Fallbacks are the faces Windows/WPS ship (or Noto for other systems).
DOCX_FONTS: dict[str, DocxFont] = {
    "title": DocxFont("方正小标宋简体", "宋体"),
    "body": DocxFont("仿宋_GB2312", "仿宋"),
    "heading1": DocxFont("黑体", "SimHei"),
    "heading2": DocxFont("楷体_GB2312", "楷体"),
    "table": DocxFont("仿宋_GB2312", "仿宋"),
    "page": DocxFont("宋体", "SimSun"),
}


def check_fonts() -> None:
    """Raise :class:`FileNotFoundError` with a hint when the vendored fonts are missing."""
    for path in (REGULAR_TTF, BOLD_TTF):
        if not path.is_file():
            raise FileNotFoundError(f"{path} is missing: run scripts/vendor-assets.sh to vendor Noto Sans SC")


@functools.cache
def register_pdf_fonts() -> tuple[str, str]:
    """Register Noto Sans SC (regular + bold, as one family) with reportlab once; return the two names."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    check_fonts()
    pdfmetrics.registerFont(TTFont(PDF_REGULAR, str(REGULAR_TTF)))
    pdfmetrics.registerFont(TTFont(PDF_BOLD, str(BOLD_TTF)))
    addMapping(PDF_REGULAR, 0, 0, PDF_REGULAR)
    addMapping(PDF_REGULAR, 1, 0, PDF_BOLD)
    addMapping(PDF_REGULAR, 0, 1, PDF_REGULAR)
    addMapping(PDF_REGULAR, 1, 1, PDF_BOLD)
    _chinese_line_breaking()
    return PDF_REGULAR, PDF_BOLD


#: Chinese punctuation that must not start a line (GB/T 15834 禁则) and that reportlab's list lacks.
CANNOT_START = "，。、；：！？）》〉」』】〕”’…—％℃·"


def _chinese_line_breaking() -> None:
    """Teach reportlab's CJK wrapper the full-width Chinese punctuation that may not begin a line.

    reportlab keeps such a character on the previous line (hanging punctuation); its built-in list covers
    Japanese usage but misses 、，；：！？ etc. The list is a module global read at wrap time.
    """
    from reportlab.lib import textsplit
    from reportlab.platypus import paragraph

    extra = "".join(ch for ch in CANNOT_START if ch not in textsplit.ALL_CANNOT_START)
    textsplit.ALL_CANNOT_START += extra
    paragraph.ALL_CANNOT_START = textsplit.ALL_CANNOT_START
