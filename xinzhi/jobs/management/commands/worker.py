"""``xinzhi worker``: a Dramatiq worker for the platform's jobs (``XINZHI_BROKER_URL``).

Start one per machine (``--threads`` jobs at once); every worker on every machine takes jobs from the same
queue. SIGTERM/SIGINT stop it cleanly: it finishes nothing half-way — a job still running is interrupted,
its transaction rolled back and its message delivered again to another worker.
"""

from __future__ import annotations

import signal
import threading

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Run a job worker (Dramatiq, on the broker at XINZHI_BROKER_URL)"

    def add_arguments(self, parser):
        parser.add_argument("--threads", type=int, default=2, help="jobs run at once (default 2)")

    def handle(self, *args, threads: int, **options):
        from dramatiq import Worker

        from xinzhi.jobs import queue

        if not queue.broker_url():
            raise CommandError("XINZHI_BROKER_URL 未设置：没有消息队列时任务在网站进程内运行，不需要 worker")
        try:
            queue.ping()
        except Exception as exc:
            raise CommandError(f"消息队列 {queue.broker_url()} 无法连接：{exc}") from exc
        broker, _ = queue.get_broker()
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        worker = Worker(broker, worker_threads=threads, worker_timeout=1000)
        worker.start()
        self.stdout.write(f"worker started: {threads} threads on {queue.QUEUE} at {queue.broker_url()}", ending="\n")
        self.stdout.flush()
        stop.wait()
        worker.stop(timeout=10_000)
        broker.close()
