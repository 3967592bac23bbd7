"""The document model: plain dataclasses that every renderer (DOCX, PDF, XLSX) understands.

A content builder assembles a :class:`Document` from blocks and hands it to
:func:`xinzhi.reports.render`. Nothing here knows about any output format; the
renderers only read these objects, so one model gives three files that agree.

Example::

    doc = Document(
        title="2025年1—3月全省高新技术产业运行情况",
        issuer="浙江省经济和信息化厅",
        date=datetime.date(2025, 4, 20),
        blocks=[
            Heading(1, "一、总体情况"),
            Paragraph(["全省高新技术产业增加值", Run("同比增长8.2%", bold=True), "。"]),
            Table(columns=[Column("地区"), Column("增加值", unit="亿元", decimals=1)],
                  rows=[["杭州市", 1234.5], ["宁波市", Cell(987.6, fill="红")]]),
        ],
    )
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, TypeAlias

Align: TypeAlias = Literal["left", "center", "right"]
ChartKind: TypeAlias = Literal["line", "bar", "barh", "combo"]
Number: TypeAlias = int | float
Value: TypeAlias = int | float | str | None

#: Named rating fills (评级颜色). A cell ``fill`` is one of these names or a ``#RRGGBB`` colour.
RATING_FILLS: dict[str, str] = {
    "红": "#F4A6A6",
    "黄": "#FFE083",
    "蓝": "#9DC3E6",
    "绿": "#A9D18E",
    "灰": "#D0D0D0",
}

#: Placeholder shown for a missing value (``None``) in every format.
MISSING = "—"


def resolve_fill(fill: str | None) -> str | None:
    """Return the ``#RRGGBB`` colour for a rating name or hex colour; ``None`` stays ``None``."""
    if fill is None:
        return None
    if fill in RATING_FILLS:
        return RATING_FILLS[fill]
    if len(fill) == 7 and fill.startswith("#"):
        int(fill[1:], 16)  # raises ValueError on a malformed colour
        return fill.upper()
    raise ValueError(f"unknown fill {fill!r}: use one of {sorted(RATING_FILLS)} or '#RRGGBB'")


# --------------------------------------------------------------------------- inline text


@dataclass(frozen=True)
class Run:
    """A piece of paragraph text, optionally bold."""

    text: str
    bold: bool = False


RunLike: TypeAlias = Run | str


def as_runs(text: str | Sequence[RunLike]) -> list[Run]:
    """Normalise ``str`` or a mix of ``str``/:class:`Run` into a list of runs."""
    if isinstance(text, str):
        return [Run(text)]
    return [r if isinstance(r, Run) else Run(str(r)) for r in text]


# --------------------------------------------------------------------------- blocks


@dataclass
class Heading:
    """A heading. Levels follow GB/T 9704 numbering: 1 “一、” 黑体, 2 “（一）” 楷体, 3 “1.” 仿宋加粗, 4 “（1）” 仿宋.

    The text is used as given: write the numbering yourself (``"一、总体情况"``).
    """

    level: int
    text: str

    def __post_init__(self) -> None:
        if not 1 <= self.level <= 4:
            raise ValueError(f"heading level must be 1–4, got {self.level}")


@dataclass
class Paragraph:
    """Body text. ``text`` is a string or a list of strings and :class:`Run` (for bold parts).

    ``indent`` indents the first line by two characters (公文 body style).
    """

    text: str | Sequence[RunLike]
    indent: bool = True
    align: Literal["justify", "left", "center", "right"] = "justify"

    @property
    def runs(self) -> list[Run]:
        return as_runs(self.text)

    @property
    def plain(self) -> str:
        return "".join(r.text for r in self.runs)


@dataclass
class KeyFigure:
    """One headline indicator: ``value`` (already a number or a preformatted string) with unit and a note."""

    label: str
    value: Value
    unit: str = ""
    note: str = ""
    decimals: int | None = None


@dataclass
class KeyFigures:
    """A panel of headline indicators (核心指标), laid out as cards, ``per_row`` to a row."""

    items: Sequence[KeyFigure | tuple]
    title: str = ""
    per_row: int = 4

    @property
    def figures(self) -> list[KeyFigure]:
        """Items as :class:`KeyFigure`; tuples ``(label, value, unit, note)`` are accepted for brevity."""
        return [i if isinstance(i, KeyFigure) else KeyFigure(*i) for i in self.items]


@dataclass
class Column:
    """A table column.

    ``decimals`` fixes the number of decimals shown (``None``: integers as integers, other numbers with 2);
    ``thousands`` groups digits (1,234); ``signed`` shows a plus sign on positive numbers (growth rates).
    ``align`` defaults to right for numeric columns and left otherwise. ``width`` is a relative weight;
    ``None`` fits the content.
    """

    header: str
    unit: str = ""
    align: Align | None = None
    decimals: int | None = None
    thousands: bool = True
    signed: bool = False
    width: float | None = None

    @property
    def title(self) -> str:
        """Header text including the unit, e.g. ``增加值（亿元）``."""
        return f"{self.header}（{self.unit}）" if self.unit else self.header


@dataclass
class Cell:
    """A table cell with style: ``fill`` is a rating name (红/黄/蓝/绿/灰) or ``#RRGGBB``.

    ``decimals`` / ``signed`` override the column's number format for this cell (a column of indicators
    with different precisions: 67.4 and 3.17)."""

    value: Value
    fill: str | None = None
    bold: bool = False
    decimals: int | None = None
    signed: bool | None = None

    def __post_init__(self) -> None:
        resolve_fill(self.fill)


CellLike: TypeAlias = Cell | int | float | str | None


@dataclass
class Table:
    """A data table: header row from ``columns``, ``rows`` of values or :class:`Cell`.

    ``caption`` becomes “表N caption” above the table, ``source`` a “资料来源：” line below it,
    ``sheet_name`` names the XLSX sheet (defaults to the caption).
    """

    columns: Sequence[Column]
    rows: Sequence[Sequence[CellLike]]
    caption: str = ""
    source: str = ""
    sheet_name: str = ""
    #: a wide table: 小五 (9 pt) with narrow cell margins in DOCX/PDF
    small: bool = False

    def __post_init__(self) -> None:
        width = len(self.columns)
        for i, row in enumerate(self.rows):
            if len(row) != width:
                raise ValueError(f"table {self.caption!r} row {i} has {len(row)} cells, expected {width}")

    def cells(self) -> list[list[Cell]]:
        """Rows with every value wrapped in :class:`Cell`."""
        return [[c if isinstance(c, Cell) else Cell(c) for c in row] for row in self.rows]


@dataclass
class Series:
    """One data series of a chart. In a ``combo`` chart, ``kind`` (bar|line) and ``axis`` (primary|secondary)
    choose how it is drawn; by default the first series is bars on the primary axis and the others lines on
    the secondary axis.
    """

    name: str
    values: Sequence[Number | None]
    unit: str = ""
    kind: Literal["bar", "line"] | None = None
    axis: Literal["primary", "secondary"] | None = None


@dataclass
class Chart:
    """A chart: rendered to PNG (Noto Sans SC) for DOCX/PDF and as a native chart in XLSX.

    ``y_label``/``y2_label`` default to “单位：<unit>” of the series on that axis.
    ``width_cm``/``height_cm`` give the size in DOCX/PDF. ``show_values`` prints values on bars/points.
    """

    kind: ChartKind
    title: str
    categories: Sequence[str]
    series: Sequence[Series]
    x_label: str = ""
    y_label: str = ""
    y2_label: str = ""
    source: str = ""
    decimals: int = 1
    show_values: bool = False
    width_cm: float = 15.6
    height_cm: float = 8.0

    def __post_init__(self) -> None:
        if self.kind not in ("line", "bar", "barh", "combo"):
            raise ValueError(f"unknown chart kind {self.kind!r}")
        if not self.series:
            raise ValueError(f"chart {self.title!r} has no series")
        for s in self.series:
            if len(s.values) != len(self.categories):
                raise ValueError(f"series {s.name!r} has {len(s.values)} values for {len(self.categories)} categories")

    def resolved_series(self) -> list[Series]:
        """Series with ``kind`` and ``axis`` filled in (only ``combo`` mixes them)."""
        out: list[Series] = []
        for i, s in enumerate(self.series):
            if self.kind == "combo":
                kind = s.kind or ("bar" if i == 0 else "line")
                axis = s.axis or ("primary" if i == 0 else "secondary")
            else:
                kind = "line" if self.kind == "line" else "bar"
                axis = "primary"
            out.append(Series(s.name, s.values, s.unit, kind, axis))
        return out

    def axis_label(self, axis: Literal["primary", "secondary"]) -> str:
        """The y-axis label: explicit, else “单位：unit” of the first series on that axis."""
        explicit = self.y_label if axis == "primary" else self.y2_label
        if explicit:
            return explicit
        units = [s.unit for s in self.resolved_series() if s.axis == axis and s.unit]
        return f"单位：{units[0]}" if units else ""

    @property
    def has_secondary(self) -> bool:
        return any(s.axis == "secondary" for s in self.resolved_series())


@dataclass
class PageBreak:
    """Start a new page (DOCX/PDF; ignored in XLSX)."""


@dataclass
class Note:
    """A small-print note (注/说明), e.g. data definitions under a table. ``label`` is prefixed as “注：”."""

    text: str
    label: str = "注："


Block: TypeAlias = Heading | Paragraph | KeyFigures | Table | Chart | PageBreak | Note


@dataclass
class Document:
    """A report.

    ``masthead`` (版头, e.g. “高新技术产业运行监测 数据简报”) prints in red above a red rule with
    ``issue`` (期号, e.g. “2025年第3期”) on the left and ``issuer`` on the right — the 简报 layout.
    Without a masthead the title comes first, followed by ``subtitle`` and the issuer/date line.
    """

    title: str
    blocks: list[Block] = field(default_factory=list)
    subtitle: str = ""
    issuer: str = ""
    date: dt.date | str | None = None
    masthead: str = ""
    issue: str = ""
    page_number_format: str = "第 {page} 页"
    number_captions: bool = True
    #: a one-page layout (数据简报): body in 小四 (12 pt) on an 18 pt pitch instead of 3号 on 29 pt, tables in
    #: 小五 (9 pt), a smaller masthead and title
    compact: bool = False

    @property
    def date_text(self) -> str:
        """The date in Chinese: ``2025年4月20日`` (strings pass through)."""
        if self.date is None:
            return ""
        if isinstance(self.date, str):
            return self.date
        return f"{self.date.year}年{self.date.month}月{self.date.day}日"

    def add(self, *blocks: Block) -> Document:
        """Append blocks; returns the document so calls can chain."""
        self.blocks.extend(blocks)
        return self

    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]

    def charts(self) -> list[Chart]:
        return [b for b in self.blocks if isinstance(b, Chart)]

    def captions(self) -> dict[int, str]:
        """Caption text per block id, numbered “表1”/“图1” when ``number_captions``."""
        out: dict[int, str] = {}
        counters = {"表": 0, "图": 0}
        for block in self.blocks:
            if isinstance(block, Table | Chart):
                prefix = "表" if isinstance(block, Table) else "图"
                counters[prefix] += 1
                text = block.caption if isinstance(block, Table) else block.title
                if self.number_captions and text:
                    text = f"{prefix}{counters[prefix]} {text}"
                out[id(block)] = text
        return out
