"""One enterprise's answer: ``screen(package, year) -> dict`` — the one-row case of the register run.

The package goes through the one flattener (:mod:`xinzhi.policy.frame`) and the one engine
(:func:`xinzhi.policy.engine.run`, every programme); the answer is that row explained
(:mod:`xinzhi.policy.explain`): per programme, its status, each condition with the enterprise's figure,
the threshold and the citation (document + article, ``unverified`` for the 待核实 badge), what is missing,
the score and the benefit — machine fields (yuan as strings) and Chinese display fields (``*_text``,
``status_label``, ``benefit_lines``) — and the trace: every parameter read, with value, dates and citation.

Dates: recognitions use the parameters in force on the application date (``application_date``, default
31 December of the year), tax incentives those of 1 January of the tax year. A year the parameters do not
cover raises :class:`xinzhi.policy.engine.YearNotCovered` (a Chinese message naming the programme and
the first year covered).
"""

from __future__ import annotations

import math
from datetime import date
from fractions import Fraction
from typing import Any

import polars as pl

from . import engine, fmt
from .conditions import Condition
from .engine import Context, YearNotCovered
from .explain import citation, fen_to_yuan, gap_template, param_text, render, value_text
from .frame import frame_from_packages
from .package import AnnualPackage
from .params import ParameterTree, ParameterView, jsonable, load_parameters
from .programmes import REGISTRY, Programme
from .variables import hte as hte_vars
from .variables import rd_super_deduction as rd_vars
from .variables import tech_sme as sme_vars

SCHEMA = "xinzhi.screen/2"
STATUS_LABELS = {
    "eligible": "符合条件",
    "not_eligible": "不符合条件",
    "undetermined": "待补充数据或专家评分",
    "not_in_force": "政策不在执行期内",
    "certified": "已认定",
}
MET_LABELS = {True: "满足", False: "不满足", None: "待补充"}

__all__ = ["SCHEMA", "YearNotCovered", "assessment_date", "screen"]


def assessment_date(package: AnnualPackage, year: int) -> date:
    if package.application_date is not None and year == package.year:
        return package.application_date
    return date(year, 12, 31)


def screen(package: AnnualPackage, year: int | None = None, tree: ParameterTree | None = None) -> dict[str, Any]:
    """Every programme's answer for one package (JSON-ready: money as strings)."""
    year = year or package.year
    tree = tree or load_parameters()
    on = assessment_date(package, year)
    frame = frame_from_packages([package]).with_columns(assessment_date=pl.lit(on))
    row = engine.run(frame, year, tree, on=on).row(0, named=True)
    ctx = Context(year, on)
    vs = engine.views(tree, ctx)
    programs = {p.key: programme_answer(p, row, vs[p.basis], year) for p in REGISTRY}
    out: dict[str, Any] = {
        "schema": SCHEMA,
        "enterprise": {"uscc": package.uscc, "name": package.name},
        "year": year,
        "data_year": package.year,
        "assessment_date": on.isoformat(),
        "summary": [summary_line(a) for a in programs.values()],
        "programs": programs,
        "trace": trace(engine.trace(tree, year, on), vs),
    }
    if year != package.year:
        out["notes"] = [f"数据年度为{package.year}年，按{year}年度的规则参数计算"]
    return jsonable(out)


def trace(built: list[dict[str, Any]], vs: dict[str, ParameterView]) -> dict[str, Any]:
    """The parameters the expressions read (``built``) and those the explanations read, with citations."""
    entries = {(e["name"], e["from"]): e for e in built}
    for basis, view in vs.items():
        for item in view.trace_list():
            item["on"], item["basis"] = view.on.isoformat(), basis
            entries.setdefault((item["name"], item["from"]), item)
    params = [entries[k] for k in sorted(entries)]
    return {"parameters": params, "unverified": sorted({p["name"] for p in params if p["unverified"]})}


def summary_line(answer: dict[str, Any]) -> str:
    text = f"{answer['label']}：{answer['status_label']}"
    if answer.get("summary"):
        text += "，" + answer["summary"]
    elif answer.get("gaps"):
        text += f"（差距{len(answer['gaps'])}项）"
    return text


# --------------------------------------------------------------------------- conditions


def _unit_value(unit: str, value: Any) -> Any:
    if value is None:
        return None
    if unit == "fen":
        return fen_to_yuan(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def condition_answer(c: Condition, row: dict[str, Any], v: ParameterView) -> dict[str, Any]:
    met = row.get(c.name)
    unit = c.kind.unit
    out: dict[str, Any] = {
        "key": c.key, "label": render(c.label, row, v, c), "met": met, "status_label": MET_LABELS[met],
        "threshold": render(c.threshold, row, v, c) if c.threshold else "",
        "citations": [citation(v, name) for name in c.refs],
    }
    out["reference"] = "；".join(dict.fromkeys(x["text"] for x in out["citations"]))
    threshold = _threshold_value(c, row, v)
    if threshold is not None:
        out["threshold_value"] = threshold
    out["unverified"] = any(x["unverified"] for x in out["citations"])
    if f"{c.name}.num" in row:
        value: dict[str, Any] = {"num": _unit_value(unit, row[f"{c.name}.num"])}
        if f"{c.name}.den" in row:
            value["den"] = _unit_value(unit, row[f"{c.name}.den"])
            value["ratio"] = fmt.ratio4(row[f"{c.name}.num"], row[f"{c.name}.den"])
        out["value"] = value
    if c.value:
        out["value_text"] = render(c.value, row, v, c)
    gap = row.get(f"{c.name}.gap")
    template = gap_template(c, row) if met is False else (c.pending if met is None else None)
    if template:
        out["gap"] = render(template, row, v, c)
        if gap is not None:
            out["gap_value"] = _unit_value(unit, gap)
    return out


def _threshold_value(c: Condition, row: dict[str, Any], v: ParameterView) -> Any:
    """The threshold as a number (the API's machine field): the parameter, or the R&D tier's ratio."""
    if c.name == "hte.rd_ratio":
        return v("hte.rd_ratio_scale")[row["hte.rd_tier"]]["min_ratio"]
    for attr in ("share", "minimum", "cap"):
        name = getattr(c.kind, attr, None)
        if name:
            return v(name)
    return None


# --------------------------------------------------------------------------- programmes


def programme_answer(p: Programme, row: dict[str, Any], v: ParameterView, year: int) -> dict[str, Any]:
    out: dict[str, Any] = {"program": p.key, "label": p.label}
    if p.period and not row.get(f"{p.key}.in_force", True):
        out.update(eligible=False, status="not_in_force", status_label=STATUS_LABELS["not_in_force"], conditions=[],
                   gaps=[], notes=[f"{year}年度不在政策执行期（{param_text(v, p.period, 'period')}）内"])
        return out
    conditions = [condition_answer(c, row, v) for c in p.conditions if c.applies(v)]
    eligible = row.get(f"{p.key}.eligible")
    status = {True: "eligible", False: "not_eligible", None: "undetermined"}[eligible]
    out.update(eligible=eligible, status=status, status_label=STATUS_LABELS[status], conditions=conditions,
               gaps=[c["gap"] for c in conditions if c.get("gap")], suggestions=[], notes=[])
    DETAILS.get(p.key, _nothing)(out, row, v, year)
    if out["status"] in ("eligible", "certified"):
        out["benefit_lines"] = benefit_lines(p, row, v)
    return out


def _nothing(out: dict[str, Any], row: dict[str, Any], v: ParameterView, year: int) -> None:
    return None


def benefit_lines(p: Programme, row: dict[str, Any], v: ParameterView) -> list[dict[str, str]]:
    lines = []
    for b in p.benefit:
        if b.column:
            amount = row.get(b.column)
            if amount is None:
                continue
            text = fmt.fen_text(amount)
        else:
            if not v.in_force(b.param):
                continue
            text = param_text(v, b.param)
        lines.append({"label": render(b.label, row, v, home=p.key), "text": text})
    return lines


# --------------------------------------------------------------------------- HTE


def _hte(out: dict[str, Any], row: dict[str, Any], v: ParameterView, year: int) -> None:
    out["rd_expense_hte"] = fen_to_yuan(row["hte.rd_expense"])
    out["score"] = hte_score(row, v)
    expiry = row.get("hte.certificate_expiry")
    issued = row.get("hte_issue")
    if issued is not None:
        out["certificate"] = {"issue_date": issued, "expiry_date": expiry, "valid_on": row["assessment_date"],
                              "valid": bool(row["hte.certified"]), "citation": citation(v, "hte.validity_years")}
    if row["hte.certified"]:
        out["status"] = "certified"
        out["status_label"] = f"已认定（有效期至{fmt.day_text(expiry)}）"
        out["notes"].append(f"高新技术企业证书有效期至{fmt.day_text(expiry)}；期满前须重新提出认定申请（按新申请企业办理），"
                            "届时须满足以下认定条件，下表为按本年度数据的对照情况")
        out["gaps"] = []
    if out["status"] != "certified" and row["hte.innovation_score"] is not True:
        out["suggestions"] = hte_suggestions(row, v)


def hte_score(row: dict[str, Any], v: ParameterView) -> dict[str, Any]:
    items = []
    labels = {**hte_vars.FIXED_ITEMS, **hte_vars.GRADED_ITEMS}
    fixed = hte_vars.fixed_maxima(v)
    bands = {"ip_quantity": v("hte.score.ip_quantity_bands"), "conversion": v("hte.score.conversion_bands"),
             "growth_net_assets": v("hte.score.growth_bands"), "growth_sales": v("hte.score.growth_bands")}
    by_own = {b["own"]: b for b in v("hte.score.ip_acquisition_bands")}
    bands["ip_acquisition"] = [by_own[True], by_own[False]]
    for key in (*hte_vars.IP_KEYS, "conversion", *hte_vars.MANAGEMENT_PARAM, "growth_net_assets", "growth_sales"):
        lo = row.get(f"hte.item.{key}.lo", 0)
        hi = row.get(f"hte.item.{key}.hi", fixed.get(key))
        points, expert = row[f"hte.item.{key}.points"], row.get(f"expert_{key}")
        source = "computed" if lo == hi else ("range_minimum" if expert is None else "expert")
        item: dict[str, Any] = {"key": key, "label": labels[key], "points": points, "min": lo, "max": hi,
                                "source": source, "source_label": SOURCE_LABELS[source]}
        grade = row.get(f"hte.item.{key}.grade")
        if key in bands and grade is not None and grade < len(bands[key]):
            item["grade"] = bands[key][grade].get("grade")
        notes = []
        if key.startswith("growth_"):
            n, d = row[f"hte.item.{key}.n"], row[f"hte.item.{key}.d"]
            status = row[f"hte.item.{key}.status"]
            if row["hte.years_missing"]:
                notes.append(f"缺少{row['hte.years_missing']}个以前年度数据，由专家判断")
                item.pop("grade", None)
            elif status == hte_vars.GROWTH_OK and d:
                item["value"] = fmt.ratio4(n - d, d)
            elif status == hte_vars.GROWTH_ZERO:
                notes.append("基期数值为零或只有一个年度数据，按零分计")
            else:
                notes.append("基期数值为负，资料未规定算法，由专家判断")
        if key == "conversion":
            item["value"] = fmt.ratio4(row["conv_sum"], row["hte.conversion_years"])
        if key == "ip_quantity":
            item["value"] = {"class1": row["class1"], "class2": row["hte.class2_usable"]}
        if expert is not None and source == "expert" and not lo <= expert <= hi:
            notes.append(f"专家评分{expert}分超出本档区间{lo}–{hi}分，已按区间取值")
        if notes:
            item["note"] = "；".join(notes)
        items.append(item)
    parts = {name: row[f"hte.part.{name}"] for name in hte_vars.PARTS}
    return {"total": row["hte.score"], "min": row["hte.score"], "max": row["hte.score_max"],
            "complete": row["hte.score_complete"], "pass_min": v("hte.score.pass_min"), "parts": parts,
            "parts_display": [{"label": label, "points": parts[name]} for name, label in hte_vars.PARTS.items()],
            "items": items}


SOURCE_LABELS = {"computed": "按数据计算", "expert": "专家评分", "range_minimum": "待专家评分（暂按本档下限）"}


def hte_suggestions(row: dict[str, Any], v: ParameterView) -> list[str]:
    """Moves that raise a computed grade (IP quantity, conversions) and who awards the R&D-management points."""
    out = []
    bands = v("hte.score.ip_quantity_bands")
    grade = row["hte.item.ip_quantity.grade"]
    class1, class2 = row["class1"], row["hte.class2_usable"]
    offered: set[str] = set()
    for b in bands[:grade]:
        kind = "class1_min" if "class1_min" in b else "class2_min" if "class2_min" in b else None
        if kind is None or kind in offered:
            continue
        need = b[kind] - (class1 if kind == "class1_min" else class2)
        which = "Ⅰ类知识产权（如发明专利）" if kind == "class1_min" else "Ⅱ类知识产权"
        if need > 0:
            out.append(f"再获得{need}件{which}可使知识产权数量升至{b['grade']}档（{b['points_min']}–{b['points_max']}分，"
                       "档内分值由专家评定）")
            offered.add(kind)
    cb = v("hte.score.conversion_bands")
    g = row["hte.item.conversion.grade"]
    if g > 0:
        b, n = cb[g - 1], row["hte.conversion_years"]
        more = math.ceil(Fraction(b["min"]) * n) - row["conv_sum"]
        out.append(f"近{n}年科技成果转化再增加{more}项（年均达到{b['min']}项）可使科技成果转化能力升至{b['grade']}档"
                   f"（{b['points_min']}–{b['points_max']}分，档内分值由专家评定）")
    missing = [label for key, label in MANAGEMENT_LABELS.items() if not row.get(f"mgmt_{key}")]
    total = sum(hte_vars.fixed_maxima(v)[k] for k in hte_vars.MANAGEMENT_PARAM)
    text = f"研究开发组织管理水平（满分{total}分）全部由评审专家根据制度建设和实施情况评分，本系统不计入自评分"
    if missing:
        text += "；尚未建立：" + "、".join(missing) + "（建立后由专家评定是否加分）"
    out.append(text)
    return out


MANAGEMENT_LABELS = {"has_rd_rules": "研究开发组织管理制度和研发投入核算体系", "has_rd_ledger": "研发费用辅助账",
                     "has_rd_institution": "内部研究开发机构", "has_industry_university_cooperation": "产学研合作",
                     "has_conversion_rules": "科技成果转化的组织实施与激励奖励制度", "has_open_platform": "开放式的创新创业平台",
                     "has_talent_system": "科技人员培养进修、人才引进与绩效评价奖励制度"}


# --------------------------------------------------------------------------- tech-SME


def _tech_sme(out: dict[str, Any], row: dict[str, Any], v: ParameterView, year: int) -> None:
    pb, sb, cb, ib = (v("tech_sme.score.personnel_bands"), v("tech_sme.score.rd_sales_bands"),
                      v("tech_sme.score.rd_cost_bands"), v("tech_sme.score.ip_bands"))
    costs = row["tech_sme.rd_method_costs"]
    rd_bands = cb if costs else sb
    grades = {"personnel": pb[row["tech_sme.personnel.grade"]]["grade"],
              "rd_input": rd_bands[row["tech_sme.rd_input.grade"]]["grade"],
              "achievements": ib[row["tech_sme.achievements.grade"]]["grade"]}
    parts = {name: row[f"tech_sme.{name}.points"] for name in sme_vars.PARTS}
    out["score"] = {"total": row["tech_sme.score"], "pass_min": v("tech_sme.score.pass_min"), "parts": parts,
                    "parts_display": [{"label": label, "points": parts[name]} for name, label in sme_vars.PARTS.items()],
                    "grades": grades, "rd_method": "costs" if costs else "sales",
                    "rd_method_label": "研发费用总额占成本费用支出总额的比例" if costs else "研发费用总额占销售收入总额的比例",
                    "rd_expense": fen_to_yuan(row["tech_sme.rd_expense"])}
    direct = [label for key, label in sme_vars.DIRECT.items() if row[f"tech_sme.{key}"]]
    out["direct_qualification"] = direct
    out["personnel_hires_to_nonzero"] = row["tech_sme.personnel_score.gap"]
    if direct:
        out["notes"].append("符合直接认定条件（" + "；".join(direct) + "），可不计算综合评价得分；得分仅供参考（"
                            + citation(v, "tech_sme.direct.lookback_years")["text"] + "）")
    if out["eligible"] is False and row["tech_sme.evaluation"] is False:
        out["suggestions"] = sme_suggestions(row, v, pb, sb, ib, parts)


def sme_suggestions(row: dict[str, Any], v: ParameterView, pb: list, sb: list, ib: list,
                    parts: dict[str, int]) -> list[str]:
    """One step up in each indicator, with its cost and the points it brings."""
    out = []
    g = row["tech_sme.personnel.grade"]
    if g > 0 and row["tech_sme.next.hires"] is not None:
        b = pb[g - 1]
        out.append(f"科技人员再增加{row['tech_sme.next.hires']}人（占比达到{fmt.pct(b['min'])}，得分+{b['points'] - parts['personnel']}）")
    # the R&D/sales ratio one band up (sales unchanged), when it beats the points counted now
    by_sales = next(i for i, b in enumerate(sb) if "min" not in b or row["sales"] > 0
                    and Fraction(row["tech_sme.rd_expense"]) >= Fraction(b["min"]) * row["sales"])
    if by_sales > 0 and row["tech_sme.next.rd_fen"] is not None and sb[by_sales - 1]["points"] > parts["rd_input"]:
        b = sb[by_sales - 1]
        out.append(f"研发费用再增加{fmt.fen_text(row['tech_sme.next.rd_fen'], up=True)}（占销售收入达到{fmt.pct(b['min'])}，"
                   f"得分+{b['points'] - parts['rd_input']}）")
    g = row["tech_sme.achievements.grade"]
    if g > 0:
        b = ib[g - 1]
        if "class1_min" in b:
            out.append(f"获得{b['class1_min'] - row['class1']}件Ⅰ类知识产权（得分+{b['points'] - parts['achievements']}）")
        else:
            out.append(f"再获得{b['class2_min'] - row['class2']}件Ⅱ类知识产权（得分+{b['points'] - parts['achievements']}）")
    return out


# --------------------------------------------------------------------------- tax incentives


def _rd(out: dict[str, Any], row: dict[str, Any], v: ParameterView, year: int) -> None:
    regime, expensed_name, capital_name = rd_vars.REGIMES[row["rd_super_deduction.regime"]]
    income_rate = v("income_tax.hte_rate" if row["hte_income_tax.hte_tax_year"] else "income_tax.standard_rate")
    base = {name: fen_to_yuan(row[f"rd_super_deduction.base.{name}"]) for name in
            ("items_1_5", "other_related_cap", "other_related", "entrusted_domestic", "domestic",
             "entrusted_abroad_counted", "entrusted_abroad", "total")}
    out["benefit"] = {
        "extra_deduction": fen_to_yuan(row["rd_super_deduction.extra_deduction"]),
        "regime": regime, "expensed_rate": v(expensed_name), "capitalised_amortisation_rate": v(capital_name),
        "base": base, "income_tax_rate_used": income_rate,
        "tax_value_estimate": fen_to_yuan(row["rd_super_deduction.tax_value"]),
    }
    rate = citation(v, expensed_name)
    out["rate"] = {"regime_label": rd_vars.REGIME_LABELS[regime], "expensed_rate_text": param_text(v, expensed_name),
                   "capitalised_rate_text": param_text(v, capital_name), "citation": rate}
    if out["eligible"]:
        out["summary"] = (f"按{param_text(v, expensed_name)}加计扣除{fmt.fen_text(row['rd_super_deduction.extra_deduction'])}，"
                          f"按{value_text('ratio', income_rate)}税率约少缴企业所得税{fmt.fen_text(row['rd_super_deduction.tax_value'])}")
    notes = out["notes"]
    for name in (expensed_name, capital_name):
        for change in v.tree.get(name).changes_between(date(year, 1, 1), date(year, 12, 31)):
            notes.append(f"{fmt.day_text(change.start)}起比例变为{value_text('ratio', change.value)}（{change.reference}）；"
                         "年度数据包不能按期间拆分研发费用，本计算按年初比例，可按费用实际发生期间分段计算")
    if not v("rd_super_deduction.other_related_cap_pooled"):
        notes.append("该年度其他相关费用限额应按项目分别计算；本计算按全部项目汇总，可能偏高")
    notes.append("少缴税额按适用税率估算，未考虑应纳税所得额不足以抵扣的情形")


def _vat(out: dict[str, Any], row: dict[str, Any], v: ParameterView, year: int) -> None:
    names = ("accruable_input_vat", "accrued", "reduction_for_transfers_out", "available", "used", "carried_forward")
    benefit = {name: fen_to_yuan(row[f"vat_additional_deduction.{name}"]) for name in names}
    benefit.update(brought_forward=fen_to_yuan(row["vat_bf"]), rate=v("vat_additional_deduction.rate"),
                   benefit_yuan=fen_to_yuan(row["vat_additional_deduction.benefit"]))
    if out["eligible"]:
        out["benefit"] = benefit
        out["summary"] = f"可抵减增值税{fmt.fen_text(row['vat_additional_deduction.benefit'])}"
        end = v.entry("vat_additional_deduction.rate").end
        if end is not None and end.year == year and row["vat_additional_deduction.carried_forward"]:
            out["notes"].append(f"{fmt.day_text(end)}后未抵减完的加计抵减额不再抵减，结转额"
                                f"{fmt.fen_text(row['vat_additional_deduction.carried_forward'])}将作废")
    out["notes"].append("按年度汇总近似计算；实际按纳税申报期逐期计提与抵减")


def _am(out: dict[str, Any], row: dict[str, Any], v: ParameterView, year: int) -> None:
    if out["eligible"] and row.get("vat_additional_deduction.benefit") is not None:
        out["summary"] = f"列入名单后可享受增值税加计抵减约{fmt.fen_text(row['vat_additional_deduction.benefit'])}"


def _hte_tax(out: dict[str, Any], row: dict[str, Any], v: ParameterView, year: int) -> None:
    windows = {str(w["year"]): w["years"] for w in (row.get("hte_income_tax.loss_windows") or [])}
    if row["taxable_income"] is None:
        out["notes"].append("未填报弥补亏损前应纳税所得额，无法计算少缴税额")
        out["loss_carry_forward_years"] = windows
    else:
        out["benefit"] = {
            "taxable_income_before_losses": fen_to_yuan(row["taxable_income"]),
            **{name: fen_to_yuan(row[f"hte_income_tax.{name}"]) for name in
               ("losses_offset_general", "losses_offset_with_preference", "tax_at_standard_rate", "tax_with_preference")},
            "benefit_yuan": fen_to_yuan(row["hte_income_tax.benefit"]),
            "loss_carry_forward_years": windows,
        }
        if row["hte_income_tax.benefit"]:
            out["summary"] = (f"较按{param_text(v, 'income_tax.standard_rate')}税率和一般亏损结转年限少缴企业所得税"
                              f"{fmt.fen_text(row['hte_income_tax.benefit'])}")
    if not v.in_force("income_tax.loss_years_qualified"):
        out["notes"].append(f"亏损结转年限延长的政策自{param_text(v, 'income_tax.loss_years_qualified', 'from')}起执行")
    out["notes"].append("未考虑小型微利企业等其他所得税优惠；技术先进型服务企业的优惠税率与本项不叠加")


def _service(out: dict[str, Any], row: dict[str, Any], v: ParameterView, year: int) -> None:
    out["notes"].append("所得税少缴额按“高新技术企业所得税优惠”一项的同一方法计算（两项税率优惠不叠加）")


DETAILS = {"hte": _hte, "tech_sme": _tech_sme, "rd_super_deduction": _rd, "vat_additional_deduction": _vat,
           "advanced_manufacturing": _am, "hte_income_tax": _hte_tax, "advanced_service": _service}
