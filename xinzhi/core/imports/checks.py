"""Validation rules shared by import kinds, as Polars expressions and joins over whole frames."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from xinzhi.core import uscc as uscc_module
from xinzhi.core.bulk import read_frame
from xinzhi.core.scope import region_prefix

from .parsing import ISSUE_SCHEMA, ROW, empty_issues, issues_where
from .spec import ImportKind

# GB 32100-2015 check character, the same computation as python-stdnum's ``cn.uscc`` (which
# ``xinzhi.core.uscc`` wraps), written as column expressions so 60,000 codes take milliseconds.
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_INDEX = {c: i for i, c in enumerate(uscc_module.ALPHABET)}


#: what happened to a code shown as 9.13301020137831E+017, and how to save the column as text
SCIENTIFIC_NOTATION_REASON = (
    "统一社会信用代码被表格软件改成了科学计数法，后几位已丢失、无法恢复：请在原始数据中把该列设置为“文本”格式"
    "后重新导出（建议直接上传 xlsx 文件，不要用表格软件另存 CSV）"
)


def uscc_issues(frame: pl.DataFrame, column: str, header: str) -> pl.DataFrame:
    """Length, characters and check character of every code in ``column`` (nulls are skipped)."""
    code = pl.col(column)
    chars = [code.str.slice(i, 1).replace_strict(_USCC_INDEX, default=None, return_dtype=pl.Int64) for i in range(18)]
    total = pl.sum_horizontal([c * w for c, w in zip(chars, _USCC_WEIGHTS, strict=False)])
    expected = (31 - total % 31) % 31
    bad_length = code.str.len_chars() != 18
    bad_chars = ~code.str.slice(0, 8).str.contains(r"^\d{8}$") | pl.any_horizontal([c.is_null() for c in chars[8:]])
    bad_check = chars[17] != expected
    # a CSV re-saved by a spreadsheet program turns all-digit codes into numbers: 9.13301020137831E+017
    in_exponent_form = code.str.contains(r"^\d(\.\d+)?[eE]\+?\d+$")
    bad_length, bad_chars = bad_length & ~in_exponent_form, bad_chars & ~in_exponent_form
    return pl.concat(
        [
            issues_where(frame, in_exponent_form, header, SCIENTIFIC_NOTATION_REASON),
            issues_where(frame, bad_length, header, "统一社会信用代码应为18位"),
            issues_where(frame, ~bad_length & bad_chars, header, "统一社会信用代码含非法字符"),
            issues_where(frame, ~bad_length & ~bad_chars & bad_check, header, "统一社会信用代码校验位错误"),
        ]
    )


def region_prefix_expr(code: pl.Expr) -> pl.Expr:
    """``xinzhi.core.scope.region_prefix`` as an expression: 330000 → 33, 330100 → 3301."""
    return (
        pl.when(code.str.ends_with("0000")).then(code.str.slice(0, 2))
        .when(code.str.ends_with("00")).then(code.str.slice(0, 4))
        .otherwise(code)
    )


def uscc_region_warnings(frame: pl.DataFrame, uscc_col: str, county_col: str, header: str) -> pl.DataFrame:
    """Characters 3–8 name the registering authority's division; warn when the county is outside it."""
    part = pl.col(uscc_col).str.slice(2, 6)
    mismatch = part.str.contains(r"^\d{6}$") & ~pl.col(county_col).str.starts_with(region_prefix_expr(part))
    reason = pl.format("统一社会信用代码第3–8位登记机关区划“{}”与所在县（市、区）“{}”不一致", part, pl.col(county_col))
    return issues_where(frame, mismatch, header, reason, "warning")


def divisions_frame() -> pl.DataFrame:
    return read_frame("SELECT code AS ref_code, name AS ref_name, level AS ref_level FROM regions_division")


def industries_frame() -> pl.DataFrame:
    return read_frame("SELECT code AS ref_code, name AS ref_name, level AS ref_level FROM industries_industrycode")


def _reference_issues(frame: pl.DataFrame, column: str, header: str, ref: pl.DataFrame, level: str,
                      unknown: str, wrong_level: str) -> pl.DataFrame:
    """Checked once per distinct code, then joined to the rows holding a bad one (few), not to every row."""
    ref = ref.with_columns(pl.col("ref_code").cast(pl.String), pl.col("ref_level").cast(pl.String))
    codes = frame.select(pl.col(column).cast(pl.String)).drop_nulls().unique()
    bad = codes.join(ref, left_on=column, right_on="ref_code", how="left").filter(
        pl.col("ref_level").is_null() | (pl.col("ref_level") != level))
    if bad.height == 0:
        return empty_issues()
    joined = frame.select(ROW, column).join(bad, on=column, how="inner")
    value = pl.col(column)
    return pl.concat([
        issues_where(joined, pl.col("ref_level").is_null(), header, pl.format(unknown, value)),
        issues_where(joined, pl.col("ref_level").is_not_null(), header,
                     pl.format(wrong_level, value, pl.col("ref_name"))),
    ])


def division_issues(frame: pl.DataFrame, column: str, header: str) -> pl.DataFrame:
    """Unknown division code, or a city/province code where a county is needed."""
    return _reference_issues(frame, column, header, divisions_frame(), "county",
                             "区划代码“{}”不存在", "区划代码“{}”（{}）不是县（市、区）级区划")


def industry_issues(frame: pl.DataFrame, column: str, header: str) -> pl.DataFrame:
    """Unknown industry code, or a section/division/group where a 4-digit class is needed."""
    return _reference_issues(frame, column, header, industries_frame(), "class",
                             "行业代码“{}”不在国民经济行业分类（GB/T 4754-2017）中", "行业代码“{}”（{}）不是4位行业小类")


def duplicate_issues(frame: pl.DataFrame, key: Sequence[str], header: str, key_label: str) -> pl.DataFrame:
    """Every row repeating the key of an earlier row, naming that row."""
    if not key or frame.height == 0:
        return empty_issues()
    keyed = frame.select(ROW, *key).filter(pl.all_horizontal([pl.col(k).is_not_null() for k in key]))
    repeated = pl.col(key[0]).is_duplicated() if len(key) == 1 else pl.struct(list(key)).is_duplicated()
    keyed = keyed.filter(repeated)  # the few repeated keys only (memory of large files)
    keyed = keyed.with_columns(pl.col(ROW).min().over(list(key)).alias("_first"))
    return issues_where(keyed, pl.col(ROW) != pl.col("_first"), header,
                        pl.format("与第{}行重复（同一" + key_label + "只能出现一次）", pl.col("_first")))


REGION_ROLES = ("province_staff", "city_staff", "county_staff")
STORED, RECORD_ID = "_stored_division", "_record_id"
MOVES_SCHEMA = {ROW: pl.Int64, RECORD_ID: pl.Int64, "from": pl.String, "to": pl.String}


def stored_regions(kind: ImportKind, frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with each row's stored record (``_record_id``) and its current county (``_stored_division``)."""
    spec = kind.record_region
    if spec.sql is None or not all(k in frame.columns for k in spec.key):
        return frame.with_columns(pl.lit(None, dtype=pl.Int64).alias(RECORD_ID),
                                  pl.lit(None, dtype=pl.String).alias(STORED))
    stored = read_frame(spec.sql)
    stored = stored.select(
        *[pl.col(k).cast(frame.schema[k]) for k in spec.key],
        pl.col("record_id").cast(pl.Int64).alias(RECORD_ID), pl.col("stored_division").cast(pl.String).alias(STORED),
    ).unique(list(spec.key))
    return frame.join(stored, on=list(spec.key), how="left", coalesce=True)


def record_region_issues(kind: ImportKind, frame: pl.DataFrame, user) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Write scope by the **stored** record (``xinzhi.core.region_moves``), and the moves between regions.

    Returns (issues, moves): a row whose stored record is outside the user's region is an error, whatever
    county the file writes; for a new record the file's county decides. A file county that differs from
    the stored record's is a move: an error unless the user may move records between regions
    (``may_move_between_regions``), else a warning in the preview and an audit entry when written.
    ``user`` None is the shell operator: no region limit. Enterprise users: their own enterprise's rows.
    """
    from xinzhi.core.region_moves import may_move_between_regions, move_refusal, region_names

    spec = kind.record_region
    file_col = spec.file_column if spec.file_column in frame.columns else None
    header = spec.header or (kind.header_of(file_col) if file_col else kind.header_of(spec.key[0]))
    needed = dict.fromkeys([ROW, *spec.key, file_col, kind.scope_enterprise_column])
    located = stored_regions(kind, frame.select([c for c in needed if c in frame.columns]))
    new_county = pl.col(file_col) if file_col else pl.lit(None, dtype=pl.String)
    moving = located.filter((pl.col(STORED).is_not_null() & new_county.is_not_null()
                             & (new_county != pl.col(STORED))).fill_null(False))
    moves = moving.select(ROW, RECORD_ID, pl.col(STORED).alias("from"), new_county.alias("to"))
    issues: list[pl.DataFrame] = []
    names = (region_names() if (moves.height or user is not None) else {}) or {"": ""}
    name_of = pl.col(STORED).replace_strict(names, default=pl.col(STORED), return_dtype=pl.String)
    new_name_of = new_county.replace_strict(names, default=new_county, return_dtype=pl.String)
    if user is not None and not getattr(user, "is_superuser", False):
        role, division = getattr(user, "role", None), getattr(user, "division_id", None)
        enterprise_column = kind.scope_enterprise_column
        if role in REGION_ROLES and division:
            prefix = region_prefix(division)
            stored_outside = pl.col(STORED).is_not_null() & ~pl.col(STORED).str.starts_with(prefix)
            new_outside = pl.col(STORED).is_null() & new_county.is_not_null() & ~new_county.str.starts_with(prefix)
            issues.append(issues_where(located, stored_outside, header, pl.format(
                "该" + spec.noun + "现属“{}”，不在您的管辖范围内，无权导入", name_of)))
            issues.append(issues_where(located, new_outside, header, pl.format(
                "“{}”（{}）不在您的管辖范围内，无权导入", new_county, new_name_of)))
            outside = stored_outside | new_outside
        elif role == "enterprise" and enterprise_column and enterprise_column in frame.columns:
            own = getattr(user, "enterprise_id", None)
            outside = pl.col(enterprise_column).is_not_null() & (pl.col(enterprise_column) != own)
            issues.append(issues_where(located, outside, "统一社会信用代码", "只能导入本企业的数据"))
        else:
            issues.append(issues_where(located, pl.lit(True), "导入权限", "您的账号无权导入此类数据"))
            outside = pl.lit(True)
        if moves.height and not may_move_between_regions(user):
            refused = moving.filter(~outside.fill_null(False))
            issues.append(pl.DataFrame({
                ROW: refused[ROW], "field": [header] * refused.height,
                "reason": [move_refusal(a, b, names, spec.noun) for a, b in zip(refused[STORED], refused.select(new_county).to_series(),
                                                                       strict=True)],
                "severity": ["error"] * refused.height}, schema=ISSUE_SCHEMA))
            return pl.concat(issues), moves.clear()
    if moves.height:
        issues.append(issues_where(moving, pl.lit(True), header, pl.format(
            "所属地区将由“{}”迁移至“{}”（省级操作，记入审计日志）", name_of, new_name_of), "warning"))
    return (pl.concat(issues) if issues else empty_issues()), moves
