from django.contrib import admin

from .models import Certification


@admin.register(Certification)
class CertificationAdmin(admin.ModelAdmin):
    list_display = ("enterprise", "program", "year", "certificate_no", "expires_on")
    list_filter = ("program", "year")
    search_fields = ("enterprise__uscc", "enterprise__name", "certificate_no")
    raw_id_fields = ("enterprise",)
