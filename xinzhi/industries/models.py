"""Industry classification (GB/T 4754-2017), high-tech industry lists and the 415X clusters."""

from __future__ import annotations

from django.db import models

from xinzhi.core.scope import ScopedManager


class IndustryCode(models.Model):
    """One node of GB/T 4754-2017: section (letter), division (2), group (3) or class (4 digits)."""

    class Level(models.TextChoices):
        SECTION = "section", "门类"
        DIVISION = "division", "大类"
        GROUP = "group", "中类"
        CLASS = "class", "小类"

    code = models.CharField("行业代码", max_length=4, primary_key=True)
    name = models.CharField("名称", max_length=100)
    level = models.CharField("层级", max_length=10, choices=Level.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")

    scope_region_field = None
    objects = ScopedManager()

    class Meta:
        ordering = ["code"]
        verbose_name = verbose_name_plural = "国民经济行业分类"

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class HighTechScheme(models.Model):
    """A high-tech industry list: the national 高技术产业(制造业)分类(2017), or a provincial one."""

    code = models.SlugField("代码", max_length=40, primary_key=True)
    name = models.CharField("名称", max_length=100)
    source = models.TextField("出处", blank=True)
    is_standin = models.BooleanField("是否替代口径", default=False, help_text="未取得官方目录时的替代清单")
    is_default = models.BooleanField("监测默认口径", default=False)

    scope_region_field = None
    objects = ScopedManager()

    class Meta:
        verbose_name = verbose_name_plural = "高新技术产业口径"

    def __str__(self) -> str:
        return self.name


class HighTechCategory(models.Model):
    scheme = models.ForeignKey(HighTechScheme, on_delete=models.CASCADE, related_name="categories")
    code = models.CharField("类别代码", max_length=10)
    name = models.CharField("类别名称", max_length=100)

    scope_region_field = None
    objects = ScopedManager()

    class Meta:
        unique_together = [("scheme", "code")]
        ordering = ["scheme", "code"]
        verbose_name = verbose_name_plural = "高新技术产业类别"

    def __str__(self) -> str:
        return self.name


class HighTechIndustry(models.Model):
    """An industry class (4 digits) that belongs to a high-tech category."""

    category = models.ForeignKey(HighTechCategory, on_delete=models.CASCADE, related_name="industries")
    industry = models.ForeignKey(IndustryCode, on_delete=models.PROTECT)
    partial = models.BooleanField("部分属于", null=True, help_text="官方标*的部分行业；未知为空")

    scope_region_field = None
    objects = ScopedManager()

    class Meta:
        unique_together = [("category", "industry")]
        verbose_name = verbose_name_plural = "高新技术产业行业"

    def __str__(self) -> str:
        return f"{self.category_id}:{self.industry_id}"


class Cluster(models.Model):
    """415X advanced manufacturing cluster (浙政发〔2023〕4号): 4 groups, 15 specialty, X rising-star."""

    class Kind(models.TextChoices):
        GROUP = "group", "万亿级产业群"
        SPECIALTY = "specialty", "千亿级特色产业集群"
        STAR = "star", "百亿级新星产业群"

    code = models.SlugField("代码", max_length=40, primary_key=True)
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    confirmed = models.BooleanField("名称已核实", default=False)
    source = models.TextField("出处", blank=True)

    scope_region_field = None
    objects = ScopedManager()

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = verbose_name_plural = "415X产业集群"

    def __str__(self) -> str:
        return self.name


class ClusterIndustry(models.Model):
    """Configurable mapping of industry codes (any level; matched by prefix) to a cluster."""

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="industries")
    industry = models.ForeignKey(IndustryCode, on_delete=models.PROTECT)

    scope_region_field = None
    objects = ScopedManager()

    class Meta:
        unique_together = [("cluster", "industry")]
        verbose_name = verbose_name_plural = "集群行业映射"

    def __str__(self) -> str:
        return f"{self.cluster_id}:{self.industry_id}"
