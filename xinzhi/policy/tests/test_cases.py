"""Data-driven rule cases (tests/cases/*.toml), each citing its source."""

from __future__ import annotations

import pytest

from xinzhi.policy.package import parse_package
from xinzhi.policy.screen import screen

from .cases import base_package, load_cases, merge, resolve, same

CASES = load_cases()


@pytest.mark.parametrize("case", [c for _, c in CASES], ids=[name for name, _ in CASES])
def test_case(case):
    assert case.get("source"), "every case cites its source"
    data = merge(base_package(case.get("base", "base.json")), case.get("patch", {}))
    data.update(merge({}, case.get("replace", {})))
    result = screen(parse_package(data), case.get("year"))
    for path, expected in case.get("expect", {}).items():
        actual = resolve(result, path)
        assert same(actual, expected), f"{path}: expected {expected!r}, got {actual!r}"
    for path, text in case.get("contains", {}).items():
        actual = resolve(result, path)
        joined = "\n".join(actual) if isinstance(actual, list) else str(actual)
        assert text in joined, f"{path}: {text!r} not in {joined!r}"
