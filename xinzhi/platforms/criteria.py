"""Recognition preconditions as data (``criteria.toml``), checked and explained — pure, no Django.

Each check yields a row like the policy engine's explanations: the label, the enterprise's value, the
threshold, pass/fail, where the value came from, the citation, and whether the threshold is UNVERIFIED.
Sources per level are in the TOML (policy_criteria.md §7.1–7.3).
"""

from __future__ import annotations

import operator
import tomllib
from collections.abc import Mapping
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

CRITERIA_FILE = Path(__file__).resolve().parent / "criteria.toml"
TARGETS_FILE = Path(__file__).resolve().parent / "targets.toml"

OPS = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt}


@lru_cache(maxsize=4)
def _load(path: str, mtime: float) -> dict[str, Any]:
    return tomllib.loads(Path(path).read_text(encoding="utf-8"), parse_float=Decimal)


def load_criteria(path: Path = CRITERIA_FILE) -> dict[str, Any]:
    return _load(str(path), path.stat().st_mtime)


def load_targets(path: Path = TARGETS_FILE) -> dict[str, Any]:
    return _load(str(path), path.stat().st_mtime)


def _fmt(value: Any, unit: str = "") -> str:
    if value is None:
        return "无数据"
    if isinstance(value, list | tuple | set | frozenset):
        return "、".join(map(str, value)) or "无"
    if unit == "元":
        return f"{Decimal(value) / 10_000:,.1f}万元"
    if isinstance(value, Decimal):
        value = value.quantize(Decimal("0.01"))
    return f"{value}{unit}"


def _one(spec: Mapping[str, Any], facts: Mapping[str, Any]) -> tuple[bool | None, Any]:
    """(passed, value); passed is None when the value is unknown."""
    value = facts.get(spec["metric"])
    if spec["op"] == "in":
        held = set(value or ())
        return bool(held & set(spec["threshold"])), sorted(held)
    if value is None:
        return None, None
    return OPS[spec["op"]](Decimal(str(value)), Decimal(str(spec["threshold"]))), value


def check(level: str, facts: Mapping[str, Any], sources: Mapping[str, str] | None = None,
          criteria: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """Check every precondition of ``level``; each row is JSON-ready (strings), for storing and showing."""
    criteria = criteria if criteria is not None else load_criteria()
    sources = sources or {}
    rows = []
    for spec in criteria.get(level, {}).get("checks", []):
        alternatives = spec.get("any") or [spec]
        outcomes = [(alt, *_one(alt, facts)) for alt in alternatives]
        known = [o for o in outcomes if o[1] is not None]
        passed = any(o[1] for o in known) if known else None
        if passed is False and len(known) < len(outcomes):
            passed = None  # one alternative unknown: cannot say no
        parts = [
            f"{_fmt(value, alt.get('unit', ''))}（{ {'in': '须为'}.get(alt['op'], alt['op']) } {_fmt(alt['threshold'], alt.get('unit', ''))}）"
            for alt, _, value in outcomes
        ]
        src = {sources.get(alt["metric"], "") for alt in alternatives} - {""}
        rows.append({
            "label": spec["label"], "value": "；".join(parts), "passed": passed,
            "result": {True: "符合", False: "不符合", None: "缺少数据"}[passed],
            "source": "、".join(sorted(src)), "reference": spec.get("reference", ""),
            "unverified": bool(spec.get("unverified", True)),
        })
    return rows

