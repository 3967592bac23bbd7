"""Registers of enterprise R&D institutions (研发机构) and innovation platforms, their status history,
annual data and the notices sent to enterprises.

Sources: policy_criteria.md §7 (Zhejiang R&D institutions: tech centres 浙经信技术〔2019〕128号, research
institutes 浙经信高新〔2025〕169号), §9 (manufacturing innovation centres, 工信厅科〔2018〕37号, 浙经信技术〔2020〕92号).

Two registers:

* :class:`RDInstitution` — an enterprise's own R&D institution (one enterprise, one level). Kept as the
  demo generator and the monitoring engine use it (``enterprise_id, name, level, recognised_year, status``).
* :class:`Platform` — innovation platforms that are not one enterprise's R&D unit: manufacturing
  innovation centres, pilot-scale platforms, industrial technology alliances (members along a chain),
  industrial-foundation public service platforms, high-tech zones and incubators. Located by their own
  county code; members through :class:`PlatformMember`.

:class:`StatusChange`, :class:`AnnualData` and :class:`Notice` point at either register (exactly one of
``institution`` / ``platform``) and carry the county code and enterprise themselves so that
``restrict()`` scopes them with one field path, like every other model.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from xinzhi.core.numbers import wan_figure
from xinzhi.core.scope import ScopedManager


class InstitutionLevel(models.TextChoices):
    NATIONAL_TECH_CENTRE = "national_tech_centre", "国家企业技术中心"
    PROVINCIAL_TECH_CENTRE = "provincial_tech_centre", "省级企业技术中心"
    PROVINCIAL_KEY_INSTITUTE = "provincial_key_institute", "省重点企业研究院"
    PROVINCIAL_INSTITUTE = "provincial_institute", "省企业研究院"
    CITY_LEVEL = "city_level", "市级企业研发机构"


class InstitutionStatus(models.TextChoices):
    CREATING = "creating", "培育创建"
    RECOGNISED = "recognised", "已认定"
    WARNED = "warned", "预警"
    DOWNGRADED = "downgraded", "降级"
    REVOKED = "revoked", "撤销"


#: institution levels the state recognises and evaluates; the province monitors them and never grades them
NATIONAL_LEVELS = frozenset({InstitutionLevel.NATIONAL_TECH_CENTRE})

#: the level an institution drops to on downgrade (动态管理 降级). UNVERIFIED: no source states the
#: ladder; this is the cultivation chain of policy_criteria.md §7.0/§7.1 read downwards.
DOWNGRADE_TO = {
    InstitutionLevel.NATIONAL_TECH_CENTRE: InstitutionLevel.PROVINCIAL_TECH_CENTRE,
    InstitutionLevel.PROVINCIAL_TECH_CENTRE: InstitutionLevel.CITY_LEVEL,
    InstitutionLevel.PROVINCIAL_KEY_INSTITUTE: InstitutionLevel.PROVINCIAL_INSTITUTE,
    InstitutionLevel.PROVINCIAL_INSTITUTE: InstitutionLevel.CITY_LEVEL,
}


class RDInstitution(models.Model):
    """An enterprise R&D institution at one level (国家/省级企业技术中心, 省重点企业研究院, 省企业研究院, 市级)."""

    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.CASCADE, related_name="rd_institutions")
    name = models.CharField("名称", max_length=200)
    level = models.CharField("级别", max_length=30, choices=InstitutionLevel.choices)
    recognised_year = models.PositiveSmallIntegerField("认定年度", help_text="认定日期所在年度（有认定日期时由其决定）")
    recognised_on = models.DateField("认定日期", null=True, blank=True,
                                     help_text="认定文件的发文日期；按月统计新认定数以此为准")
    status = models.CharField("状态", max_length=12, choices=InstitutionStatus.choices, default=InstitutionStatus.RECOGNISED)
    field = models.CharField("技术领域", max_length=100, blank=True, default="")
    cluster = models.ForeignKey(
        "industries.Cluster", null=True, blank=True, on_delete=models.SET_NULL, verbose_name="415X集群",
    )
    next_evaluation_year = models.PositiveSmallIntegerField("下次评价年度", null=True, blank=True)
    import_batch = models.ForeignKey("core.ImportBatch", null=True, blank=True, on_delete=models.SET_NULL, editable=False)

    scope_region_field = "enterprise__division__code"
    scope_enterprise_field = "enterprise_id"
    objects = ScopedManager()

    class Meta:
        indexes = [models.Index(fields=["level", "recognised_year"])]
        verbose_name = verbose_name_plural = "企业研发机构"

    def __str__(self) -> str:
        return self.name

    @property
    def kind(self) -> str:
        """The scheme key: R&D institutions are evaluated by level."""
        return self.level

    @property
    def is_national(self) -> bool:
        """A national title (国家企业技术中心): monitored by the province, evaluated by the state."""
        return self.level in NATIONAL_LEVELS

    @property
    def division_id(self) -> str:
        return self.enterprise.division_id


class PlatformKind(models.TextChoices):
    INNOVATION_CENTRE = "innovation_centre", "制造业创新中心"
    PILOT_PLATFORM = "pilot_platform", "中试平台"
    ALLIANCE = "alliance", "产业技术联盟"
    PUBLIC_SERVICE = "public_service", "产业基础公共服务平台"
    HIGH_TECH_ZONE = "high_tech_zone", "高新区"
    INCUBATOR = "incubator", "孵化器"


class PlatformLevel(models.TextChoices):
    NATIONAL = "national", "国家级"
    PROVINCIAL = "provincial", "省级"
    CITY = "city", "市级"


class Platform(models.Model):
    """An innovation platform: manufacturing innovation centre, pilot platform, alliance, public service
    platform, high-tech zone or incubator. Located by its own county (the lead unit's, or the zone's)."""

    kind = models.CharField("类型", max_length=20, choices=PlatformKind.choices)
    level = models.CharField("级别", max_length=12, choices=PlatformLevel.choices, default=PlatformLevel.PROVINCIAL)
    name = models.CharField("名称", max_length=200)
    lead_enterprise = models.ForeignKey(
        "enterprises.Enterprise", null=True, blank=True, on_delete=models.SET_NULL, related_name="led_platforms",
        verbose_name="牵头单位",
    )
    division = models.ForeignKey(
        "regions.Division", to_field="code", db_column="division_code", on_delete=models.PROTECT,
        verbose_name="所在县（市、区）",
    )
    field = models.CharField("领域", max_length=100, blank=True, default="")
    cluster = models.ForeignKey(
        "industries.Cluster", null=True, blank=True, on_delete=models.SET_NULL, verbose_name="415X集群",
    )
    status = models.CharField("状态", max_length=12, choices=InstitutionStatus.choices, default=InstitutionStatus.CREATING)
    recognised_year = models.PositiveSmallIntegerField("认定（批复）年度", null=True, blank=True)
    recognised_on = models.DateField("认定（批复）日期", null=True, blank=True)
    import_batch = models.ForeignKey("core.ImportBatch", null=True, blank=True, on_delete=models.SET_NULL, editable=False)
    next_evaluation_year = models.PositiveSmallIntegerField("下次评价年度", null=True, blank=True)
    members = models.ManyToManyField(
        "enterprises.Enterprise", through="PlatformMember", related_name="platform_memberships", blank=True,
    )

    scope_region_field = "division__code"
    scope_enterprise_field = "lead_enterprise_id"
    objects = ScopedManager()

    class Meta:
        indexes = [models.Index(fields=["kind", "level"]), models.Index(fields=["division"])]
        # a platform is known by its name within its kind (imports match on it; the demo never repeats one)
        constraints = [models.UniqueConstraint(fields=["kind", "name"], name="platform_kind_name_unique")]
        verbose_name = verbose_name_plural = "创新平台"

    def __str__(self) -> str:
        return self.name

    @property
    def enterprise_id(self) -> int | None:
        return self.lead_enterprise_id

    @property
    def is_national(self) -> bool:
        """A national platform (国家级): monitored by the province, not graded in provincial rounds."""
        return self.level == PlatformLevel.NATIONAL


class ChainPosition(models.TextChoices):
    UPSTREAM = "upstream", "上游"
    MIDSTREAM = "midstream", "中游"
    DOWNSTREAM = "downstream", "下游"
    SUPPORT = "support", "支撑（高校院所、服务机构）"


class PlatformMember(models.Model):
    """A member of a platform (alliance members along an industrial chain, centre shareholders, zone tenants)."""

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="memberships")
    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.CASCADE, related_name="+")
    role = models.CharField("角色", max_length=20, default="member", choices=[("lead", "牵头单位"), ("member", "成员单位")])
    chain_position = models.CharField("产业链环节", max_length=12, choices=ChainPosition.choices, blank=True, default="")
    joined_year = models.PositiveSmallIntegerField("加入年度", null=True, blank=True)
    import_batch = models.ForeignKey("core.ImportBatch", null=True, blank=True, on_delete=models.SET_NULL, editable=False)

    scope_region_field = "platform__division__code"
    scope_enterprise_field = "enterprise_id"
    objects = ScopedManager()

    class Meta:
        unique_together = [("platform", "enterprise")]
        verbose_name = verbose_name_plural = "平台成员"

    def __str__(self) -> str:
        return f"{self.platform_id} ∋ {self.enterprise_id}"


class _SubjectMixin(models.Model):
    """Points at exactly one of an R&D institution or a platform, and carries its county and enterprise."""

    institution = models.ForeignKey(RDInstitution, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    platform = models.ForeignKey(Platform, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    division = models.ForeignKey("regions.Division", to_field="code", db_column="division_code", on_delete=models.PROTECT)
    enterprise = models.ForeignKey("enterprises.Enterprise", null=True, blank=True, on_delete=models.CASCADE, related_name="+")

    scope_region_field = "division__code"
    scope_enterprise_field = "enterprise_id"
    objects = ScopedManager()

    class Meta:
        abstract = True

    @property
    def subject(self) -> RDInstitution | Platform:
        return self.institution if self.institution_id else self.platform


def _one_subject(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=(Q(institution__isnull=False, platform__isnull=True) | Q(institution__isnull=True, platform__isnull=False)),
        name=name,
    )


class StatusChange(_SubjectMixin):
    """One step of an institution's status history: from → to, on a date, why, by whom."""

    from_status = models.CharField("原状态", max_length=12, choices=InstitutionStatus.choices, blank=True)
    to_status = models.CharField("新状态", max_length=12, choices=InstitutionStatus.choices)
    from_level = models.CharField("原级别", max_length=30, blank=True, default="")
    to_level = models.CharField("新级别", max_length=30, blank=True, default="")
    changed_on = models.DateField("日期")
    reason = models.TextField("理由")
    actor = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, verbose_name="操作人")
    submission = models.ForeignKey(
        "evaluation.Submission", null=True, blank=True, on_delete=models.SET_NULL, related_name="status_changes",
        verbose_name="依据的评价",
    )

    class Meta:
        ordering = ["changed_on", "id"]
        constraints = [_one_subject("statuschange_one_subject")]
        verbose_name = verbose_name_plural = "状态变更"

    def __str__(self) -> str:
        return f"{self.changed_on} {self.from_status}→{self.to_status}"

    @staticmethod
    def _level_label(level: str) -> str:
        return InstitutionLevel(level).label if level in InstitutionLevel.values else level

    @property
    def from_level_label(self) -> str:
        return self._level_label(self.from_level)

    @property
    def to_level_label(self) -> str:
        return self._level_label(self.to_level)


class AnnualData(_SubjectMixin):
    """A yearly indicators record of an institution (what the evaluation schemes compute from).

    Money in whole yuan, counts as integers; empty means "not reported" (the scheme scores it 0 and says so).
    """

    year = models.PositiveSmallIntegerField("年度")
    revenue = models.BigIntegerField("营业收入(元)", null=True, blank=True)
    total_cost = models.BigIntegerField("总成本费用(元)", null=True, blank=True)
    rd_expense = models.BigIntegerField("研发费用(元)", null=True, blank=True)
    rd_staff = models.IntegerField("研发人员(人)", null=True, blank=True)
    total_staff = models.IntegerField("从业人员(人)", null=True, blank=True)
    senior_rd_staff = models.IntegerField("高级职称/博士研发人员(人)", null=True, blank=True)
    invention_patents = models.IntegerField("有效发明专利(件)", null=True, blank=True)
    new_invention_patents = models.IntegerField("当年授权发明专利(件)", null=True, blank=True)
    conversions = models.IntegerField("科技成果转化(项)", null=True, blank=True)
    standards_led = models.IntegerField("主导制定标准(项)", null=True, blank=True)
    new_product_revenue = models.BigIntegerField("新产品销售收入(元)", null=True, blank=True)
    equipment_value = models.BigIntegerField("研发仪器设备原值(元)", null=True, blank=True)
    rd_floor_area = models.IntegerField("研发场地面积(平方米)", null=True, blank=True)
    cooperation_projects = models.IntegerField("产学研合作项目(项)", null=True, blank=True)
    services_provided = models.IntegerField("对外服务(次)", null=True, blank=True)
    clients_served = models.IntegerField("服务企业(家)", null=True, blank=True)
    pilot_runs = models.IntegerField("中试（验证）批次", null=True, blank=True)
    service_revenue = models.BigIntegerField("服务收入(元)", null=True, blank=True)
    incubated_enterprises = models.IntegerField("孵化企业(家)", null=True, blank=True)
    member_count = models.IntegerField("成员单位(家)", null=True, blank=True)
    external_funding = models.BigIntegerField("获得外部资金(元)", null=True, blank=True)

    #: the fields a scheme may name as numerator or denominator
    DATA_FIELDS = (
        "revenue", "total_cost", "rd_expense", "rd_staff", "total_staff", "senior_rd_staff", "invention_patents",
        "new_invention_patents", "conversions", "standards_led", "new_product_revenue", "equipment_value",
        "rd_floor_area", "cooperation_projects", "services_provided", "clients_served", "pilot_runs",
        "service_revenue", "incubated_enterprises", "member_count", "external_funding",
    )

    class Meta:
        constraints = [
            _one_subject("annualdata_one_subject"),
            models.UniqueConstraint(fields=["institution", "year"], name="annualdata_institution_year"),
            models.UniqueConstraint(fields=["platform", "year"], name="annualdata_platform_year"),
        ]
        verbose_name = verbose_name_plural = "年度数据"

    def __str__(self) -> str:
        return f"{self.subject} {self.year}"

    def as_dict(self) -> dict[str, int | None]:
        return {f: getattr(self, f) for f in self.DATA_FIELDS}


class NoticeKind(models.TextChoices):
    RECOGNITION = "recognition", "认定通知"
    REJECTION = "rejection", "未通过认定通知"
    GRADE = "grade", "评价结果通知"
    WARNING = "warning", "预警通知"
    DOWNGRADE = "downgrade", "降级通知"
    REVOCATION = "revocation", "撤销通知"
    RE_EVALUATION = "re_evaluation", "复评通知"
    DEFERRAL = "deferral", "暂缓评价通知"


class Notice(_SubjectMixin):
    """A notice to the enterprise about its institution (动态管理 results, recognition, deferral)."""

    kind = models.CharField("类型", max_length=16, choices=NoticeKind.choices)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容")
    issued_on = models.DateField("发出日期")
    issued_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)
    submission = models.ForeignKey(
        "evaluation.Submission", null=True, blank=True, on_delete=models.SET_NULL, related_name="notices",
    )

    class Meta:
        ordering = ["-issued_on", "-id"]
        # a rejected applicant has no institution yet: a notice may name no subject, never both
        constraints = [models.CheckConstraint(
            condition=Q(institution__isnull=True) | Q(platform__isnull=True), name="notice_at_most_one_subject",
        )]
        verbose_name = verbose_name_plural = "通知"

    def __str__(self) -> str:
        return self.title


class MilestoneKind(models.TextChoices):
    """Milestones towards national titles the province tracks (seed task 8: 争创国家中心或分中心;
    推动国家石墨烯创新中心通过验收; task 11: 争创国家级中试平台)."""

    NATIONAL_CENTRE_BID = "national_centre_bid", "争创国家制造业创新中心"
    NATIONAL_BRANCH_BID = "national_branch_bid", "争创国家制造业创新中心分中心"
    NATIONAL_ACCEPTANCE = "national_acceptance", "国家制造业创新中心验收"
    NATIONAL_PILOT_BID = "national_pilot_bid", "争创国家级中试平台"
    OTHER = "other", "其他"


class MilestoneStatus(models.TextChoices):
    PLANNED = "planned", "计划"
    IN_PROGRESS = "in_progress", "推进中"
    ACHIEVED = "achieved", "已实现"
    NOT_ACHIEVED = "not_achieved", "未实现"


class Milestone(models.Model):
    """A tracked step of a platform towards (or within) a national title: a bid, a branch, an acceptance."""

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="milestones")
    kind = models.CharField("事项", max_length=24, choices=MilestoneKind.choices)
    title = models.CharField("说明", max_length=200, blank=True, default="")
    due_on = models.DateField("计划时间", null=True, blank=True)
    status = models.CharField("进展", max_length=14, choices=MilestoneStatus.choices, default=MilestoneStatus.PLANNED)
    achieved_on = models.DateField("实现日期", null=True, blank=True)
    note = models.TextField("进展情况", blank=True, default="")
    updated_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    scope_region_field = "platform__division__code"
    scope_enterprise_field = "platform__lead_enterprise_id"
    objects = ScopedManager()

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = verbose_name_plural = "争创与验收节点"

    def __str__(self) -> str:
        return f"{self.platform_id} {self.get_kind_display()}"


class PilotServiceKind(models.TextChoices):
    """What a pilot-scale platform verifies for a client (programmes.md §4: design, function/performance,
    process, fit and production verification — the Chinese labels paraphrase that definition)."""

    DESIGN = "design", "设计验证"
    PERFORMANCE = "performance", "功能与性能验证"
    PROCESS = "process", "工艺验证"
    FIT = "fit", "适配验证"
    PRODUCTION = "production", "生产验证（小批量试制）"


class PilotService(models.Model):
    """One service a pilot-scale platform gave: to whom, what, how many pilot runs, for what revenue.

    The year's records feed the platform's evaluation (services, clients, runs, revenue)."""

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="pilot_services")
    service_date = models.DateField("服务日期")
    client = models.ForeignKey("enterprises.Enterprise", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+", verbose_name="服务对象（在企业库中时）")
    client_name = models.CharField("服务对象", max_length=200)
    kind = models.CharField("服务类型", max_length=12, choices=PilotServiceKind.choices)
    pilot_runs = models.PositiveIntegerField("中试（验证）批次", default=1)
    revenue = models.BigIntegerField("服务收入(元)", default=0)
    description = models.CharField("服务内容", max_length=300, blank=True, default="")

    scope_region_field = "platform__division__code"
    scope_enterprise_field = "platform__lead_enterprise_id"
    objects = ScopedManager()

    class Meta:
        ordering = ["-service_date", "id"]
        indexes = [models.Index(fields=["platform", "service_date"])]
        verbose_name = verbose_name_plural = "中试服务记录"

    def __str__(self) -> str:
        return f"{self.platform_id} {self.service_date} {self.client_name}"

    @property
    def revenue_wan(self) -> str:
        return wan_figure(self.revenue)
