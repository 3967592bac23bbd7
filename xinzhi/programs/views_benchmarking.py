"""Pages of benchmarking (对标达标) by 415X cluster (the rules and writes are in :mod:`.benchmarking`).

Every read goes through ``restrict``; an out-of-scope plan is 404. The Zhejiang 经信厅's own 对标达标 action is
NOT FOUND (programmes.md §3.4): the pages show the national action's plans and results, nothing more."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from xinzhi.accounts.permissions import can, capability_required
from xinzhi.core.params import date_param
from xinzhi.industries.models import Cluster
from xinzhi.reports.listing import Listing

from . import benchmarking, lists
from .models import BenchmarkLevel, BenchmarkPlan, BenchmarkResult
from .services import Refused
from .views import _date, record_for_enterprise


def _record_plan(request) -> bool:
    """The plan form's POST; True when recorded (the messages say why not)."""
    post = request.POST
    plan = record_for_enterprise(request, "programs.benchmark.edit", _("无权登记对标达标方案"), lambda user, enterprise: (
        benchmarking.record_plan(user, enterprise, {
            "product": post.get("product"), "benchmark": post.get("benchmark"),
            "standard_number": post.get("standard_number"),
            "level": post.get("level"), "indicators": post.get("indicators"),
            "planned_on": _date(post.get("planned_on")), "cluster": post.get("cluster")})),
        _("对标方案已登记"))
    if plan is None:
        return False
    if plan.cluster_note:  # the cluster inferred from the industry, or why none was
        (messages.info if plan.cluster_inferred else messages.warning)(request, plan.cluster_note)
    return True


@capability_required("programs.view")
def benchmarking_list(request):
    """Per cluster as of a date; ``?cluster=`` drills into the cluster's plans (shared table, xlsx export)."""
    user = request.user
    if request.method == "POST" and _record_plan(request):
        return redirect("programs:benchmarking")
    on = date_param(request.GET, "on", timezone.localdate())
    code = (request.GET.get("cluster") or "").strip()
    context = {"on": on, "may_edit": bool(can(user, "programs.benchmark.edit")), "levels": BenchmarkLevel.choices,
               "clusters": Cluster.objects.order_by("kind", "code"), "due_months": benchmarking.result_due_months()}
    if not code:
        rows = benchmarking.by_cluster(user, on)
        for row in rows:
            row["url"] = reverse("programs:benchmarking") + "?" + urlencode({"cluster": row["code"], "on": on.isoformat()})
        totals = {k: sum(r[k] for r in rows) for k in ("plans", "met", "leading", "not_met", "pending", "overdue")}
        return render(request, "programs/benchmarking.html", {**context, "rows": rows, "totals": totals})
    if code == benchmarking.NO_CLUSTER:
        cluster_name, qs = _("未归属415X集群"), benchmarking.plans_as_of(user, on).filter(cluster__isnull=True)
    else:
        cluster = get_object_or_404(Cluster, code=code)
        cluster_name, qs = cluster.name, benchmarking.plans_as_of(user, on).filter(cluster=cluster)
    result = (request.GET.get("result") or "").strip()
    if result == "pending":
        qs = qs.exclude(result__in=BenchmarkResult.values, result_on__lte=on)
    elif result in BenchmarkResult.values:
        qs = qs.filter(result=result, result_on__lte=on)
    qs = qs.select_related("enterprise", "division", "cluster")
    listing = Listing(request, lists.benchmark_columns(on), qs, default=("-planned_on", "product"), title=f"对标达标方案（{cluster_name}）",
                      empty="暂无对标方案")
    if listing.wants_export:
        return listing.export()
    return render(request, "programs/benchmarking.html", {
        **context, "cluster_code": code, "cluster_name": cluster_name, "table": listing.table(), "page": listing.page,
        "results": BenchmarkResult.choices, "applied_result": result})


@capability_required("programs.view")
def benchmark_plan(request, pk: int):
    user = request.user
    plan = get_object_or_404(BenchmarkPlan.objects.restrict(user).select_related(
        "enterprise", "division", "cluster", "standard"), pk=pk)
    if request.method == "POST":
        try:
            benchmarking.record_result(user, plan.pk, request.POST.get("result", ""), _date(request.POST.get("result_on")),
                                       request.POST.get("note", ""))
        except (Refused, PermissionDenied) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("对标结果已登记"))
        return redirect("programs:benchmark_plan", plan.pk)
    may_record = bool(can(user, "programs.benchmark.edit", plan.enterprise)) and \
        BenchmarkPlan.objects.restrict(user, "change").filter(pk=pk).exists()
    return render(request, "programs/benchmark_plan.html", {
        "plan": plan, "may_record": may_record, "results": BenchmarkResult.choices, "today": timezone.localdate()})
