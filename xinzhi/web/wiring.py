"""Connections between apps of the same layer, made here at the top (dependencies point down): a finished
background job (``jobs``) becomes a notice in its owner's inbox (``notifications``)."""

from __future__ import annotations

from django.dispatch import receiver
from django.urls import reverse

from xinzhi.jobs.signals import job_finished
from xinzhi.notifications.models import Kind
from xinzhi.notifications.services import notify


@receiver(job_finished, dispatch_uid="web.job_finished_notice")
def job_notice(sender, job, **kwargs):
    if job.status == job.Status.SUCCEEDED:
        title, body = f"任务完成：{job.title}", job.result_text
    else:
        title, body = f"任务失败：{job.title}", job.error
    notify(job.user_id, Kind.JOB, title[:200], body, reverse("jobs:detail", args=[job.pk]))
