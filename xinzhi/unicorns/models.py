"""Innovative enterprises outside the above-scale register: valuations, financing rounds, tiers, events
(seed task 7; ``shared/domain/pipeline_unicorns_supervision.md`` §2). Audited (``core.audit``)."""

from __future__ import annotations

from django.db import models

from xinzhi.core.scope import ScopedManager


class Tier(models.TextChoices):
    UNICORN = "unicorn", "独角兽"
    QUASI = "quasi_unicorn", "准独角兽"
    SEED = "seed", "种子独角兽"
    NONE = "none", "未入选"


class ExitReason(models.TextChoices):
    LISTED = "listed", "上市"
    ACQUIRED = "acquired", "被并购"
    CLOSED = "closed", "注销或停止经营"


class Company(models.Model):
    """An innovative enterprise (创新型企业) followed for unicorn cultivation; need not be above-scale or
    industrial. The confirmed ``tier`` changes only through a :class:`TierChange` confirmed by staff."""

    name = models.CharField("企业名称", max_length=200)
    uscc = models.CharField("统一社会信用代码", max_length=18, blank=True, default="")
    division = models.ForeignKey("regions.Division", to_field="code", db_column="division_code",
                                 on_delete=models.PROTECT, verbose_name="所在县（市、区）")
    field = models.CharField("赛道", max_length=50)
    cluster = models.ForeignKey("industries.Cluster", null=True, blank=True, db_column="cluster_code",
                                on_delete=models.PROTECT, verbose_name="415X集群")
    founded_on = models.DateField("成立日期")
    listed_on = models.DateField("上市日期", null=True, blank=True)
    exited_on = models.DateField("退出日期", null=True, blank=True)
    exit_reason = models.CharField("退出原因", max_length=10, choices=ExitReason.choices, blank=True, default="")
    tier = models.CharField("当前层级（已确认）", max_length=15, choices=Tier.choices, default=Tier.NONE)
    on_watch = models.BooleanField("重点关注", default=False)
    enterprise = models.ForeignKey("enterprises.Enterprise", null=True, blank=True, on_delete=models.SET_NULL,
                                   verbose_name="企业库中的企业")
    import_batch = models.ForeignKey("core.ImportBatch", null=True, blank=True, on_delete=models.SET_NULL,
                                     editable=False)

    scope_region_field = "division__code"
    scope_enterprise_field = "enterprise_id"
    objects = ScopedManager()

    class Meta:
        ordering = ["name"]
        verbose_name = verbose_name_plural = "创新型企业"

    def __str__(self) -> str:
        return self.name


class FinancingRound(models.Model):
    """A financing round: amount and post-money valuation in the currency announced; the USD figure uses
    the year's average rate (GEI rule, domain file §2.1)."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="rounds")
    announced_on = models.DateField("融资日期")
    round_name = models.CharField("轮次", max_length=30)
    currency = models.CharField("币种", max_length=3, choices=[("CNY", "人民币"), ("USD", "美元")], default="CNY")
    amount = models.BigIntegerField("融资金额（元/美元）")
    post_valuation = models.BigIntegerField("投后估值（元/美元）", null=True, blank=True)
    usd_rate = models.DecimalField("美元汇率（1美元兑人民币，当年平均）", max_digits=8, decimal_places=4)
    investors = models.CharField("投资方", max_length=500, blank=True, default="")
    import_batch = models.ForeignKey("core.ImportBatch", null=True, blank=True, on_delete=models.SET_NULL,
                                     editable=False)

    scope_region_field = "company__division__code"
    scope_enterprise_field = "company__enterprise_id"
    objects = ScopedManager()

    class Meta:
        ordering = ["company", "announced_on", "id"]
        verbose_name = verbose_name_plural = "融资轮次"

    def __str__(self) -> str:
        return f"{self.company_id} {self.round_name}"


class TierChange(models.Model):
    """A confirmed change of tier (entry, promotion, exit), dated, with who confirmed it."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="tier_changes")
    from_tier = models.CharField("原层级", max_length=15, choices=Tier.choices)
    to_tier = models.CharField("新层级", max_length=15, choices=Tier.choices)
    effective_on = models.DateField("生效日期")
    reason = models.CharField("依据", max_length=300)
    confirmed_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name="确认人")
    confirmed_at = models.DateTimeField("确认时间")

    scope_region_field = "company__division__code"
    scope_enterprise_field = "company__enterprise_id"
    objects = ScopedManager()

    class Meta:
        ordering = ["company", "effective_on", "id"]
        verbose_name = verbose_name_plural = "层级变动"

    def __str__(self) -> str:
        return f"{self.company_id} {self.from_tier}→{self.to_tier}"


class ListTier(models.TextChoices):
    """The tier a published list names (as published: GEI's 潜在独角兽, Hangzhou's 准独角兽 …)."""

    SUPER = "super_unicorn", "超级独角兽"
    UNICORN = "unicorn", "独角兽"
    POTENTIAL = "potential", "潜在独角兽"
    QUASI = "quasi_unicorn", "准独角兽"
    SEED = "seed", "种子独角兽"


class ListEntry(models.Model):
    """A company on a published list of a year (中国独角兽企业发展大会/GEI, 万物生长大会 …): one event of the
    dynamic monitoring — on this year's list and not last year's is an entry, the reverse an exit. Imported
    (``unicorn-lists``); the confirmed tier still changes only through a :class:`TierChange`."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="list_entries")
    list_name = models.CharField("榜单名称", max_length=100)
    year = models.PositiveSmallIntegerField("榜单年度")
    tier = models.CharField("入选层级（按榜单）", max_length=15, choices=ListTier.choices)
    valuation_usd = models.BigIntegerField("榜单估值（美元）", null=True, blank=True)
    city = models.CharField("所在城市（按榜单）", max_length=50, blank=True, default="")
    field = models.CharField("领域（按榜单）", max_length=50, blank=True, default="")
    import_batch = models.ForeignKey("core.ImportBatch", null=True, blank=True, on_delete=models.SET_NULL,
                                     editable=False)

    scope_region_field = "company__division__code"
    scope_enterprise_field = "company__enterprise_id"
    objects = ScopedManager()

    class Meta:
        ordering = ["-year", "list_name", "company", "id"]
        constraints = [models.UniqueConstraint(fields=["list_name", "year", "company"], name="list_entry_once")]
        verbose_name = verbose_name_plural = "榜单入选记录"

    def __str__(self) -> str:
        return f"{self.year} {self.list_name} {self.company_id}"
