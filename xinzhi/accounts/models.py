"""Users, their role and what they are bound to (a region or an enterprise)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models


class Role(models.TextChoices):
    PROVINCE_STAFF = "province_staff", "省级工作人员"
    CITY_STAFF = "city_staff", "市级工作人员"
    COUNTY_STAFF = "county_staff", "县级工作人员"
    ENTERPRISE = "enterprise", "企业用户"
    EXPERT = "expert", "专家"
    LEADER = "leader", "领导（只读）"


class Department(models.TextChoices):
    """Which department a staff user works for. Most are economy & IT; the advanced-manufacturing list
    is confirmed jointly with the science, finance and tax departments at the same level (seed task 6)."""

    ECONOMY_IT = "economy_it", "经信部门"
    SCIENCE = "science", "科技部门"
    FINANCE = "finance", "财政部门"
    TAX = "tax", "税务部门"


#: which division level each region-bound role must be bound to
ROLE_LEVEL = {
    Role.PROVINCE_STAFF: "province",
    Role.CITY_STAFF: "city",
    Role.COUNTY_STAFF: "county",
}


class User(AbstractUser):
    role = models.CharField("角色", max_length=20, choices=Role.choices, default=Role.COUNTY_STAFF)
    division = models.ForeignKey(
        "regions.Division", to_field="code", db_column="division_code", null=True, blank=True,
        on_delete=models.PROTECT, verbose_name="所属区划",
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", null=True, blank=True, on_delete=models.PROTECT, verbose_name="所属企业",
    )
    full_name = models.CharField("姓名", max_length=50, blank=True)
    department = models.CharField("部门", max_length=12, choices=Department.choices, default=Department.ECONOMY_IT)

    class Meta:
        verbose_name = verbose_name_plural = "用户"

    def clean(self) -> None:
        super().clean()
        expected = ROLE_LEVEL.get(self.role)
        if expected and (self.division is None or self.division.level != expected):
            raise ValidationError({"division": f"{self.get_role_display()}须绑定{dict(province='省', city='市', county='县（市、区）')[expected]}级区划"})
        if self.role == Role.LEADER and self.division is None:
            raise ValidationError({"division": "领导用户须绑定区划"})
        if self.role == Role.ENTERPRISE and self.enterprise is None:
            raise ValidationError({"enterprise": "企业用户须绑定企业"})

class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored; the token is shown once, when issued."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("用途", max_length=100)
    prefix = models.CharField("前缀", max_length=8, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField("签发时间", auto_now_add=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = verbose_name_plural = "API令牌"

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"
