"""Runner for the data-driven cases in ``tests/cases/*.toml`` (OpenFisca-style test cases).

Each ``[[case]]`` names its ``source`` (document and article, or the worked example it
reproduces), a ``base`` package in ``tests/cases/`` (default ``base.json``), a ``patch`` deep-merged
into it, an optional screening ``year``, and expectations:

* ``[case.replace]``: top-level keys replaced wholesale (not merged);
* ``[case.expect]``: dotted path into the ``screen()`` answer → exact value (numbers compare as
  Decimal; a path step over a list of conditions selects the condition by its ``key``);
* ``[case.contains]``: dotted path → text that must occur in the value (e.g. a gap message).
"""

from __future__ import annotations

import copy
import json
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any

CASES_DIR = Path(__file__).resolve().parent / "cases"


def load_cases() -> list[tuple[str, dict[str, Any]]]:
    out = []
    for path in sorted(CASES_DIR.glob("*.toml")):
        with open(path, "rb") as fh:
            data = tomllib.load(fh, parse_float=Decimal)
        for case in data.get("case", []):
            out.append((f"{path.stem}: {case['name']}", case))
    return out


def base_package(name: str = "base.json") -> dict[str, Any]:
    return json.loads((CASES_DIR / name).read_text(encoding="utf-8"), parse_float=Decimal)


def merge(target: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge ``patch`` into a copy of ``target`` (lists and scalars replace)."""
    out = copy.deepcopy(target)
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = _plain(value)
    return out


def _plain(value: Any) -> Any:
    """TOML dates/decimals → the JSON-ish values a package accepts."""
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def resolve(data: Any, path: str) -> Any:
    for step in path.split("."):
        if isinstance(data, list) and data and isinstance(data[0], dict) and "key" in data[0]:
            data = next(item for item in data if item["key"] == step)
        elif isinstance(data, list):
            data = data[int(step)]
        else:
            data = data[step]
    return data


def same(actual: Any, expected: Any) -> bool:
    if expected == "null":
        return actual is None
    if isinstance(expected, bool):
        return actual is expected
    if isinstance(expected, int | Decimal) and isinstance(actual, str | int | Decimal):
        return Decimal(str(actual)) == Decimal(expected)
    return actual == _plain(expected)
