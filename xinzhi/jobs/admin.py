"""Job history and failures in the admin (province administrators): read-only, filtered by status and kind."""

from django.contrib import admin

from .models import Job, ScheduledTask


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


@admin.register(ScheduledTask)
class ScheduledTaskAdmin(admin.ModelAdmin):
    """The schedule, kept as data: province administrators turn lines on and off and change their times."""

    list_display = ("name", "cron", "enabled", "next_run_at", "last_run_at", "last_job")
    list_editable = ("enabled",)
    fields = ("name", "kind", "params", "cron", "enabled", "note", "next_run_at", "last_run_at", "last_job")
    readonly_fields = ("last_run_at", "last_job")

    def save_model(self, request, obj, form, change):
        if change and "cron" in form.changed_data:
            obj.next_run_at = None  # recomputed from the new time table by the scheduler's next check
        super().save_model(request, obj, form, change)
