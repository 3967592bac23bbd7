"""Job kinds: each domain app registers the functions it runs in the background (in ``AppConfig.ready``),
so the jobs app knows no domain and the apps above it only call :func:`xinzhi.jobs.services.submit`.

A handler is ``handler(job, progress) -> Outcome``: ``job.params`` are its arguments (JSON), ``progress(pct,
text)`` reports how far it is. It runs inside one transaction: when it raises, nothing it wrote stays.
A ``ValidationError`` or ``PermissionDenied`` is the user's mistake and fails the job with its Chinese
message; anything else is reported as an internal error (the details go to the log, not to the user).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Outcome:
    #: what the job page says when it is done (Chinese)
    text: str = ""
    #: a file to offer for download: its bytes and the name it is downloaded under
    data: bytes | None = None
    file_name: str = ""
    #: a page that shows the result
    url: str = ""


@dataclass(frozen=True)
class JobKind:
    name: str
    label: str
    handler: Callable
    #: run inside one database transaction (off for handlers that commit in their own steps)
    atomic: bool = True


KINDS: dict[str, JobKind] = {}


def register(name: str, label: str, *, atomic: bool = True) -> Callable:
    """Decorator: ``@register("monitoring.report", "生成报告")`` on a handler."""

    def decorator(handler: Callable) -> Callable:
        KINDS[name] = JobKind(name, label, handler, atomic)
        return handler

    return decorator


def get_kind(name: str) -> JobKind:
    try:
        return KINDS[name]
    except KeyError:
        raise LookupError(f"unknown job kind {name!r}") from None
