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


def _supervision_notice_saved(sender, instance, created, **kwargs):
    """督办 notices reach the people who must act: a new notice → the staff of the region it is addressed
    to; an answer (反馈) → the issuer; a return (退回重办) or closing (办结) → who answered."""
    from django.contrib.auth import get_user_model

    url = reverse("supervision:notices")
    status = instance.status
    if created:
        staff = get_user_model().objects.filter(is_active=True, division_id=instance.division_id,
                                                role__in=("city_staff", "county_staff"))
        notify(list(staff.values_list("pk", flat=True)), Kind.SUPERVISION, f"督办：{instance.subject}",
               f"{instance.requirement}（请于{instance.due_date:%Y年%m月%d日}前反馈）", url)
    elif status == "answered":
        notify(instance.issued_by_id, Kind.SUPERVISION, f"督办已反馈：{instance.subject}", instance.answer, url)
    elif status in ("returned", "closed"):
        title = "督办退回重办" if status == "returned" else "督办已办结"
        notify(instance.answered_by_id, Kind.SUPERVISION, f"{title}：{instance.subject}", instance.review_note, url)


def _connect_supervision() -> None:
    from django.db.models.signals import post_save

    from xinzhi.supervision.models import SupervisionNotice

    post_save.connect(_supervision_notice_saved, sender=SupervisionNotice, dispatch_uid="web.supervision_notice")


_connect_supervision()
