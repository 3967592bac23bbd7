from django.contrib import admin

from .models import ProgressReport, SupervisionNotice, Task


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ("year", "number", "title", "division", "group", "deadline", "completed_on")
    list_filter = ("year", "group", "source")
    search_fields = ("title", "text")


@admin.register(ProgressReport)
class ProgressReportAdmin(admin.ModelAdmin):
    list_display = ("task", "year", "month", "percent", "completed", "reported_at")


@admin.register(SupervisionNotice)
class SupervisionNoticeAdmin(admin.ModelAdmin):
    list_display = ("subject", "task", "division", "status", "due_date")
    list_filter = ("status",)
