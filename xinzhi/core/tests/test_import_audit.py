"""Issue 12 item 5: the audit's "before" is the value the import actually replaced — the rows it updates
are locked and read again at write time, so a change made after its diff (a form, another process) is
what the audit names, not the value the diff saw."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry

from xinzhi.core.imports import commit_import
from xinzhi.core.tests.helpers import make_enterprise, write_csv
from xinzhi.enterprises.imports import MonthlyStatsKind
from xinzhi.enterprises.models import MonthlyStat
from xinzhi.enterprises.tests.test_monthly_import import HEADER, row

pytestmark = pytest.mark.django_db


def test_audit_before_is_the_value_replaced_not_the_value_diffed(tmp_path, monkeypatch):
    firm = make_enterprise("330106", 1)
    assert commit_import("monthly-stats", write_csv(tmp_path / "a.csv", HEADER, [row(firm.uscc, base=1000)])).committed
    real_write = MonthlyStatsKind.write

    def form_saves_first(self, diff, batch, actor):
        # after the diff (which saw 1,000,000 元), someone else stores 1,500,000 元 and 120 人 → 130 人
        MonthlyStat.objects.filter(enterprise=firm).update(output_value=1_500_000, employees=130)
        return real_write(self, diff, batch, actor)

    monkeypatch.setattr(MonthlyStatsKind, "write", form_saves_first)
    changed = row(firm.uscc, base=2000)  # 2,000 千元; employees stay 120 in the file
    outcome = commit_import("monthly-stats", write_csv(tmp_path / "b.csv", HEADER, [changed]))
    assert outcome.committed
    entry = LogEntry.objects.get(content_type__model="monthlystat")
    assert entry.changes["output_value"] == ["1500000", "2000000"]
    assert entry.changes["employees"] == ["130", "120"]
    assert MonthlyStat.objects.get().output_value == 2_000_000
