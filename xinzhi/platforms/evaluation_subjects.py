"""The registers as evaluation subjects: what :mod:`xinzhi.evaluation` may evaluate, with which data, and
what a decision does to an institution or platform (registered in ``PlatformsConfig.ready``).

Who is evaluated by a provincial round (issue 14 §4, §5):

* provincial designations only — national titles (国家企业技术中心, 国家级平台) are recognised and
  evaluated by the state; the province monitors them (the national-monitoring page) and never grades
  them;
* institutions recognised by the round's year and not revoked;
* manufacturing innovation centres by their cycle (``cycles.toml``, 37号): acceptance while 培育创建,
  operation (periodic) evaluation every three years, annual evaluation otherwise — none in an
  operation year;
* other platforms (pilot platforms, alliances, …) in operation rounds, once approved.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone

from xinzhi.evaluation.subjects import SubjectProvider

from . import services
from .cycles import due_purposes, load_cycles
from .models import (
    NATIONAL_LEVELS,
    AnnualData,
    InstitutionLevel,
    InstitutionStatus,
    Notice,
    PilotService,
    Platform,
    PlatformKind,
    PlatformLevel,
    RDInstitution,
)

PURPOSE_LABELS = {"annual": "年度评价", "acceptance": "验收评价", "operation": "运行评价"}
NATIONAL_REFUSAL = "国家级称号由国家组织认定和评价，省级只作监测，不纳入省级评价"


def pilot_service_totals(platform_ids: Iterable[int], year: int) -> dict[int, dict[str, int]]:
    """The year's pilot-service records per platform: services, distinct clients, pilot runs, revenue."""
    rows = (PilotService.objects.filter(platform_id__in=list(platform_ids), service_date__year=year)
            .values("platform_id")
            .annotate(services_provided=Count("id"), clients_served=Count("client_name", distinct=True),
                      pilot_runs=Sum("pilot_runs"), service_revenue=Sum("revenue")))
    return {r.pop("platform_id"): r for r in rows}


class PlatformSubjects(SubjectProvider):
    data_fields = AnnualData.DATA_FIELDS

    def field_label(self, name: str) -> str:
        return str(AnnualData._meta.get_field(name).verbose_name)

    def level_choices(self) -> list[tuple[str, str]]:
        return [(v, label) for v, label in InstitutionLevel.choices if v not in NATIONAL_LEVELS]

    def level_label(self, level: str) -> str:
        return InstitutionLevel(level).label if level in InstitutionLevel.values else level

    def subject_kind(self, subject) -> str:
        return subject.level if isinstance(subject, RDInstitution) else subject.kind

    # -- enrolment --------------------------------------------------------------------------------
    def eligible(self, round_, applies_to, institution_ids, platform_ids, enrolled) -> list[dict[str, Any]]:
        year, purpose = round_.year, round_.purpose
        institutions = (RDInstitution.objects.filter(level__in=applies_to, recognised_year__lte=year)
                        .exclude(level__in=NATIONAL_LEVELS).exclude(status=InstitutionStatus.REVOKED)
                        .exclude(id__in=enrolled[0]))
        platforms = (Platform.objects.filter(kind__in=applies_to).exclude(level=PlatformLevel.NATIONAL)
                     .exclude(status=InstitutionStatus.REVOKED).exclude(lead_enterprise=None)
                     .exclude(id__in=enrolled[1]).filter(Q(recognised_year__lte=year) | Q(recognised_year=None)))
        if institution_ids is not None:
            institutions = institutions.filter(id__in=institution_ids)
            platforms = platforms.filter(id__in=platform_ids)
        rows = [
            {"enterprise_id": r["enterprise_id"], "division_id": r["enterprise__division_id"], "institution_id": r["id"],
             "title": r["name"]}
            for r in institutions.order_by("id").values("id", "name", "enterprise_id", "enterprise__division_id")
        ]
        params = load_cycles()["innovation_centre"]
        for r in platforms.order_by("id").values("id", "name", "kind", "status", "recognised_year",
                                                  "lead_enterprise_id", "division_id"):
            if r["kind"] == PlatformKind.INNOVATION_CENTRE:
                if purpose not in due_purposes(year, r["recognised_year"], r["status"], params):
                    continue
            elif purpose != "operation":
                continue
            rows.append({"enterprise_id": r["lead_enterprise_id"], "division_id": r["division_id"],
                         "platform_id": r["id"], "title": r["name"]})
        return rows

    def refusal(self, round_, subject) -> str:
        if subject.status == InstitutionStatus.REVOKED:
            return "已撤销，不再评价"
        if subject.is_national:
            return NATIONAL_REFUSAL
        if isinstance(subject, RDInstitution):
            return "" if subject.recognised_year <= round_.year else f"{subject.recognised_year}年认定，晚于评价年度"
        if subject.lead_enterprise_id is None:
            return "未登记牵头单位"
        if subject.kind == PlatformKind.INNOVATION_CENTRE:
            due = due_purposes(round_.year, subject.recognised_year, subject.status, load_cycles()["innovation_centre"])
            if round_.purpose not in due:
                what = "、".join(PURPOSE_LABELS[p] for p in sorted(due)) or "不安排评价"
                return f"按评价周期，该中心{round_.year}年度应为：{what}（运行评价年度不再进行年度评价）"
            return ""
        return "" if round_.purpose == "operation" else "该类平台只进行运行评价"

    # -- data ---------------------------------------------------------------------------------------
    def data(self, submission) -> dict[str, Any]:
        year = submission.round.year
        q = Q(institution_id=submission.institution_id) if submission.institution_id else Q(platform_id=submission.platform_id)
        row = AnnualData.objects.filter(q, year=year).first()
        data = row.as_dict() if row else {}
        if submission.platform_id and submission.platform.kind == PlatformKind.PILOT_PLATFORM:
            # the year's service records, when kept, are the figures (not the annual form)
            data.update(pilot_service_totals([submission.platform_id], year).get(submission.platform_id, {}))
        return data

    def recognition_facts(self, enterprise, year: int, declared: Mapping[str, Any]) -> dict[str, Any]:
        return services.enterprise_facts(enterprise, year, declared)[0]

    def check_recognition(self, enterprise, level: str, year: int, declared: Mapping[str, Any]) -> list[dict]:
        return services.check_recognition(enterprise, level, year, declared)

    # -- decisions ----------------------------------------------------------------------------------
    def recognise(self, submission, actor, reasons: str):
        return services.recognise(submission.enterprise, submission.applied_level, submission.title,
                                  on=timezone.localdate(), actor=actor, submission=submission, reason=reasons)

    def apply_result(self, subject, action, grade, year, reasons, actor, submission) -> str:
        return services.apply_result(subject, action, grade, year, reasons, actor, submission)

    def notice(self, kind, title, body, *, subject=None, enterprise=None, actor=None, submission=None) -> None:
        services.issue_notice(kind, title, body, subject=subject, enterprise=enterprise, actor=actor,
                              submission=submission)

    def notices_for(self, user):
        return Notice.objects.restrict(user)[:50]
