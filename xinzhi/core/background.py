"""Where core hands long work to the job queue without knowing it (dependencies point down): the jobs app
registers a runner here in its ``ready()``; the import page sends a large commit to it
(``XINZHI_IMPORT_JOB_ROWS``) and shows the job's page instead of waiting for the commit."""

from __future__ import annotations

from collections.abc import Callable

_import_runner: Callable[..., str] | None = None


def set_import_runner(runner: Callable[..., str] | None) -> None:
    """``runner(user=, kind=, path=, file_name=, confirmation=)`` records the job and returns its page's URL."""
    global _import_runner
    _import_runner = runner


def import_runner() -> Callable[..., str] | None:
    return _import_runner
