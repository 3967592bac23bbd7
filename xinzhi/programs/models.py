"""Innovation programmes (seed tasks 3, 12, 14): the closed loop from an enterprise's problem to a
market-tested result, major S&T projects with their undertaking units, and provincial industrial
new-product projects with the excellent products and advanced achievements selected from them.

Sources and gaps: ``/work/shared/domain/programmes.md`` (cited per class); docs/programmes.md.
Every model declares its region and enterprise for ``restrict()`` (``xinzhi.core.scope``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from xinzhi.core.scope import ScopedManager

from . import calls, loop, scenarios

# --------------------------------------------------------------------------- the closed loop (task 3)

class SolverKind(models.TextChoices):
    RD_INSTITUTION = "rd_institution", "企业研发机构"
    INNOVATION_CENTRE = "innovation_centre", "制造业创新中心"
    PILOT_PLATFORM = "pilot_platform", "中试平台"
    UNIVERSITY = "university", "高校"
    INSTITUTE = "institute", "科研院所"
    ENTERPRISE = "enterprise", "企业"
    OTHER = "other", "其他"


class Solver(models.Model):
    """A unit that answers problems (平台答题): R&D institutions, innovation centres, pilot-scale platforms,
    universities and institutes. Linked to the platforms registers where it is one of theirs; its users are
    the enterprise users of ``enterprise`` (the unit's own account in the enterprise register)."""

    name = models.CharField("名称", max_length=200, unique=True)
    kind = models.CharField("类型", max_length=20, choices=SolverKind.choices)
    division = models.ForeignKey("regions.Division", to_field="code", db_column="division_code",
                                 on_delete=models.PROTECT, verbose_name="所在县（市、区）")
    enterprise = models.ForeignKey("enterprises.Enterprise", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="solver_units", verbose_name="账号所属单位（企业库）")
    institution = models.ForeignKey("platforms.RDInstitution", null=True, blank=True, on_delete=models.SET_NULL,
                                    verbose_name="对应研发机构")
    platform = models.ForeignKey("platforms.Platform", null=True, blank=True, on_delete=models.SET_NULL,
                                 verbose_name="对应创新平台")
    fields = models.CharField("擅长领域", max_length=200, blank=True, default="")
    cluster = models.ForeignKey("industries.Cluster", null=True, blank=True, on_delete=models.SET_NULL,
                                verbose_name="415X集群")
    active = models.BooleanField("在册", default=True)
    import_batch = models.ForeignKey("core.ImportBatch", null=True, blank=True, on_delete=models.SET_NULL, editable=False)

    scope_region_field = "division__code"
    scope_enterprise_field = "enterprise_id"
    objects = ScopedManager()

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = verbose_name_plural = "解题方"

    def __str__(self) -> str:
        return self.name


class SupportKind(models.TextChoices):
    NONE = "none", "暂不支持"
    CO_FUNDING = "co_funding", "财政补助"
    MATCHING = "matching", "供需对接"
    RECOMMEND = "recommend", "推荐申报省级项目"


class Problem(models.Model):
    """A technical problem posed by an enterprise (企业出题), with its stage dates (each step is also an
    :class:`ProblemStep`)."""

    STATE_CHOICES = [(k, v) for k, v in loop.STATE_LABELS.items()]

    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.PROTECT, related_name="problems",
                                   verbose_name="出题企业")
    division = models.ForeignKey("regions.Division", to_field="code", db_column="division_code",
                                 on_delete=models.PROTECT, verbose_name="所在县（市、区）")
    title = models.CharField("难题名称", max_length=200)
    field = models.CharField("技术领域", max_length=100)
    cluster = models.ForeignKey("industries.Cluster", null=True, blank=True, on_delete=models.SET_NULL,
                                verbose_name="415X集群")
    goal = models.TextField("需要达到的目标")
    acceptance_criteria = models.TextField("可量化的验收指标")
    budget = models.BigIntegerField("预算（元）")
    deadline = models.DateField("期望完成日期")
    confidential = models.BooleanField("需保密（不公开发布）", default=False)
    state = models.CharField("状态", max_length=12, choices=STATE_CHOICES, default=loop.POSED)
    # 政府助题
    classification = models.CharField("分类", max_length=100, blank=True, default="")
    support = models.CharField("支持方式", max_length=12, choices=SupportKind.choices, blank=True, default="")
    support_note = models.CharField("助题意见", max_length=500, blank=True, default="")
    invited_solvers = models.ManyToManyField(Solver, blank=True, related_name="invitations", verbose_name="定向对接的解题方")
    # links to the other programmes
    major_project = models.ForeignKey("MajorProject", null=True, blank=True, on_delete=models.SET_NULL,
                                      verbose_name="关联重大科技项目")
    new_product = models.ForeignKey("NewProductProject", null=True, blank=True, on_delete=models.SET_NULL,
                                    verbose_name="关联新产品项目")
    # stage dates (the funnel reads these)
    posed_at = models.DateField("出题日期")
    vetted_at = models.DateField("助题日期", null=True, blank=True)
    published_at = models.DateField("发布日期", null=True, blank=True)
    answered_at = models.DateField("首个方案日期", null=True, blank=True)
    contracted_at = models.DateField("签约日期", null=True, blank=True)
    verified_at = models.DateField("验题通过日期", null=True, blank=True)
    market_at = models.DateField("首次市场评价日期", null=True, blank=True)
    withdrawn_at = models.DateField("撤回日期", null=True, blank=True)
    last_step_at = models.DateField("最近办理日期")
    import_batch = models.ForeignKey("core.ImportBatch", null=True, blank=True, on_delete=models.SET_NULL, editable=False)

    scope_region_field = "division__code"
    scope_enterprise_field = "enterprise_id"
    objects = ScopedManager()

    class Meta:
        ordering = ["-posed_at", "-id"]
        indexes = [models.Index(fields=["state"]), models.Index(fields=["division"])]
        verbose_name = verbose_name_plural = "企业技术难题"

    def __str__(self) -> str:
        return self.title


class StepRecord(models.Model):
    """What every step log of a programme records besides its subject, action and states: the date the step
    was taken, when it was recorded, who took it and why (django-auditlog keeps the same, field by field)."""

    on = models.DateField("办理日期")
    at = models.DateTimeField("记录时间", auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, verbose_name="办理人")
    note = models.CharField("说明", max_length=500, blank=True, default="")

    objects = ScopedManager()

    class Meta:
        abstract = True
        ordering = ["on", "id"]


class ProblemStep(StepRecord):
    """One step of the loop on a problem: who, when, from which state to which (the audit log also has it)."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField("办理事项", max_length=12)
    from_state = models.CharField("原状态", max_length=12)
    to_state = models.CharField("新状态", max_length=12)

    scope_region_field = "problem__division__code"
    scope_enterprise_field = "problem__enterprise_id"

    class Meta(StepRecord.Meta):
        verbose_name = verbose_name_plural = "难题办理记录"

    def __str__(self) -> str:
        return f"{self.problem_id}:{self.action}"

    @property
    def action_label(self) -> str:
        step = loop.STEPS.get(self.action)
        return step.label if step else "企业出题"


class Proposal(models.Model):
    """A solver's answer to a problem (平台答题)."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="proposals")
    solver = models.ForeignKey(Solver, on_delete=models.PROTECT, related_name="proposals")
    summary = models.TextField("技术方案")
    price = models.BigIntegerField("报价（元）")
    months = models.PositiveSmallIntegerField("周期（月）")
    submitted_on = models.DateField("提交日期")
    chosen = models.BooleanField("已选定", default=False)

    scope_region_field = "problem__division__code"
    scope_enterprise_field = "problem__enterprise_id"
    objects = ScopedManager()

    class Meta:
        ordering = ["submitted_on", "id"]
        constraints = [models.UniqueConstraint(fields=["problem", "solver"], name="proposal_one_per_solver")]
        verbose_name = verbose_name_plural = "解题方案"

    def __str__(self) -> str:
        return f"{self.solver_id}→{self.problem_id}"


class Contract(models.Model):
    problem = models.OneToOneField(Problem, on_delete=models.CASCADE, related_name="contract")
    proposal = models.OneToOneField(Proposal, on_delete=models.PROTECT)
    signed_on = models.DateField("签约日期")
    amount = models.BigIntegerField("合同金额（元）")

    scope_region_field = "problem__division__code"
    scope_enterprise_field = "problem__enterprise_id"
    objects = ScopedManager()

    class Meta:
        verbose_name = verbose_name_plural = "攻关合同"

    def __str__(self) -> str:
        return f"合同 {self.problem_id}"


class ContractMilestone(models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField("里程碑", max_length=200)
    due_on = models.DateField("计划日期")
    done_on = models.DateField("完成日期", null=True, blank=True)

    scope_region_field = "contract__problem__division__code"
    scope_enterprise_field = "contract__problem__enterprise_id"
    objects = ScopedManager()

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = verbose_name_plural = "合同里程碑"

    def __str__(self) -> str:
        return self.title


class Acceptance(models.Model):
    """Workshop verification (车间验题): acceptance against the problem's criteria."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="acceptances")
    on = models.DateField("验收日期")
    place = models.CharField("验收地点", max_length=200)
    passed = models.BooleanField("通过")
    result = models.TextField("验收结论（对照验收指标）")
    pilot_platform = models.ForeignKey("platforms.Platform", null=True, blank=True, on_delete=models.SET_NULL,
                                       verbose_name="中试验证平台")

    scope_region_field = "problem__division__code"
    scope_enterprise_field = "problem__enterprise_id"
    objects = ScopedManager()

    class Meta:
        ordering = ["on", "id"]
        verbose_name = verbose_name_plural = "验题记录"

    def __str__(self) -> str:
        return f"验题 {self.problem_id} {self.on}"


class MarketEvaluation(models.Model):
    """Market evaluation (市场评价) at 6 and 12 months after acceptance (issue 17 item 1; parameters.toml)."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="evaluations")
    months = models.PositiveSmallIntegerField("验收后月数")
    on = models.DateField("评价日期")
    sales = models.BigIntegerField("成果带来的销售收入（元）")
    cost_saved = models.BigIntegerField("节约成本（元）")
    adopters = models.PositiveIntegerField("推广应用企业数")

    scope_region_field = "problem__division__code"
    scope_enterprise_field = "problem__enterprise_id"
    objects = ScopedManager()

    class Meta:
        ordering = ["months"]
        constraints = [models.UniqueConstraint(fields=["problem", "months"], name="market_eval_once")]
        verbose_name = verbose_name_plural = "市场评价"

    def __str__(self) -> str:
        return f"市场评价 {self.problem_id} {self.months}"


# --------------------------------------------------------------------------- major S&T projects (task 14)

class ProjectProgramme(models.TextChoices):
    JIANBING = "jianbing", "“尖兵”研发攻关计划"
    LINGYAN = "lingyan", "“领雁”研发攻关计划"
    MAJOR = "major", "省重大科技专项（其他）"
    NATIONAL = "national", "国家重大科技项目（跟踪）"


class UnitKind(models.TextChoices):
    ENTERPRISE = "enterprise", "企业"
    UNIVERSITY = "university", "高校"
    INSTITUTE = "institute", "科研院所"
    OTHER = "other", "其他单位"


class MajorProject(models.Model):
    """A provincial major S&T project (省重大科技专项 / 尖兵 / 领雁) or a tracked national one, located in the
    county of its first undertaking unit in the province (programmes.md §2.2, inferred)."""

    name = models.CharField("项目名称", max_length=200)
    programme = models.CharField("计划类别", max_length=12, choices=ProjectProgramme.choices)
    year = models.PositiveSmallIntegerField("立项年度")
    approved_on = models.DateField("立项日期")
    division = models.ForeignKey("regions.Division", to_field="code", db_column="division_code",
                                 on_delete=models.PROTECT, verbose_name="所在县（市、区）")
    field = models.CharField("技术领域", max_length=100, blank=True, default="")
    recommended_by_province = models.BooleanField("省推荐（国家项目）", default=False)
    lead_enterprise = models.ForeignKey("enterprises.Enterprise", null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="major_projects", verbose_name="第一承担企业")
    import_batch = models.ForeignKey("core.ImportBatch", null=True, blank=True, on_delete=models.SET_NULL, editable=False)

    scope_region_field = "division__code"
    scope_enterprise_field = "lead_enterprise_id"
    objects = ScopedManager()

    class Meta:
        ordering = ["-year", "name"]
        constraints = [models.UniqueConstraint(fields=["programme", "year", "name"], name="major_project_unique")]
        verbose_name = verbose_name_plural = "重大科技项目"

    def __str__(self) -> str:
        return self.name


class ProjectUnit(models.Model):
    """An undertaking unit (承担单位) of a project, in rank order (1 = first)."""

    project = models.ForeignKey(MajorProject, on_delete=models.CASCADE, related_name="units")
    rank = models.PositiveSmallIntegerField("排名")
    name = models.CharField("单位名称", max_length=200)
    kind = models.CharField("单位性质", max_length=12, choices=UnitKind.choices)
    in_province = models.BooleanField("省内单位", default=True)
    enterprise = models.ForeignKey("enterprises.Enterprise", null=True, blank=True, on_delete=models.SET_NULL,
                                   verbose_name="企业库中的企业")

    scope_region_field = "project__division__code"
    scope_enterprise_field = "project__lead_enterprise_id"
    objects = ScopedManager()

    class Meta:
        ordering = ["rank", "id"]
        verbose_name = verbose_name_plural = "项目承担单位"

    def __str__(self) -> str:
        return self.name


# --------------------------------------------------------------------------- new products (task 12)

class NewProductStage(models.TextChoices):
    APPLIED = "applied", "企业申报"
    COUNTY = "county", "县级审核通过"
    CITY = "city", "市级审核通过"
    APPROVED = "approved", "省级立项"
    APPRAISED = "appraised", "鉴定验收通过"
    FAILED = "failed", "鉴定验收未通过"
    REJECTED = "rejected", "未通过审核"


class NewProductProject(models.Model):
    """A provincial industrial new-product (new-technology) project (省级工业新产品(新技术)), programmes.md §1.2:
    enterprise filing → county → city → province approval (立项) → appraisal/acceptance (鉴定验收)."""

    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.PROTECT, related_name="new_products",
                                   verbose_name="申报企业")
    division = models.ForeignKey("regions.Division", to_field="code", db_column="division_code",
                                 on_delete=models.PROTECT, verbose_name="所在县（市、区）")
    name = models.CharField("产品（技术）名称", max_length=200)
    kind = models.CharField("类型", max_length=12, choices=[("product", "新产品"), ("technology", "新技术")],
                            default="product")
    cluster = models.ForeignKey("industries.Cluster", null=True, blank=True, on_delete=models.SET_NULL,
                                verbose_name="415X集群")
    year = models.PositiveSmallIntegerField("计划年度")
    stage = models.CharField("状态", max_length=12, choices=NewProductStage.choices, default=NewProductStage.APPLIED)
    applied_on = models.DateField("申报日期")
    county_on = models.DateField("县级审核日期", null=True, blank=True)
    city_on = models.DateField("市级审核日期", null=True, blank=True)
    approved_on = models.DateField("省级立项日期", null=True, blank=True)
    appraised_on = models.DateField("鉴定验收日期", null=True, blank=True)
    appraisal_result = models.CharField("鉴定验收结论", max_length=500, blank=True, default="")
    review_note = models.CharField("审核意见", max_length=500, blank=True, default="")
    import_batch = models.ForeignKey("core.ImportBatch", null=True, blank=True, on_delete=models.SET_NULL, editable=False)

    scope_region_field = "division__code"
    scope_enterprise_field = "enterprise_id"
    objects = ScopedManager()

    class Meta:
        ordering = ["-year", "name"]
        indexes = [models.Index(fields=["stage"]), models.Index(fields=["division"])]
        verbose_name = verbose_name_plural = "省级工业新产品项目"

    def __str__(self) -> str:
        return self.name


class SelectionKind(models.TextChoices):
    EXCELLENT = "excellent", "优秀工业新产品（新技术）"
    ACHIEVEMENT = "achievement", "先进技术成果"


class Selection(models.Model):
    """An excellent new product or a published advanced technology achievement (programmes.md §1.4–1.5)."""

    kind = models.CharField("类别", max_length=12, choices=SelectionKind.choices)
    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.PROTECT, related_name="selections",
                                   verbose_name="企业")
    division = models.ForeignKey("regions.Division", to_field="code", db_column="division_code",
                                 on_delete=models.PROTECT, verbose_name="所在县（市、区）")
    name = models.CharField("名称", max_length=200)
    year = models.PositiveSmallIntegerField("年度")
    published_on = models.DateField("公布日期")
    prize = models.CharField("等次", max_length=20, blank=True, default="")
    new_product = models.ForeignKey(NewProductProject, null=True, blank=True, on_delete=models.SET_NULL,
                                    verbose_name="来源新产品项目")
    import_batch = models.ForeignKey("core.ImportBatch", null=True, blank=True, on_delete=models.SET_NULL, editable=False)

    scope_region_field = "division__code"
    scope_enterprise_field = "enterprise_id"
    objects = ScopedManager()

    class Meta:
        ordering = ["-year", "kind", "name"]
        constraints = [models.UniqueConstraint(fields=["kind", "year", "name", "enterprise"], name="selection_unique")]
        verbose_name = verbose_name_plural = "优秀新产品与先进技术成果"

    def __str__(self) -> str:
        return self.name


# --------------------------------------------------------------------------- standards (task 13)

class StandardLevel(models.TextChoices):
    """The Standardization Law's kinds plus international (programmes.md §3.1)."""

    INTERNATIONAL = "international", "国际标准"
    NATIONAL = "national", "国家标准"
    INDUSTRY = "industry", "行业标准"
    LOCAL = "local", "地方标准"
    GROUP = "group", "团体标准"
    ENTERPRISE = "enterprise", "企业标准"


class StandardStatus(models.TextChoices):
    PROPOSED = "proposed", "立项"
    DRAFTING = "drafting", "在研"
    PUBLISHED = "published", "发布"
    WITHDRAWN = "withdrawn", "废止"


class StandardTheme(models.TextChoices):
    """The themes seed task 13 names for standards work (专题方向): "推进数字产业化与产业数字化标准化 … 推进双碳标准
    评价体系建设，修订高耗能行业标准，完善绿色制造标准" (seed_zh_simplified.txt l.24, task 13); 双碳 = 碳达峰碳中和, the
    seed's word. Blank: none of them."""

    DIGITAL = "digital", "数字产业化"
    CARBON = "carbon", "双碳"
    GREEN = "green", "绿色制造"
    ENERGY_INTENSIVE = "energy_intensive", "高耗能行业标准修订"


class Standard(models.Model):
    """A standard an enterprise of the register leads or takes part in (fields: programmes.md §3.2, inferred).
    One row per standard and enterprise: the enterprise's role (主导/参与) and its rank among the drafters."""

    number = models.CharField("标准号", max_length=60, blank=True, default="")
    name = models.CharField("标准名称", max_length=200)
    level = models.CharField("级别", max_length=14, choices=StandardLevel.choices)
    revision = models.BooleanField("修订（否则为制定）", default=False)
    status = models.CharField("状态", max_length=10, choices=StandardStatus.choices)
    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.PROTECT, related_name="standards",
                                   verbose_name="企业")
    division = models.ForeignKey("regions.Division", to_field="code", db_column="division_code",
                                 on_delete=models.PROTECT, verbose_name="所在县（市、区）")
    role = models.CharField("角色", max_length=12, choices=[("lead", "主导制定"), ("participate", "参与制定")])
    drafter_rank = models.PositiveSmallIntegerField("起草单位排名", null=True, blank=True)
    issuer = models.CharField("发布机构", max_length=100, blank=True, default="")
    published_on = models.DateField("发布日期", null=True, blank=True)
    cluster = models.ForeignKey("industries.Cluster", null=True, blank=True, on_delete=models.SET_NULL,
                                verbose_name="415X集群")
    theme = models.CharField("专题方向", max_length=20, choices=StandardTheme.choices, blank=True, default="")
    #: a "浙江制造" standard: an advanced group standard of the 浙江制造 brand (programmes.md §3.3), so only on 团体标准
    zhejiang_made = models.BooleanField("浙江制造标准", default=False)
    import_batch = models.ForeignKey("core.ImportBatch", null=True, blank=True, on_delete=models.SET_NULL, editable=False)

    scope_region_field = "division__code"
    scope_enterprise_field = "enterprise_id"
    objects = ScopedManager()

    class Meta:
        ordering = ["-published_on", "name"]
        constraints = [models.UniqueConstraint(fields=["name", "level", "enterprise"], name="standard_enterprise_unique")]
        verbose_name = verbose_name_plural = "企业参与的标准"

    def __str__(self) -> str:
        return self.name


class CertificateEnd(models.TextChoices):
    """How a 品字标 certificate ended before its validity ran out (the certification steps, programmes.md §3.3:
    surveillance can end a certificate). From the end's date on it is not in force; a 暂停 lifted later is
    recorded by clearing the end."""

    REVOKED = "revoked", "撤销"
    CANCELLED = "cancelled", "注销"
    SUSPENDED = "suspended", "暂停"


class BrandCertificate(models.Model):
    """A 品字标 (浙江制造) certificate of one product of an enterprise (品字标认证证书): issued by a body of the
    浙江制造国际认证联盟 against a 浙江制造 standard (programmes.md §3.3). In force on a date by
    :func:`xinzhi.programs.brand.in_force_q` (the one rule)."""

    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.PROTECT, related_name="brand_certificates",
                                   verbose_name="企业")
    division = models.ForeignKey("regions.Division", to_field="code", db_column="division_code",
                                 on_delete=models.PROTECT, verbose_name="所在县（市、区）")
    product = models.CharField("认证产品", max_length=200)
    number = models.CharField("证书编号", max_length=60, unique=True)
    standard_number = models.CharField("依据的浙江制造标准号", max_length=60)
    certifier = models.CharField("认证机构", max_length=100)
    issued_on = models.DateField("发证日期")
    valid_until = models.DateField("有效期至")
    end_kind = models.CharField("证书终止", max_length=10, choices=CertificateEnd.choices, blank=True, default="")
    ended_on = models.DateField("终止日期", null=True, blank=True)
    import_batch = models.ForeignKey("core.ImportBatch", null=True, blank=True, on_delete=models.SET_NULL, editable=False)

    scope_region_field = "division__code"
    scope_enterprise_field = "enterprise_id"
    objects = ScopedManager()

    class Meta:
        ordering = ["-issued_on", "number"]
        verbose_name = verbose_name_plural = "品字标认证证书"

    def __str__(self) -> str:
        return self.number


class BenchmarkLevel(models.TextChoices):
    """The level of the benchmark an enterprise compares its product with (对标对象的水平; inferred from the
    national 对标达标 action's wording, programmes.md §3.4)."""

    INTERNATIONAL_ADVANCED = "intl_advanced", "国际先进"
    DOMESTIC_ADVANCED = "domestic_advanced", "国内先进"
    INTERNATIONAL_STANDARD = "intl_standard", "国际标准"
    NATIONAL_STANDARD = "national_standard", "国家标准"
    INDUSTRY_STANDARD = "industry_standard", "行业标准"
    GROUP_STANDARD = "group_standard", "团体标准"
    OTHER = "other", "其他"


class BenchmarkResult(models.TextChoices):
    MET = "met", "达标"
    LEADING = "leading", "领先"
    NOT_MET = "not_met", "未达标"


class BenchmarkPlan(models.Model):
    """A benchmarking plan (对标技术方案) of one product of an enterprise and, once known, its result (对标结果):
    the national 百城千业万企对标达标提升专项行动 (programmes.md §3.4). The benchmark (对标对象) is a standard of
    the register or free text (an international standard number, a leading foreign product). The Zhejiang
    经信厅's own 对标达标 action is NOT FOUND; the fields are inferred from the national platform's plan/result."""

    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.PROTECT, related_name="benchmark_plans",
                                   verbose_name="企业")
    division = models.ForeignKey("regions.Division", to_field="code", db_column="division_code",
                                 on_delete=models.PROTECT, verbose_name="所在县（市、区）")
    product = models.CharField("产品名称", max_length=200)
    benchmark = models.CharField("对标对象", max_length=200, help_text="标准号及名称，或国内外先进产品")
    standard = models.ForeignKey(Standard, null=True, blank=True, on_delete=models.SET_NULL, related_name="benchmark_plans",
                                 verbose_name="对标标准（标准库）")
    level = models.CharField("对标水平", max_length=20, choices=BenchmarkLevel.choices)
    indicators = models.TextField("对比的关键指标", blank=True, default="")
    planned_on = models.DateField("方案发布日期")
    cluster = models.ForeignKey("industries.Cluster", null=True, blank=True, on_delete=models.SET_NULL,
                                verbose_name="415X集群")
    cluster_inferred = models.BooleanField("集群按行业推断", default=False,
                                           help_text="未填写集群时按企业所属行业与集群行业映射推断")
    result = models.CharField("对标结果", max_length=10, choices=BenchmarkResult.choices, blank=True, default="")
    result_on = models.DateField("结果日期", null=True, blank=True)
    result_note = models.TextField("结果说明", blank=True, default="")
    import_batch = models.ForeignKey("core.ImportBatch", null=True, blank=True, on_delete=models.SET_NULL, editable=False)

    scope_region_field = "division__code"
    scope_enterprise_field = "enterprise_id"
    objects = ScopedManager()

    class Meta:
        ordering = ["-planned_on", "product"]
        constraints = [models.UniqueConstraint(fields=["enterprise", "product", "benchmark"],
                                               name="benchmark_plan_unique")]
        verbose_name = verbose_name_plural = "对标达标方案"

    def __str__(self) -> str:
        return f"{self.product} 对标 {self.benchmark}"


# --------------------------------------------------------------------------- research-needs call (task 14)

class ResearchCall(models.Model):
    """An annual call for enterprise-led research needs (企业主导的科技攻关需求征集); the rules are in
    :mod:`xinzhi.programs.calls`. Its expert review is an evaluation round (``round``, scheme
    ``research_need_review``). Calls are public to every signed-in user."""

    STATE_CHOICES = list(calls.CALL_LABELS.items())

    year = models.PositiveSmallIntegerField("征集年度")
    name = models.CharField("名称", max_length=200)
    deadline = models.DateField("申报截止日期")
    guide = models.TextField("征集指南", blank=True, default="")
    recommend_quota = models.PositiveSmallIntegerField("推荐名额", help_text="排序前若干名推荐至省科技计划（待核实）")
    state = models.CharField("状态", max_length=12, choices=STATE_CHOICES, default=calls.OPEN)
    round = models.OneToOneField("evaluation.Round", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="research_call", verbose_name="专家评审批次")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                  verbose_name="发布人")
    opened_on = models.DateField("发布日期")
    published_on = models.DateField("排序公布日期", null=True, blank=True)
    recommended_on = models.DateField("推荐日期", null=True, blank=True)

    scope_region_field = None
    objects = ScopedManager()

    class Meta:
        ordering = ["-year", "-id"]
        constraints = [models.UniqueConstraint(fields=["year", "name"], name="research_call_unique")]
        verbose_name = verbose_name_plural = "科技攻关需求征集"

    def __str__(self) -> str:
        return self.name


class ResearchNeed(models.Model):
    """An enterprise-led submission to a call: the lead enterprise, its partners, the problem, the
    targets and the budget; vetted by county and city, reviewed by experts, ranked, recommended."""

    STATE_CHOICES = list(calls.LABELS.items())

    call = models.ForeignKey(ResearchCall, on_delete=models.PROTECT, related_name="needs", verbose_name="征集")
    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.PROTECT, related_name="research_needs",
                                   verbose_name="牵头企业")
    division = models.ForeignKey("regions.Division", to_field="code", db_column="division_code",
                                 on_delete=models.PROTECT, verbose_name="所在县（市、区）")
    title = models.CharField("需求名称", max_length=200)
    field = models.CharField("技术领域", max_length=100)
    cluster = models.ForeignKey("industries.Cluster", null=True, blank=True, on_delete=models.SET_NULL,
                                verbose_name="415X集群")
    problem = models.TextField("需解决的关键技术难题")
    targets = models.TextField("攻关目标与考核指标")
    budget = models.BigIntegerField("总预算（元）")
    self_funded = models.BigIntegerField("企业自筹（元）", default=0)
    months = models.PositiveSmallIntegerField("实施周期（月）", default=36)
    loop_problem = models.ForeignKey(Problem, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="research_needs", verbose_name="来源企业技术难题")
    state = models.CharField("状态", max_length=14, choices=STATE_CHOICES, default=calls.SUBMITTED)
    submitted_on = models.DateField("提交日期")
    county_on = models.DateField("县级审核日期", null=True, blank=True)
    city_on = models.DateField("市级推荐日期", null=True, blank=True)
    review_note = models.CharField("审核意见", max_length=500, blank=True, default="")
    total_score = models.DecimalField("评审总分", max_digits=7, decimal_places=2, null=True, blank=True)
    rank = models.PositiveSmallIntegerField("排序", null=True, blank=True)
    tied = models.BooleanField("并列", default=False)
    major_project = models.OneToOneField(MajorProject, null=True, blank=True, on_delete=models.SET_NULL,
                                         related_name="research_need", verbose_name="立项的重大科技项目")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                     verbose_name="提交人")
    import_batch = models.ForeignKey("core.ImportBatch", null=True, blank=True, on_delete=models.SET_NULL, editable=False)

    scope_region_field = "division__code"
    scope_enterprise_field = "enterprise_id"
    objects = ScopedManager()

    class Meta:
        ordering = ["call", "rank", "id"]
        indexes = [models.Index(fields=["call", "state"])]
        verbose_name = verbose_name_plural = "科技攻关需求"

    def __str__(self) -> str:
        return self.title

    @property
    def state_label(self) -> str:
        return calls.LABELS.get(self.state, self.state)


class NeedPartner(models.Model):
    """A partner of a submission (合作单位), in order after the lead enterprise (rank 2, 3, …). An expert
    working for a partner is never assigned to review the submission."""

    need = models.ForeignKey(ResearchNeed, on_delete=models.CASCADE, related_name="partners")
    rank = models.PositiveSmallIntegerField("排名")
    name = models.CharField("单位名称", max_length=200)
    kind = models.CharField("单位性质", max_length=12, choices=UnitKind.choices)
    enterprise = models.ForeignKey("enterprises.Enterprise", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="企业库中的企业")
    in_province = models.BooleanField("省内单位", default=True)

    scope_region_field = "need__division__code"
    scope_enterprise_field = "need__enterprise_id"
    objects = ScopedManager()

    class Meta:
        ordering = ["rank", "id"]
        verbose_name = verbose_name_plural = "需求合作单位"

    def __str__(self) -> str:
        return self.name


class NeedStep(StepRecord):
    """One step on a submission: who, when, from which state to which, and why (also audited)."""

    need = models.ForeignKey(ResearchNeed, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField("办理事项", max_length=20)
    from_state = models.CharField("原状态", max_length=14)
    to_state = models.CharField("新状态", max_length=14)

    scope_region_field = "need__division__code"
    scope_enterprise_field = "need__enterprise_id"

    class Meta(StepRecord.Meta):
        verbose_name = verbose_name_plural = "需求办理记录"

    def __str__(self) -> str:
        return f"{self.need_id}:{self.action}"

    @property
    def action_label(self) -> str:
        step = calls.STEPS.get(self.action)
        return step.label if step else "提交申报"

    @property
    def actor_unit(self) -> str:
        """Who took the step, as a unit (the lead enterprise or a bureau), not a person's login: known from the
        stored actor; where none is stored (demo history), from the role the step belongs to."""
        actor = self.actor
        if actor is not None:
            if actor.role == "enterprise":
                return "牵头企业"
            division = actor.division
            if division is not None:
                return "省经信厅" if division.level == "province" else f"{division.name}经信部门"
        step = calls.STEPS.get(self.action)
        return calls.ACTOR_LABELS[step.actor if step else calls.OWNER]

    @property
    def from_state_label(self) -> str:
        return calls.LABELS.get(self.from_state, "—")

    @property
    def to_state_label(self) -> str:
        return calls.LABELS.get(self.to_state, self.to_state)


# --------------------------------------------------------------------------- application scenarios (task 12)

class ProviderKind(models.TextChoices):
    ENTERPRISE = "enterprise", "企业"
    SOE = "soe", "国有企业"
    GOVERNMENT = "government", "政府部门"
    HOSPITAL = "hospital", "医院"
    OTHER = "other", "其他单位"


class Scenario(models.Model):
    """An application scenario opened to new technologies and products (应用场景). No provincial mechanism
    was found; the model is Jiaxing's 嘉政办发〔2025〕17号 (programmes.md §1.6): scenarios opened by leading
    firms, state-owned enterprises and government units, listed in scenario catalogues. The rules are in
    :mod:`xinzhi.programs.scenarios`. An enterprise user sees the scenarios still collecting (征集中), the
    ones it provides and the ones it applied to (``scenario_services.visible_scenarios``)."""

    STATE_CHOICES = list(scenarios.LABELS.items())

    name = models.CharField("场景名称", max_length=200)
    provider_name = models.CharField("场景提供方", max_length=200)
    provider_kind = models.CharField("提供方类型", max_length=12, choices=ProviderKind.choices)
    provider_enterprise = models.ForeignKey("enterprises.Enterprise", null=True, blank=True, on_delete=models.SET_NULL,
                                            related_name="provided_scenarios", verbose_name="企业库中的提供方")
    division = models.ForeignKey("regions.Division", to_field="code", db_column="division_code",
                                 on_delete=models.PROTECT, verbose_name="所在县（市、区）")
    cluster = models.ForeignKey("industries.Cluster", null=True, blank=True, on_delete=models.SET_NULL,
                                verbose_name="415X集群")
    field = models.CharField("应用领域", max_length=100)
    need = models.TextField("需求描述")
    opened_on = models.DateField("开放日期")
    deadline = models.DateField("征集截止日期")
    state = models.CharField("状态", max_length=10, choices=STATE_CHOICES, default=scenarios.OPEN)
    matched_on = models.DateField("对接日期", null=True, blank=True)
    landed_on = models.DateField("落地日期", null=True, blank=True)
    closed_on = models.DateField("关闭日期", null=True, blank=True)
    close_reason = models.CharField("关闭理由", max_length=500, blank=True, default="")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                  verbose_name="登记人")
    import_batch = models.ForeignKey("core.ImportBatch", null=True, blank=True, on_delete=models.SET_NULL, editable=False)

    scope_region_field = "division__code"
    scope_enterprise_field = "provider_enterprise_id"
    objects = ScopedManager()

    class Meta:
        ordering = ["-opened_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["division", "name", "opened_on"], name="scenario_unique")]
        indexes = [models.Index(fields=["state"]), models.Index(fields=["division"])]
        verbose_name = verbose_name_plural = "应用场景"

    def __str__(self) -> str:
        return self.name

    @property
    def state_label(self) -> str:
        return scenarios.LABELS.get(self.state, self.state)


class ScenarioMatch(models.Model):
    """A product an enterprise applies to a scenario (场景对接): an excellent new product / advanced
    achievement of its own, a new-product project of its own, or a product named in free text; staff record
    its progress 对接 → 试用 → 落地."""

    STATE_CHOICES = list(scenarios.MATCH_LABELS.items())

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="matches", verbose_name="应用场景")
    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.PROTECT, related_name="scenario_matches",
                                   verbose_name="应用企业")
    product_name = models.CharField("产品（技术）名称", max_length=200)
    selection = models.ForeignKey(Selection, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                  verbose_name="优秀新产品或先进技术成果")
    new_product = models.ForeignKey(NewProductProject, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name="新产品项目")
    state = models.CharField("状态", max_length=10, choices=STATE_CHOICES, default=scenarios.APPLIED)
    applied_on = models.DateField("报名日期")
    talking_on = models.DateField("对接日期", null=True, blank=True)
    trial_on = models.DateField("试用日期", null=True, blank=True)
    landed_on = models.DateField("落地日期", null=True, blank=True)
    declined_on = models.DateField("未采用日期", null=True, blank=True)
    note = models.CharField("说明", max_length=500, blank=True, default="")
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name="报名人")
    import_batch = models.ForeignKey("core.ImportBatch", null=True, blank=True, on_delete=models.SET_NULL, editable=False)

    scope_region_field = "scenario__division__code"
    scope_enterprise_field = "enterprise_id"
    objects = ScopedManager()

    class Meta:
        ordering = ["scenario", "applied_on", "id"]
        constraints = [models.UniqueConstraint(fields=["scenario", "enterprise", "product_name"],
                                               name="scenario_match_unique")]
        verbose_name = verbose_name_plural = "场景对接"

    def __str__(self) -> str:
        return self.product_name

    @property
    def state_label(self) -> str:
        return scenarios.MATCH_LABELS.get(self.state, self.state)

    @property
    def source_label(self) -> str:
        if self.selection_id:
            return self.selection.get_kind_display()
        if self.new_product_id:
            return "省级工业新产品项目"
        return "企业自报产品"


class ScenarioStep(StepRecord):
    """One step on a scenario or on one of its matches (``match`` set): who, when, from which state to which."""

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="steps")
    match = models.ForeignKey(ScenarioMatch, null=True, blank=True, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField("办理事项", max_length=12)
    from_state = models.CharField("原状态", max_length=10)
    to_state = models.CharField("新状态", max_length=10)

    scope_region_field = "scenario__division__code"
    scope_enterprise_field = "match__enterprise_id"

    class Meta(StepRecord.Meta):
        verbose_name = verbose_name_plural = "场景办理记录"

    def __str__(self) -> str:
        return f"{self.scenario_id}:{self.action}"

    @property
    def action_label(self) -> str:
        steps = scenarios.MATCH_STEPS if self.match_id else scenarios.SCENARIO_STEPS
        step = steps.get(self.action)
        return step.label if step else {"open": "开放场景", "apply": "报名应用"}.get(self.action, self.action)

    @property
    def to_state_label(self) -> str:
        labels = scenarios.MATCH_LABELS if self.match_id else scenarios.LABELS
        return labels.get(self.to_state, self.to_state)
