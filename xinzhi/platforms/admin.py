from django.contrib import admin

from xinzhi.core.region_moves import RegionMoveAdminMixin

from .models import (
    AnnualData,
    Milestone,
    Notice,
    PilotService,
    Platform,
    PlatformMember,
    RDInstitution,
    StatusChange,
)


@admin.register(RDInstitution)
class RDInstitutionAdmin(admin.ModelAdmin):
    list_display = ("name", "enterprise", "level", "recognised_on", "recognised_year", "status", "next_evaluation_year")
    list_filter = ("level", "status", "recognised_year", "cluster")
    search_fields = ("name", "enterprise__uscc", "enterprise__name")
    raw_id_fields = ("enterprise",)


class MemberInline(admin.TabularInline):
    model = PlatformMember
    raw_id_fields = ("enterprise",)
    extra = 0


@admin.register(Platform)
class PlatformAdmin(RegionMoveAdminMixin, admin.ModelAdmin):
    list_display = ("name", "kind", "level", "division", "status", "recognised_year")
    list_filter = ("kind", "level", "status", "cluster")
    search_fields = ("name",)
    raw_id_fields = ("lead_enterprise", "division")
    inlines = [MemberInline]


@admin.register(StatusChange)
class StatusChangeAdmin(admin.ModelAdmin):
    list_display = ("changed_on", "institution", "platform", "from_status", "to_status", "actor")
    raw_id_fields = ("institution", "platform", "enterprise", "division", "actor", "submission")


@admin.register(AnnualData)
class AnnualDataAdmin(admin.ModelAdmin):
    list_display = ("year", "institution", "platform", "revenue", "rd_expense", "rd_staff")
    list_filter = ("year",)
    raw_id_fields = ("institution", "platform", "enterprise", "division")


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ("issued_on", "kind", "title", "enterprise")
    list_filter = ("kind",)
    raw_id_fields = ("institution", "platform", "enterprise", "division", "issued_by", "submission")


@admin.register(Milestone)
class MilestoneAdmin(admin.ModelAdmin):
    list_display = ("platform", "kind", "due_on", "status", "achieved_on")
    list_filter = ("kind", "status")
    raw_id_fields = ("platform", "updated_by")


@admin.register(PilotService)
class PilotServiceAdmin(admin.ModelAdmin):
    list_display = ("platform", "service_date", "client_name", "kind", "pilot_runs", "revenue")
    list_filter = ("kind",)
    search_fields = ("client_name", "platform__name")
    raw_id_fields = ("platform", "client")
