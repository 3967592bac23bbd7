from django.contrib import admin

from xinzhi.core.region_moves import RegionMoveAdminMixin

from .models import Enterprise, EnterpriseYear, MonthlyStat


class EnterpriseYearInline(admin.TabularInline):
    model = EnterpriseYear
    extra = 0


@admin.register(Enterprise)
class EnterpriseAdmin(RegionMoveAdminMixin, admin.ModelAdmin):
    list_display = ("uscc", "name", "division", "industry", "ownership", "is_listed", "registered_on")
    list_filter = ("ownership", "is_listed", "division__parent")
    search_fields = ("uscc", "name", "division__code", "division__name", "industry__code", "industry__name")
    list_select_related = ("division", "industry")
    autocomplete_fields = ("industry",)
    inlines = [EnterpriseYearInline]
    show_full_result_count = False


@admin.register(MonthlyStat)
class MonthlyStatAdmin(admin.ModelAdmin):
    list_display = ("enterprise", "year", "month", "output_value", "value_added", "revenue", "rd_expense", "is_revision")
    list_filter = ("year", "month", "is_revision")
    search_fields = ("enterprise__uscc", "enterprise__name")
    raw_id_fields = ("enterprise",)
    list_select_related = ("enterprise",)
    show_full_result_count = False
