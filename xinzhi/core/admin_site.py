"""The Django admin, open only to province administrators (and superusers)."""

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig


class XinzhiAdminSite(AdminSite):
    site_header = "新质 · 系统管理"
    site_title = "新质"
    index_title = "参考数据与用户管理"

    def has_permission(self, request) -> bool:
        user = request.user
        return bool(
            user.is_active and user.is_staff and (user.is_superuser or getattr(user, "role", None) == "province_staff")
        )


class XinzhiAdminConfig(AdminConfig):
    default_site = "xinzhi.core.admin_site.XinzhiAdminSite"
