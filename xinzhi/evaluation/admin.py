from django.contrib import admin

from .models import Assignment, ConflictDeclaration, EnterpriseGroup, ExpertProfile, Round, Submission


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    list_display = ("name", "purpose", "year", "scheme_code", "deadline", "status")
    list_filter = ("purpose", "status", "year")


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
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
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ("submission", "expert", "method", "status", "total", "submitted_at")
    list_filter = ("status", "method")
    raw_id_fields = ("submission", "expert", "assigned_by")
