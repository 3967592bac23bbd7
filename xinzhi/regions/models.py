"""Administrative divisions (行政区划), GB/T 2260 codes: province → cities → counties."""

from __future__ import annotations

from django.db import models

from xinzhi.core.scope import ScopedManager, region_prefix


class Division(models.Model):
    class Level(models.TextChoices):
        PROVINCE = "province", "省"
        CITY = "city", "市"
        COUNTY = "county", "县（市、区）"

    code = models.CharField("区划代码", max_length=6, primary_key=True)
    name = models.CharField("名称", max_length=50)
    level = models.CharField("级别", max_length=10, choices=Level.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    type_cn = models.CharField("类型", max_length=20, blank=True)

    # reference data: readable by every staff user
    scope_region_field = None
    objects = ScopedManager()

    class Meta:
        ordering = ["code"]
        verbose_name = verbose_name_plural = "行政区划"

    def __str__(self) -> str:
        return self.name

    @property
    def prefix(self) -> str:
        return region_prefix(self.code)

    @property
    def city_code(self) -> str | None:
        return None if self.level == self.Level.PROVINCE else self.code[:4] + "00"

    @property
    def province_code(self) -> str:
        return self.code[:2] + "0000"
