"""Data-driven rule cases (tests/cases/*.toml), each citing its source — run through the one engine twice:
as an enterprise's answer (the one-row case) and inside the register run (every case a row of one frame),
which must agree column by column and sentence by sentence."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import polars as pl
import pytest

from xinzhi.policy import engine, register
from xinzhi.policy.explain import gap_expr
from xinzhi.policy.frame import frame_from_packages
from xinzhi.policy.package import parse_package
from xinzhi.policy.params import load_parameters
from xinzhi.policy.programmes import REGISTRY
from xinzhi.policy.screen import assessment_date, screen

from .cases import base_package, load_cases, merge, resolve, same

CASES = load_cases()


def _package(case):
    data = merge(base_package(case.get("base", "base.json")), case.get("patch", {}))
    data.update(merge({}, case.get("replace", {})))
    return parse_package(data)


@pytest.mark.parametrize("case", [c for _, c in CASES], ids=[name for name, _ in CASES])
def test_case(case):
    assert case.get("source"), "every case cites its source"
    result = screen(_package(case), case.get("year"))
    for path, expected in case.get("expect", {}).items():
        actual = resolve(result, path)
        assert same(actual, expected), f"{path}: expected {expected!r}, got {actual!r}"
    for path, text in case.get("contains", {}).items():
        actual = resolve(result, path)
        joined = "\n".join(actual) if isinstance(actual, list) else str(actual)
        assert text in joined, f"{path}: {text!r} not in {joined!r}"


def _groups():
    by_year = defaultdict(list)
    for name, case in CASES:
        package = _package(case)
        by_year[case.get("year") or package.year].append((name, package))
    return sorted(by_year.items())


@pytest.mark.parametrize("year,items", _groups(), ids=[str(y) for y, _ in _groups()])
def test_every_case_in_the_register_run_answers_as_the_one_row_case(year, items):
    """All the cases of a year as one frame: each row's columns equal its own one-row run, and the lists'
    rows (eligibility, score, every gap sentence) equal the enterprise's answer."""
    tree = load_parameters()
    packages = [p for _, p in items]
    dates = [assessment_date(p, year) for p in packages]
    frame = frame_from_packages(packages).with_columns(assessment_date=pl.Series(dates, dtype=pl.Date),
                                                       enterprise_id=pl.int_range(0, len(items)))
    together = engine.run(frame, year, tree)
    wide = register.screen_all(frame, year, tree)
    long = register.long_results(wide, year, tree)
    vs = engine.views(tree, engine.Context(year, date(year, 12, 31)))
    for i, (name, package) in enumerate(items):
        alone = engine.run(frame.slice(i, 1), year, tree)
        assert alone.row(0, named=True) == together.row(i, named=True), name
        answer = screen(package, year)
        for p in REGISTRY:
            a = answer["programs"][p.key]
            row = long.filter((pl.col("enterprise_id") == i) & (pl.col("program") == p.key)).row(0, named=True)
            assert row["eligible"] == (a["eligible"] if a["status"] != "not_in_force" else False), (name, p.key)
            if "score" in a:
                assert row["score"] == a["score"]["total"], (name, p.key)
            for c in p.conditions:
                shown = next((x for x in a["conditions"] if x["key"] == c.key), None)
                if shown is None or gap_expr(c, vs[p.basis]) is None:
                    continue
                bulk = wide.slice(i, 1).select(gap_expr(c, vs[p.basis])).item()
                assert bulk == shown.get("gap"), (name, c.name, bulk, shown.get("gap"))
