"""What the evaluation workflow needs from the app whose subjects it evaluates — registered, not imported.

Evaluation is generic: rounds, submissions, expert review, recusal, scoring and determination. The
institutions and platforms it evaluates, their yearly data, recognition criteria, status changes and
notices belong to the registers (``xinzhi.platforms``), which register a :class:`SubjectProvider` when
Django starts (``PlatformsConfig.ready``). This module imports no domain app, so the dependency points
one way: platforms → evaluation.

(The two subject columns of :class:`~xinzhi.evaluation.models.Submission` are foreign keys by model
name — ``"platforms.RDInstitution"``, ``"platforms.Platform"`` — for referential integrity and scoped
joins; no evaluation code imports those models.)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


class SubjectProvider:
    """The hooks evaluation calls. Every method is implemented by the registering app."""

    #: names of the yearly figures a scheme may read and an applicant may declare
    data_fields: tuple[str, ...] = ()

    def field_label(self, name: str) -> str:
        raise NotImplementedError

    def level_choices(self) -> list[tuple[str, str]]:
        """The levels a recognition call can be for (code, Chinese name)."""
        raise NotImplementedError

    def level_label(self, level: str) -> str:
        raise NotImplementedError

    def eligible(
        self, round_, applies_to: Iterable[str], institution_ids: Iterable[int] | None,
        platform_ids: Iterable[int] | None, enrolled: tuple[set[int], set[int]],
    ) -> list[dict[str, Any]]:
        """Rows to enrol in an evaluation round: ``enterprise_id, division_id, institution_id | platform_id,
        title`` — the subjects the round's purpose and scheme apply to, minus those already enrolled."""
        raise NotImplementedError

    def refusal(self, round_, subject) -> str:
        """Why ``subject`` cannot be enrolled in ``round_`` ("" when it can) — said on the subject's page."""
        raise NotImplementedError

    def data(self, submission) -> dict[str, Any]:
        """The figures the scheme's indicators read for this submission."""
        raise NotImplementedError

    def recognition_facts(self, enterprise, year: int, declared: Mapping[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def check_recognition(self, enterprise, level: str, year: int, declared: Mapping[str, Any]) -> list[dict]:
        raise NotImplementedError

    def recognise(self, submission, actor, reasons: str):
        """Create the recognised subject (with its history and notice); returns it."""
        raise NotImplementedError

    def apply_result(self, subject, action: str, grade: str, year: int, reasons: str, actor, submission) -> str:
        """Drive the subject's status from a grade; returns what happened, in Chinese."""
        raise NotImplementedError

    def notice(self, kind: str, title: str, body: str, *, subject=None, enterprise=None, actor=None,
               submission=None) -> None:
        raise NotImplementedError

    def notices_for(self, user):
        """The notices an enterprise user sees on its evaluation page."""
        raise NotImplementedError

    def subject_kind(self, subject) -> str:
        """The scheme key of a subject (an institution's level, a platform's kind)."""
        raise NotImplementedError


_provider: SubjectProvider | None = None


def register_provider(provider: SubjectProvider) -> None:
    global _provider
    _provider = provider


def provider() -> SubjectProvider:
    if _provider is None:  # pragma: no cover - the registers app is always installed
        raise RuntimeError("没有注册评价对象（研发机构与创新平台应用未安装）")
    return _provider
