"""Job history and failures in the admin (province administrators): read-only, filtered by status and kind."""

from django.contrib import admin

from .models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ("created_at", "title", "kind", "user", "status", "progress", "attempts", "worker",
                    "duration_s", "error")
    list_filter = ("status", "kind")
    search_fields = ("title", "error", "user__username")
    date_hierarchy = "created_at"
    list_select_related = ("user",)
    readonly_fields = [f.name for f in Job._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
