"""Exports and templates: the same headers (units included) that imports read.

An export re-imports unchanged: money is written in the unit its header declares as an exact
decimal (元 by default, so every value is an integer), booleans as 是/否, choices as their Chinese
labels, periods as ``YYYY-MM``.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import xlsxwriter

from xinzhi.core import cells
from xinzhi.core.periods import Period
from xinzhi.core.units import UNIT_FACTORS, normalise_unit

from .reading import DATA_SHEET, INSTRUCTIONS_SHEET
from .registry import get_kind
from .spec import TYPE_LABELS_ZH, Column, ColumnType, ImportKind

FORMATS = ("csv", "xlsx", "parquet")

GENERAL_NOTES_ZH = [
    "第1行为列名，第2行起每行一条记录；请勿修改列名，可调整列的顺序，多余的列将被忽略。",
    "金额列的计量单位写在列名后的括号内，如“工业总产值(千元)”，可改为 元、千元、万元 或 亿元；导入时按所注单位换算为元（四舍五入到元）。",
    "期别填 YYYY-MM（如 2025-06）；月度数据为1—N月累计值。",
    "是/否列填“是”或“否”；代码列请设置为文本格式，以免丢失前导零。",
    "导入前先预览：有任何错误的文件整体不导入；同一文件重复导入不会重复写入。",
]


def money_text(expr: pl.Expr, unit: str) -> pl.Expr:
    """Whole yuan → exact decimal text in ``unit`` (1234567 元 in 千元 → ``1234.567``)."""
    factor = UNIT_FACTORS[unit]
    if factor == 1:
        return expr.cast(pl.String)
    digits = len(str(factor)) - 1
    magnitude = expr.abs()
    whole = (magnitude // factor).cast(pl.String)
    frac = (magnitude % factor).cast(pl.String).str.zfill(digits).str.strip_chars_end("0")
    sign = pl.when(expr < 0).then(pl.lit("-")).otherwise(pl.lit(""))
    return pl.when(expr.is_null()).then(None).otherwise(
        sign + whole + pl.when(frac == "").then(pl.lit("")).otherwise(pl.lit(".") + frac)
    )


def to_file_frame(kind: ImportKind, frame: pl.DataFrame, unit: str | None = None, numeric: bool = False) -> pl.DataFrame:
    """Parsed frame → the file's columns (Chinese headers, units, labels).

    ``unit`` overrides every money column's unit (default 元). With ``numeric`` money comes out as
    numbers (for xlsx cells), otherwise as exact text.
    """
    unit = normalise_unit(unit or "元")
    exprs = []
    for col in kind.columns:
        header = col.header_with_unit(unit)
        present = col.key in frame.columns or (col.type is ColumnType.PERIOD and "year" in frame.columns)
        # a column the stored data do not have (核实说明) is written empty
        exprs.append((_file_value(col, unit, numeric) if present else pl.lit(None, dtype=pl.String)).alias(header))
    return frame.select(exprs)


def _file_value(col: Column, unit: str, numeric: bool) -> pl.Expr:
    t = col.type
    if t is ColumnType.PERIOD:
        return pl.format("{}-{}", pl.col("year"), pl.col("month").cast(pl.String).str.zfill(2))
    value = pl.col(col.key)
    if t is ColumnType.MONEY:
        text = money_text(value, unit)
        if not numeric:
            return text
        return value if unit == "元" else text.cast(pl.Float64)
    if t is ColumnType.BOOL:
        return pl.when(value.is_null()).then(None).when(value).then(pl.lit("是")).otherwise(pl.lit("否"))
    if t is ColumnType.CHOICE:
        # cast first: an empty month reads as untyped (Null) columns
        text = value.cast(pl.String)
        return text.replace_strict(dict(col.choices), default=text, return_dtype=pl.String)
    if t is ColumnType.DATE:
        return value.cast(pl.Date).dt.strftime("%Y-%m-%d")
    if t in (ColumnType.INTEGER, ColumnType.YEAR):
        return value if numeric else value.cast(pl.String)
    return value.cast(pl.String)


def export_kind(kind: str | ImportKind, period: Period | str | None, fmt: str, output: str | Path,
                unit: str | None = None) -> int:
    """Write the stored rows of ``kind`` (for ``period`` when the kind is monthly); returns the row count."""
    kind = get_kind(kind)
    period = Period.parse(period) if period else None
    frame = kind.export_frame(period)
    write_file(kind, to_file_frame(kind, frame, unit, numeric=fmt == "xlsx"), fmt, output)
    return frame.height


def write_template(kind: str | ImportKind, fmt: str, output: str | Path) -> None:
    """The empty import file: headers with default units (and an instructions sheet in xlsx)."""
    kind = get_kind(kind)
    headers = [c.header_with_unit() for c in kind.columns]
    write_file(kind, pl.DataFrame(schema={h: pl.String for h in headers}), fmt, output)


def write_file(kind: ImportKind, frame: pl.DataFrame, fmt: str, output: str | Path) -> None:
    output = Path(output)
    if fmt == "csv":
        # with a BOM so that Excel opens the UTF-8 file with the right encoding
        output.write_bytes(b"\xef\xbb\xbf" + cells.csv_frame(frame).write_csv().encode("utf-8"))
    elif fmt == "parquet":
        frame.write_parquet(output)
    elif fmt == "xlsx":
        _write_xlsx(kind, frame, output)
    else:
        raise ValueError(f"不支持的格式“{fmt}”，可选：{'、'.join(FORMATS)}")


def _write_xlsx(kind: ImportKind, frame: pl.DataFrame, output: Path) -> None:
    with cells.workbook(str(output)) as workbook:
        sheet = workbook.add_worksheet(DATA_SHEET)
        head = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
        text = workbook.add_format({"num_format": "@"})
        quoted = workbook.add_format({"num_format": "@", "quote_prefix": True})
        for i, name in enumerate(frame.columns):
            numeric = frame.schema[name].is_numeric()
            sheet.set_column(i, i, max(12, len(name) * 2 + 2), None if numeric else text)
            sheet.write_string(0, i, name, head)
            values = frame.get_column(name).to_list()
            if numeric:
                sheet.write_column(1, i, values)
            else:
                for r, v in enumerate(values, start=1):
                    if v is not None:
                        sheet.write_string(r, i, v, quoted if cells.is_dangerous(v) else None)
        sheet.freeze_panes(1, 0)
        _write_instructions(workbook, kind)


def _write_instructions(workbook: xlsxwriter.Workbook, kind: ImportKind) -> None:
    sheet = workbook.add_worksheet(INSTRUCTIONS_SHEET)
    bold = workbook.add_format({"bold": True})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    sheet.write(0, 0, f"{kind.label_zh}（导入类型：{kind.name}）", bold)
    row = 1
    for note in ([kind.instructions_zh] if kind.instructions_zh else []) + GENERAL_NOTES_ZH:
        sheet.write(row, 0, note)
        row += 1
    row += 1
    for i, title in enumerate(["列名", "类型", "计量单位", "是否必填", "说明", "示例"]):
        sheet.write(row, i, title, bold)
    for col in kind.columns:
        row += 1
        kind_label = TYPE_LABELS_ZH[col.type]
        if col.type is ColumnType.CHOICE:
            kind_label += "：" + "、".join(col.choices.values())
        sheet.write_row(row, 0, [
            col.header_with_unit(), kind_label, col.default_unit or "", "是" if col.required else "否",
            col.help_zh + ("（仅供参考，导入时忽略）" if col.informational else ""), col.example,
        ], wrap)
    sheet.set_column(0, 0, 28)
    sheet.set_column(1, 1, 30)
    sheet.set_column(4, 4, 60)
    sheet.set_column(5, 5, 22)
