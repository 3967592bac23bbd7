"""``xinzhi scheduler``: submits the scheduled tasks (系统管理 → 定时任务) when their time comes; checks
every ``--interval`` seconds (default 30). ``--once``: one check, for a cron job or a systemd timer."""

from __future__ import annotations

import signal
import threading

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the schedule kept in the database (scheduled tasks)"

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true")
        parser.add_argument("--interval", type=float, default=30.0)

    def handle(self, *args, once: bool, interval: float, **options):
        from django.db import close_old_connections

        from xinzhi.jobs.scheduler import run_due

        stop = threading.Event()
        if not once:
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, lambda *_: stop.set())
        while True:
            for job in run_due():
                self.stdout.write(f"已提交定时任务：{job.title}（任务编号 {job.pk}）")
            # a service's stdout is a pipe (the journal) or a file: without a flush the line waits in Python's
            # buffer until kilobytes of them filled it (found by deploy/rehearse.py)
            self.stdout.flush()
            if once or stop.wait(interval):
                break
            close_old_connections()  # a long-running process: drop a connection the database closed
