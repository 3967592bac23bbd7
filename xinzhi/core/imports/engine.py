"""Validate → preview → atomic commit. The entry points for the CLI and (later) the web view.

``preview_import(kind, source, user=...)`` and ``commit_import(...)`` take a path or the bytes of
an upload and return an :class:`ImportOutcome`; both write an ``ImportBatch`` log row. A commit
writes nothing unless the whole file is free of errors.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
from django.db import DatabaseError, transaction

from xinzhi.core.models import ImportBatch

from .checks import (
    MOVES_SCHEMA,
    RECORD_ID,
    division_issues,
    duplicate_issues,
    industry_issues,
    record_region_issues,
    uscc_issues,
)
from .diff import KindDiff
from .parsing import ROW, empty_issues, file_issue, map_headers, parse_columns
from .reading import RawTable, ReadError, read_table
from .registry import get_kind
from .spec import ColumnType, ImportKind, Issue

#: how many issues an ImportBatch keeps as a sample
ERRORS_SAMPLE = 50


@dataclass
class ValidationResult:
    kind: ImportKind
    frame: pl.DataFrame  # parsed rows (column keys + ``_row``), including rows with errors
    issues: pl.DataFrame  # _row, field, reason, severity — sorted by row
    units: dict[str, str]  # header → unit as declared in the file
    diff: KindDiff | None = None  # of the error-free rows; None when the header is unusable
    #: error-free rows moving a stored record to another county: _row, _record_id, from, to
    moves: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=MOVES_SCHEMA))

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
        return self.issues.height - self.error_count

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
        }


@dataclass
class ImportOutcome:
    """What a preview or commit did; ``batch`` is the ImportBatch log row written for it."""

    result: ValidationResult
    batch: ImportBatch
    committed: bool = False
    file_name: str = ""
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.result.ok


def validate(kind: str | ImportKind, table: RawTable | pl.DataFrame, user=None) -> ValidationResult:
    """Parse and check every row of ``table`` and diff the error-free rows against the database.

    Rows outside what ``user`` may change — judged on the stored record, ``checks.record_region_issues``
    — are errors; ``user`` None (the shell operator) has no region limit.
    """
    kind = get_kind(kind)
    raw = table.frame if isinstance(table, RawTable) else table
    headers = map_headers(kind, raw.columns)
    units = {headers.source[k]: u for k, u in headers.units.items()}
    if headers.fatal:
        return ValidationResult(kind, pl.DataFrame(schema={ROW: pl.Int64}), _sorted(headers.issues), units)
    frame, issues = parse_columns(kind, raw, headers)
    frame = _apply_defaults(kind, frame)
    issues += headers.issues + _common_issues(kind, frame)
    frame, kind_issues = kind.check(frame)
    issues += kind_issues
    region_issues, moves = record_region_issues(kind, frame, user)
    issues.append(region_issues)
    all_issues = _sorted(issues)
    bad_rows = all_issues.filter(pl.col("severity") == "error").select(ROW).unique()
    clean = frame.join(bad_rows, on=ROW, how="anti")
    return ValidationResult(kind, frame, all_issues, units, kind.diff(clean),
                            moves=moves.join(bad_rows, on=ROW, how="anti"))


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
        if col.type is ColumnType.USCC:
            out.append(uscc_issues(frame, col.key, col.header))
        elif col.type is ColumnType.DIVISION:
            out.append(division_issues(frame, col.key, col.header))
        elif col.type is ColumnType.INDUSTRY:
            out.append(industry_issues(frame, col.key, col.header))
    key_headers = list(dict.fromkeys(kind.header_of(k) for k in kind.file_key))
    if all(k in frame.columns for k in kind.file_key):
        out.append(duplicate_issues(frame, kind.file_key, key_headers[0], "＋".join(key_headers)))
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
    table, result = _read_and_validate(kind, source, file_name, user)
    batch = _log(kind, table, result, user, ImportBatch.Status.PREVIEWED, started)
    return ImportOutcome(result, batch, committed=False, file_name=table.file_name)


def commit_import(
    kind: str | ImportKind, source: str | Path | bytes, *, user=None, file_name: str | None = None
) -> ImportOutcome:
    """Validate and, if the file has no error, write it in one transaction.

    Validation runs inside the transaction, so the diff that is written is the one computed.
    A file with any error is rejected whole (logged with status ``rejected``).
    """
    started = time.perf_counter()
    kind = get_kind(kind)
    try:
        with transaction.atomic():
            table, result = _read_and_validate(kind, source, file_name, user)
            if result.ok:
                batch = _log(kind, table, result, user, ImportBatch.Status.COMMITTED, started)
                kind.write(result.diff, batch, user)
                _audit_moves(kind, result.moves, batch, user)
                batch.duration_ms = int((time.perf_counter() - started) * 1000)
                batch.save(update_fields=["duration_ms"])
                return ImportOutcome(result, batch, committed=True, file_name=table.file_name)
    except DatabaseError as exc:
        # e.g. a concurrent import inserted the same key: everything was rolled back; log and re-raise
        _log_failure(kind, source, file_name, user, f"写入数据库失败，未导入：{exc}", started)
        raise
    batch = _log(kind, table, result, user, ImportBatch.Status.REJECTED, started)
    return ImportOutcome(result, batch, committed=False, file_name=table.file_name)


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


def _read_and_validate(kind: ImportKind, source, file_name: str | None, user) -> tuple[RawTable, ValidationResult]:
    try:
        table = read_table(source, file_name)
    except (ReadError, OSError, pl.exceptions.PolarsError) as exc:
        name = file_name or (Path(source).name if not isinstance(source, bytes) else "upload")
        empty = RawTable(pl.DataFrame(), name, "")
        issues = file_issue("文件", str(exc))
        return empty, ValidationResult(kind, pl.DataFrame(schema={ROW: pl.Int64}), issues, {})
    return table, validate(kind, table, user)


def _log(kind: ImportKind, table: RawTable, result: ValidationResult, user, status: str,
         started: float) -> ImportBatch:
    sample = [
        {"row": i.row, "field": i.field, "reason": i.reason_zh, "severity": i.severity}
        for i in _issues_sample(result)
    ]
    return ImportBatch.objects.create(
        kind=kind.name, user=user if getattr(user, "pk", None) else None, file_name=table.file_name[:255],
        file_sha256=table.sha256, status=status, row_count=result.row_count,
        created_count=result.count("new"), updated_count=result.count("changed"),
        unchanged_count=result.count("unchanged"), error_count=result.error_count,
        warning_count=result.warning_count, units=result.units, errors_sample=sample,
        duration_ms=int((time.perf_counter() - started) * 1000),
    )


def _log_failure(kind: ImportKind, source, file_name: str | None, user, reason: str, started: float) -> None:
    name = file_name or (Path(source).name if not isinstance(source, bytes) else "upload")
    table = RawTable(pl.DataFrame(), name, "")
    result = ValidationResult(kind, pl.DataFrame(schema={ROW: pl.Int64}), file_issue("文件", reason), {})
    _log(kind, table, result, user, ImportBatch.Status.REJECTED, started)


def _issues_sample(result: ValidationResult) -> list[Issue]:
    errors = result.issues.filter(pl.col("severity") == "error").head(ERRORS_SAMPLE)
    warnings = result.issues.filter(pl.col("severity") == "warning").head(ERRORS_SAMPLE - errors.height)
    return [Issue(*r) for r in pl.concat([errors, warnings]).iter_rows()]
