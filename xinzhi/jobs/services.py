"""Submitting and running jobs.

``submit(kind, user, params, title=…)`` records the job and hands its id to the queue; the request that
asked returns at once with the job's page. ``run(job_id)`` is what a worker does with the id: it claims the
job, runs the kind's handler inside one transaction and records the result or the Chinese reason it failed.

Safe to deliver twice and to retry: a finished job is not run again; a job found ``running`` when its
message arrives was interrupted (its worker died; its transaction was rolled back by the database, so
nothing of it was written) and runs again, at most ``MAX_ATTEMPTS`` times in all, then it is marked failed.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import InterfaceError, OperationalError, close_old_connections, transaction
from django.utils import timezone

from xinzhi.core import request_id

from . import progress as progress_store
from . import queue
from .models import Job
from .registry import Outcome, get_kind
from .signals import job_finished

log = logging.getLogger("xinzhi.jobs")
MAX_ATTEMPTS = 3
INTERNAL_ERROR = "任务执行出错（系统内部错误），已记录日志，请稍后重试或联系管理员"
INTERRUPTED = "任务执行多次中断（执行节点停止或超时），已停止重试，请重新提交"


class Retry(Exception):
    """A transient failure (the database went away): the queue delivers the job again."""


def mode() -> str:
    """``queue`` (a broker is configured), ``thread`` (no broker: a thread of the web process, after the
    submitting transaction commits) or ``sync`` (run at once, in the caller: tests and commands)."""
    if queue.broker_url():
        return "queue"
    return getattr(settings, "XINZHI_JOBS_MODE", "") or "thread"


def jobs_dir() -> Path:
    path = Path(settings.VAR_DIR) / "jobs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def submit(kind: str, user, params: dict | None = None, *, title: str, dedupe: str = "") -> Job:
    """Record a job and send it to the queue. With ``dedupe`` a job of the same kind, user and key that is
    still queued or running is returned instead of a second one (a double click starts one job)."""
    get_kind(kind)  # unknown kinds fail here, not in the worker
    if dedupe:
        existing = Job.objects.filter(kind=kind, user=user, dedupe_key=dedupe,
                                      status__in=(Job.Status.QUEUED, Job.Status.RUNNING)).first()
        if existing:
            return existing
    job = Job.objects.create(kind=kind, user=user, params=params or {}, title=title[:200], dedupe_key=dedupe[:200])
    how = mode()
    if how == "queue":
        transaction.on_commit(lambda: queue.enqueue(job.pk))
    elif how == "thread":
        transaction.on_commit(lambda: threading.Thread(target=_run_in_thread, args=(job.pk,), daemon=True,
                                                       name=f"xinzhi-job-{job.pk}").start())
    else:
        run(job.pk, worker="inline")
        job.refresh_from_db()
    return job


def _run_in_thread(job_id: int) -> None:
    try:
        run(job_id, worker=f"web:{threading.get_ident()}")
    finally:
        close_old_connections()


def _claim(job_id: int, worker: str) -> Job | None:
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None:
            log.warning("job %s: no such job (deleted?)", job_id)
            return None
        if job.finished:
            log.info("job %s already %s: delivered again, nothing to do", job_id, job.status)
            return None
        if job.attempts >= MAX_ATTEMPTS:
            _finish(job, Job.Status.FAILED, error=INTERRUPTED)
            return None
        if job.status == Job.Status.RUNNING:
            log.warning("job %s was interrupted on %s (attempt %s): running it again", job_id, job.worker,
                        job.attempts)
        job.status, job.attempts, job.worker = Job.Status.RUNNING, job.attempts + 1, worker[:120]
        job.started_at, job.progress, job.error = timezone.now(), 0, ""
        job.save(update_fields=["status", "attempts", "worker", "started_at", "progress", "error"])
        return job


def _finish(job: Job, status: str, *, error: str = "", outcome: Outcome | None = None) -> None:
    job.status, job.error, job.finished_at = status, error, timezone.now()
    fields = ["status", "error", "finished_at", "progress", "result_text", "result_url", "result_file",
              "result_name"]
    if outcome is not None:
        job.progress = 100
        job.result_text, job.result_url = outcome.text[:500], outcome.url[:300]
        if outcome.data is not None:
            folder = jobs_dir() / str(job.pk)
            folder.mkdir(parents=True, exist_ok=True)
            suffix = Path(outcome.file_name).suffix.lower()[:10]
            target = folder / f"result{suffix}"
            tmp = target.with_suffix(target.suffix + ".part")
            tmp.write_bytes(outcome.data)
            tmp.replace(target)  # a reader never sees half a file
            job.result_file = str(target.relative_to(Path(settings.VAR_DIR)))
            job.result_name = outcome.file_name[:200]
    job.save(update_fields=fields)
    transaction.on_commit(lambda: job_finished.send(sender=Job, job=job))


def _reason(exc: BaseException) -> str:
    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)[:2000]
    if isinstance(exc, PermissionDenied):
        return str(exc) or "无权执行该任务"
    return INTERNAL_ERROR


def run(job_id: int, worker: str = "") -> Job | None:
    """Run one job (what a worker does with a message). Returns the job as it ended, or ``None`` when there
    was nothing to do."""
    with request_id.bound(f"job-{job_id}"):  # the job's log lines carry its id
        return _run(job_id, worker)


def _run(job_id: int, worker: str) -> Job | None:
    job = _claim(job_id, worker)
    if job is None:
        return None
    kind = get_kind(job.kind)

    def report(pct: int, text: str = "") -> None:
        progress_store.set_progress(job.pk, pct, text)

    report(0, "开始执行")
    try:
        if kind.atomic:
            with transaction.atomic():
                outcome = kind.handler(job, report) or Outcome()
                _finish(job, Job.Status.SUCCEEDED, outcome=outcome)
        else:
            outcome = kind.handler(job, report) or Outcome()
            with transaction.atomic():
                _finish(job, Job.Status.SUCCEEDED, outcome=outcome)
    except (OperationalError, InterfaceError) as exc:
        close_old_connections()
        if mode() == "queue" and job.attempts < MAX_ATTEMPTS:
            log.warning("job %s: database error, retried by the queue: %s", job.pk, exc)
            Job.objects.filter(pk=job.pk).update(status=Job.Status.QUEUED)
            raise Retry(str(exc)) from exc
        log.exception("job %s (%s) failed", job.pk, job.kind)
        with transaction.atomic():
            _finish(job, Job.Status.FAILED, error=INTERNAL_ERROR)
    except Exception as exc:
        if not isinstance(exc, ValidationError | PermissionDenied):
            log.exception("job %s (%s) failed", job.pk, job.kind)
        with transaction.atomic():
            _finish(job, Job.Status.FAILED, error=_reason(exc))
    report(100 if job.status == Job.Status.SUCCEEDED else job.progress, "")
    return job


def visible(user):
    """The jobs a user sees: their own."""
    return Job.objects.filter(user=user)


def current_progress(job: Job) -> tuple[int, str]:
    if job.status == Job.Status.RUNNING:
        found = progress_store.get_progress(job.pk)
        if found:
            return found
    return job.progress, job.progress_text


def result_path(job: Job) -> Path | None:
    if not job.result_file:
        return None
    path = (Path(settings.VAR_DIR) / job.result_file).resolve()
    if Path(settings.VAR_DIR).resolve() not in path.parents or not path.exists():
        return None
    return path
