"""Answers an enterprise can read, explanations from the parameters: amounts in 万元 rounded right, Chinese
display fields only (no keys, notes, web addresses or file names), citations as document + article, no
threshold typed into the rule or explanation code."""

from __future__ import annotations

import ast
import json
import re
from decimal import Decimal
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from xinzhi.policy import fmt
from xinzhi.policy.package import parse_package
from xinzhi.policy.params import load_parameters
from xinzhi.policy.screen import screen

from .cases import base_package, merge

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "xinzhi" / "policy" / "examples" / "package.json"

#: the rule and explanation code: no threshold may be typed here, only named (parameters)
RULE_CODE = [*sorted((ROOT / "xinzhi" / "policy" / "variables").glob("*.py")),
             *(ROOT / "xinzhi" / "policy" / name for name in ("conditions.py", "engine.py", "explain.py",
                                                             "programmes.py", "register.py", "screen.py")),
             ROOT / "xinzhi" / "cultivation" / "programs.py", ROOT / "xinzhi" / "cultivation" / "risk.py"]
NUMBER_WITH_UNIT = re.compile(r"\d\s*(分|%|％|年|万元|亿元)")


def _strings(path: Path) -> list[tuple[int, str]]:
    """Every string constant of a module except docstrings (f-string literal parts included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef)
                  and node.body and isinstance(node.body[0], ast.Expr)
                  and isinstance(node.body[0].value, ast.Constant) and isinstance(node.body[0].value.value, str)}
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings]


def test_no_threshold_typed_next_to_a_unit_in_rule_or_explanation_code():
    found = [f"{path.relative_to(ROOT)}:{line}: {text!r}" for path in RULE_CODE for line, text in _strings(path)
             if NUMBER_WITH_UNIT.search(text)]
    assert not found, "\n".join(found)


def test_the_literal_check_catches_a_typed_threshold(tmp_path):
    """The check above is not vacuous: it flags the old list sentence "…可达到71分"."""
    bad = tmp_path / "bad.py"
    bad.write_text('GAP = "创新能力评价还差{}分可达到71分"\nOK = f"还差{n}分"\n', encoding="utf-8")
    assert [t for _, t in _strings(bad) if NUMBER_WITH_UNIT.search(t)] == ["创新能力评价还差{}分可达到71分"]


def test_rule_modules_compute_with_no_other_number_than_the_formulas_own():
    """The programme variables name every threshold: the only numbers in their expressions are 0, 1, 2 (½ of
    the growth formula, band indexes) and 100 (fen per yuan). Not counted: stage numbers, calendar dates, and
    the integer-width bound (an overflow proof, not a rule)."""
    allowed = {0, 1, 2, 100}
    structural = {"compile_stage", "date"}
    found = []
    for path in (ROOT / "xinzhi" / "policy" / "variables").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip: set[int] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in structural \
                    or isinstance(node, ast.keyword) and node.arg == "stage" \
                    or isinstance(node, ast.FunctionDef) and node.name == "int64_bounds" \
                    or isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "INT64_LIMIT" for t in node.targets):
                skip |= {id(n) for n in ast.walk(node)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, int | float) and id(node) not in skip \
                    and not isinstance(node.value, bool) and node.value not in allowed:
                found.append(f"{path.name}:{node.lineno}: {node.value}")
    assert not found, found


# ---------------------------------------------------------------- amounts


def test_amounts_in_wan_with_separators_and_the_right_rounding():
    assert fmt.wan(Decimal("5671111.11")) == "567.11万元"  # not 567.12万元 (an amount received: half up)
    assert fmt.wan_up(Decimal("5671111.11")) == "567.12万元"  # an amount still needed: up
    assert fmt.wan(Decimal("5675000")) == "567.5万元"
    assert fmt.wan(Decimal("123456789012")) == "12,345,678.9万元"
    assert fmt.wan(Decimal("10000")) == "1万元" and fmt.wan(Decimal("5000")) == "5,000元"
    assert fmt.wan(Decimal("0.5")) == "0.5元" and fmt.wan(Decimal("-2500000")) == "-250万元"
    assert fmt.pct(Decimal("0.04")) == "4%" and fmt.pct("2/3") == "66.67%"
    assert fmt.pct_of(999, 10000) == "9.99%" and fmt.pct_of(9999, 100000) == "9.99%"  # never rounds up to 10%


def test_amount_text_is_the_same_on_a_page_and_in_a_list():
    rng = np.random.default_rng(5)
    fen = [0, 1, 99, 999_999, 1_000_000, 1_000_001, 567_111_111, 567_115_000, 10**15 - 1,
           *rng.integers(0, 10**13, 2000).tolist()]
    for up in (False, True):
        column = pl.select(fmt.fen_text_expr(pl.Series(fen, dtype=pl.Int64), up=up)).to_series().to_list()
        assert column == [fmt.fen_text(x, up=up) for x in fen]


# ---------------------------------------------------------------- display fields


def _display_texts(answer):
    texts = list(answer["summary"])
    for p in answer["programs"].values():
        texts += [p["label"], p["status_label"], *p.get("gaps", []), *p.get("suggestions", []), *p.get("notes", [])]
        texts += [f"{b['label']}：{b['text']}" for b in p.get("benefit_lines", [])]
        texts += [x["label"] for x in (p.get("score") or {}).get("parts_display", [])]
        for c in p["conditions"]:
            texts += [c["label"], c["status_label"], c.get("value_text", ""), c["threshold"], c.get("gap", ""),
                      *(x["text"] for x in c["citations"])]
    return [t for t in texts if t]


SNAKE = re.compile(r"[a-z]+_[a-z_]+|\b[a-z]{3,}\b")
NOT_FOR_ENTERPRISES = re.compile(r"https?:|www\.|\.(com|cn|md|toml|json|py)\b|资料|截断|policy_criteria|原文在")


@pytest.mark.parametrize("patch", [{}, {"staff": {"st_staff": 5}}, {"holdings": {"hte_certificate_issue_date": "2023-11-20"}},
                                   {"tax": {"collection_method": "deemed"}, "industry_code": "5191"}])
def test_display_fields_are_chinese_without_keys_notes_or_addresses(patch):
    data = merge(json.loads(EXAMPLE.read_text(encoding="utf-8"), parse_float=Decimal), patch)
    answer = screen(parse_package(data), 2024)
    texts = _display_texts(answer)
    assert len(texts) > 80
    assert "档档" not in json.dumps(answer, ensure_ascii=False)
    bad = [t for t in texts if SNAKE.search(t) or NOT_FOR_ENTERPRISES.search(t)]
    assert not bad, bad[:5]


def test_every_citation_is_a_document_and_article_without_research_notes():
    for param in load_parameters():
        for value in param.values:
            assert not NOT_FOR_ENTERPRISES.search(value.reference), (param.name, value.reference)
            assert "〔" in value.reference or "公告" in value.reference or "《" in value.reference \
                or "通知" in value.reference, (param.name, value.reference)


def test_the_vat_line_and_the_super_deduction_give_their_amounts():
    answer = screen(parse_package(json.loads(EXAMPLE.read_text(encoding="utf-8"), parse_float=Decimal)), 2024)
    vat = answer["programs"]["vat_additional_deduction"]
    assert vat["summary"] == "可抵减增值税42.55万元"
    assert {"label": "本年实际抵减额", "text": "42.55万元"} in vat["benefit_lines"]
    rd = answer["programs"]["rd_super_deduction"]
    assert {"label": "可加计扣除额", "text": "567.11万元"} in rd["benefit_lines"]  # 5,671,111.11元
    assert answer["programs"]["rd_super_deduction"]["benefit"]["extra_deduction"] == "5671111.11"


def test_expert_points_are_said_to_be_awarded_by_experts():
    """Ticking the R&D-management items does not raise the score here: the answer says who awards them."""
    data = merge(base_package(), {"expert_scores": {"rd_org_rules": 2, "rd_institution": 2, "rd_conversion_rules": 2,
                                                    "rd_talent": 2, "conversion": 25}})
    before = screen(parse_package(data))["programs"]["hte"]
    ticked = merge(data, {"rd_management": {k: True for k in (
        "has_rd_rules", "has_rd_ledger", "has_rd_institution", "has_industry_university_cooperation",
        "has_conversion_rules", "has_open_platform", "has_talent_system")}})
    after = screen(parse_package(ticked))["programs"]["hte"]
    assert before["score"]["total"] == after["score"]["total"]
    for answer in (before, after):
        assert any("由评审专家" in s and "本系统不计入自评分" in s for s in answer["suggestions"])
    assert any("尚未建立" in s for s in before["suggestions"]) and not any("尚未建立" in s for s in after["suggestions"])
