from django.contrib import admin

from .models import Division


@admin.register(Division)
class DivisionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent", "type_cn")
    list_filter = ("level",)
    search_fields = ("code", "name")
