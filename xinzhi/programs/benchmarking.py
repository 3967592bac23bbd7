"""Benchmarking (对标达标) by 415X cluster (seed task 13, issue 17 item 5).

The national 百城千业万企对标达标提升专项行动 has enterprises publish a **benchmarking plan** (对标技术方案: a
product, the advanced standard or leading product it is compared with, the key indicators compared) and then a
**result** (对标结果: 达标 / 领先 / 未达标) — programmes.md §3.4. The Zhejiang 经信厅's own 对标达标 action
(under the 2025 plan) is **NOT FOUND**: no target, threshold or deadline of it is known. The only figure used
here, the months after which a plan without a result counts as overdue, is a labelled working default in
``data/parameters.toml`` (``[benchmarking]``, 待核实), never an official rule.

Writes check the capability ``programs.benchmark.edit`` and the scope of the **stored** record; every change
is audited (django-auditlog, registered in ``apps.ready``).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from typing import NamedTuple

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q

from xinzhi.accounts.permissions import require
from xinzhi.core.scope import CHANGE
from xinzhi.industries.models import Cluster, ClusterIndustry, IndustryCode

from .models import BenchmarkLevel, BenchmarkPlan, BenchmarkResult, Standard, StandardStatus
from .services import Refused, parameters

NO_CLUSTER = "none"  # the query-string value of "no 415X cluster" (the page shows 未归属415X集群)


def result_due_months() -> int:
    """Months after the plan within which a result is expected (待核实: a working default, see module doc)."""
    return int(parameters()["benchmarking"]["result_due_months"])


def months_before(on: dt.date, months: int) -> dt.date:
    """The same day ``months`` earlier (the last day of a shorter month)."""
    y, m = divmod(on.year * 12 + on.month - 1 - months, 12)
    if y < dt.MINYEAR:
        return dt.date.min
    return dt.date(y, m + 1, min(on.day, calendar.monthrange(y, m + 1)[1]))


def _text(data: dict, key: str, limit: int) -> str:
    return str(data.get(key) or "").strip()[:limit]


class Inference(NamedTuple):
    """A 415X cluster inferred from an industry: ``code`` None when none can be (``note`` says why)."""

    code: str | None
    note: str


def infer_clusters(industries: Iterable[str | None]) -> dict[str | None, Inference]:
    """The 415X cluster each industry code (GB/T 4754 class) belongs to by the configurable mapping
    (``industries.ClusterIndustry``, industry codes at any level matched by prefix). A specialty cluster within
    its group counts as that one cluster (the group is its parent); two clusters that are not parent and child,
    or none, infer nothing — the note says which. The one rule for the page, the API and the import."""
    codes = {c for c in industries if c}
    mapping = list(ClusterIndustry.objects.values_list("cluster_id", "industry_id"))
    clusters = {c["code"]: c for c in Cluster.objects.values("code", "name", "parent_id")}
    names = dict(IndustryCode.objects.filter(code__in=codes).values_list("code", "name"))

    def ancestors(code: str) -> set[str]:
        out, parent = set(), clusters.get(code, {}).get("parent_id")
        while parent and parent not in out:
            out.add(parent)
            parent = clusters.get(parent, {}).get("parent_id")
        return out

    out: dict[str | None, Inference] = {None: Inference(None, "企业未登记所属行业，无法按行业推断415X集群")}
    for code in codes:
        matched = {cluster for cluster, prefix in mapping if code.startswith(prefix)}
        matched -= set().union(*(ancestors(c) for c in matched)) if matched else set()
        industry = f"{code} {names.get(code, '')}".strip()
        if len(matched) == 1:
            cluster = matched.pop()
            out[code] = Inference(cluster, f"按行业推断：所属行业“{industry}”对应“{clusters[cluster]['name']}”")
        elif matched:
            listed = "、".join(sorted(clusters[c]["name"] for c in matched))
            out[code] = Inference(None, f"所属行业“{industry}”对应多个415X集群（{listed}），未推断，请选择集群")
        else:
            out[code] = Inference(None, f"所属行业“{industry}”不对应任何415X集群，未推断")
    return out


def infer_cluster(enterprise) -> Inference:
    """The cluster of one enterprise's industry (:func:`infer_clusters`)."""
    return infer_clusters([enterprise.industry_id])[enterprise.industry_id or None]


def _level(value) -> str:
    """The stored code of a level given by its code or its Chinese label ("" when it is neither)."""
    value = str(value or "").strip()
    if value in BenchmarkLevel.values:
        return value
    return next((code for code, label in BenchmarkLevel.choices if label == value), "")


def _result(value) -> str:
    value = str(value or "").strip()
    if value in BenchmarkResult.values:
        return value
    return next((code for code, label in BenchmarkResult.choices if label == value), "")


def record_plan(user, enterprise, data: dict) -> BenchmarkPlan:
    """An enterprise (for itself) or staff (for an enterprise of their region) records a benchmarking plan; the
    page, the API and nothing else call it (the import applies the same rules columnar).

    ``data``: product, benchmark (free text) and/or standard (id of a standard the user sees) or
    standard_number (its 标准号), level (code or Chinese label), indicators, planned_on, cluster (code; ``none``
    for no cluster; empty: inferred from the enterprise's industry, :func:`infer_cluster`, and marked so).
    A refusal names its field (``Refused.field``)."""
    require(user, "programs.benchmark.edit", enterprise)
    product = _text(data, "product", 200)
    if not product:
        raise Refused("请填写产品名称", "product")
    standard = None
    number = _text(data, "standard_number", 60)
    if data.get("standard"):
        standard = Standard.objects.restrict(user).filter(pk=data["standard"]).first()
        if standard is None:
            raise Refused("未找到所选对标标准，或不在您的查看范围内", "standard")
    elif number:
        standard = Standard.objects.restrict(user).filter(number=number).order_by("id").first()
        if standard is None:
            raise Refused(f"标准库中未找到标准号“{number}”，或不在您的查看范围内", "standard_number")
    benchmark = _text(data, "benchmark", 200) or (f"{standard.number} {standard.name}".strip()[:200] if standard else "")
    if not benchmark:
        raise Refused("请填写对标对象（标准号及名称，或国内外先进产品），或选择标准库中的标准", "benchmark")
    level = _level(data.get("level"))
    if not level:
        raise Refused("对标水平须为：" + "、".join(BenchmarkLevel.labels), "level")
    planned_on = data.get("planned_on")
    if not isinstance(planned_on, dt.date):
        raise Refused("请填写方案发布日期", "planned_on")
    cluster = str(data.get("cluster") or "").strip() or None
    if cluster and cluster != NO_CLUSTER and not Cluster.objects.filter(code=cluster).exists():
        raise Refused(f"415X集群“{cluster}”不存在", "cluster")
    if BenchmarkPlan.objects.filter(enterprise=enterprise, product=product, benchmark=benchmark).exists():
        raise Refused(f"本企业已登记产品“{product}”对标“{benchmark}”的方案", "product")
    inferred, note = False, ""
    if cluster == NO_CLUSTER:  # explicitly in no cluster: nothing inferred
        cluster = None
    elif cluster is None:  # none given: from the enterprise's industry, never over an explicit choice
        cluster, note = infer_cluster(enterprise)
        inferred = cluster is not None
    plan = BenchmarkPlan.objects.create(
        enterprise=enterprise, division_id=enterprise.division_id, product=product, benchmark=benchmark,
        standard=standard, level=level, indicators=str(data.get("indicators") or "").strip(),
        planned_on=planned_on, cluster_id=cluster, cluster_inferred=inferred)
    plan.cluster_note = note  # what the page and the API tell the user about the cluster ("" when chosen)
    return plan


def record_result(user, plan_id: int, result: str, on: dt.date | None, note: str = "") -> BenchmarkPlan:
    """Record (or correct) the result of a plan the user may change: 达标 / 领先 / 未达标 (code or label) with its
    date, not before the plan's."""
    require(user, "programs.benchmark.edit")
    with transaction.atomic():
        plan = BenchmarkPlan.objects.restrict(user, CHANGE).select_for_update().filter(pk=plan_id).first()
        if plan is None:
            raise PermissionDenied("未找到该对标方案，或不在您的办理范围内")
        require(user, "programs.benchmark.edit", plan.enterprise)  # scope on the stored record
        code = _result(result)
        if not code:
            raise Refused("对标结果须为：" + "、".join(BenchmarkResult.labels), "result")
        if not isinstance(on, dt.date):
            raise Refused("请填写结果日期", "result_on")
        if on < plan.planned_on:
            raise Refused(f"结果日期不能早于方案发布日期（{plan.planned_on:%Y-%m-%d}）", "result_on")
        plan.result, plan.result_on, plan.result_note = code, on, str(note or "").strip()
        plan.save(update_fields=["result", "result_on", "result_note"])
    return plan


def plans_as_of(user, on: dt.date):
    """The plans ``user`` sees that were published on or before ``on``."""
    return BenchmarkPlan.objects.restrict(user).filter(planned_on__lte=on)


def by_cluster(user, on: dt.date) -> list[dict]:
    """Per 415X cluster, as of ``on``: enterprises with plans, plans, results by outcome, plans still without a
    result (and of them the overdue ones), and the enterprises leading / taking part in published standards
    of the cluster (standard register). Clusters with nothing are left out; plans and standards with no
    cluster form the last row (``code`` = ``NO_CLUSTER``)."""
    known = Q(result_on__lte=on) & ~Q(result="")
    due = months_before(on, result_due_months())
    plans = {r["cluster_id"]: r for r in plans_as_of(user, on).values("cluster_id").annotate(
        enterprises=Count("enterprise_id", distinct=True), plans=Count("id"),
        met=Count("id", filter=known & Q(result=BenchmarkResult.MET)),
        leading=Count("id", filter=known & Q(result=BenchmarkResult.LEADING)),
        not_met=Count("id", filter=known & Q(result=BenchmarkResult.NOT_MET)),
        overdue=Count("id", filter=~known & Q(planned_on__lte=due)))}
    published = Standard.objects.restrict(user).filter(status=StandardStatus.PUBLISHED, published_on__lte=on)
    standards = {r["cluster_id"]: r for r in published.values("cluster_id").annotate(
        lead=Count("enterprise_id", distinct=True, filter=Q(role="lead")),
        participate=Count("enterprise_id", distinct=True, filter=Q(role="participate")))}
    names = dict(Cluster.objects.order_by("kind", "code").values_list("code", "name"))  # in the clusters' order
    rows = []
    for code in [*names, None]:
        p, s = plans.get(code), standards.get(code)
        if p is None and s is None:
            continue
        p = p or {"enterprises": 0, "plans": 0, "met": 0, "leading": 0, "not_met": 0, "overdue": 0}
        s = s or {"lead": 0, "participate": 0}
        rows.append({
            "code": code or NO_CLUSTER, "name": names.get(code) if code else "未归属415X集群",
            "enterprises": p["enterprises"], "plans": p["plans"], "met": p["met"], "leading": p["leading"],
            "not_met": p["not_met"], "pending": p["plans"] - p["met"] - p["leading"] - p["not_met"],
            "overdue": p["overdue"], "standard_lead_enterprises": s["lead"],
            "standard_participant_enterprises": s["participate"]})
    return rows
