"""Enterprise R&D institutions (研发机构). Recognition and evaluation come with their own issue."""

from __future__ import annotations

from django.db import models

from xinzhi.core.scope import ScopedManager


class InstitutionLevel(models.TextChoices):
    NATIONAL_TECH_CENTRE = "national_tech_centre", "国家企业技术中心"
    PROVINCIAL_TECH_CENTRE = "provincial_tech_centre", "省级企业技术中心"
    PROVINCIAL_KEY_INSTITUTE = "provincial_key_institute", "省重点企业研究院"
    PROVINCIAL_INSTITUTE = "provincial_institute", "省企业研究院"
    CITY_LEVEL = "city_level", "市级企业研发机构"


class InstitutionStatus(models.TextChoices):
    RECOGNISED = "recognised", "已认定"
    WARNED = "warned", "预警"
    DOWNGRADED = "downgraded", "降级"
    REVOKED = "revoked", "撤销"


class RDInstitution(models.Model):
    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.CASCADE, related_name="rd_institutions")
    name = models.CharField("名称", max_length=200)
    level = models.CharField("级别", max_length=30, choices=InstitutionLevel.choices)
    recognised_year = models.PositiveSmallIntegerField("认定年度")
    status = models.CharField("状态", max_length=12, choices=InstitutionStatus.choices, default=InstitutionStatus.RECOGNISED)

    scope_region_field = "enterprise__division__code"
    scope_enterprise_field = "enterprise_id"
    objects = ScopedManager()

    class Meta:
        indexes = [models.Index(fields=["level", "recognised_year"])]
        verbose_name = verbose_name_plural = "企业研发机构"

    def __str__(self) -> str:
        return self.name
