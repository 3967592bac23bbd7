"""Which evaluation a platform is due for in a data year (innovation-centre cycle) — pure, no Django.

Parameters in ``cycles.toml`` (cited there): a centre being created (培育创建) is due for acceptance; a
recognised centre for its operation (periodic) evaluation every ``operation_interval_years`` after its
recognition year; in the other years for an annual evaluation once it has operated
``min_years_before_annual`` years. With ``annual_in_operation_year = false`` the operation year has no
annual evaluation.

    >>> params = {"operation_interval_years": 3, "annual_in_operation_year": False, "min_years_before_annual": 1}
    >>> [due_purposes(2025, r, "recognised", params) for r in (2025, 2024, 2022, 2019)]
    [set(), {'annual'}, {'operation'}, {'operation'}]
    >>> due_purposes(2025, 2024, "creating", params)
    {'acceptance'}
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

CYCLES_FILE = Path(__file__).resolve().parent / "cycles.toml"


@lru_cache(maxsize=2)
def _load(path: str, mtime: float) -> dict[str, Any]:
    return tomllib.loads(Path(path).read_text(encoding="utf-8"))


def load_cycles(path: Path = CYCLES_FILE) -> dict[str, Any]:
    return _load(str(path), path.stat().st_mtime)


def operation_year(year: int, recognised_year: int | None, params: Mapping[str, Any]) -> bool:
    """Whether ``year`` is an operation-evaluation year for a centre recognised in ``recognised_year``."""
    if recognised_year is None or year <= recognised_year:
        return False
    return (year - recognised_year) % int(params["operation_interval_years"]) == 0


def due_purposes(year: int, recognised_year: int | None, status: str, params: Mapping[str, Any]) -> set[str]:
    """The evaluation purposes an innovation centre is due for in data year ``year``."""
    if status == "creating":
        return {"acceptance"}
    if status == "revoked" or recognised_year is None:
        return set()
    out = set()
    op = operation_year(year, recognised_year, params)
    if op:
        out.add("operation")
    if year - recognised_year >= int(params["min_years_before_annual"]) and (not op or params["annual_in_operation_year"]):
        out.add("annual")
    return out
