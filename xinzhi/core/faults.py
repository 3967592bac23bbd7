"""Fault injection for ``bench/fault_import.py`` and the concurrency tests: named points where a process
can be stopped on purpose.

With ``XINZHI_FAULT_POINT=<name>`` in the environment, ``checkpoint(name)`` writes ``FAULT-POINT <name>
<pid>`` to stderr, then waits: ``XINZHI_FAULT_SLEEP`` seconds (default 30), or — with
``XINZHI_FAULT_RELEASE=<path>`` — until that file exists (at most the same time). A harness can then
kill the process there (kill -9), or start a second process while the first holds the import lock.
Without the variable a checkpoint costs one environment look-up.

Points: ``import:read`` (file read, before the transaction), ``import:locked`` (transaction open, import
lock held, nothing written), ``import:written`` (rows, audit and stale months written, not committed),
``monitoring:before-refresh`` (import committed, snapshots not recomputed yet),
``monitoring:refresh-written`` (a month's new snapshots written, not committed).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ENV_POINT, ENV_SLEEP, ENV_RELEASE = "XINZHI_FAULT_POINT", "XINZHI_FAULT_SLEEP", "XINZHI_FAULT_RELEASE"


def checkpoint(name: str) -> None:
    if os.environ.get(ENV_POINT) != name:
        return
    sys.stderr.write(f"FAULT-POINT {name} {os.getpid()}\n")
    sys.stderr.flush()
    deadline = time.monotonic() + float(os.environ.get(ENV_SLEEP, "30"))
    release = os.environ.get(ENV_RELEASE)
    while time.monotonic() < deadline:
        if release and Path(release).exists():
            return
        time.sleep(0.05)
