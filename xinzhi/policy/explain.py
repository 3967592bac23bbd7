"""Explanations drawn from the parameters: every label, threshold and gap sentence is a template that
names parameters (``{hte.st_staff_min_share}``) and the row's figures (``{gap}``, ``{num}``), rendered per
row for one enterprise (:func:`render`) and over a column for the lists (:func:`render_expr`) — the same
template, so the page, the API and the Excel list say the same thing, and a changed parameter changes
every sentence. A parameter's value is formatted by its unit (ratio → ``10%``, yuan → ``2亿元``, points →
``71分``); citations are the parameter's document and article, with ``unverified`` for the 待核实 badge.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import polars as pl

from . import fmt
from .conditions import Condition
from .package import COLLECTION_METHODS, industry_name
from .params import ParameterView, as_fraction

YI_IN_YUAN = 100_000_000

# --------------------------------------------------------------------------- parameter values as text


def param_text(v: ParameterView, name: str, spec: str | None = None) -> str:
    """A parameter's value in force on the view's date, as it reads (``spec="from"``/``"to"``: its dates)."""
    param = v.tree.get(name)
    if spec in ("from", "to", "period"):
        first, last = param.values[0].start, param.values[-1].end
        if spec == "from":
            return fmt.day_text(v.entry(name).start if param.in_force(v.on) else first)
        if spec == "to":
            return fmt.day_text(last) if last else "长期"
        return f"{fmt.day_text(first)}至{fmt.day_text(last) if last else '长期'}"
    return value_text(param.unit, v(name))


def value_text(unit: str, value: Any) -> str:
    """A parameter value by its unit (see the module docstring)."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if unit == "ratio":
        return fmt.pct(value)
    if unit == "yuan":
        if value % YI_IN_YUAN == 0:
            return f"{fmt._number(Decimal(value // YI_IN_YUAN))}亿元"
        return fmt.wan(Decimal(value))
    if isinstance(value, Mapping) and unit == "points":
        return "、".join(f"{v}分" for v in value.values())
    suffix = {"points": "分", "year": "年", "persons": "人", "count": "件"}.get(unit)
    if suffix:
        return f"{value}{suffix}"
    if unit == "rank":
        return f"前{value}名"
    if unit == "section":
        return f"门类{value}（{industry_name(value)}）"
    if unit == "industries":
        return "、".join(item["name"] for item in value)
    if unit == "scale":
        return scale_text(value)
    if unit == "bands":
        return bands_text(value)
    if unit == "list":
        return "、".join(COLLECTION_METHODS.get(str(x), str(x)) for x in value)
    return str(value)


def tiers(scale: Sequence[Mapping[str, Any]]) -> list[str]:
    """The sales tiers of the R&D ratio scale as text (upper bounds inclusive)."""
    out, lower = [], None
    for tier in scale:
        upper = tier.get("sales_up_to")
        if upper is None:
            out.append(f"{value_text('yuan', lower)}以上")
        elif lower is None:
            out.append(f"{value_text('yuan', upper)}（含）以下")
        else:
            out.append(f"{value_text('yuan', lower)}至{value_text('yuan', upper)}（含）")
        lower = upper
    return out


def scale_text(scale: Sequence[Mapping[str, Any]]) -> str:
    return "；".join(f"最近一年销售收入{t}的不低于{fmt.pct(s['min_ratio'])}" for t, s in zip(tiers(scale), scale, strict=True))


def bands_text(bands: Sequence[Mapping[str, Any]]) -> str:
    parts = []
    for b in bands:
        if "min" in b:
            test = f"≥{fmt.pct(b['min'])}" if as_fraction(b["min"]) < 1 else f"年均≥{b['min']}项"
        elif "above" in b:
            test = f">{fmt.pct(b['above'])}"
        elif "class1_min" in b:
            test = f"Ⅰ类≥{b['class1_min']}件"
        elif "class2_min" in b:
            test = f"Ⅱ类≥{b['class2_min']}件"
        elif "own" in b:
            test = "有自主研发" if b["own"] else "仅受让、受赠、并购"
        else:
            test = "其他"
        points = f"{b['points']}分" if "points" in b else f"{b['points_min']}–{b['points_max']}分"
        parts.append(f"{b.get('grade', '')} {test}：{points}".strip())
    return "；".join(parts)


def citation(v: ParameterView, name: str) -> dict[str, Any]:
    """The document and article a parameter's value in force comes from, and whether it is unverified."""
    entry = v.entry(name)
    return {"text": entry.reference, "unverified": entry.unverified}


# --------------------------------------------------------------------------- templates

_FIELD = re.compile(r"\{([^{}:]+)(?::([^{}]+))?\}")


@dataclass(frozen=True)
class Slot:
    columns: tuple[str, ...]
    format: str


UNIT_GAP = {"fen": "wan_up", "persons": "int", "count": "int", "points": "int", "date": "date", "year": "int"}
UNIT_VALUE = {"fen": "wan", "persons": "persons", "count": "count", "points": "int", "date": "date", "year": "int"}

#: slots a template may name; ``{c}`` is the condition's column, ``{home}`` its programme
SLOTS: dict[str, tuple[tuple[str, ...], str]] = {
    "num": (("{c}.num",), "value"), "den": (("{c}.den",), "value"), "ratio": (("{c}.num", "{c}.den"), "ratio"),
    "score": (("{home}.score",), "int"), "score_max": (("{home}.score_max",), "int"),
    "gap_max": (("hte.score_gap_max",), "int"),
    "threshold": (("hte.rd_tier",), "pick:hte.rd_ratio_scale:min_ratio:pct"), "tier": (("hte.rd_tier",), "tier"),
    "years": (("hte.rd_ratio.years",), "int"), "years_missing": (("hte.years_missing",), "int"),
    "field": (("hte_field",), "text"), "registered": (("registration_date",), "date"),
    "incident": (("last_hte_incident",), "incident"), "class1": (("class1",), "int"),
    "class2_usable": (("hte.class2_usable",), "int"), "certificate": (("hte.certificate_expiry",), "certificate"),
    "collection": (("collection_method",), "collection"), "industry": (("industry_code",), "industry"),
    "last": (("{c}.num",), "int"), "incident_year": (("{c}.num",), "incident_year"),
    "personnel_points": (("tech_sme.personnel.points",), "int"),
}


def slot(name: str, cond: Condition | None, home: str) -> Slot:
    if name == "gap":
        unit = cond.kind.unit if cond else "int"
        return Slot((f"{cond.name}.gap" if cond else "gap",), UNIT_GAP.get(unit, "int"))
    columns, form = SLOTS[name]
    c = cond.name if cond else home
    if form == "value":
        form = UNIT_VALUE.get(cond.kind.unit if cond else "", "int")
    return Slot(tuple(x.format(c=c, home=home) for x in columns), form)


def _scalar(form: str, values: list[Any], v: ParameterView) -> str:
    value = values[0]
    if form == "ratio":
        return fmt.pct_of(values[0], values[1])
    if value is None and form not in ("incident", "incident_year", "certificate"):
        return "—"
    if form == "int":
        return str(value)
    if form == "wan":
        return fmt.fen_text(value)
    if form == "wan_up":
        return fmt.fen_text(value, up=True)
    if form == "persons":
        return f"{value}人"
    if form == "count":
        return f"{value}件"
    if form == "date":
        return fmt.day_text(value)
    if form == "incident":
        return "无" if value is None else f"最近一次：{fmt.day_text(value)}"
    if form == "incident_year":
        return "无" if value is None else f"最近一次在{value}年"
    if form == "certificate":
        return "无有效证书" if value is None else f"证书有效期至{fmt.day_text(value)}"
    if form == "collection":
        return COLLECTION_METHODS.get(value, str(value))
    if form == "industry":
        return f"{value} {industry_name(value)}"
    if form == "tier":
        return tiers(v("hte.rd_ratio_scale"))[value]
    if form.startswith("pick:"):
        _, param, key, sub = form.split(":")
        return _pick_text(v, param, key, sub)[value]
    return str(value)


def _pick_text(v: ParameterView, param: str, key: str, sub: str) -> list[str]:
    return [value_text("ratio" if sub == "pct" else "", item[key]) for item in v(param)]


def render(template: str, row: Mapping[str, Any], v: ParameterView, cond: Condition | None = None,
           home: str = "", extra: Mapping[str, str] | None = None) -> str:
    """The template for one row: parameters from the view, slots from the row."""
    def one(m: re.Match) -> str:
        name, spec = m.group(1), m.group(2)
        if extra and name in extra:
            return extra[name]
        if "." in name:
            return param_text(v, name, spec)
        s = slot(name, cond, home or (cond.home if cond else ""))
        return _scalar(s.format, [row.get(c) for c in s.columns], v)

    return _FIELD.sub(one, template)


def _expr(form: str, columns: tuple[str, ...], v: ParameterView) -> pl.Expr:
    col = pl.col(columns[0])
    if form == "int":
        return col.cast(pl.String)
    if form in ("wan", "wan_up"):
        return fmt.fen_text_expr(col, up=form == "wan_up")
    if form == "date":
        return fmt.day_text_expr(col)
    if form == "tier":
        return pl.lit(pl.Series(tiers(v("hte.rd_ratio_scale")))).gather(col)
    if form.startswith("pick:"):
        _, param, key, sub = form.split(":")
        return pl.lit(pl.Series(_pick_text(v, param, key, sub))).gather(col)
    return col.cast(pl.String)


def render_expr(template: str, v: ParameterView, cond: Condition | None = None, home: str = "") -> pl.Expr:
    """The template over a column (the lists): literal text and parameters are constants, slots columns."""
    parts: list[pl.Expr] = []
    pos = 0
    for m in _FIELD.finditer(template):
        if m.start() > pos:
            parts.append(pl.lit(template[pos:m.start()]))
        name, spec = m.group(1), m.group(2)
        if "." in name:
            parts.append(pl.lit(param_text(v, name, spec)))
        else:
            s = slot(name, cond, home or (cond.home if cond else ""))
            parts.append(_expr(s.format, s.columns, v))
        pos = m.end()
    if pos < len(template):
        parts.append(pl.lit(template[pos:]))
    return pl.concat_str(parts) if parts else pl.lit("")


def gap_template(cond: Condition, row: Mapping[str, Any] | None = None) -> str | None:
    """The condition's gap sentence (the first variant whose column is true, for one row)."""
    if cond.gap is None or isinstance(cond.gap, str):
        return cond.gap
    for column, template in cond.gap:
        if column is None or (row is not None and row.get(column)):
            return template
    return None


def gap_expr(cond: Condition, v: ParameterView) -> pl.Expr | None:
    """The gap sentence over a column: null where the condition is met (``pending`` where undetermined)."""
    if cond.gap is None:
        return None
    if isinstance(cond.gap, str):
        failed = render_expr(cond.gap, v, cond)
    else:
        failed = pl.lit(None, dtype=pl.String)
        for column, template in reversed(cond.gap):
            text = render_expr(template, v, cond)
            failed = text if column is None else pl.when(pl.col(column)).then(text).otherwise(failed)
    met = pl.col(cond.name)
    out = pl.when(met == False).then(failed)  # noqa: E712
    if cond.pending:
        out = out.when(met.is_null()).then(render_expr(cond.pending, v, cond))
    return out


def fen_to_yuan(fen: int | None) -> Decimal | None:
    return None if fen is None else (Decimal(fen) / 100).quantize(Decimal("0.01"))


# --------------------------------------------------------------------------- the 政策参数 page


def parameter_groups(tree: Any, on: date) -> list[dict[str, Any]]:
    """Every parameter, grouped by file, with the value in force on ``on`` as it reads, its period and its
    citation (``unverified`` for the 待核实 badge, with the note saying what was not read); a parameter not
    in force on ``on`` says so and when it was / will be."""
    v = tree.at(on)
    groups: dict[str, dict[str, Any]] = {}
    for param in tree:
        stem = param.name.split(".")[0]
        group = groups.setdefault(stem, {"title": tree.titles.get(stem, stem), "parameters": []})
        item: dict[str, Any] = {"description": param.description, "in_force": param.in_force(on)}
        if item["in_force"]:
            entry = param.at(on)
            item.update(value=param_text(v, param.name), start=entry.start, end=entry.end,
                        reference=entry.reference, unverified=entry.unverified, note=entry.note)
        else:
            first, last = param.values[0], param.values[-1]
            item.update(value="—", reference=first.reference, unverified=param.unverified,
                        note=f"{fmt.day_text(first.start)}起施行" if first.start > on else
                        f"已于{fmt.day_text(last.end)}到期" if last.end else "")
        item["history"] = [{"start": x.start, "end": x.end, "value": value_text(param.unit, x.value),
                            "reference": x.reference, "unverified": x.unverified} for x in param.values]
        group["parameters"].append(item)
    order = ("hte", "tech_sme", "advanced_service", "vat_additional_deduction", "rd_super_deduction", "income_tax")
    return [groups[k] for k in sorted(groups, key=lambda k: (order.index(k) if k in order else len(order), k))]
