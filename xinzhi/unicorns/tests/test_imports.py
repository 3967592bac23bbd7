"""The financing list import (``unicorn-rounds``): companies and rounds, idempotent, per-row errors, scope."""

from __future__ import annotations

import datetime

import pytest

from xinzhi.accounts.models import Role, User
from xinzhi.core.imports import commit_import, preview_import
from xinzhi.core.tests.helpers import write_csv
from xinzhi.unicorns.models import Company, FinancingRound

pytestmark = pytest.mark.django_db
HEADER = ["企业名称", "县代码", "赛道", "成立日期", "融资日期", "轮次", "币种", "融资金额(万元)", "投后估值(万元)", "美元汇率",
          "投资方"]
ROWS = [["云深智能科技", "330106", "人工智能", "2018-03-01", "2023-05-01", "C轮", "美元", 10000, 80000, "7.0800", "某资本"],
        ["云深智能科技", "330106", "人工智能", "2018-03-01", "2025-04-01", "D轮", "美元", 20000, 120000, "7.1800", ""],
        ["甬江新材料", "330203", "新材料", "2021-01-01", "2025-02-01", "B轮", "人民币", 30000, 500000, "7.18", "某基金"]]


def test_rounds_import_adds_companies_and_rounds_idempotently(tmp_path):
    outcome = commit_import("unicorn-rounds", write_csv(tmp_path / "a.csv", HEADER, ROWS))
    assert outcome.committed, outcome.result.errors
    big = Company.objects.get(name="云深智能科技")
    assert (big.division_id, big.founded_on) == ("330106", datetime.date(2018, 3, 1))
    d = FinancingRound.objects.get(company=big, round_name="D轮")
    assert (d.currency, d.amount, d.post_valuation, str(d.usd_rate)) == ("USD", 200_000_000, 1_200_000_000, "7.1800")
    again = commit_import("unicorn-rounds", write_csv(tmp_path / "b.csv", HEADER, ROWS))
    assert again.result.counts["unchanged"] == 3 and FinancingRound.objects.count() == 3


def test_rounds_import_errors(tmp_path):
    bad = [r[:] for r in ROWS]
    bad[0][9] = "abc"
    bad[1][8] = 100  # valuation below the amount
    bad[2][4] = "2020-01-01"  # before founding
    result = preview_import("unicorn-rounds", write_csv(tmp_path / "bad.csv", HEADER, bad)).result
    reasons = {(e.row, e.field, e.reason_zh) for e in result.errors}
    assert (2, "美元汇率", "须为1—20之间的数字（1美元兑人民币）") in reasons
    assert (3, "投后估值", "不能低于本轮融资金额") in reasons
    assert (4, "融资日期", "不能早于成立日期") in reasons


def test_a_county_imports_only_its_own_companies(tmp_path):
    county = User.objects.create(username="x", role=Role.COUNTY_STAFF, division_id="330106")
    outcome = commit_import("unicorn-rounds", write_csv(tmp_path / "a.csv", HEADER, ROWS), user=county)
    assert not outcome.committed
    assert any(e.row == 4 for e in outcome.result.errors)
