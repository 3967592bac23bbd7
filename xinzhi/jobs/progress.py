"""A running job's progress, kept outside the database: the job's own writes are one transaction that
nobody sees before it commits, so progress written to the job's row from inside it would show only at the
end. With a broker, progress lives in Redis (every web process and worker sees it); without one, the job
runs in the web process and progress lives in that process's memory."""

from __future__ import annotations

import json
import threading

from . import queue

_local: dict[int, tuple[int, str]] = {}
_lock = threading.Lock()
TTL_S = 7 * 24 * 3600


def _redis():
    import redis

    return redis.Redis.from_url(queue.broker_url(), socket_timeout=2, socket_connect_timeout=2)


def _key(job_id: int) -> str:
    return f"{queue.namespace()}:job-progress:{job_id}"


def set_progress(job_id: int, pct: int, text: str = "") -> None:
    pct = max(0, min(100, int(pct)))
    if queue.broker_url():
        _redis().set(_key(job_id), json.dumps([pct, text[:200]]), ex=TTL_S)
    else:
        with _lock:
            _local[job_id] = (pct, text[:200])


def get_progress(job_id: int) -> tuple[int, str] | None:
    if queue.broker_url():
        try:
            raw = _redis().get(_key(job_id))
        except Exception:  # the page still shows the job's row when Redis does not answer
            return None
        return tuple(json.loads(raw)) if raw else None
    with _lock:
        return _local.get(job_id)
