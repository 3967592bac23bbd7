from django.contrib import admin

from .models import Company, FinancingRound, TierChange


class RoundInline(admin.TabularInline):
    model = FinancingRound
    extra = 0


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ("name", "division", "field", "founded_on", "tier", "on_watch")
    list_filter = ("tier", "on_watch")
    search_fields = ("name", "uscc")
    inlines = [RoundInline]


@admin.register(TierChange)
class TierChangeAdmin(admin.ModelAdmin):
    list_display = ("company", "from_tier", "to_tier", "effective_on", "confirmed_by")
