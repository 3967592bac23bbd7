"""The engine: every programme's columns for every row of a package frame, in one lazy Polars query.

``run(frame, year)`` is the only way the platform computes an answer: the register screening runs it over
every stored package, an enterprise's answer is the one-row case, the what-if runs it with a changed
parameter tree. OpenFisca's model — formulas over arrays, dated parameters, a trace — written anew.

Dates: recognitions and the list read the parameters in force on the application date (``on``, default
31 December of ``year``); tax incentives those in force on 1 January of the tax year. A year for which a
programme's parameters are not in force is refused (:class:`YearNotCovered`, a Chinese message naming the
programme and the first year covered) — never answered with a guess.

Order: columns a programme computes on a few columns before the query (the losses, narrow and aligned by
row), a base stage (certificate validity, years of data), the recognitions' stages (merged by index: stage
*i* of every programme in one ``with_columns``), then the tax incentives', so a tax
incentive may read a recognition's answer (the tech-SME rate, the HTE tax years). Each programme adds
only columns prefixed with its key. The built expressions are kept per parameter tree (weakly: a what-if
tree and its expressions go together) and per (year, date, programmes, integer width); the trace — every
parameter the expressions read, with its value, dates and citation — is kept with them.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl

from .conditions import I128, Width
from .params import ParameterError, ParameterTree, ParameterView, load_parameters
from .programmes import BY_KEY, KEYS, RECOGNITION, TAX, with_requirements
from .variables import common
from .variables import hte as hte_vars


class YearNotCovered(ValueError):
    """A year some programme's parameters do not cover; the message is Chinese, for the user."""

    def __init__(self, year: int, missing: list[tuple[str, int | None]]):
        self.year, self.missing = year, missing
        parts = [f"{label}的政策参数自{first}年起" if first else f"{label}没有适用的政策参数"
                 for label, first in missing]
        firsts = [first for _, first in missing if first]
        hint = f"；可计算{max(firsts)}年及以后的年度" if firsts else ""
        super().__init__(f"无法计算{year}年度：" + "，".join(parts) + hint)


@dataclass(frozen=True)
class Context:
    year: int
    on: date  # the application date: recognitions' parameters and conditions


@dataclass
class Built:
    steps: list[tuple[str, Any]]
    trace: list[dict[str, Any]]
    columns: frozenset[str]  # every column the steps add


_BUILT: weakref.WeakKeyDictionary[ParameterTree, dict[tuple[Any, ...], Any]] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()
_PER_TREE = 48


def _cached(tree: ParameterTree, key: tuple[Any, ...], build: Any) -> Any:
    with _LOCK:
        built = _BUILT.setdefault(tree, {})
        if key in built:
            return built[key]
    value = build()
    with _LOCK:
        if len(built) >= _PER_TREE:
            built.clear()
        built[key] = value
    return value


def views(tree: ParameterTree, ctx: Context) -> dict[str, ParameterView]:
    return {RECOGNITION: tree.at(ctx.on), TAX: tree.at(date(ctx.year, 1, 1))}


def _programme_stages(key: str, vs: dict[str, ParameterView], w: Width, ctx: Context) -> list[dict[str, pl.Expr]]:
    p = BY_KEY[key]
    return p.stages(vs[p.basis], w, ctx)


def _merge(stage_lists: list[list[dict[str, pl.Expr]]]) -> list[dict[str, pl.Expr]]:
    merged: list[dict[str, pl.Expr]] = []
    for stages in stage_lists:
        for i, stage in enumerate(stages):
            if len(merged) <= i:
                merged.append({})
            merged[i].update(stage)
    return merged


def _build(tree: ParameterTree, ctx: Context, keys: tuple[str, ...], wide: bool) -> Built:
    vs = views(tree, ctx)
    w = Width(I128 if wide else pl.Int64)
    failed = []
    per_key: dict[str, list[dict[str, pl.Expr]]] = {}
    for key in keys:
        try:
            per_key[key] = _programme_stages(key, vs, w, ctx)
        except ParameterError:
            failed.append(key)
    try:
        base = common.base_stage(vs[RECOGNITION], ctx.year)
    except ParameterError:
        failed.append("hte")
    if failed:
        raise YearNotCovered(ctx.year, [(BY_KEY[k].label, first_covered_year(tree, k)) for k in dict.fromkeys(failed)])
    steps: list[tuple[str, Any]] = [("stage", base)]
    recognition = [k for k in keys if BY_KEY[k].basis == RECOGNITION]
    taxes = [k for k in keys if BY_KEY[k].basis == TAX]
    steps += [("stage", s) for s in _merge([per_key[k] for k in recognition])]
    pre = [("pre", (BY_KEY[k].pre, vs[TAX])) for k in taxes if BY_KEY[k].pre is not None]
    steps = pre + steps + [("stage", s) for s in _merge([per_key[k] for k in taxes])]
    trace = {}
    for basis, view in vs.items():
        for item in view.trace_list():
            item["on"] = view.on.isoformat()
            item["basis"] = basis
            trace[(item["name"], item["from"])] = item
    columns = {name for kind, step in steps if kind == "stage" for name in step}
    return Built(steps, [trace[k] for k in sorted(trace)], frozenset(columns))


def first_covered_year(tree: ParameterTree, key: str) -> int | None:
    """The first year from which the programme's parameters are in force for every later year checked."""
    def scan() -> int | None:
        starts = [v.start.year for p in tree for v in p.values]
        ends = [v.end.year for p in tree for v in p.values if v.end] + [max(starts) + 1]
        first = None
        for year in range(min(starts), max(max(starts), max(ends)) + 2):
            ctx = Context(year, date(year, 12, 31))
            try:
                _programme_stages(key, views(tree, ctx), Width(), ctx)
                if BY_KEY[key].basis == RECOGNITION or key == "hte":
                    common.base_stage(views(tree, ctx)[RECOGNITION], year)
                first = year if first is None else first
            except ParameterError:
                first = None
        return first

    return _cached(tree, ("first_year", key), scan)


def check_year(year: int, tree: ParameterTree | None = None, on: date | None = None,
               programmes: tuple[str, ...] = KEYS) -> None:
    """Raise :class:`YearNotCovered` unless every programme has its parameters for ``year``."""
    tree = tree or load_parameters()
    ctx = Context(year, on or date(year, 12, 31))
    keys = with_requirements(programmes)
    _cached(tree, (ctx, keys, True), lambda: _build(tree, ctx, keys, True))


def _width(tree: ParameterTree, frame: pl.DataFrame, ctx: Context, keys: tuple[str, ...]) -> bool:
    """True (Int128) unless the HTE money arithmetic provably fits Int64 for this frame."""
    if "hte" not in keys or frame.height == 0:
        return True
    try:
        constants = _cached(tree, ("int64", ctx.on), lambda: hte_vars.int64_constants(tree.at(ctx.on)))
    except ParameterError:
        return True
    return hte_vars.int64_bounds(constants, hte_vars.magnitude(frame)) >= hte_vars.INT64_LIMIT


def built(tree: ParameterTree, year: int, on: date | None = None, programmes: tuple[str, ...] = KEYS,
          benefits: bool = True, wide: bool = True) -> Built:
    ctx = Context(year, on or date(year, 12, 31))
    keys = with_requirements(programmes, benefits)
    return _cached(tree, (ctx, keys, wide), lambda: _build(tree, ctx, keys, wide))


def run(frame: pl.DataFrame, year: int, tree: ParameterTree | None = None, on: date | None = None,
        programmes: tuple[str, ...] = KEYS, benefits: bool = True,
        outputs: tuple[str, ...] | list[str] | None = None) -> pl.DataFrame:
    """The frame with the programmes' columns added (``outputs`` only, when given; else every column not
    starting with ``_``). Integers come out as Int64, except the growth products (``….n``/``….d``)."""
    tree = tree or load_parameters()
    ctx = Context(year, on or date(year, 12, 31))
    keys = with_requirements(programmes, benefits)
    wide = _width(tree, frame, ctx, keys)
    plan = _cached(tree, (ctx, keys, wide), lambda: _build(tree, ctx, keys, wide))
    for kind, step in plan.steps:  # columns computed before the query (narrow, e.g. the losses), aligned
        if kind == "pre":
            pre, view = step
            frame = frame.hstack(pre(frame, view, ctx.year))
    lazy = frame.lazy()
    for kind, step in plan.steps:
        if kind == "stage":
            lazy = lazy.with_columns(**step)
    if outputs is None:
        schema = lazy.collect_schema()
        outputs = [c for c in schema if not c.startswith("_")]
    else:  # the frame's columns, then the outputs these programmes compute
        outputs = [*(c for c in frame.columns if c not in outputs), *(c for c in outputs if c in plan.columns)]
    out = lazy.select(outputs).collect()
    # money and counts out as Int64; the growth products (fen × fen) stay Int128
    return out.with_columns([pl.col(c).cast(pl.Int64) for c, dt in out.schema.items()
                             if dt == I128 and not c.endswith((".n", ".d"))])


def trace(tree: ParameterTree, year: int, on: date | None = None, programmes: tuple[str, ...] = KEYS) -> list[dict]:
    """Every parameter the programmes' expressions read, with value, dates, citation and ``unverified``."""
    return built(tree, year, on, programmes).trace
