"""Validate → preview → atomic commit. The entry points for the CLI and (later) the web view.

``preview_import(kind, source, user=...)`` and ``commit_import(...)`` take a path or the bytes of
an upload and return an :class:`ImportOutcome`; both write an ``ImportBatch`` log row. A commit
writes nothing unless the whole file is free of errors.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
from django.db import DatabaseError, IntegrityError, OperationalError, transaction

from xinzhi.core.faults import checkpoint
from xinzhi.core.locks import IMPORTS, hold
from xinzhi.core.models import ImportBatch
from xinzhi.core.periods import current_period, first_period
from xinzhi.core.signals import import_committed

from .checks import (
    MOVES_SCHEMA,
    RECORD_ID,
    division_issues,
    duplicate_issues,
    industry_issues,
    record_region_issues,
    uscc_issues,
)
from .diff import KindDiff, table_changes
from .parsing import (
    FIRST_DATA_ROW,
    PARSE_CHUNK_ROWS,
    ROW,
    empty_issues,
    file_issue,
    issues_where,
    map_headers,
    parse_columns,
)
from .plausibility import plausibility_issues
from .reading import RawTable, ReadError, read_table
from .registry import get_kind
from .spec import ColumnType, ImportKind, Issue

logger = logging.getLogger(__name__)

#: how many issues an ImportBatch keeps as a sample
ERRORS_SAMPLE = 50
#: the optional column in which a file explains its flagged rows itself (核实说明)
CONFIRMATION_KEY = "confirmation"


@dataclass
class ValidationResult:
    kind: ImportKind
    frame: pl.DataFrame  # parsed rows (column keys + ``_row``), including rows with errors
    issues: pl.DataFrame  # _row, field, reason, severity — sorted by row
    units: dict[str, str]  # header → unit as declared in the file
    diff: KindDiff | None = None  # of the error-free rows; None when the header is unusable
    #: error-free rows moving a stored record to another county: _row, _record_id, from, to
    moves: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=MOVES_SCHEMA))
    #: what the file holds in the cells that have an issue: _row, field (header), value (text)
    cells: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=CELL_SCHEMA))

    @property
    def row_count(self) -> int:
        return self.frame.height

    def _issues(self, severity: str) -> list[Issue]:
        rows = self.issues.filter(pl.col("severity") == severity)
        return [Issue(r, f, why, s) for r, f, why, s in rows.iter_rows()]

    @property
    def errors(self) -> list[Issue]:
        return self._issues("error")

    @property
    def warnings(self) -> list[Issue]:
        return self._issues("warning")

    @property
    def error_count(self) -> int:
        return self.issues.filter(pl.col("severity") == "error").height

    @property
    def warning_count(self) -> int:
        return self.issues.filter(pl.col("severity") == "warning").height

    @property
    def flags(self) -> list[Issue]:
        """Plausibility flags (核实性审核): values that need an explanation, not errors."""
        return self._issues("flag")

    @property
    def flag_count(self) -> int:
        return self.issues.filter(pl.col("severity") == "flag").height

    @property
    def flagged_rows(self) -> list[int]:
        return sorted(self.issues.filter(pl.col("severity") == "flag")[ROW].unique().to_list())

    @property
    def row_confirmations(self) -> dict[int, str]:
        """Flagged rows explained in the file's own 核实说明 column: row → explanation."""
        if CONFIRMATION_KEY not in self.frame.columns:
            return {}
        flagged = set(self.flagged_rows)
        rows = self.frame.filter(pl.col(CONFIRMATION_KEY).is_not_null()).select(ROW, CONFIRMATION_KEY)
        return {r: text for r, text in rows.iter_rows() if r in flagged}

    @property
    def unconfirmed_rows(self) -> list[int]:
        """Flagged rows without an explanation of their own (the file-wide confirmation must cover them)."""
        confirmed = self.row_confirmations
        return [r for r in self.flagged_rows if r not in confirmed]

    @property
    def needs_confirmation(self) -> bool:
        return bool(self.unconfirmed_rows)

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def count(self, status: str) -> int:
        return self.diff.count(status) if self.diff is not None else 0

    @property
    def counts(self) -> dict[str, int]:
        return {
            "rows": self.row_count, "new": self.count("new"), "changed": self.count("changed"),
            "unchanged": self.count("unchanged"), "errors": self.error_count, "warnings": self.warning_count,
            "flags": self.flag_count, "flagged_rows": len(self.flagged_rows),
        }


@dataclass
class ImportOutcome:
    """What a preview or commit did; ``batch`` is the ImportBatch log row written for it.

    ``failed``: the import stopped on something unexpected (logged with its traceback; the batch has
    status 导入失败 and a Chinese reason). ``follow_ups``: what receivers of ``import_committed`` did
    after the commit (e.g. the monitoring recomputed), each with a Chinese ``str()``.
    """

    result: ValidationResult
    batch: ImportBatch
    committed: bool = False
    file_name: str = ""
    timings: dict[str, float] = field(default_factory=dict)
    failed: bool = False
    follow_ups: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.result.ok and not self.failed

    @property
    def needs_confirmation(self) -> bool:
        return not self.committed and not self.failed and self.result.ok and self.result.needs_confirmation


def validate(kind: str | ImportKind, table: RawTable | pl.DataFrame, user=None, *, release: bool = False
             ) -> ValidationResult:
    """Parse and check every row of ``table`` and diff the error-free rows against the database.

    Rows outside what ``user`` may change — judged on the stored record, ``checks.record_region_issues``
    — are errors; ``user`` None (the shell operator) has no region limit. ``release``: the file's text
    frame is dropped from ``table`` once parsed (its memory serves the checks; the imports' own calls).
    """
    kind = get_kind(kind)
    raw = table.frame if isinstance(table, RawTable) else table
    headers = map_headers(kind, raw.columns)
    units = {headers.source[k]: u for k, u in headers.units.items()}
    if headers.fatal:
        return ValidationResult(kind, pl.DataFrame(schema={ROW: pl.Int64}), _sorted(headers.issues), units)
    frame, issues = parse_columns(kind, raw, headers)
    # the file's own text in the cells with a parse issue, before it is released (headers as the issues name them)
    cells = _cells_of(raw.select(pl.col(src).alias(kind.header_of(key)) for key, src in headers.source.items()),
                      _sorted(issues))
    if release and isinstance(table, RawTable):
        del raw
        table.release()
    frame = _apply_defaults(kind, frame)
    issues += headers.issues + _common_issues(kind, frame)
    frame, kind_issues = kind.check(frame)
    issues += kind_issues
    region_issues, moves = record_region_issues(kind, frame, user)
    issues.append(region_issues)
    # plausibility (核实性审核) of the rows that pass the hard checks (强制性审核)
    bad_rows = _sorted(issues).filter(pl.col("severity") == "error").select(ROW).unique()
    series = kind.plausibility_series(frame.join(bad_rows, on=ROW, how="anti"))
    headers_of = {c: kind.header_of(c) for c in frame.columns}
    issues.append(plausibility_issues(kind.name, series, headers_of))
    all_issues = _sorted(issues)
    bad_rows = all_issues.filter(pl.col("severity") == "error").select(ROW).unique()
    clean = frame.join(bad_rows, on=ROW, how="anti")
    text_columns = {c.header: c.key for c in kind.importable_columns if c.type in TEXT_TYPES and c.key in frame.columns}
    later = all_issues.join(cells, on=[ROW, "field"], how="anti")
    cells = pl.concat([cells, _cells_of(frame.select(ROW, *text_columns.values()).rename(
        {k: h for h, k in text_columns.items()}), later)])
    return ValidationResult(kind, frame, all_issues, units, kind.diff(clean),
                            moves=moves.join(bad_rows, on=ROW, how="anti"), cells=cells)


#: column types whose parsed value is the file's text (a code, a name): shown as is next to an issue
TEXT_TYPES = (ColumnType.TEXT, ColumnType.USCC, ColumnType.DIVISION, ColumnType.INDUSTRY)
CELL_SCHEMA = {ROW: pl.Int64, "field": pl.String, "value": pl.String}


def _cells_of(table: pl.DataFrame, issues: pl.DataFrame) -> pl.DataFrame:
    """The text of each cell that has an issue (row, header), looked up in ``table`` — the file as read,
    whose columns are its headers, or parsed text columns renamed to their headers. Only the rows with an
    issue are touched, so a large file costs nothing more."""
    fields = [f for f in issues["field"].unique().to_list() if f in table.columns]
    if not fields or not issues.height:
        return pl.DataFrame(schema=CELL_SCHEMA)
    if ROW not in table.columns:
        table = table.with_row_index(ROW, offset=FIRST_DATA_ROW).with_columns(pl.col(ROW).cast(pl.Int64))
    rows = table.join(issues.select(ROW).unique(), on=ROW, how="semi")
    long = rows.select(ROW, *[pl.col(f).cast(pl.String, strict=False) for f in fields]).unpivot(
        index=ROW, variable_name="field", value_name="value")
    return long.join(issues.select(ROW, "field").unique(), on=[ROW, "field"], how="semi").filter(
        pl.col("value").is_not_null())


def _apply_defaults(kind: ImportKind, frame: pl.DataFrame) -> pl.DataFrame:
    exprs = [
        pl.col(c.key).fill_null(c.default) for c in kind.importable_columns
        if c.default is not None and c.key in frame.columns
    ]
    return frame.with_columns(exprs) if exprs else frame


def _common_issues(kind: ImportKind, frame: pl.DataFrame) -> list[pl.DataFrame]:
    """Checks every kind gets from its column types: codes, references, duplicate keys."""
    out = []
    for col in kind.importable_columns:
        if col.key not in frame.columns:
            continue
        if col.type is ColumnType.USCC:  # in slices: 18 character columns per code (memory of large files)
            out += [uscc_issues(frame.slice(start, PARSE_CHUNK_ROWS), col.key, col.header)
                    for start in range(0, max(frame.height, 1), PARSE_CHUNK_ROWS)]
        elif col.type is ColumnType.DIVISION:
            out.append(division_issues(frame, col.key, col.header))
        elif col.type is ColumnType.INDUSTRY:
            out.append(industry_issues(frame, col.key, col.header))
    out += _period_bound_issues(kind, frame)
    key_headers = list(dict.fromkeys(kind.header_of(k) for k in kind.file_key))
    if all(k in frame.columns for k in kind.file_key):
        out.append(duplicate_issues(frame, kind.file_key, key_headers[0], "＋".join(key_headers)))
    return out


def _period_bound_issues(kind: ImportKind, frame: pl.DataFrame) -> list[pl.DataFrame]:
    """Months from the first month with reference data to the current month; data years not in the future."""
    current, first = current_period(), first_period()
    out = []
    for col in kind.importable_columns:
        if col.type is ColumnType.PERIOD and {"year", "month"} <= set(frame.columns):
            index = pl.col("year") * 12 + pl.col("month")
            shown = pl.format("{}-{}", pl.col("year"), pl.col("month").cast(pl.String).str.zfill(2))
            out.append(issues_where(frame, index > current.year * 12 + current.month, col.header,
                                    pl.format(f"期别晚于当前月份：文件为{{}}，当前为{current}", shown)))
            out.append(issues_where(frame, index < first.year * 12 + first.month, col.header, pl.format(
                f"期别早于有参考数据的最早月份：文件为{{}}，最早为{first}（现行县级区划自{first.year}年{first.month}月起）",
                shown)))
        elif col.type is ColumnType.YEAR and col.data_year and col.key in frame.columns:
            out.append(issues_where(frame, pl.col(col.key) > current.year, col.header,
                                    pl.format(f"年度晚于当前年度：文件为{{}}，当前为{current.year}", pl.col(col.key))))
    return out


def _sorted(issues: list[pl.DataFrame]) -> pl.DataFrame:
    frames = [i for i in issues if i.height]
    if not frames:
        return empty_issues()
    # one issue per cell: a negative amount is not also reported as a falling cumulative value
    merged = pl.concat(frames, how="vertical_relaxed").unique(subset=[ROW, "field", "severity"], keep="first",
                                                               maintain_order=True)
    return merged.sort(ROW, maintain_order=True)


# -- service functions ---------------------------------------------------------------------------
def preview_import(
    kind: str | ImportKind, source: str | Path | bytes, *, user=None, file_name: str | None = None
) -> ImportOutcome:
    """Validate a file and log the preview; nothing is written but the ImportBatch row."""
    started = time.perf_counter()
    kind = get_kind(kind)
    try:
        table, result = _read_and_validate(kind, source, file_name, user)
    except Exception as exc:
        return _failed(kind, source, file_name, user, exc, started)
    batch = _log(kind, table, result, user, ImportBatch.Status.PREVIEWED, started)
    return ImportOutcome(result, batch, committed=False, file_name=table.file_name)


def commit_import(
    kind: str | ImportKind, source: str | Path | bytes, *, user=None, file_name: str | None = None,
    confirmation: str = "",
) -> ImportOutcome:
    """Validate and, if the file has no error, write it in one transaction.

    The transaction first takes the import lock (``core.locks``): concurrent commits run one after the
    other, each validating and diffing against what the previous one wrote. A file with any error is
    rejected whole (status ``rejected``); a file with plausibility flags (核实性审核) not explained in its
    核实说明 column is written only with a ``confirmation`` (the importer's explanation, stored with the
    batch), else it is logged as ``unconfirmed``. Inside the transaction, after the write, the
    ``import_committed`` signal lets other apps record what must follow (e.g. stale monitoring months).
    Anything unexpected rolls everything back and is logged as a failed batch with a Chinese reason.
    """
    started = time.perf_counter()
    kind = get_kind(kind)
    confirmation = (confirmation or "").strip()
    outcome = None
    try:
        table = _read(kind, source, file_name)
        checkpoint("import:read")
        with transaction.atomic():
            hold(IMPORTS)
            checkpoint("import:locked")
            result = _validate_table(kind, table, user)
            if result.ok and (confirmation or not result.needs_confirmation):
                batch = _log(kind, table, result, user, ImportBatch.Status.COMMITTED, started, confirmation)
                kind.write(result.diff, batch, user)
                _audit_moves(kind, result.moves, batch, user)
                responses = import_committed.send(sender=type(kind), kind=kind.name, batch=batch, user=user,
                                                  changes=table_changes(result.diff))
                checkpoint("import:written")
                batch.duration_ms = int((time.perf_counter() - started) * 1000)
                batch.save(update_fields=["duration_ms"])
                outcome = ImportOutcome(result, batch, committed=True, file_name=table.file_name,
                                        follow_ups=[r for _, r in responses if r is not None])
        # committed here; ``on_commit`` work of the receivers (the follow-ups) has run
    except Exception as exc:
        return _failed(kind, source, file_name, user, exc, started)
    if outcome is not None:
        return outcome
    if isinstance(table, ValidationResult):  # the file could not be read
        table = RawTable(pl.DataFrame(), _name(source, file_name), "")
    status = ImportBatch.Status.REJECTED if not result.ok else ImportBatch.Status.UNCONFIRMED
    batch = _log(kind, table, result, user, status, started)
    return ImportOutcome(result, batch, committed=False, file_name=table.file_name)


def _read(kind: ImportKind, source, file_name: str | None) -> RawTable | ValidationResult:
    try:
        return read_table(source, file_name)
    except (ReadError, OSError, pl.exceptions.PolarsError) as exc:
        return ValidationResult(kind, pl.DataFrame(schema={ROW: pl.Int64}), file_issue("文件", _read_reason(exc)), {})


def _read_reason(exc: Exception) -> str:
    if isinstance(exc, ReadError):
        return str(exc)
    if isinstance(exc, OSError):
        return "文件无法打开"
    return "文件内容无法按表格读取，请检查格式（第1行为列名，每行列数一致）"


def _validate_table(kind: ImportKind, table: RawTable | ValidationResult, user) -> ValidationResult:
    return table if isinstance(table, ValidationResult) else validate(kind, table, user, release=True)


def _read_and_validate(kind: ImportKind, source, file_name: str | None, user) -> tuple[RawTable, ValidationResult]:
    table = _read(kind, source, file_name)
    result = _validate_table(kind, table, user)
    if isinstance(table, ValidationResult):
        table = RawTable(pl.DataFrame(), _name(source, file_name), "")
    return table, result


def _name(source, file_name: str | None) -> str:
    return file_name or (Path(source).name if not isinstance(source, bytes) else "upload")


def failure_reason(exc: BaseException) -> str:
    """The Chinese reason shown for an import that stopped on something unexpected (details go to the log)."""
    if isinstance(exc, MemoryError):
        return "文件过大，服务器内存不足，未导入任何数据；请分批导入"
    if isinstance(exc, IntegrityError):
        return "写入时与数据库中已有的记录冲突（可能有他人同时导入了相同的记录），未导入任何数据；请重新预览后再导入"
    if isinstance(exc, OperationalError) and "locked" in str(exc).lower():
        return "数据库正忙（其他导入正在写入），未导入任何数据；请稍后重试"
    if isinstance(exc, DatabaseError):
        return "写入数据库失败，未导入任何数据；错误已记入服务器日志"
    return "导入时发生意外错误，未导入任何数据；错误已记入服务器日志"


def _failed(kind: ImportKind, source, file_name: str | None, user, exc: Exception, started: float) -> ImportOutcome:
    """Log the traceback for the operators and a failed ImportBatch with a Chinese reason for the user."""
    name = _name(source, file_name)
    logger.exception("import %s of %r failed", kind.name, name)
    reason = failure_reason(exc)
    result = ValidationResult(kind, pl.DataFrame(schema={ROW: pl.Int64}), file_issue("导入", reason), {})
    table = RawTable(pl.DataFrame(), name, "")
    try:
        batch = _log(kind, table, result, user, ImportBatch.Status.FAILED, started)
    except Exception:  # the database itself is gone: the log above is all there is
        logger.exception("could not record the failed import %s of %r", kind.name, name)
        batch = ImportBatch(kind=kind.name, file_name=name[:255], status=ImportBatch.Status.FAILED)
    return ImportOutcome(result, batch, committed=False, file_name=name, failed=True)


def _audit_moves(kind: ImportKind, moves: pl.DataFrame, batch: ImportBatch, user) -> None:
    """One audit entry per stored record the import moved to another county (a province action)."""
    if moves.height == 0 or kind.record_region.model is None:
        return
    from django.apps import apps

    from xinzhi.core.region_moves import log_region_moves

    model = apps.get_model(kind.record_region.model)
    first = moves.unique(RECORD_ID, keep="first", maintain_order=True)
    stored = model._default_manager.in_bulk(first[RECORD_ID].to_list())
    log_region_moves(model, [(pk, str(stored.get(pk, pk)), a, b) for _, pk, a, b in first.iter_rows()],
                     actor=user if getattr(user, "pk", None) else None, additional_data={"import_batch": batch.pk})


def _log(kind: ImportKind, table: RawTable, result: ValidationResult, user, status: str,
         started: float, confirmation: str = "") -> ImportBatch:
    sample = [
        {"row": i.row, "field": i.field, "reason": i.reason_zh, "severity": i.severity}
        for i in _issues_sample(result)
    ]
    if status == ImportBatch.Status.COMMITTED and result.flag_count:
        lines = [confirmation] if confirmation else []
        lines += [f"第{r}行：{text}" for r, text in sorted(result.row_confirmations.items())]
        confirmation = "\n".join(lines)
    return ImportBatch.objects.create(
        kind=kind.name, user=user if getattr(user, "pk", None) else None, file_name=table.file_name[:255],
        file_sha256=table.sha256, status=status, row_count=result.row_count,
        created_count=result.count("new"), updated_count=result.count("changed"),
        unchanged_count=result.count("unchanged"), error_count=result.error_count,
        warning_count=result.warning_count, units=result.units, errors_sample=sample,
        duration_ms=int((time.perf_counter() - started) * 1000),
        flagged_count=len(result.flagged_rows),
        confirmation=confirmation if status == ImportBatch.Status.COMMITTED else "",
    )


def _issues_sample(result: ValidationResult) -> list[Issue]:
    errors = result.issues.filter(pl.col("severity") == "error").head(ERRORS_SAMPLE)
    others = result.issues.filter(pl.col("severity") != "error").head(ERRORS_SAMPLE - errors.height)
    return [Issue(*r) for r in pl.concat([errors, others]).iter_rows()]
