"""Jobs on a real Dramatiq worker and the real Redis broker (``conftest.queue_worker``): submitted jobs
run on the worker, report progress, keep their result, fail with a Chinese reason leaving nothing written,
run once when delivered twice and run again when their worker died half-way."""

from __future__ import annotations

import time

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from xinzhi.accounts.models import Role, User
from xinzhi.jobs import progress as progress_store
from xinzhi.jobs import queue, services
from xinzhi.jobs.models import Job
from xinzhi.jobs.registry import Outcome, register

from .conftest import wait_for_jobs

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@register("tests.write", "测试：写入并生成文件")
def _write(job, progress):
    progress(50, "一半")
    Job.objects.create(kind="tests.marker", user=job.user, title=f"marker of {job.pk}", status="succeeded")
    if job.params.get("fail") == "user":
        raise ValidationError("第3行“营业收入”不是数字")
    if job.params.get("fail") == "bug":
        raise ZeroDivisionError("division by zero")
    return Outcome(text="完成", data=b"a,b\n1,2\n", file_name="结果.csv")


def _user(name="prov"):
    return User.objects.create_user(username=name, password="x", role=Role.PROVINCE_STAFF, division_id="330000")


def test_jobs_run_on_the_worker_and_keep_their_results(queue_worker):
    user = _user()
    started = time.perf_counter()
    jobs = [services.submit("tests.write", user, {"n": i}, title=f"任务{i}") for i in range(3)]
    submit_s = time.perf_counter() - started
    assert submit_s < 2, "submitting only records the job and sends a message"
    wait_for_jobs(queue_worker)
    for job in jobs:
        job.refresh_from_db()
        assert job.status == Job.Status.SUCCEEDED, job.error
        assert job.progress == 100 and job.attempts == 1 and job.result_text == "完成"
        assert job.worker and job.worker != "inline"  # ran on the worker's thread
        assert services.result_path(job).read_bytes() == b"a,b\n1,2\n" and job.result_name == "结果.csv"
        assert Job.objects.filter(kind="tests.marker", title=f"marker of {job.pk}").count() == 1
    # progress went through Redis, where every web process reads it
    assert progress_store.get_progress(jobs[0].pk) == (100, "")


def test_failures_leave_nothing_and_say_why_in_chinese(queue_worker):
    user = _user()
    mistaken = services.submit("tests.write", user, {"fail": "user"}, title="用户错误")
    broken = services.submit("tests.write", user, {"fail": "bug"}, title="程序错误")
    wait_for_jobs(queue_worker)
    mistaken.refresh_from_db()
    broken.refresh_from_db()
    assert (mistaken.status, mistaken.error) == (Job.Status.FAILED, "第3行“营业收入”不是数字")
    assert (broken.status, broken.error) == (Job.Status.FAILED, services.INTERNAL_ERROR)
    assert "division" not in broken.error  # internals stay in the log
    # the handlers' writes were rolled back with them
    assert not Job.objects.filter(kind="tests.marker").exists()
    assert not broken.result_file


def test_delivered_twice_runs_once_and_an_interrupted_job_runs_again(queue_worker):
    user = _user()
    job = services.submit("tests.write", user, {}, title="一次")
    wait_for_jobs(queue_worker)
    queue.enqueue(job.pk)  # the same message again (a redelivery)
    wait_for_jobs(queue_worker)
    job.refresh_from_db()
    assert job.attempts == 1 and Job.objects.filter(kind="tests.marker").count() == 1
    # a worker died while running this job: its row says running, its transaction was rolled back
    interrupted = Job.objects.create(kind="tests.write", user=user, title="中断", status=Job.Status.RUNNING,
                                     attempts=1, worker="dead-host:1")
    exhausted = Job.objects.create(kind="tests.write", user=user, title="多次中断", status=Job.Status.RUNNING,
                                   attempts=services.MAX_ATTEMPTS, worker="dead-host:2")
    queue.enqueue(interrupted.pk)
    queue.enqueue(exhausted.pk)
    wait_for_jobs(queue_worker)
    interrupted.refresh_from_db()
    exhausted.refresh_from_db()
    assert (interrupted.status, interrupted.attempts) == (Job.Status.SUCCEEDED, 2)
    assert (exhausted.status, exhausted.error) == (Job.Status.FAILED, services.INTERRUPTED)
    assert Job.objects.filter(kind="tests.marker").count() == 2


def test_a_double_click_starts_one_job(queue_worker):
    user = _user()
    first = services.submit("tests.write", user, {}, title="一", dedupe="same")
    second = services.submit("tests.write", user, {}, title="一", dedupe="same")
    wait_for_jobs(queue_worker)
    assert first.pk == second.pk or Job.objects.get(pk=first.pk).finished


def test_the_worker_command_refuses_an_unreachable_broker(settings):
    settings.XINZHI_BROKER_URL = "redis://127.0.0.1:1/0"
    with pytest.raises(CommandError, match="消息队列"):
        call_command("worker")
    settings.XINZHI_BROKER_URL = ""
    with pytest.raises(CommandError, match="XINZHI_BROKER_URL"):
        call_command("worker")


def test_without_a_broker_a_job_runs_in_a_thread_of_the_web_process(settings):
    """``make run`` has no broker: the job runs in a thread after the submitting transaction commits, and
    progress is kept in the process's memory."""
    import threading

    settings.XINZHI_BROKER_URL = ""
    settings.XINZHI_JOBS_MODE = ""
    assert services.mode() == "thread"
    user = _user()
    job = services.submit("tests.write", user, {}, title="进程内")
    # the thread is started on commit; a fast job may have ended already (its worker name says where it ran)
    runner = next((t for t in threading.enumerate() if t.name == f"xinzhi-job-{job.pk}"), None)
    if runner is not None:
        runner.join(timeout=60)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED and job.worker.startswith("web:")
    assert progress_store.get_progress(job.pk) == (100, "")
    assert services.result_path(job).read_bytes() == b"a,b\n1,2\n"


def test_a_job_whose_worker_died_is_delivered_again_by_the_broker(queue_worker, settings):
    """A worker process took the message and died (no acknowledgement, no more heartbeats): the Redis broker
    hands the message to a live worker once the dead one's heartbeat is older than ``heartbeat_timeout``;
    the job, found running, runs again from the start (its first transaction died with the process)."""
    from dramatiq.brokers.redis import RedisBroker

    user = _user()
    job = services.submit("tests.write", user, {}, title="被中断")
    dead = RedisBroker(url=settings.XINZHI_BROKER_URL, namespace=settings.XINZHI_BROKER_NAMESPACE)
    consumer = dead.consume(queue.QUEUE, prefetch=1, timeout=1000)
    message = next(consumer)
    assert message is not None and message.args == (job.pk,)
    # what the dead worker had done before it died: claimed the job (its other writes were rolled back)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, attempts=1, worker="dead-host:1")
    dead.client.close()  # the process is gone: no acknowledgement, no heartbeat
    queue_worker.heartbeat_timeout = 1000  # production: Dramatiq's default (60 s)
    queue_worker.maintenance_chance = 1_000_000  # every fetch looks for dead workers (production: by chance)
    time.sleep(1.5)
    wait_for_jobs(queue_worker)
    job.refresh_from_db()
    assert (job.status, job.attempts) == (Job.Status.SUCCEEDED, 2)
    assert job.worker != "dead-host:1"
    assert Job.objects.filter(kind="tests.marker").count() == 1  # written once, by the run that finished
