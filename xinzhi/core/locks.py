"""Locks that serialise writers of one thing (the imports, a month's snapshots) until their transaction ends.

PostgreSQL: a transaction-level advisory lock (``pg_advisory_xact_lock``), released by the commit or
rollback — a killed process releases it too. SQLite has one writer at a time for the whole database:
every transaction begins ``IMMEDIATE`` (settings), so it holds the write lock from its first statement
and a second writer waits (busy timeout) instead of failing with "database is locked" when it upgrades
from reading to writing. Without that setting, ``hold`` takes the write lock itself with a no-op write.

Take the lock **before** reading what the transaction will change: a second import then diffs against
the rows the first one wrote, so its audit's "before" is the value it actually replaced.
"""

from __future__ import annotations

import zlib

from django.db import DEFAULT_DB_ALIAS, connections

IMPORTS = "xinzhi.imports"
MONITORING_MONTH = "xinzhi.monitoring.month"


def lock_key(name: str) -> int:
    """A stable 31-bit number for a lock name (PostgreSQL advisory locks are keyed by integers)."""
    return zlib.crc32(name.encode()) & 0x7FFFFFFF


def hold(name: str, key: int = 0, using: str = DEFAULT_DB_ALIAS) -> None:
    """Hold the lock ``name``/``key`` until the current transaction ends (call inside ``transaction.atomic``)."""
    connection = connections[using]
    if not connection.in_atomic_block:
        raise RuntimeError("locks.hold() must be called inside transaction.atomic()")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [lock_key(name), int(key)])
        elif connection.vendor == "sqlite" and getattr(connection, "transaction_mode", None) != "IMMEDIATE":
            cursor.execute("UPDATE django_migrations SET id = id WHERE 0")
