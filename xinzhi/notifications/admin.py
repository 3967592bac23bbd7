from django.contrib import admin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "user", "kind", "title", "read_at", "emailed")
    list_filter = ("kind",)
    search_fields = ("title", "user__username")
    list_select_related = ("user",)
