"""A real Dramatiq worker on the real Redis broker, started in the test's process.

The broker is ``XINZHI_TEST_BROKER_URL`` (default ``redis://127.0.0.1:6379/15``, the server ``make test``
expects on the machine, as CI has it); each test uses its own namespace, so concurrent runs do not share a
queue. Without a reachable broker the tests **fail** and say how to start one: the queue is what they test.
"""

from __future__ import annotations

import os
import uuid

import pytest

BROKER_URL = os.environ.get("XINZHI_TEST_BROKER_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def queue_worker(settings):
    """The broker, configured; ``drain(broker)`` then runs a worker until the queue is empty."""
    from xinzhi.jobs import queue

    settings.XINZHI_BROKER_URL = BROKER_URL
    settings.XINZHI_BROKER_NAMESPACE = f"xinzhi-test-{uuid.uuid4().hex[:10]}"
    try:
        queue.ping()
    except Exception as exc:
        pytest.fail(f"The job tests need the Redis broker at {BROKER_URL} ({exc}). Start it "
                    "(`apt-get install redis-server && redis-server --daemonize yes`) or point "
                    "XINZHI_TEST_BROKER_URL at one.", pytrace=False)
    broker, _ = queue.get_broker()
    try:
        yield broker
    finally:
        broker.flush_all()
        broker.close()
        queue._brokers.pop((BROKER_URL, settings.XINZHI_BROKER_NAMESPACE), None)


def wait_for_jobs(broker, timeout_s: float = 120) -> None:
    """Start a Dramatiq worker on the broker, wait until the queue is empty and the worker idle, stop it.

    The test submits first and reads the database after: on SQLite the test database lives in memory and
    shared-cache connections lock whole tables, so the test thread and the worker never use it at once, and
    the worker runs one thread there (two on PostgreSQL)."""
    from django.db import connection
    from dramatiq import Worker

    from xinzhi.jobs.queue import QUEUE

    worker = Worker(broker, worker_threads=1 if connection.vendor == "sqlite" else 2, worker_timeout=100)
    worker.start()
    try:
        broker.join(QUEUE, timeout=int(timeout_s * 1000))
        worker.join()
    finally:
        worker.stop(timeout=10_000)


@pytest.fixture(autouse=True)
def _var_dir(settings, tmp_path):
    """Result files go to a temporary var/, not the developer's."""
    settings.VAR_DIR = tmp_path
