"""What the evaluation workflow needs from the apps whose subjects it evaluates — registered, not imported.

Evaluation is generic: rounds, submissions, expert review, recusal, scoring and determination. What is
evaluated belongs to the apps above it, each registering a :class:`SubjectProvider` **by subject kind**
when Django starts:

* ``"platforms"`` (the default kind) — R&D institutions and platforms (``PlatformsConfig.ready``): their
  yearly data, recognition criteria, status changes and notices;
* ``"research_need"``, ``"new_product"`` — research-needs call submissions and excellent-product /
  advanced-achievement candidates (``ProgramsConfig.ready``, issue 17).

A round's provider is named by its scheme (``subject = "…"`` in the scheme file, default
``"platforms"``), so schemes stay data and a new kind needs no change here. This module imports no
domain app, so the dependency points one way: platforms, programs → evaluation.

(The two platform subject columns of :class:`~xinzhi.evaluation.models.Submission` are foreign keys by
model name — ``"platforms.RDInstitution"``, ``"platforms.Platform"`` — for referential integrity and scoped
joins; other kinds are referred to by ``subject_kind`` + ``subject_id``, resolved by their provider. No
evaluation code imports those models.)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


class SubjectProvider:
    """The hooks evaluation calls. Every method is implemented by the registering app.

    The platforms provider implements them all. A provider of another kind (``generic = True``) is for
    evaluation-purpose rounds only (no recognition); it implements :meth:`eligible` (rows carry
    ``subject_id``), :meth:`subject`, :meth:`refusal`, :meth:`data`, :meth:`apply_result`,
    :meth:`subject_kind` and, for recusal and the experts' page, :meth:`parties` / :meth:`describe`; the
    rest have harmless defaults here."""

    #: the key the provider registers under (a scheme's ``subject``)
    kind: str = "platforms"
    #: subjects referred to by ``Submission.subject_kind`` / ``subject_id`` (not the platform FKs)
    generic: bool = False

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

    # -- for generic providers (defaults suit the platforms provider) -------------------------------
    def subject(self, submission):
        """The evaluated object of a generic submission (``submission.subject_id``), or None."""
        return None

    def parties(self, submission) -> list[dict[str, Any]]:
        """Other units of the submission an expert must not belong to (partners): ``[{name, enterprise_id}]``.
        Stored on the submission at enrolment (``Submission.parties``) and read by recusal."""
        return []

    def describe(self, submission) -> list[tuple[str, str]]:
        """What the experts read about the subject (label, text) — shown on the review page."""
        return []


DEFAULT_KIND = "platforms"
_providers: dict[str, SubjectProvider] = {}


def register_provider(provider: SubjectProvider, kind: str | None = None) -> None:
    """Register ``provider`` for a subject kind (its own ``kind`` when not given). Registering a kind again
    replaces it (tests register fakes); the other kinds are untouched."""
    _providers[kind or provider.kind] = provider


def unregister_provider(kind: str) -> None:
    _providers.pop(kind, None)


def registered_kinds() -> list[str]:
    return sorted(_providers)


def provider(kind: str | None = None) -> SubjectProvider:
    """The provider of ``kind`` (the platforms one by default)."""
    kind = kind or DEFAULT_KIND
    if kind not in _providers:
        raise RuntimeError(f"没有注册“{kind}”类评价对象")
    return _providers[kind]
