"""Dated parameters: every threshold, rate and score table the rules use, with its citation.

The model is OpenFisca's (dated parameter values, each with a legal reference), written anew
here — OpenFisca itself is AGPL and is not a dependency.

Parameters live in ``xinzhi/policy/parameters/*.toml``. The file name is the first part of the
parameter name; each TOML table that has a ``values`` array is one parameter::

    [st_staff_min_share]                     # → parameter "hte.st_staff_min_share"
    description = "科技人员占职工总数比例下限"
    unit = "ratio"
    [[st_staff_min_share.values]]
    from = 2016-01-01                          # first day in force (inclusive)
    to = 2027-12-31                            # optional last day in force (inclusive)
    value = 0.10                               # parsed as Decimal, never float
    reference = "国科发火〔2016〕32号 第十一条第（四）项"
    unverified = false                         # true when the source did not confirm it

A computation for a date asks a :class:`ParameterView` (``tree.at(date)``) for values; the view
records every lookup, which is the trace returned with each screening answer.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import Any

from xinzhi.core.numbers import as_fraction  # noqa: F401  (re-exported: the parameters' exact values)

PARAMETERS_DIR = Path(__file__).resolve().parent / "parameters"


class ParameterError(LookupError):
    """A parameter is unknown, or has no value in force on the requested date."""


@dataclass(frozen=True)
class ParameterValue:
    """One dated value of a parameter."""

    start: date
    end: date | None
    value: Any
    reference: str
    unverified: bool = False
    note: str = ""

    def covers(self, on: date) -> bool:
        return self.start <= on and (self.end is None or on <= self.end)


@dataclass(frozen=True)
class Parameter:
    """A named parameter and its history of values (sorted by start date)."""

    name: str
    description: str
    unit: str
    values: tuple[ParameterValue, ...]

    def at(self, on: date) -> ParameterValue:
        """The value in force on ``on``; the latest-starting value wins if two overlap."""
        for item in reversed(self.values):
            if item.covers(on):
                return item
        raise ParameterError(f"参数 {self.name} 在 {on.isoformat()} 没有生效的取值")

    def in_force(self, on: date) -> bool:
        return any(item.covers(on) for item in self.values)

    def changes_between(self, start: date, end: date) -> list[ParameterValue]:
        """Values that start strictly after ``start`` and on or before ``end``."""
        return [item for item in self.values if start < item.start <= end]

    @property
    def unverified(self) -> bool:
        return any(item.unverified for item in self.values)


@dataclass
class TraceEntry:
    name: str
    value: Any
    start: date
    end: date | None
    reference: str
    unverified: bool
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        out = {
            "name": self.name,
            "value": jsonable(self.value),
            "from": self.start.isoformat(),
            "to": self.end.isoformat() if self.end else None,
            "reference": self.reference,
            "unverified": self.unverified,
        }
        if self.note:
            out["note"] = self.note
        return out


def jsonable(value: Any) -> Any:
    """Parameter values in a JSON-safe shape (Decimal → string)."""
    if isinstance(value, Decimal | Fraction):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


@dataclass
class ParameterView:
    """The parameters in force on one date; records each lookup (the trace)."""

    tree: ParameterTree
    on: date
    trace: dict[str, TraceEntry] = field(default_factory=dict)

    def entry(self, name: str) -> ParameterValue:
        item = self.tree.get(name).at(self.on)
        if name not in self.trace:
            self.trace[name] = TraceEntry(
                name, item.value, item.start, item.end, item.reference, item.unverified, item.note
            )
        return item

    def __call__(self, name: str) -> Any:
        return self.entry(name).value

    def fraction(self, name: str) -> Fraction:
        return as_fraction(self(name))

    def in_force(self, name: str) -> bool:
        return self.tree.get(name).in_force(self.on)

    def reference(self, name: str) -> str:
        return self.entry(name).reference

    def trace_list(self) -> list[dict[str, Any]]:
        return [self.trace[k].as_dict() for k in sorted(self.trace)]


class ParameterTree:
    """All parameters, by dotted name. Immutable; overrides give a new tree."""

    def __init__(self, parameters: Mapping[str, Parameter], titles: Mapping[str, str] | None = None):
        self._parameters = dict(parameters)
        self.titles = dict(titles or {})  # file stem → the Chinese title of its group (the 政策参数 page)

    def __contains__(self, name: object) -> bool:
        return name in self._parameters

    def __iter__(self) -> Iterator[Parameter]:
        return iter(self._parameters[k] for k in sorted(self._parameters))

    def get(self, name: str) -> Parameter:
        try:
            return self._parameters[name]
        except KeyError:
            raise ParameterError(f"未知参数 {name}") from None

    def at(self, on: date) -> ParameterView:
        return ParameterView(self, on)

    def with_overrides(self, overrides: Mapping[str, Any], start: date | None = None) -> ParameterTree:
        """A copy where each named parameter takes the given value (from ``start``, default: always).

        Used for what-if analysis; the files on disk are never touched.
        """
        params = dict(self._parameters)
        for name, value in overrides.items():
            param = self.get(name)
            new = ParameterValue(start or date(1900, 1, 1), None, _coerce(value), "假设调整（what-if）", True)
            if start is None:
                values = (new,)
            else:
                kept = tuple(replace(v, end=min(v.end or start, _day_before(start))) for v in param.values
                             if v.start < start)
                values = (*kept, new)
            params[name] = replace(param, values=values)
        return ParameterTree(params, self.titles)


def _day_before(day: date) -> date:
    return date.fromordinal(day.toordinal() - 1)


def _coerce(value: Any) -> Any:
    if isinstance(value, float):
        return Decimal(str(value))
    return value


def _walk(prefix: str, table: Mapping[str, Any], source: Path) -> Iterator[Parameter]:
    for key, item in table.items():
        if not isinstance(item, Mapping):
            continue
        name = f"{prefix}.{key}"
        if "values" in item:
            yield _parameter(name, item, source)
        else:
            yield from _walk(name, item, source)


def _parameter(name: str, item: Mapping[str, Any], source: Path) -> Parameter:
    values = []
    for raw in item["values"]:
        missing = {"from", "value", "reference"} - set(raw)
        if missing:
            raise ParameterError(f"{source.name}: 参数 {name} 的取值缺少字段 {sorted(missing)}")
        values.append(ParameterValue(
            start=raw["from"], end=raw.get("to"), value=raw["value"], reference=raw["reference"],
            unverified=bool(raw.get("unverified", False)), note=raw.get("note", ""),
        ))
    values.sort(key=lambda v: v.start)
    return Parameter(name, item.get("description", ""), item.get("unit", ""), tuple(values))


def read_parameters(directory: Path = PARAMETERS_DIR) -> ParameterTree:
    """Parse every ``*.toml`` file in ``directory`` (floats are read as Decimal)."""
    params: dict[str, Parameter] = {}
    titles: dict[str, str] = {}
    for path in sorted(directory.glob("*.toml")):
        with open(path, "rb") as fh:
            data = tomllib.load(fh, parse_float=Decimal)
        titles[path.stem] = data.get("title", path.stem)
        for param in _walk(path.stem, data, path):
            params[param.name] = param
    return ParameterTree(params, titles)


@lru_cache(maxsize=4)
def load_parameters(directory: Path = PARAMETERS_DIR) -> ParameterTree:
    """The parameter tree, parsed once per process."""
    return read_parameters(directory)
