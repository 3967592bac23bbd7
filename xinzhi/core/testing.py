"""Test helpers shared by the apps.

``QueryCountBaseline`` is NetBox's query-count regression idea: each app commits
``tests/query_counts.json`` with the number of queries every page and API list takes; a test fails
when a page needs more queries than its baseline (an N+1 crept in). Run with
``UPDATE_QUERY_COUNTS=1`` to rewrite the baselines after an intended change.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from django.db import connection
from django.test.utils import CaptureQueriesContext as _DjangoCaptureQueriesContext


class CaptureQueriesContext(_DjangoCaptureQueriesContext):
    """Django's ``CaptureQueriesContext`` that empties the connection's query log first. Django keeps at most
    9,000 queries in that log and, while capturing, stops clearing it at each request; once a long test has
    filled it, the start and end positions are both 9,000 and nothing is captured — a "no writes" check or a
    query-count baseline would then pass without looking. The queries are kept when the block ends, so a
    later capture (which empties the log again) does not change what an earlier one holds. Use this one in
    every test."""

    _kept: list[dict] | None = None

    def __enter__(self):
        self.connection.queries_log.clear()
        self._kept = None
        return super().__enter__()

    def __exit__(self, exc_type, exc_value, traceback):
        super().__exit__(exc_type, exc_value, traceback)
        if self.final_queries is not None:
            self._kept = list(self.connection.queries[self.initial_queries:self.final_queries])

    @property
    def captured_queries(self) -> list[dict]:
        return self._kept if self._kept is not None else super().captured_queries


class QueryCountBaseline:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.update = os.environ.get("UPDATE_QUERY_COUNTS") == "1"
        self.baseline: dict[str, int] = json.loads(self.path.read_text()) if self.path.exists() else {}

    def check(self, name: str, func) -> object:
        with CaptureQueriesContext(connection) as ctx:
            result = func()
        count = len(ctx.captured_queries)
        if self.update or name not in self.baseline:
            self.baseline[name] = count
            self.path.write_text(json.dumps(dict(sorted(self.baseline.items())), indent=2, ensure_ascii=False) + "\n")
        else:
            expected = self.baseline[name]
            assert count <= expected, (
                f"{name}: {count} queries, baseline {expected}. Queries:\n"
                + "\n".join(q["sql"][:200] for q in ctx.captured_queries)
            )
        return result


def read_list_export(response) -> tuple[list[str], list[list]]:
    """The header and the rows of a list export (``reports.listing``): the table sheet after the cover,
    its header on row 2, the rows below it."""
    import io

    import openpyxl

    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[1]
    values = list(sheet.iter_rows(min_row=2, values_only=True))
    header = [v for v in values[0] if v is not None]
    rows = [list(r[:len(header)]) for r in values[1:] if any(v is not None for v in r)]
    return header, rows


def declared_order(model, field: str):
    """A sort key for a stored code: its place in the field's declared choices, which is how the shared
    lists sort a status, a stage or a level (``reports.listing``); a code not among them comes last."""
    codes = [code for code, _label in model._meta.get_field(field).flatchoices]
    return lambda code: codes.index(code) if code in codes else len(codes)


def writes_during(func) -> list[str]:
    """The SQL statements ``func()`` ran that change data (INSERT/UPDATE/DELETE): a GET must run none."""
    with CaptureQueriesContext(connection) as ctx:
        func()
    return [q["sql"] for q in ctx.captured_queries
            if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
