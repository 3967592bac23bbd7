"""Reads of the project workspace: the filtered list (page, export, API) — always through ``restrict``."""

from __future__ import annotations

from django.db.models import Q

from .models import InvestmentProject

FILTERS = ("q", "stage", "division", "cluster", "major", "high_tech")


def filtered_projects(user, params: dict):
    """Projects the user may see, filtered by the list's parameters (unknown values are ignored)."""
    qs = InvestmentProject.objects.restrict(user)
    q = (params.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(code__startswith=q) | Q(responsible_unit__contains=q))
    if params.get("stage"):
        qs = qs.filter(stage=params["stage"])
    division = (params.get("division") or "").strip()
    if division.isdigit() and len(division) == 6:
        from xinzhi.core.scope import region_prefix

        qs = qs.filter(division_id__startswith=region_prefix(division))
    if params.get("cluster"):
        qs = qs.filter(cluster_id=params["cluster"])
    if params.get("major") in ("1", "true"):
        qs = qs.filter(is_major=True)
    if params.get("high_tech") in ("1", "true"):
        qs = qs.filter(is_high_tech=True)
    return qs


EXPORT_COLUMNS = (
    ("code", "项目代码"), ("name", "项目名称"), ("division__name", "县（市、区）"), ("industry_id", "行业代码"),
    ("cluster__name", "415X集群"), ("stage", "阶段"), ("is_high_tech", "高新技术产业"), ("is_major", "省重大项目"),
    ("dual_candidate", "两重两新候选"), ("planned_total", "计划总投资(万元)"), ("planned_start", "计划开工日期"),
    ("planned_completion", "计划竣工日期"), ("actual_start", "实际开工日期"), ("actual_completion", "实际竣工日期"),
    ("responsible_unit", "责任单位"), ("responsible_person", "责任人"),
)


def export_rows(qs) -> tuple[list[str], list[list]]:
    """Plain rows (no model objects) of the filtered list for the XLSX export; money in 万元."""
    from .models import Stage

    labels = dict(Stage.choices)
    fields = [f for f, _ in EXPORT_COLUMNS]
    rows = []
    for values in qs.order_by("code").values_list(*fields):
        row = list(values)
        row[5] = labels.get(row[5], row[5])
        row[6], row[7], row[8] = ("是" if v else "否" for v in row[6:9])
        row[9] = round(row[9] / 10000, 2)
        row[10:14] = [d.isoformat() if d else "" for d in row[10:14]]
        rows.append(["" if v is None else v for v in row])
    return [label for _, label in EXPORT_COLUMNS], rows
