"""The queue: Dramatiq on Redis (``XINZHI_BROKER_URL``, e.g. ``redis://127.0.0.1:6379/0``).

Why Dramatiq (docs/operations.md, Jobs): a message is acknowledged only after its job ran, so a job whose
worker died is delivered again (the Redis broker hands the unacknowledged messages of a worker that stopped
sending heartbeats to the others); retries with back-off, time limits and clean shutdown are built in; it
is small (no result backend, no scheduler we would not use: the schedule is a table of our own); and its
``Worker`` runs in a test's process against the real broker. The message carries only the job's id; the
job record in the database is the truth, so a message delivered twice runs nothing twice
(``services.run`` skips a finished job).

Without ``XINZHI_BROKER_URL`` (the embedded default of ``make run``) there is no broker and jobs run in
the web process (``services.submit``).
"""

from __future__ import annotations

import logging
import socket
import threading

import dramatiq
from django.conf import settings
from django.db import close_old_connections, connections
from dramatiq.brokers.redis import RedisBroker
from dramatiq.middleware import Middleware

log = logging.getLogger("xinzhi.jobs")

QUEUE = "xinzhi"
#: a job may run this long before the worker interrupts it (milliseconds); it is then marked failed
TIME_LIMIT_MS = 2 * 3600 * 1000
_lock = threading.Lock()
_brokers: dict[tuple[str, str], tuple[RedisBroker, dramatiq.Actor]] = {}


class DbConnections(Middleware):
    """Each job starts and ends with usable database connections (as Django does around a request)."""

    def before_process_message(self, broker, message):
        close_old_connections()

    def after_process_message(self, broker, message, *, result=None, exception=None):
        close_old_connections()

    after_skip_message = after_process_message

    def before_worker_thread_shutdown(self, broker, thread):
        connections.close_all()  # the thread's own connections end with it


def broker_url() -> str:
    return getattr(settings, "XINZHI_BROKER_URL", "") or ""


def namespace() -> str:
    return getattr(settings, "XINZHI_BROKER_NAMESPACE", "xinzhi") or "xinzhi"


def _run_job(job_id: int) -> None:
    from .services import run

    run(job_id, worker=f"{socket.gethostname()}:{threading.get_ident()}")


def get_broker() -> tuple[RedisBroker, dramatiq.Actor]:
    """The broker for the configured URL and the one actor (``run_job``) declared on it."""
    key = (broker_url(), namespace())
    if not key[0]:
        raise RuntimeError("XINZHI_BROKER_URL is not set: jobs run in the web process")
    with _lock:
        if key not in _brokers:
            broker = RedisBroker(url=key[0], namespace=key[1])
            broker.add_middleware(DbConnections())
            actor = dramatiq.actor(_run_job, broker=broker, actor_name="xinzhi_run_job", queue_name=QUEUE,
                                   max_retries=3, min_backoff=2000, time_limit=TIME_LIMIT_MS)
            _brokers[key] = (broker, actor)
        return _brokers[key]


def enqueue(job_id: int) -> None:
    _, actor = get_broker()
    actor.send(job_id)


def ping(timeout: float = 2.0) -> None:
    """Raise when the broker does not answer (``/readyz``, the test fixture)."""
    import redis

    redis.Redis.from_url(broker_url(), socket_timeout=timeout, socket_connect_timeout=timeout).ping()
