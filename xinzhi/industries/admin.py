from django.contrib import admin

from .models import Cluster, ClusterIndustry, HighTechCategory, HighTechIndustry, HighTechScheme, IndustryCode


@admin.register(IndustryCode)
class IndustryCodeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")


class HighTechIndustryInline(admin.TabularInline):
    model = HighTechIndustry
    autocomplete_fields = ("industry",)
    extra = 0


@admin.register(HighTechScheme)
class HighTechSchemeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "is_standin", "is_default")


@admin.register(HighTechCategory)
class HighTechCategoryAdmin(admin.ModelAdmin):
    list_display = ("scheme", "code", "name")
    list_filter = ("scheme",)
    inlines = [HighTechIndustryInline]


class ClusterIndustryInline(admin.TabularInline):
    model = ClusterIndustry
    autocomplete_fields = ("industry",)
    extra = 0


@admin.register(Cluster)
class ClusterAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "parent", "confirmed")
    list_filter = ("kind", "confirmed")
    inlines = [ClusterIndustryInline]
