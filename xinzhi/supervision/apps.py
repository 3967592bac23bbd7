from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "xinzhi.supervision"
    verbose_name = "工作督办"

    def ready(self) -> None:
        # every change of the ledger, progress and 督办 is audited (actor, time, before/after)
        from auditlog.registry import auditlog

        from . import jobs, panels  # noqa: F401 — jobs registers the scheduled job kinds
        from .models import (
            Activity,
            Attachment,
            BoardPost,
            ProgressReport,
            RDFundRecord,
            SupervisionNotice,
            Task,
            TypicalCase,
        )

        for model, options in ((Task, {}), (ProgressReport, {}), (Attachment, {"exclude_fields": ["data"]}),
                               (SupervisionNotice, {}), (Activity, {}), (TypicalCase, {}), (RDFundRecord, {}),
                               (BoardPost, {})):
            if not auditlog.contains(model):
                auditlog.register(model, **options)
        panels.register()
