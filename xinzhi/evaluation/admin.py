from django.contrib import admin

from .models import (
    Assignment,
    ConflictDeclaration,
    Correction,
    EnterpriseGroup,
    ExpertProfile,
    Round,
    Submission,
)


class ClosedRoundReadOnly(admin.ModelAdmin):
    """A closed round, its submissions and assignments are read-only here too (corrections: 复核 on the page)."""

    round_path = "round"

    def _closed(self, obj) -> bool:
        round_ = obj
        for part in self.round_path.split("__"):
            round_ = getattr(round_, part) if round_ is not None and part else round_
        return round_ is not None and round_.status == Round.Status.CLOSED

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not (obj is not None and self._closed(obj))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj is not None and self._closed(obj))


@admin.register(Round)
class RoundAdmin(ClosedRoundReadOnly):
    round_path = ""
    list_display = ("name", "purpose", "year", "scheme_code", "deadline", "status")
    list_filter = ("purpose", "status", "year")


@admin.register(Submission)
class SubmissionAdmin(ClosedRoundReadOnly):
    list_display = ("title", "round", "division", "status", "total_score", "grade", "decision")
    list_filter = ("round", "status", "grade")
    raw_id_fields = ("enterprise", "division", "institution", "platform", "submitted_by", "decided_by")


@admin.register(ExpertProfile)
class ExpertProfileAdmin(admin.ModelAdmin):
    list_display = ("__str__", "employer_name", "enterprise_group", "division", "fields", "active")
    search_fields = ("user__username", "user__full_name", "employer_name", "fields")
    raw_id_fields = ("user", "employer", "division")


@admin.register(EnterpriseGroup)
class EnterpriseGroupAdmin(admin.ModelAdmin):
    list_display = ("enterprise", "group_name")
    search_fields = ("group_name", "enterprise__name")
    raw_id_fields = ("enterprise",)


@admin.register(ConflictDeclaration)
class ConflictDeclarationAdmin(admin.ModelAdmin):
    list_display = ("expert", "enterprise", "relation", "declared_at")
    raw_id_fields = ("expert", "enterprise")


@admin.register(Assignment)
class AssignmentAdmin(ClosedRoundReadOnly):
    round_path = "submission__round"
    list_display = ("submission", "expert", "method", "status", "total", "submitted_at")
    list_filter = ("status", "method")
    raw_id_fields = ("submission", "expert", "assigned_by")


@admin.register(Correction)
class CorrectionAdmin(admin.ModelAdmin):
    list_display = ("submission", "actor", "at", "reason")
    raw_id_fields = ("submission", "actor")

    def has_change_permission(self, request, obj=None):
        return False  # a correction record is never edited

    def has_delete_permission(self, request, obj=None):
        return False
