"""A request id on every log line (docs/operations.md, Health and logs).

``RequestIdMiddleware`` takes the id the reverse proxy sent (``X-Request-ID``: 8–64 letters, digits, ``-``
or ``_``; anything else is ignored) or makes one, keeps it for the request in a context variable and
returns it in the response's ``X-Request-ID``. A background job runs with the id ``job-<id>``
(``xinzhi.jobs.services.run``), so its lines are found the same way.

``RequestIdFilter`` puts the id on each log record (``record.request_id``, ``-`` outside a request);
``JsonFormatter`` writes one JSON object per line (time, level, logger, message, request_id, exception).
Both are wired into ``LOGGING`` (``settings.py``): the request id on every line of stderr and of
``var/log/errors.log``; ``XINZHI_LOG_FORMAT=json`` makes stderr JSON lines for a log collector.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

HEADER = "X-Request-ID"
_VALID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
_current: contextvars.ContextVar[str] = contextvars.ContextVar("xinzhi_request_id", default="-")


def current() -> str:
    return _current.get()


@contextmanager
def bound(request_id: str) -> Iterator[str]:
    """Log under ``request_id`` inside the block (jobs, commands)."""
    token = _current.set(request_id)
    try:
        yield request_id
    finally:
        _current.reset(token)


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get(HEADER, "")
        request_id = given if _VALID.match(given) else uuid.uuid4().hex
        request.request_id = request_id
        with bound(request_id):
            response = self.get_response(request)
        response[HEADER] = request_id
        return response


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for a log collector."""

    def format(self, record: logging.LogRecord) -> str:
        out = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or current(),
        }
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False)
