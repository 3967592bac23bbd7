"""What the monitoring does when data changes elsewhere (``core.signals``), without ``core`` importing it.

An import's commit marks the months whose snapshots it made stale **in the import's transaction**, and
recomputes them once the transaction has committed. If the process dies in between, the marks stay:
``xinzhi serve`` recomputes them when it starts (``server_starting``), ``xinzhi monitor
--refresh-stale`` on demand, and staff pages say "监测结果待更新" until then.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.dispatch import receiver

from xinzhi.core.faults import checkpoint
from xinzhi.core.periods import Period
from xinzhi.core.signals import import_committed, records_moved, server_starting

from . import services

logger = logging.getLogger(__name__)


def _labels(months) -> str:
    return "、".join(str(Period(y, m)) for y, m in months)


class MonitoringFollowUp:
    """The recomputation after one import: which months, and whether it ran (``str()`` says so in Chinese)."""

    def __init__(self, months: list[tuple[int, int]]):
        self.months = months
        self.done: list[tuple[int, int]] | None = None
        self.failed = False

    @property
    def ok(self) -> bool:
        return self.done is not None and not self.failed

    def run(self) -> None:
        """After the import's commit: recompute its months (never raises — the data is committed)."""
        try:
            checkpoint("monitoring:before-refresh")
            self.done = services.refresh_stale(self.months)
        except Exception:
            self.failed = True
            logger.exception("recomputing the monitoring after an import failed; months stay stale: %s",
                             _labels(self.months))

    def __str__(self) -> str:
        if self.ok:
            return "已重新计算监测指标：" + _labels(self.done) if self.done else "监测指标已是最新"
        if self.failed:
            return (f"监测结果待更新：{_labels(self.months)}（重新计算未完成，原因已记入服务器日志；"
                    "将在下次启动服务或运行 xinzhi monitor --refresh-stale 时重新计算）")
        return f"监测结果待更新：{_labels(self.months)}（导入提交后重新计算）"


@receiver(import_committed, dispatch_uid="monitoring.mark_stale_after_import")
def mark_stale_after_import(sender, kind: str, batch, changes, **kwargs) -> MonitoringFollowUp | None:
    months = services.months_affected(changes)
    if not months:
        return None
    services.mark_stale(months, source=f"导入记录 {batch.pk}（{kind}）")
    follow_up = MonitoringFollowUp(months)
    transaction.on_commit(follow_up.run)
    return follow_up


@receiver(records_moved, dispatch_uid="monitoring.mark_stale_after_move")
def mark_stale_after_move(sender, table: str, columns, **kwargs) -> MonitoringFollowUp | None:
    """A record moved to another county by a form, the admin or an API (``core.region_moves``): the
    months its county counts in are marked in the move's transaction and recomputed after it."""
    from xinzhi.core.imports.diff import TableChange

    months = services.months_affected([TableChange(table=table, new=0, changed=1, columns=frozenset(columns))])
    if not months:
        return None
    services.mark_stale(months, source=f"迁移所属地区（{table}）")
    follow_up = MonitoringFollowUp(months)
    transaction.on_commit(follow_up.run)
    return follow_up


@receiver(server_starting, dispatch_uid="monitoring.refresh_stale_on_start")
def refresh_stale_on_start(sender, stdout=None, **kwargs) -> None:
    months = services.refresh_stale()
    if months and stdout is not None:
        stdout.write("已重新计算待更新的监测月份：" + _labels(months))
