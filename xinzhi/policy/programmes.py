"""The programme registry: every programme the platform screens, once.

Each entry names its key (stored in the screening results), its Chinese label, whether its parameters are
read on the application date (recognitions and lists) or on 1 January of the tax year (tax incentives),
its conditions (declared in :mod:`xinzhi.policy.variables`), the stages that compute them, the column
holding its benefit, the benefit lines shown to the enterprise, the programmes it reads, and — for the
tax incentives — the package flag saying whether the enterprise already claims it. The lists, the pool,
the what-if, the enterprise answer, the API and the model choices all read this registry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from .conditions import Benefit, Condition
from .params import ParameterView
from .variables import (
    advanced_manufacturing,
    advanced_service,
    hte,
    hte_income_tax,
    rd_super_deduction,
    tech_sme,
)

RECOGNITION, TAX = "recognition", "tax"


@dataclass(frozen=True)
class Programme:
    key: str
    label: str
    basis: str  # RECOGNITION: parameters of the application date; TAX: of 1 January of the tax year
    conditions: tuple[Condition, ...]
    stages: Callable[[ParameterView, Any, Any], list[dict[str, pl.Expr]]]
    outputs: tuple[str, ...]
    benefit_column: str | None = None  # fen; what the lists show and the what-if counts
    benefit: tuple[Benefit, ...] = ()
    requires: tuple[str, ...] = ()
    period: str | None = None  # a parameter whose validity is the programme's own period (outside: not in force)
    claims_flag: str | None = None  # package column: the enterprise says it claims it (tax incentives)
    certificate: bool = False  # a recognition whose holders are 已认定
    near_via: str | None = None  # near-eligible when that programme is (the HTE rate follows HTE recognition)
    pre: Callable[[pl.DataFrame, ParameterView, int], pl.DataFrame] | None = None  # columns computed before the query
    summary: str | None = None  # one line when eligible, a template over the benefit slots
    notes: tuple[tuple[str, str], ...] = field(default_factory=tuple)  # (boolean column, template)
    holder: str = ""  # what a holder is called (a certificate's type), for recognitions

    @property
    def benefit_from(self) -> str | None:
        """The programme whose columns hold the benefit (another one for HTE and the list: one formula)."""
        return self.benefit_column.split(".")[0] if self.benefit_column else None

    @property
    def closable(self) -> tuple[Condition, ...]:
        return tuple(c for c in self.conditions if c.closable)


REGISTRY: tuple[Programme, ...] = (
    Programme(
        "hte", "高新技术企业认定", RECOGNITION, hte.CONDITIONS, hte.stages, hte.OUTPUTS, holder="高新技术企业",
        benefit_column="hte_income_tax.benefit_if_certified", certificate=True,
        benefit=(Benefit("认定后按{income_tax.hte_rate}税率（及亏损结转年限延长）估算每年少缴企业所得税",
                         "hte_income_tax.benefit_if_certified"),),
    ),
    Programme(
        "tech_sme", "科技型中小企业评价", RECOGNITION, tech_sme.CONDITIONS, tech_sme.stages, tech_sme.OUTPUTS,
        holder="科技型中小企业",
        benefit=(Benefit("研发费用加计扣除比例（科技型中小企业）", param="rd_super_deduction.tech_sme_expensed_extra_rate",
                         unit="ratio"),),
    ),
    Programme(
        "advanced_service", "技术先进型服务企业认定", RECOGNITION, advanced_service.CONDITIONS, advanced_service.stages,
        advanced_service.OUTPUTS, holder="技术先进型服务企业",
        benefit=(Benefit("企业所得税税率（与高新技术企业税率优惠不叠加）", param="advanced_service.income_tax_rate",
                         unit="ratio"),
                 Benefit("职工教育经费税前扣除上限（占工资薪金总额，超过部分结转）",
                         param="advanced_service.staff_education_deduction_share", unit="ratio")),
    ),
    Programme(
        "advanced_manufacturing", "先进制造业企业名单", TAX, advanced_manufacturing.CONDITIONS,
        advanced_manufacturing.am_stages, advanced_manufacturing.AM_OUTPUTS,
        period=advanced_manufacturing.PERIOD, benefit_column="vat_additional_deduction.benefit",
        benefit=(Benefit("列入名单后可享受的增值税加计抵减额（估算）", "vat_additional_deduction.benefit"),),
    ),
    Programme(
        "rd_super_deduction", "研发费用加计扣除", TAX, rd_super_deduction.CONDITIONS, rd_super_deduction.stages,
        rd_super_deduction.OUTPUTS, requires=("tech_sme", "hte_income_tax"), claims_flag="claims_rd",
        benefit_column="rd_super_deduction.tax_value",
        benefit=(Benefit("可加计扣除额", "rd_super_deduction.extra_deduction"),
                 Benefit("按适用税率估算少缴企业所得税（应纳税所得额足够时）", "rd_super_deduction.tax_value")),
        summary="可加计扣除{extra_deduction}，约少缴企业所得税{tax_value}",
    ),
    Programme(
        "vat_additional_deduction", "先进制造业企业增值税加计抵减", TAX, advanced_manufacturing.VAT_CONDITIONS,
        advanced_manufacturing.vat_stages, advanced_manufacturing.VAT_OUTPUTS, claims_flag="claims_vat",
        requires=("advanced_manufacturing",),
        period=advanced_manufacturing.PERIOD, benefit_column="vat_additional_deduction.benefit",
        benefit=(Benefit("本年计提加计抵减额", "vat_additional_deduction.accrued"),
                 Benefit("可抵减额（含上期结转）", "vat_additional_deduction.available"),
                 Benefit("本年实际抵减额", "vat_additional_deduction.used"),
                 Benefit("结转下期", "vat_additional_deduction.carried_forward")),
        summary="可抵减增值税{benefit}",
    ),
    Programme(
        "hte_income_tax", "高新技术企业所得税优惠与亏损结转", TAX, hte_income_tax.CONDITIONS, hte_income_tax.stages,
        hte_income_tax.OUTPUTS, requires=("tech_sme",), claims_flag="claims_hte_rate", near_via="hte",
        benefit_column="hte_income_tax.benefit", pre=hte_income_tax.losses,
        benefit=(Benefit("按{income_tax.standard_rate}税率及{income_tax.loss_years_general}亏损结转的应纳税额", "hte_income_tax.tax_at_standard_rate"),
                 Benefit("享受优惠后应纳税额", "hte_income_tax.tax_with_preference"),
                 Benefit("少缴企业所得税", "hte_income_tax.benefit")),
        summary="少缴企业所得税{benefit}",
    ),
)

BY_KEY = {p.key: p for p in REGISTRY}
KEYS = tuple(BY_KEY)


def choices(basis: str | None = None, holders: bool = False) -> list[tuple[str, str]]:
    """``(key, label)`` pairs for model and form choices (``holders``: the recognitions, by what a holder is called)."""
    if holders:
        return [(p.key, p.holder) for p in REGISTRY if p.holder]
    return [(p.key, p.label) for p in REGISTRY if basis is None or p.basis == basis]


def with_requirements(keys: tuple[str, ...], benefits: bool = True) -> tuple[str, ...]:
    """The programmes ``keys`` and everything they read (with ``benefits``, also the programmes holding
    their benefit), in registry order."""
    wanted = set(keys)
    changed = True
    while changed:
        changed = False
        for key in list(wanted):
            p = BY_KEY[key]
            deps = p.requires + ((p.benefit_from,) if benefits and p.benefit_from else ())
            for dep in deps:
                if dep not in wanted:
                    wanted.add(dep)
                    changed = True
    return tuple(k for k in KEYS if k in wanted)
