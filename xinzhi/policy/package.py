"""The annual "report once" data package (最多报一次): one enterprise's inputs for every rule.

An enterprise reports one package per fiscal year; every programme in :mod:`xinzhi.policy.variables` reads
from it and nothing else. Units:

* money: yuan (元) as :class:`~decimal.Decimal`, at most 2 decimal places (fen); JSON gives it as
  a string (``"52300000.50"``) or an integer — never a float;
* counts: non-negative integers; dates: ``YYYY-MM-DD``; years: 4-digit integers.

:func:`parse_package` builds the typed structure from a JSON object (a ``dict``) and raises
:class:`PackageValidationError` listing every problem, each naming the field and the reason in
Chinese. ``docs/report-once-package.md`` documents every field (generated from the metadata here
by :func:`field_table`).
"""

from __future__ import annotations

import csv
import dataclasses
import types
import typing
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any

from xinzhi.core import uscc as uscc_mod

SCHEMA = "xinzhi.report_once/1"
INDUSTRY_CSV = Path(__file__).resolve().parent.parent / "data" / "industry_gbt4754_2017.csv"

INCIDENT_TYPES = {
    "major_safety_accident": "重大安全事故",
    "major_quality_accident": "重大质量事故",
    "serious_environmental_violation": "严重环境违法行为",
    "research_misconduct": "科研严重失信行为",
    "serious_fraud": "严重弄虚作假行为",
    "abnormal_operation_list": "列入经营异常名录",
    "serious_violation_list": "列入严重违法失信名单",
}
COLLECTION_METHODS = {"audit": "查账征收", "deemed": "核定征收"}


def _f(zh: str, unit: str = "", doc: str = "", default: Any = dataclasses.MISSING,
       factory: Any = dataclasses.MISSING, signed: bool = False, choices: Mapping[str, str] | None = None) -> Any:
    """A dataclass field carrying its Chinese label, unit and documentation."""
    meta = {"zh": zh, "unit": unit, "doc": doc, "signed": signed, "choices": choices}
    if factory is not dataclasses.MISSING:
        return field(default_factory=factory, metadata=meta)
    if default is dataclasses.MISSING:
        return field(metadata=meta)
    return field(default=default, metadata=meta)


YUAN = "元"
ZERO = Decimal(0)


@dataclass(frozen=True)
class Revenue:
    """Revenue figures of the package year."""

    total_revenue: Decimal = _f("总收入", YUAN, "收入总额减不征税收入；高企条件（六）、技术先进型服务企业收入比例的分母")
    sales_revenue: Decimal = _f("销售收入", YUAN, "主营业务收入与其他业务收入之和（不含增值税）；高企研发比例分档、科小规模上限、增长率、先进制造业全部销售额")
    high_tech_revenue: Decimal = _f("高新技术产品（服务）收入", YUAN, "近一年高新技术产品（服务）收入；高企条件（六）")
    manufacturing_sales: Decimal = _f("制造业销售额", YUAN, "不含增值税；先进制造业企业名单条件", default=ZERO)
    advanced_service_revenue: Decimal = _f("技术先进型服务业务收入", YUAN, "从事《技术先进型服务业务认定范围（试行）》业务取得的收入", default=ZERO)
    offshore_outsourcing_revenue: Decimal = _f("离岸服务外包业务收入", YUAN, "", default=ZERO)
    total_costs_expenses: Decimal | None = _f("成本费用支出总额", YUAN, "科小研发投入指标方式二的分母；不填则只按方式一计分", default=None)
    export_sales: Decimal = _f("出口及跨境应税销售额", YUAN, "增值税加计抵减：不得计提部分的分摊依据", default=ZERO)


@dataclass(frozen=True)
class RdExpense:
    """R&D expenses of the package year by the official categories (实际发生额)."""

    personnel: Decimal = _f("人员人工费用", YUAN)
    direct_input: Decimal = _f("直接投入费用", YUAN)
    depreciation: Decimal = _f("折旧费用（与长期待摊费用）", YUAN, "会计口径；高企研发费用按此归集")
    amortisation: Decimal = _f("无形资产摊销费用", YUAN)
    design_and_trials: Decimal = _f("设计费用及新工艺规程制定、临床试验、现场试验费", YUAN, "加计扣除前五项之第五项；高企口径的设计费用与试验费用")
    depreciation_tax: Decimal | None = _f("其中：税前扣除的折旧额（税法口径）", YUAN,
                                          "研发设备享受加速折旧的，加计扣除按税前扣除的折旧额计算（国家税务总局公告2017年第40号）；"
                                          "不填则与会计口径相同", default=None)
    equipment_debugging: Decimal = _f("装备调试费用", YUAN, "只计入高企口径", default=ZERO)
    other: Decimal = _f("其他（相关）费用", YUAN, "高企口径限20%，加计扣除口径限10%（自动计算限额）", default=ZERO)
    entrusted_domestic: Decimal = _f("委托境内研发实际发生额", YUAN, "按80%计入", default=ZERO)
    entrusted_abroad: Decimal = _f("委托境外研发实际发生额", YUAN, "按80%计入；加计扣除不超过境内符合条件研发费用的2/3", default=ZERO)
    in_china: Decimal | None = _f("境内研发费用（高企口径）", YUAN, "不填则按 高企口径研发费用 − 委托境外计入额 计算", default=None)
    capitalised: Decimal = _f("本年资本化研发支出", YUAN, "形成无形资产的部分，不参与本年费用化加计", default=ZERO)
    capitalised_amortisation: Decimal = _f("研发形成无形资产本年摊销额", YUAN, "按摊销倍数加计", default=ZERO)


@dataclass(frozen=True)
class Staff:
    """Staff counts of the package year."""

    total: int = _f("职工总数", "人", "含全职、兼职和临时聘用人员（兼职、临时聘用人员全年须在企业累计工作183天以上/6个月以上）")
    st_staff: int = _f("科技人员数", "人", "直接从事研发和相关技术创新活动及专门从事上述活动的管理和提供直接技术服务的人员")
    college_or_above: int | None = _f("大专及以上学历人数", "人", "技术先进型服务企业条件", default=None)


@dataclass(frozen=True)
class IntellectualProperty:
    """Valid IP related to the main products/services, by class and how obtained."""

    class1_own: int = _f("Ⅰ类知识产权（自主研发）", "件", "发明专利、植物新品种、国家级农作物品种、国家新药、国家一级中药保护品种、集成电路布图设计专有权", default=0)
    class1_acquired: int = _f("Ⅰ类知识产权（受让、受赠、并购）", "件", default=0)
    class2_own: int = _f("Ⅱ类知识产权（自主研发）", "件", "实用新型、外观设计、软件著作权等（不含商标）", default=0)
    class2_acquired: int = _f("Ⅱ类知识产权（受让、受赠、并购）", "件", default=0)
    class2_used_before: int = _f("已在以往高企认定中使用过的Ⅱ类知识产权", "件", "Ⅱ类知识产权在高企申请中仅限使用一次", default=0)

    @property
    def class1(self) -> int:
        return self.class1_own + self.class1_acquired

    @property
    def class2(self) -> int:
        return self.class2_own + self.class2_acquired


@dataclass(frozen=True)
class PriorYear:
    """Figures of an earlier fiscal year (for the 3-year R&D ratio and the growth rates)."""

    year: int = _f("年度", "年")
    sales_revenue: Decimal = _f("销售收入", YUAN)
    net_assets: Decimal = _f("年末净资产", YUAN, "资产总额减负债总额（经审计）", signed=True)
    rd_expense: Decimal = _f("研究开发费用（高企口径合计）", YUAN)
    rd_domestic: Decimal | None = _f("其中：境内研究开发费用", YUAN,
                                     "在中国境内发生的研究开发费用；高企条件（五）境内占比按近三年合计计算，不填则该条件待补充",
                                     default=None)


@dataclass(frozen=True)
class RdManagement:
    """R&D-management items (研究开发组织管理); inform the expert score and the hints."""

    has_rd_rules: bool = _f("制定了研究开发的组织管理制度、建立了研发投入核算体系", "是/否", default=False)
    has_rd_ledger: bool = _f("编制了研发费用辅助账", "是/否", default=False)
    has_rd_institution: bool = _f("设立了内部研究开发机构并具备相应条件", "是/否", default=False)
    has_industry_university_cooperation: bool = _f("开展产学研合作", "是/否", default=False)
    has_conversion_rules: bool = _f("建立了科技成果转化的组织实施与激励奖励制度", "是/否", default=False)
    has_open_platform: bool = _f("建立开放式的创新创业平台", "是/否", default=False)
    has_talent_system: bool = _f("建立了科技人员培养进修、职工技能培训、优秀人才引进及绩效评价奖励制度", "是/否", default=False)


@dataclass(frozen=True)
class Incident:
    """One incident (accident, violation, dishonesty or listing) with its date."""

    type: str = _f("类型", "", "见下表“事件类型”", choices=INCIDENT_TYPES)
    date: date = _f("发生（列入）日期", "日期")


@dataclass(frozen=True)
class Loss:
    """An unrecovered tax loss of an earlier year (尚未弥补的亏损)."""

    year: int = _f("亏损年度", "年")
    amount: Decimal = _f("尚未弥补金额", YUAN)


@dataclass(frozen=True)
class Tax:
    """Tax figures of the package year."""

    collection_method: str = _f("企业所得税征收方式", "", "audit=查账征收，deemed=核定征收", default="audit", choices=COLLECTION_METHODS)
    vat_general_taxpayer: bool = _f("增值税一般纳税人", "是/否", default=False)
    creditable_input_vat: Decimal = _f("本年可抵扣进项税额", YUAN, default=ZERO)
    input_vat_transferred_out: Decimal = _f("本年转出的已计提加计抵减的进项税额", YUAN, default=ZERO)
    export_input_vat: Decimal = _f("其中：对应出口及跨境应税行为的进项税额", YUAN, "不得计提加计抵减", default=ZERO)
    unsplittable_input_vat: Decimal = _f("其中：无法划分的进项税额", YUAN, "按出口及跨境销售额占比分摊不得计提部分", default=ZERO)
    vat_payable_before_deduction: Decimal | None = _f("抵减前的应纳税额（一般计税方法）", YUAN, "全年合计；不填则只计算计提额", default=None)
    vat_credit_brought_forward: Decimal = _f("上期末加计抵减额余额", YUAN, default=ZERO)
    other_vat_deduction_chosen: bool = _f("已选择适用其他增值税加计抵减政策", "是/否", "同一期间不得叠加", default=False)
    taxable_income_before_losses: Decimal | None = _f("弥补亏损前应纳税所得额", YUAN, "可为负数（亏损）", default=None, signed=True)
    losses: list[Loss] = _f("以前年度尚未弥补的亏损", "", factory=list)
    ic_enterprise: bool = _f("集成电路企业（在清单内）", "是/否", default=False)
    industrial_mother_machine_enterprise: bool = _f("工业母机企业（在清单内）", "是/否", default=False)
    claims_rd_super_deduction: bool | None = _f("本年已享受研发费用加计扣除", "是/否", "不填=未说明；false 且符合条件时列入应享尽享清单", default=None)
    claims_vat_additional_deduction: bool | None = _f("本年已享受先进制造业企业增值税加计抵减", "是/否", "不填=未说明；false 且符合条件时列入应享尽享清单", default=None)
    claims_hte_rate: bool | None = _f("本年已按15%高新技术企业税率缴纳企业所得税", "是/否", "不填=未说明；false 且符合条件时列入应享尽享清单", default=None)


@dataclass(frozen=True)
class Holdings:
    """Qualifications, institutions, standards and awards the enterprise holds."""

    hte_certificate_issue_date: date | None = _f("高新技术企业证书颁发日期", "日期", default=None)
    hte_field: str | None = _f("核心技术所属《国家重点支持的高新技术领域》", "", "八大领域之一", default=None)
    provincial_rd_institution: bool = _f("拥有省部级以上研发机构", "是/否", default=False)
    led_standard_years: list[int] = _f("主导制定国际、国家或行业标准的年份", "年", factory=list)
    participated_standard: bool = _f("参与编制国家标准、行业标准、检测方法、技术规范", "是/否", "高企知识产权加分项", default=False)
    national_award_years: list[int] = _f("获国家级科技奖励（获奖单位前三名）的年份", "年", factory=list)
    advanced_service_scope: bool = _f("从事《技术先进型服务业务认定范围（试行）》内业务", "是/否", default=False)
    qualified_years: list[int] = _f("以往具备高企或科小资格的年度", "年", "用于亏损结转10年", factory=list)


@dataclass(frozen=True)
class Compliance:
    """Registration and compliance facts."""

    registered_in_mainland: bool = _f("在中国境内（不含港澳台）注册的居民企业", "是/否", default=True)
    restricted_category: bool = _f("产品（服务）属于国家禁止、限制和淘汰类", "是/否", default=False)


@dataclass(frozen=True)
class ExpertScores:
    """Expert-judged parts of the HTE innovation-capability score (整数分). Missing = not yet scored."""

    ip_advancement: int | None = _f("技术的先进程度", "分", "0–8", default=None)
    ip_core_support: int | None = _f("核心支持作用", "分", "0–8", default=None)
    ip_quantity: int | None = _f("知识产权数量（本档区间内）", "分", "档次由件数计算", default=None)
    ip_acquisition: int | None = _f("知识产权获得方式（本档区间内）", "分", default=None)
    ip_standards_bonus: int | None = _f("参与标准制定加分", "分", "0–2", default=None)
    conversion: int | None = _f("科技成果转化能力（本档区间内）", "分", "档次由年均转化数计算", default=None)
    rd_org_rules: int | None = _f("研发组织管理制度、核算体系、辅助账", "分", "0–6", default=None)
    rd_institution: int | None = _f("研发机构与产学研合作", "分", "0–6", default=None)
    rd_conversion_rules: int | None = _f("成果转化制度与创新创业平台", "分", "0–4", default=None)
    rd_talent: int | None = _f("人才培养、引进与绩效奖励制度", "分", "0–4", default=None)
    growth_net_assets: int | None = _f("净资产增长率（本档区间内）", "分", "档次由增长率计算", default=None)
    growth_sales: int | None = _f("销售收入增长率（本档区间内）", "分", "档次由增长率计算", default=None)


@dataclass(frozen=True)
class AnnualPackage:
    """One enterprise's annual report-once package."""

    year: int = _f("数据年度（会计年度）", "年", "“近一年”即此年度")
    registration_date: date = _f("注册成立日期", "日期")
    industry_code: str = _f("行业代码", "", "GB/T 4754-2017 4位小类代码")
    revenue: Revenue = _f("收入")
    rd_expense: RdExpense = _f("研究开发费用")
    staff: Staff = _f("人员")
    net_assets: Decimal = _f("年末净资产", YUAN, "经审计", signed=True)
    total_assets: Decimal = _f("年末资产总额", YUAN)
    uscc: str = _f("统一社会信用代码", "", "18位，GB 32100-2015", default="")
    name: str = _f("企业名称", "", default="")
    application_date: date | None = _f("拟申请日期", "日期", "不填则按数据年度的12月31日", default=None)
    prior_years: list[PriorYear] = _f("以前年度数据（最多两年）", "", "用于近三年研发比例和成长性", factory=list)
    ip: IntellectualProperty = _f("知识产权", factory=IntellectualProperty)
    conversions: list[int] = _f("近三年每年科技成果转化数", "项", "按年份先后，最多3个", factory=list)
    rd_management: RdManagement = _f("研究开发组织管理", factory=RdManagement)
    incidents: list[Incident] = _f("事故、违法与失信事件", "", factory=list)
    tax: Tax = _f("税务", factory=Tax)
    holdings: Holdings = _f("资质与荣誉", factory=Holdings)
    compliance: Compliance = _f("登记与合规", factory=Compliance)
    expert_scores: ExpertScores = _f("专家评分（高企创新能力评价）", factory=ExpertScores)

    @property
    def assessment_date(self) -> date:
        """Application date for recognition rules; defaults to the last day of the data year."""
        return self.application_date or date(self.year, 12, 31)

    @property
    def industry_section(self) -> str:
        return industry_section(self.industry_code) or ""


# --------------------------------------------------------------------------- validation


@dataclass(frozen=True)
class FieldError:
    path: str
    label: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}（{self.label}）：{self.reason}" if self.label else f"{self.path}：{self.reason}"


class PackageValidationError(ValueError):
    """The package is invalid; ``errors`` lists every problem found."""

    def __init__(self, errors: list[FieldError]):
        self.errors = errors
        super().__init__("数据包校验未通过：\n" + "\n".join(f"- {e}" for e in errors))

    def as_list(self) -> list[dict[str, str]]:
        return [{"field": e.path, "label": e.label, "reason": e.reason} for e in self.errors]


@lru_cache(maxsize=1)
def _industry_rows() -> list[dict[str, str]]:
    with open(INDUSTRY_CSV, encoding="utf-8") as fh:
        return list(csv.DictReader(line for line in fh if not line.startswith("#")))


@lru_cache(maxsize=1)
def _industries() -> dict[str, tuple[str, str]]:
    """GB/T 4754-2017 code → (level, parent)."""
    return {r["code"]: (r["level"], r["parent_code"]) for r in _industry_rows()}


@lru_cache(maxsize=1)
def _industry_names() -> dict[str, str]:
    return {r["code"]: r["name"] for r in _industry_rows()}


def industry_name(code: str | None) -> str:
    """The Chinese name of a GB/T 4754-2017 code (section letter, division, group or class)."""
    return _industry_names().get(code or "", "")


def industry_section(code: str) -> str | None:
    """The section letter (门类) of a GB/T 4754-2017 code, or None if unknown."""
    table = _industries()
    while code in table:
        level, parent = table[code]
        if level == "section":
            return code
        code = parent
    return None


def industry_ancestors(code: str) -> list[str]:
    """The code and all its parents up to the section letter."""
    table = _industries()
    out = []
    while code in table:
        out.append(code)
        code = table[code][1]
    return out


class _Parser:
    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def error(self, path: str, label: str, reason: str) -> None:
        self.errors.append(FieldError(path, label, reason))

    def build(self, cls: type, data: Any, path: str) -> Any:
        if not isinstance(data, Mapping):
            self.error(path or "（根）", "", "应为JSON对象")
            return None
        hints = typing.get_type_hints(cls)
        names = {f.name for f in dataclasses.fields(cls)}
        for key in data:
            if key not in names and not (path == "" and key == "schema"):
                self.error(_join(path, key), "", "未知字段")
        kwargs = {}
        for f in dataclasses.fields(cls):
            sub = _join(path, f.name)
            label = f.metadata.get("zh", "")
            if f.name not in data or data[f.name] is None:
                if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                    self.error(sub, label, "缺少必填字段")
                continue
            value = self.value(hints[f.name], data[f.name], sub, f.metadata)
            if value is not _INVALID:
                kwargs[f.name] = value
        try:
            return cls(**kwargs)
        except TypeError:
            return None  # required fields missing; already reported

    def value(self, tp: Any, raw: Any, path: str, meta: Mapping[str, Any]) -> Any:
        label = meta.get("zh", "")
        origin = typing.get_origin(tp)
        if origin in (typing.Union, types.UnionType):
            tp = next(a for a in typing.get_args(tp) if a is not type(None))
            origin = typing.get_origin(tp)
        if origin is list:
            return self.list_value(typing.get_args(tp)[0], raw, path, meta)
        if dataclasses.is_dataclass(tp):
            built = self.build(tp, raw, path)
            return _INVALID if built is None else built
        parse = _SCALARS[tp]
        try:
            value = parse(raw, meta)
        except ValueError as exc:
            self.error(path, label, str(exc))
            return _INVALID
        return value

    def list_value(self, item_tp: Any, raw: Any, path: str, meta: Mapping[str, Any]) -> Any:
        if not isinstance(raw, list):
            self.error(path, meta.get("zh", ""), "应为数组")
            return _INVALID
        out = []
        for i, item in enumerate(raw):
            value = self.value(item_tp, item, f"{path}[{i}]", meta if not dataclasses.is_dataclass(item_tp) else {})
            if value is not _INVALID and value is not None:
                out.append(value)
        return out


_INVALID = object()


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _money(raw: Any, meta: Mapping[str, Any]) -> Decimal:
    if isinstance(raw, bool) or isinstance(raw, float):
        raise ValueError(f"金额须为字符串或整数（单位：元），不得使用浮点数，收到 {raw!r}")
    if not isinstance(raw, int | str | Decimal):
        raise ValueError(f"金额格式错误，收到 {raw!r}")
    try:
        value = Decimal(str(raw).strip().replace(",", ""))
    except InvalidOperation:
        raise ValueError(f"不是有效金额：“{raw}”") from None
    if not value.is_finite():
        raise ValueError(f"不是有效金额：“{raw}”")
    if value.as_tuple().exponent < -2:  # type: ignore[operator]
        raise ValueError(f"金额最多保留两位小数（分），收到“{raw}”")
    if value < 0 and not meta.get("signed"):
        raise ValueError(f"不得为负数，收到“{raw}”")
    return value


def _count(raw: Any, meta: Mapping[str, Any]) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int | str):
        raise ValueError(f"应为非负整数，收到 {raw!r}")
    try:
        value = int(str(raw).strip())
    except ValueError:
        raise ValueError(f"应为非负整数，收到“{raw}”") from None
    if value < 0:
        raise ValueError(f"不得为负数，收到 {value}")
    return value


def _bool(raw: Any, meta: Mapping[str, Any]) -> bool:
    if not isinstance(raw, bool):
        raise ValueError(f"应为 true 或 false，收到 {raw!r}")
    return raw


def _date(raw: Any, meta: Mapping[str, Any]) -> date:
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        raise ValueError(f"日期格式应为 YYYY-MM-DD，收到“{raw}”") from None


def _str(raw: Any, meta: Mapping[str, Any]) -> str:
    if not isinstance(raw, str):
        raise ValueError(f"应为字符串，收到 {raw!r}")
    choices = meta.get("choices")
    if choices and raw not in choices:
        allowed = "、".join(f"{k}（{v}）" for k, v in choices.items())
        raise ValueError(f"取值“{raw}”无效，应为：{allowed}")
    return raw.strip()


_SCALARS: dict[Any, Any] = {Decimal: _money, int: _count, bool: _bool, date: _date, str: _str}


def parse_package(data: Mapping[str, Any]) -> AnnualPackage:
    """Build and validate an :class:`AnnualPackage` from a JSON object.

    Raises :class:`PackageValidationError` listing every field error (Chinese reasons).
    """
    parser = _Parser()
    if isinstance(data, Mapping) and data.get("schema") not in (None, SCHEMA):
        parser.error("schema", "格式版本", f"应为“{SCHEMA}”，收到“{data.get('schema')}”")
    package = parser.build(AnnualPackage, data, "")
    if package is not None and not parser.errors:
        _check_consistency(package, parser)
    if parser.errors or package is None:
        raise PackageValidationError(parser.errors)
    return package


def _check_consistency(p: AnnualPackage, parser: _Parser) -> None:
    """Cross-field rules, each reported as a field error."""
    err = parser.error
    if not 1990 <= p.year <= 2100:
        err("year", "数据年度", f"年份 {p.year} 不合理")
    if p.registration_date.year > p.year:
        err("registration_date", "注册成立日期", f"晚于数据年度 {p.year}")
    if p.uscc:
        try:
            uscc_mod.validate(p.uscc)
        except uscc_mod.USCCError as exc:
            err("uscc", "统一社会信用代码", str(exc))
    level = _industries().get(p.industry_code, ("", ""))[0]
    if level != "class":
        err("industry_code", "行业代码", f"“{p.industry_code}”不是 GB/T 4754-2017 的4位小类代码")
    if p.staff.st_staff > p.staff.total:
        err("staff.st_staff", "科技人员数", f"{p.staff.st_staff} 人超过职工总数 {p.staff.total} 人")
    if p.staff.college_or_above is not None and p.staff.college_or_above > p.staff.total:
        err("staff.college_or_above", "大专及以上学历人数", "超过职工总数")
    if p.revenue.high_tech_revenue > p.revenue.total_revenue:
        err("revenue.high_tech_revenue", "高新技术产品（服务）收入", "超过总收入")
    if p.revenue.manufacturing_sales > p.revenue.sales_revenue:
        err("revenue.manufacturing_sales", "制造业销售额", "超过销售收入")
    if p.ip.class2_used_before > p.ip.class2:
        err("ip.class2_used_before", "已使用过的Ⅱ类知识产权", "超过Ⅱ类知识产权总数")
    if len(p.conversions) > 3:
        err("conversions", "近三年每年科技成果转化数", "最多3个年度")
    years = [y.year for y in p.prior_years]
    for i, y in enumerate(p.prior_years):
        if y.year not in (p.year - 1, p.year - 2):
            err(f"prior_years[{i}].year", "年度", f"应为 {p.year - 2} 或 {p.year - 1}，收到 {y.year}")
    if len(set(years)) != len(years):
        err("prior_years", "以前年度数据", "年度重复")
    for i, loss in enumerate(p.tax.losses):
        if loss.year >= p.year:
            err(f"tax.losses[{i}].year", "亏损年度", f"应早于数据年度 {p.year}")
    for i, y in enumerate(p.prior_years):
        if y.rd_domestic is not None and y.rd_domestic > y.rd_expense:
            err(f"prior_years[{i}].rd_domestic", "境内研究开发费用", "超过该年度研究开发费用")
    _check_expert_ranges(p, parser)


def _check_expert_ranges(p: AnnualPackage, parser: _Parser) -> None:
    """Each expert score within its item's maximum, as the parameters in force on the assessment date set it."""
    from .params import ParameterError, load_parameters
    from .variables.hte import expert_maxima

    try:
        maxima = expert_maxima(load_parameters().at(p.assessment_date))
    except ParameterError:  # a year the parameters do not cover: the screening refuses it with its own message
        return
    for f in dataclasses.fields(p.expert_scores):
        value = getattr(p.expert_scores, f.name)
        if value is not None and value > maxima[f.name]:
            parser.error(f"expert_scores.{f.name}", f.metadata["zh"], f"不得超过 {maxima[f.name]} 分")


# --------------------------------------------------------------------------- documentation


def field_table(cls: type = AnnualPackage, prefix: str = "") -> Iterator[tuple[str, str, str, str, str]]:
    """(path, Chinese label, type, unit, notes) for every field — the source of the package doc."""
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        tp = hints[f.name]
        path = _join(prefix, f.name)
        required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        notes = f.metadata.get("doc", "")
        if f.metadata.get("signed"):
            notes = (notes + "；可为负数").lstrip("；")
        if f.metadata.get("choices"):
            notes = (notes + "；取值：" + "、".join(f"`{k}`={v}" for k, v in f.metadata["choices"].items())).lstrip("；")
        inner, kind = _describe(tp)
        yield path, f.metadata.get("zh", ""), kind + ("" if required else "（选填）"), f.metadata.get("unit", ""), notes
        if dataclasses.is_dataclass(inner):
            yield from field_table(inner, path + ("[]" if typing.get_origin(_strip_optional(tp)) is list else ""))


def _strip_optional(tp: Any) -> Any:
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        return next(a for a in typing.get_args(tp) if a is not type(None))
    return tp


def _describe(tp: Any) -> tuple[Any, str]:
    tp = _strip_optional(tp)
    if typing.get_origin(tp) is list:
        inner = typing.get_args(tp)[0]
        return inner, "数组<" + _describe(inner)[1] + ">"
    names = {Decimal: "金额", int: "整数", bool: "布尔", date: "日期", str: "字符串"}
    if dataclasses.is_dataclass(tp):
        return tp, "对象"
    return tp, names[tp]


# --------------------------------------------------------------------------- back to JSON


def to_json(p: AnnualPackage) -> dict[str, Any]:
    """A parsed package as the JSON object it reads from (money as yuan strings, dates ISO, every field)."""
    def plain(value: Any) -> Any:
        if isinstance(value, Decimal):
            return str(value)
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, list):
            return [plain(v) for v in value]
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        return value

    return {"schema": SCHEMA, **plain(dataclasses.asdict(p))}


def defaults(cls: type = AnnualPackage, prefix: str = "") -> dict[str, Any]:
    """``{path: default}`` of every scalar field with a default — the one source of the defaults the
    flattener applies (:mod:`xinzhi.policy.frame`)."""
    out: dict[str, Any] = {}
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        path = _join(prefix, f.name)
        tp = _strip_optional(hints[f.name])
        if dataclasses.is_dataclass(tp):
            out.update(defaults(tp, path))
        elif f.default is not dataclasses.MISSING:
            out[path] = f.default
        elif f.default_factory is not dataclasses.MISSING:  # type: ignore[misc]
            out[path] = f.default_factory()  # type: ignore[misc]
    return out
