"""My jobs: the list, one job's page (it refreshes itself while the job runs), its status as JSON and its
result file. A user sees only their own jobs (``services.visible``)."""

from __future__ import annotations

from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, render

from xinzhi.accounts.permissions import capability_required
from xinzhi.core.downloads import attachment

from . import services


def _status(job) -> dict:
    pct, text = services.current_progress(job)
    return {"id": job.pk, "status": job.status, "status_label": job.get_status_display(), "progress": pct,
            "progress_text": text, "finished": job.finished, "error": job.error, "result_text": job.result_text,
            "result_url": job.result_url, "has_file": bool(job.result_file)}


@capability_required("jobs.own")
def job_list(request):
    jobs = list(services.visible(request.user)[:100])
    rows = [(job, *services.current_progress(job)) for job in jobs]
    return render(request, "jobs/list.html", {"rows": rows})


@capability_required("jobs.own")
def job_detail(request, pk: int):
    job = get_object_or_404(services.visible(request.user), pk=pk)
    return render(request, "jobs/detail.html", {"job": job, "status": _status(job)})


@capability_required("jobs.own")
def job_status(request, pk: int):
    job = get_object_or_404(services.visible(request.user), pk=pk)
    return JsonResponse(_status(job))


@capability_required("jobs.own")
def job_result(request, pk: int):
    job = get_object_or_404(services.visible(request.user), pk=pk)
    path = services.result_path(job)
    if path is None:
        raise Http404("该任务没有结果文件")
    return attachment(FileResponse(open(path, "rb")), job.result_name)
