from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from .models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "full_name", "role", "division", "enterprise", "is_active")
    list_filter = ("role", "is_active")
    search_fields = ("username", "full_name")
    raw_id_fields = ("enterprise",)
    fieldsets = (*DjangoUserAdmin.fieldsets, ("角色与范围", {"fields": ("full_name", "role", "division", "enterprise")}))
    add_fieldsets = (*DjangoUserAdmin.add_fieldsets, ("角色与范围", {"fields": ("role", "division", "enterprise")}))
