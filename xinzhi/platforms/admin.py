from django.contrib import admin

from .models import RDInstitution


@admin.register(RDInstitution)
class RDInstitutionAdmin(admin.ModelAdmin):
    list_display = ("name", "enterprise", "level", "recognised_year", "status")
    list_filter = ("level", "status", "recognised_year")
    search_fields = ("name", "enterprise__uscc", "enterprise__name")
    raw_id_fields = ("enterprise",)
