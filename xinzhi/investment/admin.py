from django.contrib import admin

from xinzhi.core.region_moves import RegionMoveAdminMixin

from .models import InvestmentProject, ProjectProgress, RegionInvestment


class ProjectProgressInline(admin.TabularInline):
    model = ProjectProgress
    extra = 0


@admin.register(InvestmentProject)
class InvestmentProjectAdmin(RegionMoveAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name", "division", "industry", "is_high_tech", "planned_total", "stage")
    list_filter = ("stage", "is_high_tech", "division__parent")
    search_fields = ("code", "name")
    raw_id_fields = ("enterprise",)
    autocomplete_fields = ("industry",)
    inlines = [ProjectProgressInline]


@admin.register(RegionInvestment)
class RegionInvestmentAdmin(admin.ModelAdmin):
    list_display = ("division", "year", "month", "ytd_fixed_asset_investment", "is_revision")
    list_filter = ("year", "month")
    search_fields = ("division__code", "division__name")
