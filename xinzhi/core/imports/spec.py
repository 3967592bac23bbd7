"""What an import kind is: its columns (Chinese header, type, unit, required) and the hooks it implements.

A kind (``monthly-stats``, ``enterprises``, …) is declared once and drives everything: reading and
parsing a file, validation, the diff against the database, the atomic write, the export and the
empty template. The per-app modules (``xinzhi/<app>/imports.py``) subclass :class:`ImportKind` and
register an instance (see ``registry``).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

import polars as pl

if TYPE_CHECKING:  # pragma: no cover
    from xinzhi.core.models import ImportBatch
    from xinzhi.core.periods import Period

    from .diff import KindDiff


class ColumnType(enum.StrEnum):
    TEXT = "text"
    USCC = "uscc"
    DIVISION = "division"  # 6-digit county code (GB/T 2260)
    INDUSTRY = "industry"  # 4-digit class code (GB/T 4754-2017)
    MONEY = "money"  # an amount in the unit its header declares; stored as whole yuan
    INTEGER = "integer"
    YEAR = "year"
    BOOL = "bool"
    DATE = "date"
    PERIOD = "period"  # YYYY-MM → two columns ``year`` and ``month``
    CHOICE = "choice"  # Chinese label → stored code


#: how each type is described to users (template instructions, docs)
TYPE_LABELS_ZH: dict[ColumnType, str] = {
    ColumnType.TEXT: "文本",
    ColumnType.USCC: "18位统一社会信用代码",
    ColumnType.DIVISION: "6位县级行政区划代码",
    ColumnType.INDUSTRY: "4位行业小类代码（GB/T 4754-2017）",
    ColumnType.MONEY: "金额（按列名所注单位填写）",
    ColumnType.INTEGER: "整数",
    ColumnType.YEAR: "4位年份",
    ColumnType.BOOL: "是/否",
    ColumnType.DATE: "日期 YYYY-MM-DD",
    ColumnType.PERIOD: "期别 YYYY-MM",
    ColumnType.CHOICE: "取值之一",
}


@dataclass(frozen=True)
class Column:
    """One column of an import file.

    ``key`` names the parsed column (for a PERIOD column the parsed frame gets ``year`` and ``month``
    instead). ``informational`` columns are written by exports for readability (e.g. 企业名称 next to
    the USCC of a monthly filing) and ignored on import.
    """

    key: str
    header: str
    type: ColumnType = ColumnType.TEXT
    required: bool = True
    default_unit: str | None = None  # money columns: unit the template and exports declare
    choices: Mapping[str, str] = field(default_factory=dict)  # stored code → Chinese label
    default: object = None  # value for new rows when the column is absent or empty
    aliases: tuple[str, ...] = ()
    max_length: int | None = None
    help_zh: str = ""
    example: str = ""
    informational: bool = False
    #: a YEAR column naming the year the data are for: not later than the current year
    data_year: bool = False

    @property
    def is_money(self) -> bool:
        return self.type is ColumnType.MONEY

    def header_with_unit(self, unit: str | None = None) -> str:
        """The header as templates and exports write it: ``工业总产值(千元)`` for money columns."""
        if self.is_money:
            return f"{self.header}({unit or self.default_unit})"
        return self.header


#: the optional column in which a file explains, row by row, values flagged by the plausibility checks
#: (核实性审核); kinds with plausibility rules list it among their columns. Never stored with the data:
#: the explanations go to the ImportBatch.
CONFIRMATION = Column("confirmation", "核实说明", required=False, max_length=500,
                      help_zh="仅当本行有需核实的数值时填写：说明数值属实的原因，随导入记录保存", example="")


@dataclass(frozen=True)
class Issue:
    """One problem found in a file. ``row`` is the Excel row (header = 1, first data row = 2)."""

    row: int
    field: str
    reason_zh: str
    severity: str = "error"  # "error" | "warning"

    def __str__(self) -> str:
        where = f"第{self.row}行" if self.row > 1 else "表头"
        return f"{where}【{self.field}】{self.reason_zh}"


@dataclass(frozen=True)
class RecordRegion:
    """Where a kind's rows live: the stored record each row writes, and that record's **current** county.

    A row is in the importing user's scope only if the stored record is (``xinzhi.core.region_moves``);
    the county the file writes decides only for new records, and a file county that differs from the
    stored one is a move between regions — a province action. ``sql`` selects every stored record with
    the columns ``key`` (named as the parsed columns), ``record_id`` and ``stored_division``.
    ``file_column`` is the parsed column holding the county a new record gets (None when the file names
    none: a monthly filing belongs to its registered enterprise). ``model`` (``app_label.Model``) is the
    stored record's model, for the audit entry of a move. With ``sql`` None the county is part of the
    row's key (``region-investment``): a row writes the record of the county it names, and nothing moves.
    """

    key: tuple[str, ...]
    sql: str | None = None
    file_column: str | None = "division_code"
    model: str | None = None
    #: header naming the county in messages (default: the file column's, else the first key column's)
    header: str | None = None
    #: what the stored record is called in messages (该企业现属……)
    noun: str = "记录"


class ImportKind:
    """Base class of an import kind. Subclasses set the class attributes and implement the hooks.

    Hooks get and return Polars frames; none of them loops over rows.
    """

    name: ClassVar[str]
    label_zh: ClassVar[str]
    columns: ClassVar[tuple[Column, ...]]
    #: column keys (after parsing: a PERIOD column contributes ``year``, ``month``) unique within a file
    file_key: ClassVar[tuple[str, ...]]
    #: whether ``export`` needs a period
    periodic: ClassVar[bool] = False
    instructions_zh: ClassVar[str] = ""
    #: how to find the stored record each row writes and its current county (required: ``register``
    #: refuses a kind without it, so no kind can forget the region scope of its writes)
    record_region: ClassVar[RecordRegion]
    #: parsed column holding each row's enterprise id, for enterprise users (None: they may not import)
    scope_enterprise_column: ClassVar[str | None] = None

    # -- columns -------------------------------------------------------------------------------
    def column(self, key: str) -> Column:
        for col in self.columns:
            if col.key == key:
                return col
        raise KeyError(key)

    @property
    def importable_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if not c.informational)

    def header_of(self, key: str) -> str:
        """The Chinese header naming a parsed column in messages (``year``/``month`` → 期别)."""
        for col in self.columns:
            if col.key == key or (col.type is ColumnType.PERIOD and key in ("year", "month", col.key)):
                return col.header
        return key

    # -- hooks ---------------------------------------------------------------------------------
    def plausibility_series(self, frame: pl.DataFrame) -> pl.DataFrame | None:
        """The series the plausibility rules of this kind run on (``plausibility.build_series``), or None.

        ``frame``: the error-free parsed rows. Kinds without plausibility rules return None.
        """
        return None

    def check(self, frame: pl.DataFrame) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
        """Kind-specific rules on the parsed frame (joins against reference/DB frames).

        Returns the frame (possibly enriched, e.g. with ``enterprise_id``) and issue frames
        (``_row, field, reason, severity``). Reference codes and duplicates are already checked.
        """
        return frame, []

    def diff(self, frame: pl.DataFrame) -> KindDiff:
        """Compare error-free rows with the database."""
        raise NotImplementedError

    def write(self, diff: KindDiff, batch: ImportBatch, actor) -> None:
        """Insert new and update changed rows (inside the caller's transaction) and audit updates."""
        raise NotImplementedError

    def export_frame(self, period: Period | None) -> pl.DataFrame:
        """Stored rows as a parsed frame (column keys, money in yuan), ready for ``exports``."""
        raise NotImplementedError
