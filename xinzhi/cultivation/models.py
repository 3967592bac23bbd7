"""Certifications held by enterprises (HTE, tech-SME, advanced service enterprise)."""

from __future__ import annotations

from django.db import models

from xinzhi.core.scope import ScopedManager


class Program(models.TextChoices):
    HTE = "hte", "高新技术企业"
    TECH_SME = "tech_sme", "科技型中小企业"
    ADVANCED_SERVICE = "advanced_service", "技术先进型服务企业"


class Certification(models.Model):
    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.CASCADE, related_name="certifications")
    program = models.CharField("类型", max_length=20, choices=Program.choices)
    certificate_no = models.CharField("证书编号/入库登记编号", max_length=40, blank=True)
    year = models.PositiveSmallIntegerField("认定（入库）年度")
    issued_on = models.DateField("发证日期", null=True, blank=True)
    expires_on = models.DateField("有效期至", null=True, blank=True)

    scope_region_field = "enterprise__division__code"
    scope_enterprise_field = "enterprise_id"
    objects = ScopedManager()

    class Meta:
        unique_together = [("enterprise", "program", "year")]
        indexes = [models.Index(fields=["program", "year"])]
        verbose_name = verbose_name_plural = "企业资质"

    def __str__(self) -> str:
        return f"{self.get_program_display()} {self.year}"
