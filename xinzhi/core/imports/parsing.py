"""From a frame of strings to typed columns, with an issue for every value that does not parse.

Everything here is a Polars expression over whole columns. An issue frame has the columns
``_row`` (Excel row), ``field`` (Chinese header), ``reason`` (Chinese) and ``severity``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl

from xinzhi.core.units import UNIT_FACTORS, UnitError, normalise_unit

from .spec import Column, ColumnType, ImportKind

ROW = "_row"
FIRST_DATA_ROW = 2  # the header is row 1, as Excel shows it
#: rows parsed at a time: the typed columns are kept, the intermediate ones of one slice at a time
PARSE_CHUNK_ROWS = 100_000
ISSUE_SCHEMA = {ROW: pl.Int64, "field": pl.String, "reason": pl.String, "severity": pl.String}

_UNIT_SUFFIX = re.compile(r"^(?P<name>.*?)\s*[（(]\s*(?P<unit>[^()（）]*?)\s*[)）]\s*$")
TRUE_WORDS = ("是", "y", "yes", "true", "1", "√", "t")
FALSE_WORDS = ("否", "n", "no", "false", "0", "×", "f")


def empty_issues() -> pl.DataFrame:
    return pl.DataFrame(schema=ISSUE_SCHEMA)


def issues_where(
    frame: pl.DataFrame, condition: pl.Expr, field: str, reason: str | pl.Expr, severity: str = "error"
) -> pl.DataFrame:
    """The issue frame for the rows of ``frame`` where ``condition`` holds (null counts as false)."""
    reason_expr = pl.lit(reason) if isinstance(reason, str) else reason
    return frame.filter(condition.fill_null(False)).select(
        pl.col(ROW).cast(pl.Int64),
        pl.lit(field).alias("field"),
        reason_expr.cast(pl.String).alias("reason"),
        pl.lit(severity).alias("severity"),
    )


def file_issue(field: str, reason: str, severity: str = "error") -> pl.DataFrame:
    """An issue about the file itself (reported on the header row)."""
    return pl.DataFrame(
        {ROW: [1], "field": [field], "reason": [reason], "severity": [severity]}, schema=ISSUE_SCHEMA
    )


# -- headers -----------------------------------------------------------------------------------
@dataclass
class HeaderMap:
    """Which file column holds which kind column, and the unit each money column declared."""

    source: dict[str, str]  # column key → header in the file
    units: dict[str, str]  # column key → normalised unit (money columns)
    issues: list[pl.DataFrame]

    @property
    def fatal(self) -> bool:
        return any(i.filter(pl.col("severity") == "error").height for i in self.issues)


def _split_header(header: str) -> tuple[str, str | None]:
    header = header.strip().rstrip("*＊").strip()
    match = _UNIT_SUFFIX.match(header)
    if match:
        return match.group("name").strip(), match.group("unit").strip()
    return header, None


def map_headers(kind: ImportKind, headers: list[str]) -> HeaderMap:
    """Match the file's headers to the kind's columns; read the unit of every money column."""
    by_name: dict[str, Column] = {}
    for col in kind.columns:
        for name in (col.header, *col.aliases):
            by_name[name] = col
    source: dict[str, str] = {}
    units: dict[str, str] = {}
    issues: list[pl.DataFrame] = []
    for header in headers:
        name, unit = _split_header(header)
        col = by_name.get(name) or by_name.get(header.strip())
        if col is None:
            issues.append(file_issue(header, "未识别的列，已忽略", "warning"))
            continue
        if col.key in source:
            issues.append(file_issue(header, f"与“{source[col.key]}”重复，同一列只能出现一次"))
            continue
        if col.informational:
            continue
        source[col.key] = header
        if col.is_money:
            if unit is None:
                issues.append(file_issue(header, f"未声明计量单位，请在列名后注明，如“{col.header}(千元)”"))
                continue
            try:
                units[col.key] = normalise_unit(unit)
            except UnitError as exc:
                issues.append(file_issue(header, str(exc)))
    for col in kind.importable_columns:
        if col.required and col.key not in source:
            issues.append(file_issue(col.header_with_unit(), f"缺少必填列“{col.header}”"))
    return HeaderMap(source, units, issues)


# -- values ------------------------------------------------------------------------------------
def _blank_to_null(name: str) -> pl.Expr:
    text = pl.col(name).str.strip_chars()
    return pl.when(text == "").then(None).otherwise(text)


def _code_text(name: str) -> pl.Expr:
    """A code cell as text: Excel may have turned ``330106`` into the number ``330106.0``."""
    return _blank_to_null(name).str.replace(r"^(\d+)\.0+$", "${1}")


_NUMBER = r"^(?<sign>[+-]?)(?<whole>\d*)(?:\.(?<frac>\d*))?$"


def _money_parts(name: str) -> pl.Expr:
    """One regex pass per money column: its sign, integer digits and fraction digits (a struct)."""
    text = _blank_to_null(name).str.replace_all(r"[,，\s]", "")
    return pl.struct(
        text.alias("text"),
        (text.str.contains(_NUMBER) & text.str.contains(r"\d")).alias("valid"),
        text.str.extract_groups(_NUMBER).alias("groups"),
    ).alias(f"_parts:{name}")


def _money(name: str, unit: str) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """Exact decimal → whole yuan, half up (no float on the way).

    Works on the struct ``_money_parts`` materialised first (Polars does not share sub-expressions
    in eager mode, and this one is used many times). Returns (yuan, is_not_numeric, is_too_large).
    The unit factor is a power of ten, so conversion is shifting digits from the fraction.
    """
    digits = len(str(UNIT_FACTORS[unit])) - 1
    parts = pl.col(f"_parts:{name}").struct
    groups = parts.field("groups").struct
    valid = parts.field("valid")
    whole = groups.field("whole").str.strip_chars_start("0")
    frac = pl.coalesce(groups.field("frac"), pl.lit("")) + pl.lit("0" * (digits + 1))
    too_large = valid & (whole.str.len_chars() > 18 - digits - 1)
    whole_int = pl.when(whole == "").then(0).otherwise(whole.cast(pl.Int64, strict=False))
    shifted_int = pl.lit(0, dtype=pl.Int64) if digits == 0 else frac.str.slice(0, digits).cast(pl.Int64, strict=False)
    round_up = (frac.str.slice(digits, 1) >= "5").cast(pl.Int64)
    magnitude = whole_int * (10**digits) + shifted_int + round_up
    negative = groups.field("sign") == "-"
    yuan = pl.when(valid & ~too_large).then(pl.when(negative).then(-magnitude).otherwise(magnitude))
    return yuan.cast(pl.Int64), parts.field("text").is_not_null() & ~valid, too_large


def _integer(name: str) -> tuple[pl.Expr, pl.Expr]:
    text = _blank_to_null(name).str.replace_all(r"[,，\s]", "").str.replace(r"\.0*$", "")
    value = text.cast(pl.Int64, strict=False)
    return value, text.is_not_null() & value.is_null()


def _bool(name: str) -> tuple[pl.Expr, pl.Expr]:
    text = _blank_to_null(name).str.to_lowercase()
    value = pl.when(text.is_in(TRUE_WORDS)).then(True).when(text.is_in(FALSE_WORDS)).then(False)
    return value, text.is_not_null() & value.is_null()


_DATE = r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]00:00(?::00(?:\.0+)?)?)?$"
_DATE8 = r"^(\d{4})(\d{2})(\d{2})$"


def _date(name: str) -> tuple[pl.Expr, pl.Expr]:
    text = _blank_to_null(name)
    parts = [pl.coalesce(text.str.extract(_DATE, i), text.str.extract(_DATE8, i)) for i in (1, 2, 3)]
    iso = pl.concat_str([parts[0], parts[1].str.zfill(2), parts[2].str.zfill(2)], separator="-")
    value = iso.str.to_date("%Y-%m-%d", strict=False)
    return value, text.is_not_null() & value.is_null()


_PERIOD = r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$"
# Excel turns a typed "2025-06" into the date 2025-06-01; accept it back
_PERIOD_AS_DATE = r"^(\d{4})-(\d{2})-01(?:[ T]00:00:00(?:\.0+)?)?$"
_PERIOD6 = r"^(\d{4})(\d{2})$"


def _period(name: str) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    text = _blank_to_null(name)
    year = pl.coalesce([text.str.extract(p, 1) for p in (_PERIOD, _PERIOD_AS_DATE, _PERIOD6)]).cast(pl.Int64)
    month = pl.coalesce([text.str.extract(p, 2) for p in (_PERIOD, _PERIOD_AS_DATE, _PERIOD6)]).cast(pl.Int64)
    ok = year.is_between(1990, 2100) & month.is_between(1, 12)
    bad = text.is_not_null() & ~ok.fill_null(False)
    return pl.when(ok).then(year), pl.when(ok).then(month), bad


def parse_columns(kind: ImportKind, raw: pl.DataFrame, headers: HeaderMap) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
    """Typed frame (``_row`` + one column per present kind column) and the parse issues."""
    if raw.height <= PARSE_CHUNK_ROWS:
        return _parse_chunk(kind, raw, headers, 0)
    # in slices: the intermediate columns of one slice at a time (memory of large uploads, issue 12)
    parts, issues = [], []
    for start in range(0, raw.height, PARSE_CHUNK_ROWS):
        part, found = _parse_chunk(kind, raw.slice(start, PARSE_CHUNK_ROWS), headers, start)
        parts.append(part)
        issues += [i for i in found if i.height]
    return pl.concat(parts, how="vertical_relaxed"), issues or [empty_issues()]


def _parse_chunk(kind: ImportKind, raw: pl.DataFrame, headers: HeaderMap, start: int
                 ) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
    frame = raw.with_row_index(ROW, offset=FIRST_DATA_ROW + start).with_columns(pl.col(ROW).cast(pl.Int64))
    frame = frame.filter(~pl.all_horizontal(pl.exclude(ROW).is_null() | (pl.exclude(ROW).str.strip_chars() == "")))
    money_sources = [headers.source[c.key] for c in kind.importable_columns
                     if c.is_money and c.key in headers.source and c.key in headers.units]
    frame = frame.with_columns(_money_parts(src) for src in money_sources)
    exprs: list[pl.Expr] = [pl.col(ROW)]
    problems: list[tuple[pl.Expr, Column, str | pl.Expr]] = []
    for col in kind.importable_columns:
        src = headers.source.get(col.key)
        if src is None:
            continue
        raw_value = _blank_to_null(src)
        shown = pl.col(src).str.strip_chars()
        # a NUL byte (from a broken export) is stored by no database: name the cell, first of its problems
        problems.append((pl.col(src).str.contains("\x00", literal=True), col,
                         "含有空字符（NUL，多见于其他系统导出的文件），请删除后重新导入"))
        if col.required:
            problems.append((raw_value.is_null(), col, "必填项为空"))
        exprs.extend(_typed(col, src, headers.units.get(col.key), shown, problems))
    checks = []
    for i, (bad, _, reason) in enumerate(problems):
        reason_expr = pl.lit(reason) if isinstance(reason, str) else pl.when(bad).then(reason)  # text for bad rows only
        checks += [bad.alias(f"_bad{i}"), reason_expr.alias(f"_why{i}")]
    parsed = frame.lazy().select(exprs + checks).collect()  # lazy: shared sub-expressions run once
    issues = [
        issues_where(parsed, pl.col(f"_bad{i}"), col.header, pl.col(f"_why{i}"))
        for i, (_, col, _) in enumerate(problems)
    ]
    parsed = parsed.select(pl.exclude(r"^_(bad|why)\d+$"))
    return parsed, issues


def _typed(col: Column, src: str, unit: str | None, shown: pl.Expr, problems: list) -> list[pl.Expr]:
    """Expressions producing the typed column(s) for ``col``; appends (bad, col, reason) to problems."""
    t = col.type
    quoted = pl.lit("“") + shown + pl.lit("”")
    if t is ColumnType.MONEY:
        if unit is None:
            return []
        value, not_numeric, too_large = _money(src, unit)
        problems.append((not_numeric, col, quoted + pl.lit("不是有效数值")))
        problems.append((too_large, col, "数值过大"))
        problems.append((value < 0, col, "金额不能为负数"))
        return [value.alias(col.key)]
    if t in (ColumnType.INTEGER, ColumnType.YEAR):
        value, bad = _integer(src)
        problems.append((bad, col, quoted + pl.lit("不是有效整数")))
        if t is ColumnType.YEAR:
            problems.append((~value.is_between(1990, 2100), col, quoted + pl.lit("不是有效年份")))
        else:
            problems.append((value < 0, col, "不能为负数"))
        return [value.alias(col.key)]
    if t is ColumnType.BOOL:
        value, bad = _bool(src)
        problems.append((bad, col, quoted + pl.lit("应填“是”或“否”")))
        return [value.alias(col.key)]
    if t is ColumnType.DATE:
        value, bad = _date(src)
        problems.append((bad, col, quoted + pl.lit("不是有效日期，应为 YYYY-MM-DD")))
        return [value.alias(col.key)]
    if t is ColumnType.PERIOD:
        year, month, bad = _period(src)
        problems.append((bad, col, pl.lit("期别") + quoted + pl.lit("格式错误，应为 YYYY-MM")))
        return [year.alias("year"), month.alias("month")]
    if t is ColumnType.CHOICE:
        labels = {label: code for code, label in col.choices.items()}
        labels.update({code: code for code in col.choices})
        text = _blank_to_null(src)
        value = text.replace_strict(labels, default=None, return_dtype=pl.String)
        allowed = "、".join(col.choices.values())
        problems.append((text.is_not_null() & value.is_null(), col, quoted + pl.lit(f"不是有效取值，应为：{allowed}")))
        return [value.alias(col.key)]
    if t in (ColumnType.DIVISION, ColumnType.INDUSTRY):
        return [_code_text(src).alias(col.key)]
    if t is ColumnType.USCC:
        return [_blank_to_null(src).str.replace_all(r"[\s-]", "").str.to_uppercase().alias(col.key)]
    value = _blank_to_null(src)
    if col.max_length:
        problems.append((value.str.len_chars() > col.max_length, col, f"超过{col.max_length}个字符"))
    return [value.alias(col.key)]
