"""Audit trail: every create/update/delete of business data, with who, when, before and after.

Row-by-row saves (admin, forms, services) are recorded by django-auditlog's signals for the models
registered here. Bulk writes (imports, the demo loader) bypass signals, so the import framework
writes ``LogEntry`` rows itself for every updated or deleted row (``log_bulk_changes``); created rows
are traced through their ``import_batch``.
"""

from __future__ import annotations

from collections.abc import Iterable

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.apps import apps
from django.contrib.contenttypes.models import ContentType

AUDITED_MODELS = [
    ("regions", "Division", {}),
    ("industries", "IndustryCode", {}),
    ("industries", "HighTechCategory", {}),
    ("industries", "HighTechIndustry", {}),
    ("industries", "Cluster", {}),
    ("industries", "ClusterIndustry", {}),
    ("enterprises", "Enterprise", {}),
    ("enterprises", "EnterpriseYear", {}),
    ("enterprises", "MonthlyStat", {}),
    ("investment", "InvestmentProject", {}),
    ("investment", "ProjectProgress", {}),
    ("investment", "RegionInvestment", {}),
    ("investment", "AnnualPlan", {}),
    ("investment", "ProjectMilestone", {}),
    ("investment", "StageTransition", {}),
    ("investment", "SupervisionVisit", {}),
    ("investment", "SupervisionProblem", {}),
    ("unicorns", "Company", {}),
    ("unicorns", "FinancingRound", {}),
    ("unicorns", "TierChange", {}),
    ("unicorns", "ListEntry", {}),
    ("cultivation", "Certification", {}),
    ("cultivation", "AnnualPackage", {}),
    ("cultivation", "ScreeningRun", {}),
    ("cultivation", "ListEntry", {"exclude_fields": ["criteria"]}),
    ("cultivation", "ListConfirmation", {}),
    ("cultivation", "SamplingDraw", {}),
    ("cultivation", "SamplingItem", {}),
    ("platforms", "RDInstitution", {}),
    ("platforms", "Platform", {}),
    ("platforms", "PlatformMember", {}),
    ("platforms", "StatusChange", {}),
    ("platforms", "AnnualData", {}),
    ("platforms", "Notice", {}),
    ("platforms", "Milestone", {}),
    ("platforms", "PilotService", {}),
    ("evaluation", "Round", {}),
    ("evaluation", "Submission", {"exclude_fields": ["scheme_text"]}),
    ("evaluation", "ExpertProfile", {}),
    ("evaluation", "EnterpriseGroup", {}),
    ("evaluation", "ConflictDeclaration", {}),
    ("evaluation", "Assignment", {}),
    ("evaluation", "Correction", {}),
    ("monitoring", "Target", {}),
    ("monitoring", "IssuedReport", {"exclude_fields": ["docx", "pdf", "xlsx"]}),
    ("accounts", "User", {"exclude_fields": ["password", "last_login"]}),
    ("accounts", "ApiToken", {"exclude_fields": ["key_hash", "last_used_at"]}),
]


def register_audited_models() -> None:
    for app_label, model_name, options in AUDITED_MODELS:
        model = apps.get_model(app_label, model_name)
        if not auditlog.contains(model):
            auditlog.register(model, **options)


def log_bulk_changes(
    model, changes: Iterable[tuple[object, str, dict[str, list]]], actor=None, action: int = LogEntry.Action.UPDATE,
    additional_data: dict | None = None,
) -> int:
    """Write one audit entry per changed row of a bulk write.

    ``changes`` yields ``(pk, repr, {field: [old, new]})``, or ``(pk, repr, {…}, extra)`` where ``extra``
    is merged into that entry's ``additional_data``. Returns the number of entries written.
    """
    content_type = ContentType.objects.get_for_model(model)
    entries = [
        LogEntry(
            content_type=content_type,
            object_pk=str(change[0]),
            object_id=change[0] if isinstance(change[0], int) else None,
            object_repr=str(change[1])[:200],
            action=action,
            changes={k: [None if o is None else str(o), None if n is None else str(n)]
                     for k, (o, n) in change[2].items()},
            actor=actor,
            additional_data={**(additional_data or {}), **change[3]} if len(change) > 3 else additional_data,
        )
        for change in changes
    ]
    LogEntry.objects.bulk_create(entries, batch_size=2000)
    return len(entries)
