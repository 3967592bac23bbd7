"""The schedule's runner: ``run_due()`` submits every enabled task whose time has come and sets its next
time. Several schedulers may run (one per machine, for availability): on PostgreSQL each due task is
locked (``FOR UPDATE SKIP LOCKED``) by the one that takes it, so a task is submitted once."""

from __future__ import annotations

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .cron import parse
from .models import Job, ScheduledTask
from .services import submit

log = logging.getLogger("xinzhi.jobs")


def next_run(cron: str, after: datetime) -> datetime:
    """The next time of ``cron`` after ``after``, read in the platform's time zone (Asia/Shanghai)."""
    zone = ZoneInfo(settings.TIME_ZONE)
    local = after.astimezone(zone).replace(tzinfo=None)
    return parse(cron).next_after(local).replace(tzinfo=zone)


def run_due(now: datetime | None = None) -> list[Job]:
    now = now or timezone.now()
    started = []
    with transaction.atomic():
        for task in ScheduledTask.objects.select_for_update(skip_locked=True).filter(enabled=True, next_run_at__isnull=True):
            task.next_run_at = next_run(task.cron, now)  # a new line of the schedule starts at its next time
            task.save(update_fields=["next_run_at"])
        due = list(ScheduledTask.objects.select_for_update(skip_locked=True)
                   .filter(enabled=True, next_run_at__lte=now).order_by("next_run_at", "pk"))
        for task in due:
            job = submit(task.kind, None, task.params, title=task.name, dedupe=f"schedule:{task.pk}")
            task.last_run_at, task.last_job = now, job
            task.next_run_at = next_run(task.cron, now)  # missed runs are not repeated: one run, then the next time
            task.save(update_fields=["last_run_at", "last_job", "next_run_at"])
            log.info("scheduled task %s (%s) submitted as job %s; next at %s", task.pk, task.kind, job.pk, task.next_run_at)
            started.append(job)
    return started
