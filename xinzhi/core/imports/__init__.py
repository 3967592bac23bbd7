"""Import/export framework: declare a kind once (columns, rules, diff, write), get validation,
preview, atomic commit, export and template for it.

Public API::

    from xinzhi.core.imports import preview_import, commit_import, validate, read_table, get_kind
"""

from .engine import ImportOutcome, ValidationResult, commit_import, preview_import, validate
from .reading import RawTable, ReadError, read_table
from .registry import UnknownKind, get_kind, kind_names, register
from .spec import CONFIRMATION, Column, ColumnType, ImportKind, Issue, RecordRegion

__all__ = [
    "CONFIRMATION", "Column", "ColumnType", "ImportKind", "ImportOutcome", "Issue", "RecordRegion", "RawTable", "ReadError", "UnknownKind",
    "ValidationResult", "commit_import", "get_kind", "kind_names", "preview_import", "read_table", "register",
    "validate",
]
