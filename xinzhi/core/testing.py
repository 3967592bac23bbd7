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
from django.test.utils import CaptureQueriesContext


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
