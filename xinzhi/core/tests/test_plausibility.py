"""Issue 12 item 8: plausibility checks (核实性审核) as data — flagged rows need an explanation to commit."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from xinzhi.accounts.models import Role, User
from xinzhi.core.imports import commit_import
from xinzhi.core.imports.parsing import ROW
from xinzhi.core.imports.plausibility import (
    RuleError,
    build_series,
    load_rules,
    month_jump,
    plausibility_issues,
    rules_for,
)
from xinzhi.core.models import ImportBatch
from xinzhi.core.tests.helpers import make_enterprise, write_csv
from xinzhi.enterprises.models import MonthlyStat
from xinzhi.enterprises.tests.test_monthly_import import HEADER, row

DOCS = Path(__file__).resolve().parents[3] / "docs" / "security.md"
YUAN_HEADER = [h.replace("(千元)", "(元)") for h in HEADER]
WAN_HEADER = [h.replace("(千元)", "(万元)") for h in HEADER]


def rule(rule_id: str):
    return next(r for r in load_rules() if r.id == rule_id)


def series(rows_in, rows_stored, values=("revenue",)):
    cols = ["g", "year", "month", *values]
    incoming = pl.DataFrame(rows_in, schema=[ROW, *cols], orient="row")
    stored = pl.DataFrame(rows_stored, schema=cols, orient="row") if rows_stored else pl.DataFrame(
        schema={c: pl.Int64 for c in cols})
    return build_series(incoming, stored, "g", list(values), revision=None)


def flags(frame, kind="monthly-stats"):
    out = plausibility_issues(kind, frame, {"revenue": "营业收入", "output_value": "工业总产值"})
    return [(r, f, why) for r, f, why, _ in out.iter_rows()]


# -- the rules as data ---------------------------------------------------------------------------
def test_the_rules_file_loads_and_each_kind_with_series_has_rules():
    ids = [r.id for r in load_rules()]
    assert ids[:4] == ["unit_scale", "month_jump", "ytd_below_previous", "ytd_above_later"]
    assert {r.id for r in rules_for("monthly-stats")} >= {"unit_scale", "rd_above_revenue"}
    assert rules_for("enterprises") == []
    assert all(not r.verified for r in load_rules())  # no official threshold found: 待核实


def test_a_bad_rules_file_is_refused(tmp_path):
    bad = tmp_path / "r.toml"
    bad.write_text('[[rule]]\nid = "x"\nname = "x"\ncheck = "guess"\nmessage = "m"\n[rule.fields]\nk = ["v"]\n',
                   encoding="utf-8")
    with pytest.raises(RuleError, match="unknown check"):
        load_rules(bad)
    bad.write_text('[[rule]]\nid = "x"\nname = "x"\ncheck = "field_above"\nmessage = "{nope}"\n'
                   '[rule.fields]\nk = ["v"]\n', encoding="utf-8")
    with pytest.raises(RuleError, match="placeholders"):
        load_rules(bad)


def test_every_rule_and_threshold_is_in_the_docs_table():
    text = DOCS.read_text(encoding="utf-8")
    table = text[text.index("核实性审核 / Plausibility checks"):]
    for r in load_rules():
        line = next((ln for ln in table.splitlines() if f"`{r.id}`" in ln), None)
        assert line is not None, r.id
        for key in ("ratio", "within_months", "factor", "min_base"):
            if key in r.params:
                value = r.params[key]
                shown = str(int(value)) if float(value).is_integer() else str(value)
                assert re.search(rf"{key}\s*=\s*{shown}\b", line), (r.id, key, line)


# -- the checks on plain series ------------------------------------------------------------------
def test_unit_scale_against_the_enterprise_s_own_history():
    # stored: 1–2月 revenue 2,000,000 元 (1,000,000 a month); the file: 1–3月 in yuan declared as 万元
    s = series([(2, "A", 2025, 3, 3_000_000 * 10_000)], [("A", 2025, 2, 2_000_000)])
    ((row_, field, why),) = flags(s)
    assert (row_, field) == (2, "营业收入")
    assert why.startswith("疑似计量单位错误：本期月均10000000000元，是2025年2月月均1000000元的10000倍")
    # a tenfold rise is no unit mistake; January compares with last December's monthly average
    assert flags(series([(2, "A", 2025, 3, 30_000_000)], [("A", 2025, 2, 2_000_000)])) == []
    jan = flags(series([(2, "A", 2025, 1, 1_000)], [("A", 2024, 12, 12_000_000)]))
    assert "是2024年12月月均1000000元的1/1000倍" in jan[0][2]


def test_month_on_month_jump_beyond_the_factor():
    stored = [("A", 2025, 1, 2_000_000), ("A", 2025, 2, 4_000_000)]  # January 2 M, February 2 M
    (hit,) = flags(series([(2, "A", 2025, 3, 20_000_000)], stored))  # March alone: 16 M = 8×
    assert hit[2] == "当月值环比异常：本月16000000元，上月2000000元（8倍）；请核实"
    assert flags(series([(2, "A", 2025, 3, 8_000_000)], stored)) == []  # 2×
    # below the base no flag (small numbers jump): last month's own value under min_base
    small = [("A", 2025, 1, 1_000), ("A", 2025, 2, 2_000)]
    assert month_jump(series([(2, "A", 2025, 3, 100_000)], small), "revenue", rule("month_jump")).height == 0


def test_ytd_above_a_later_stored_month():
    stored = [("A", 2025, 3, 3_000_000), ("A", 2025, 4, 4_000_000)]
    (hit,) = flags(series([(2, "A", 2025, 3, 4_500_000)], stored))
    assert hit[2] == "累计值高于以后月份已报送的累计：本期4500000元，2025年4月累计4000000元；请核实"


# -- through the import ----------------------------------------------------------------------------
@pytest.mark.django_db
def test_a_unit_mistake_needs_an_explanation(tmp_path):
    """The reproduction: yuan figures under a 万元 header, ×10,000 against the firm's own February."""
    firm = make_enterprise("330106", 1)
    feb = row(firm.uscc, "2025-02", 2_000_000)
    assert commit_import("monthly-stats", write_csv(tmp_path / "feb.csv", YUAN_HEADER, [feb])).committed
    march = write_csv(tmp_path / "mar.csv", WAN_HEADER, [row(firm.uscc, "2025-03", 3_100_000)])
    outcome = commit_import("monthly-stats", march)
    assert not outcome.committed and outcome.needs_confirmation
    assert outcome.result.flagged_rows == [2]
    assert {i.field for i in outcome.result.flags} >= {"工业总产值", "营业收入"}
    assert all(i.reason_zh.startswith("疑似计量单位错误") for i in outcome.result.flags)
    assert MonthlyStat.objects.filter(month=3).count() == 0
    assert ImportBatch.objects.filter(status="unconfirmed", flagged_count=1).count() == 1
    confirmed = commit_import("monthly-stats", march, confirmation="企业3月新产线投产，已电话核实")
    assert confirmed.committed
    assert ImportBatch.objects.get(pk=confirmed.batch.pk).confirmation == "企业3月新产线投产，已电话核实"


@pytest.mark.django_db
def test_rows_explained_in_the_file_need_no_further_confirmation(tmp_path):
    firm, other = make_enterprise("330106", 1), make_enterprise("330106", 2)
    base = [row(firm.uscc, "2025-02", 2_000_000), row(other.uscc, "2025-02", 2_000_000)]
    commit_import("monthly-stats", write_csv(tmp_path / "feb.csv", YUAN_HEADER, base))
    header = [*YUAN_HEADER, "核实说明"]
    explained = [*row(firm.uscc, "2025-03", 2_000_000_000), "并购后合并报表，属实"]
    plain = [*row(other.uscc, "2025-03", 3_000_000), None]
    outcome = commit_import("monthly-stats", write_csv(tmp_path / "mar.csv", header, [explained, plain]))
    assert outcome.committed, outcome.result.flags
    assert outcome.batch.confirmation == "第2行：并购后合并报表，属实"
    unexplained = [*row(other.uscc, "2025-03", 3_000_000_000), None]
    refused = commit_import("monthly-stats", write_csv(tmp_path / "x.csv", header, [unexplained]))
    assert refused.needs_confirmation and refused.result.unconfirmed_rows == [2]


@pytest.mark.django_db
def test_cli_confirm_flag(tmp_path, capsys):
    firm = make_enterprise("330106", 1)
    commit_import("monthly-stats", write_csv(tmp_path / "feb.csv", YUAN_HEADER, [row(firm.uscc, "2025-02", 2_000_000)]))
    path = str(write_csv(tmp_path / "mar.csv", WAN_HEADER, [row(firm.uscc, "2025-03", 3_100_000)]))
    call_command("import", "monthly-stats", path)  # a preview with flags is not an error
    assert "需核实（核实性审核）：" in capsys.readouterr().out
    with pytest.raises(CommandError) as refused:
        call_command("import", "monthly-stats", path, "--commit")
    assert refused.value.returncode == 1 and "行需核实，未导入" in str(refused.value)
    call_command("import", "monthly-stats", path, "--commit", "--confirm", "已与企业核对")
    assert "核实说明：已与企业核对" in capsys.readouterr().out
    assert MonthlyStat.objects.filter(month=3).count() == 1


@pytest.mark.django_db
def test_web_preview_separates_flags_and_asks_for_the_explanation(client, tmp_path):
    firm = make_enterprise("330106", 1)
    commit_import("monthly-stats", write_csv(tmp_path / "feb.csv", YUAN_HEADER, [row(firm.uscc, "2025-02", 2_000_000)]))
    client.force_login(User.objects.create(username="x", role=Role.COUNTY_STAFF, division_id="330106"))
    with open(write_csv(tmp_path / "mar.csv", WAN_HEADER, [row(firm.uscc, "2025-03", 3_100_000)]), "rb") as fh:
        page = client.post("/imports/preview/", {"kind": "monthly-stats", "file": fh})
    body = page.content.decode()
    assert 'id="import-flags"' in body and 'id="import-issues"' not in body and 'name="confirmation"' in body
    assert "核实性审核：需核实的数值" in body and "疑似计量单位错误" in body
    token = page.context["token"]
    again = client.post("/imports/commit/", {"token": token, "confirmation": "  "})
    assert 'id="confirmation-error"' in again.content.decode() and MonthlyStat.objects.filter(month=3).count() == 0
    done = client.post("/imports/commit/", {"token": token, "confirmation": "企业确认属实"}, follow=True)
    assert "已导入" in done.content.decode() and MonthlyStat.objects.filter(month=3).count() == 1
    assert ImportBatch.objects.get(status="committed", confirmation="企业确认属实").flagged_count == 1
