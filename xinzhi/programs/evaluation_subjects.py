"""What this app gives the evaluation framework to review (registered by kind in ``ProgramsConfig.ready``;
evaluation never imports programs):

* ``research_need`` — the submissions of a research-needs call recommended by their city (scheme
  ``research_need_review``); the partners are listed so an expert from a partner is recused like one
  from the lead enterprise;
* ``new_product`` — appraised new-product projects as candidates for the excellent new products
  (``applies_to = ["excellent"]``) or the advanced technology achievements (``["achievement"]``).

A selection drives no status in the framework: :meth:`apply_result` records the review result on the
subject; the ranking and publication are :mod:`xinzhi.programs.research`'s.
"""

from __future__ import annotations

from typing import Any

from xinzhi.core.numbers import yuan_text
from xinzhi.evaluation.subjects import SubjectProvider

from . import calls
from .models import NeedPartner, NeedStep, NewProductProject, ResearchCall, ResearchNeed


class _Generic(SubjectProvider):
    generic = True
    data_fields: tuple[str, ...] = ()

    def field_label(self, name: str) -> str:
        return name

    def level_label(self, level: str) -> str:
        return level

    def level_choices(self) -> list[tuple[str, str]]:
        return []

    def data(self, submission) -> dict[str, Any]:
        return {}

    def refusal(self, round_, subject) -> str:
        return ""

    def notice(self, kind, title, body, *, subject=None, enterprise=None, actor=None, submission=None) -> None:
        return None  # the enterprise is told of the determination by the framework's own notification


class ResearchNeedSubjects(_Generic):
    kind = "research_need"

    def subject_kind(self, subject) -> str:
        return "research_need"

    def eligible(self, round_, applies_to, ids, _unused, enrolled) -> list[dict[str, Any]]:
        call = ResearchCall.objects.filter(round=round_).first()
        if call is None or "research_need" not in applies_to:
            return []
        needs = call.needs.filter(state=calls.CITY).exclude(pk__in=enrolled).order_by("id")
        if ids is not None:
            needs = needs.filter(pk__in=ids)
        needs = list(needs)
        partners: dict[int, list[dict]] = {}
        for p in NeedPartner.objects.filter(need__in=needs).values("need_id", "name", "enterprise_id"):
            partners.setdefault(p["need_id"], []).append({"name": p["name"], "enterprise_id": p["enterprise_id"]})
        return [{"subject_id": n.pk, "enterprise_id": n.enterprise_id, "division_id": n.division_id,
                 "title": n.title, "parties": partners.get(n.pk, [])} for n in needs]

    def subject(self, submission):
        return ResearchNeed.objects.filter(pk=submission.subject_id).first()

    def parties(self, submission) -> list[dict[str, Any]]:
        return list(NeedPartner.objects.filter(need_id=submission.subject_id).values("name", "enterprise_id"))

    def describe(self, submission) -> list[tuple[str, str]]:
        need = (ResearchNeed.objects.filter(pk=submission.subject_id)
                .select_related("enterprise", "cluster").prefetch_related("partners").first())
        if need is None:
            return []
        partners = "；".join(f"{p.rank}. {p.name}（{p.get_kind_display()}）" for p in need.partners.all()) or "无"
        return [("牵头企业", need.enterprise.name), ("合作单位", partners), ("技术领域", need.field),
                ("415X集群", need.cluster.name if need.cluster else "—"), ("需解决的关键技术难题", need.problem),
                ("攻关目标与考核指标", need.targets),
                ("预算", f"总预算 {yuan_text(need.budget)}，其中企业自筹 {yuan_text(need.self_funded)}"),
                ("实施周期", f"{need.months}个月")]

    def apply_result(self, subject, action, grade, year, reasons, actor, submission) -> str:
        if subject is None:
            return "需求已不存在"
        subject.total_score = submission.total_score
        before = subject.state
        if subject.state == calls.UNDER_REVIEW:
            subject.state = calls.REVIEWED
        subject.save()
        if before != subject.state:
            NeedStep.objects.create(need=subject, action="review", from_state=before, to_state=subject.state,
                                    on=submission.decided_at.date() if submission.decided_at else year_end(year),
                                    actor=actor, note=f"专家评审总分 {submission.total_score}（{grade}）")
        return f"已记录专家评审总分 {submission.total_score}（{grade}），排序在公布时确定"


def year_end(year: int):
    import datetime as dt

    return dt.date(year, 12, 31)


class NewProductCandidates(_Generic):
    kind = "new_product"

    def subject_kind(self, subject) -> str:
        return "new_product"

    def eligible(self, round_, applies_to, ids, _unused, enrolled) -> list[dict[str, Any]]:
        from .research import candidates

        kinds = [k for k in applies_to if k in ("excellent", "achievement")]
        if not kinds:
            return []
        projects = candidates(kinds[0], round_.year).exclude(pk__in=enrolled).order_by("id")
        if ids is not None:
            projects = projects.filter(pk__in=ids)
        return [{"subject_id": p["id"], "enterprise_id": p["enterprise_id"], "division_id": p["division_id"],
                 "title": p["name"], "parties": []}
                for p in projects.values("id", "enterprise_id", "division_id", "name")]

    def subject(self, submission):
        return NewProductProject.objects.filter(pk=submission.subject_id).first()

    def describe(self, submission) -> list[tuple[str, str]]:
        p = NewProductProject.objects.filter(pk=submission.subject_id).select_related("enterprise", "cluster").first()
        if p is None:
            return []
        return [("申报企业", p.enterprise.name), ("类型", p.get_kind_display()), ("计划年度", str(p.year)),
                ("415X集群", p.cluster.name if p.cluster else "—"),
                ("鉴定验收", f"{p.appraised_on:%Y-%m-%d}：{p.appraisal_result}" if p.appraised_on else "—")]

    def apply_result(self, subject, action, grade, year, reasons, actor, submission) -> str:
        return f"已记录专家评审总分 {submission.total_score}（{grade}），入选名单在公布时确定"


def register() -> None:
    from xinzhi.evaluation.subjects import register_provider

    register_provider(ResearchNeedSubjects())
    register_provider(NewProductCandidates())
