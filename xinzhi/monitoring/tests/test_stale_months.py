"""Issue 12 item 6: a crash after an import's commit is recoverable.

The months an import makes stale are recorded in the import's own transaction (``StaleMonth``, through
``core.signals.import_committed``); they are recomputed right after the commit, on the next start of
``xinzhi serve`` and by ``xinzhi monitor --refresh-stale``; staff pages say "监测结果待更新" meanwhile.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command

from xinzhi.accounts.models import Role, User
from xinzhi.core.imports import commit_import
from xinzhi.core.imports.diff import TableChange
from xinzhi.core.signals import server_starting
from xinzhi.core.tests.helpers import make_enterprise, write_csv
from xinzhi.enterprises.models import MonthlyStat
from xinzhi.enterprises.tests.test_enterprise_import import HEADER as REGISTER_HEADER
from xinzhi.enterprises.tests.test_monthly_import import HEADER, row
from xinzhi.monitoring import services
from xinzhi.monitoring.models import IndicatorValue, StaleMonth

pytestmark = pytest.mark.django_db


@pytest.fixture
def firms():
    return [make_enterprise("330106", i) for i in range(1, 4)] + [make_enterprise("330203", 9)]


def stale() -> list[tuple[int, int]]:
    return services.stale_months()


def commit_without_recompute(path, django_capture_on_commit_callbacks, **kwargs):
    """Commit an import as a process killed right after its transaction would: the work registered for
    after the commit (the recomputation) never runs."""
    with django_capture_on_commit_callbacks(execute=False) as lost:
        outcome = commit_import("monthly-stats", path, **kwargs)
    assert outcome.committed, outcome.result.errors
    return outcome, lost


def test_the_import_marks_its_months_in_its_own_transaction(tmp_path, firms, django_capture_on_commit_callbacks):
    path = write_csv(tmp_path / "m.csv", HEADER, [row(e.uscc, "2025-03") for e in firms])
    outcome, lost = commit_without_recompute(path, django_capture_on_commit_callbacks)
    assert stale() == [(2025, 3)] and len(lost) == 1
    assert not IndicatorValue.objects.filter(year=2025, month=3).exists()
    mark = StaleMonth.objects.get()
    assert str(outcome.batch.pk) in mark.source
    assert "监测结果待更新：2025-03" in str(outcome.follow_ups[0])


def test_a_rolled_back_import_leaves_no_mark(tmp_path, firms, monkeypatch, django_capture_on_commit_callbacks):
    from xinzhi.enterprises.imports import MonthlyStatsKind

    def boom(self, diff, batch, actor):
        raise RuntimeError("disk full")

    monkeypatch.setattr(MonthlyStatsKind, "write", boom)
    with django_capture_on_commit_callbacks(execute=True):
        outcome = commit_import("monthly-stats", write_csv(tmp_path / "m.csv", HEADER, [row(firms[0].uscc)]))
    assert outcome.failed and not outcome.committed
    assert StaleMonth.objects.count() == 0 and MonthlyStat.objects.count() == 0


def test_recomputed_right_after_the_commit(tmp_path, firms, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        outcome = commit_import("monthly-stats", write_csv(tmp_path / "m.csv", HEADER,
                                                           [row(e.uscc, "2025-03") for e in firms]))
    assert str(outcome.follow_ups[0]) == "已重新计算监测指标：2025-03"
    assert stale() == [] and IndicatorValue.objects.filter(year=2025, month=3, region="330106").exists()


def test_crash_after_commit_recovered_on_serve_start(tmp_path, firms, django_capture_on_commit_callbacks, capsys):
    commit_without_recompute(write_csv(tmp_path / "m.csv", HEADER, [row(e.uscc, "2025-03") for e in firms]),
                             django_capture_on_commit_callbacks)
    assert stale() == [(2025, 3)]

    class Out:
        lines: list[str] = []

        def write(self, text):
            self.lines.append(text)

    out = Out()
    server_starting.send(sender=None, stdout=out)
    assert stale() == [] and out.lines == ["已重新计算待更新的监测月份：2025-03"]
    assert IndicatorValue.objects.filter(year=2025, month=3, region="330106").exists()


def test_serve_sends_server_starting(monkeypatch):
    from xinzhi.web.management.commands import serve

    seen = []
    monkeypatch.setattr(serve, "call_command", lambda *a, **k: None)  # no migrate/load/demo in a unit test
    server_starting.connect(lambda sender, **kw: seen.append(sender), weak=False, dispatch_uid="test-serve")
    try:
        call_command("serve", no_demo=True, no_server=True)
    finally:
        server_starting.disconnect(dispatch_uid="test-serve")
    assert seen == [serve.Command]


def test_refresh_stale_command(tmp_path, firms, django_capture_on_commit_callbacks, capsys):
    commit_without_recompute(write_csv(tmp_path / "m.csv", HEADER, [row(e.uscc, "2025-03") for e in firms]),
                             django_capture_on_commit_callbacks)
    call_command("monitor", "--refresh-stale")
    assert "已重新计算待更新的月份：2025-03" in capsys.readouterr().err
    assert stale() == [] and IndicatorValue.objects.filter(year=2025, month=3).exists()
    call_command("monitor", "--refresh-stale")
    assert "没有待更新的月份" in capsys.readouterr().err


def test_a_mark_written_while_a_recomputation_runs_survives_it(tmp_path, firms, monkeypatch,
                                                               django_capture_on_commit_callbacks):
    """The recomputation removes the mark it read; an import that marked the month again after that
    (with data the recomputation may not have seen) keeps the month stale."""
    commit_without_recompute(write_csv(tmp_path / "m.csv", HEADER, [row(e.uscc, "2025-03") for e in firms]),
                             django_capture_on_commit_callbacks)
    real_compute = services.compute

    def compute_while_another_import_marks(year, month):
        out = real_compute(year, month)
        services.mark_stale([(year, month)], source="another import")
        return out

    monkeypatch.setattr(services, "compute", compute_while_another_import_marks)
    services.refresh(2025, 3)
    assert StaleMonth.objects.get().source == "another import"
    monkeypatch.setattr(services, "compute", real_compute)
    services.refresh(2025, 3)
    assert stale() == []


def test_staff_pages_say_results_are_pending(client, tmp_path, firms, django_capture_on_commit_callbacks):
    commit_without_recompute(write_csv(tmp_path / "m.csv", HEADER, [row(e.uscc, "2025-03") for e in firms]),
                             django_capture_on_commit_callbacks)
    staff = User.objects.create(username="hz", role=Role.CITY_STAFF, division_id="330100")
    client.force_login(staff)
    for url in ("/monitoring/", "/imports/"):
        body = client.get(url).content.decode()
        assert "监测结果待更新：2025年1—3月" in body, url
    services.refresh_stale()
    assert "监测结果待更新" not in client.get("/monitoring/").content.decode()
    firm_user = User.objects.create(username="ent", role=Role.ENTERPRISE, enterprise=firms[0])
    services.mark_stale([(2025, 3)])
    client.force_login(firm_user)
    assert "监测结果待更新" not in client.get("/").content.decode()


# -- which months an import makes stale ----------------------------------------------------------
def change(table: str, columns=(), months=(), new: int = 0, changed: int = 1) -> TableChange:
    return TableChange(table, new, changed, frozenset(columns), tuple(months))


def test_months_affected_by_a_monthly_change(firms):
    filed = [(2024, m) for m in range(1, 13)] + [(2025, m) for m in range(1, 7)] + [(2026, 3)]
    MonthlyStat.objects.bulk_create([
        MonthlyStat(enterprise=firms[0], division_id="330106", year=y, month=m, output_value=1, value_added=1,
                    revenue=1, rd_expense=0, new_product_output=0, employees=1) for y, m in filed])
    march = services.months_affected([change("enterprises_monthlystat", ["revenue"], [(2024, 3)])])
    # the month, the later months of its year, the same month of the next two years
    assert march == [(2024, m) for m in range(3, 13)] + [(2025, 3), (2026, 3)]
    december = services.months_affected([change("investment_projectprogress", ["ytd_completed"], [(2024, 12)])])
    assert december == [(2024, 12)] + [(2025, m) for m in range(1, 7)]


def test_months_affected_by_register_changes(firms):
    MonthlyStat.objects.bulk_create([
        MonthlyStat(enterprise=firms[0], division_id="330106", year=2025, month=m, output_value=1, value_added=1,
                    revenue=1, rd_expense=0, new_product_output=0, employees=1) for m in (1, 2)])
    assert services.months_affected([change("enterprises_enterprise", ["name"])]) == []
    assert services.months_affected([change("enterprises_enterprise", ["division_code"])]) == [(2025, 1), (2025, 2)]
    assert services.months_affected([change("cultivation_annualpackage", ["data"])]) == []
    # the programme registers the monitoring counts (issue 17)
    assert services.months_affected([change("programs_majorproject", ["approved_on"])]) == [(2025, 1), (2025, 2)]
    assert services.months_affected([change("programs_projectunit", ["kind"])]) == [(2025, 1), (2025, 2)]
    assert services.months_affected([change("programs_standard", ["name"])]) == []


def test_a_province_move_marks_every_computed_month(tmp_path, firms, django_capture_on_commit_callbacks):
    MonthlyStat.objects.bulk_create([
        MonthlyStat(enterprise=firms[3], division_id="330203", year=2025, month=m, output_value=1, value_added=1,
                    revenue=1, rd_expense=0, new_product_output=0, employees=1) for m in (1, 2)])
    province = User.objects.create(username="prov", role=Role.PROVINCE_STAFF, division_id="330000")
    moved = [firms[3].uscc, firms[3].name, "330106", "3973", "2015-01-01", "民营", "否", 2025, "是"]
    with django_capture_on_commit_callbacks(execute=False):
        outcome = commit_import("enterprises", write_csv(tmp_path / "e.csv", REGISTER_HEADER, [moved]), user=province)
    assert outcome.committed, outcome.result.errors
    assert stale() == [(2025, 1), (2025, 2)]
