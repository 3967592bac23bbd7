"""Technologically advanced service enterprise — 技术先进型服务企业 (national policy from 2017-01-01;
财税〔2017〕79号, the number unverified): five conditions, a 15% income-tax rate (not stacked with the HTE
rate) and staff-education expenses deductible up to a share of wages (listed: the package has no wage
total). Parameters in ``parameters/advanced_service.toml``."""

from __future__ import annotations

import polars as pl

from ..conditions import WIDE, Condition, Flag, RatioAtLeast, Width, all_met, compile_stage
from ..params import ParameterView

P = "advanced_service"

CONDITIONS: tuple[Condition, ...] = (
    Condition(P, "registered", "境内注册", Flag("registered_in_mainland"), "在中国境内（不含港、澳、台）注册的法人企业",
              ("advanced_service.requires_mainland_legal_person",), threshold="是", gap="须为在中国境内注册的法人企业"),
    Condition(P, "scope", "业务范围", Flag("adv_service_scope"), "从事《技术先进型服务业务认定范围（试行）》中的一种或多种业务",
              ("advanced_service.requires_service_scope",), threshold="是",
              gap="须从事认定范围内的技术先进型服务业务"),
    Condition(P, "college_staff", "大专以上学历员工占比",
              RatioAtLeast("college", "staff_total", "advanced_service.college_staff_min_share", unit="persons",
                           pending="_college_missing"),
              "具有大专以上学历的员工占企业职工总数的比例", ("advanced_service.college_staff_min_share",),
              threshold="不低于{advanced_service.college_staff_min_share}",
              gap="大专以上学历员工还差{gap}人可达到{advanced_service.college_staff_min_share}（职工总数同步增加）",
              pending="需填报大专及以上学历人数", value="大专以上学历{num}，职工总数{den}，占{ratio}", stage=1),
    Condition(P, "service_revenue", "技术先进型服务收入占比",
              RatioAtLeast("adv_service_revenue", "total_revenue", "advanced_service.service_revenue_min_share"),
              "从事技术先进型服务业务取得的收入占当年总收入的比例", ("advanced_service.service_revenue_min_share",),
              threshold="不低于{advanced_service.service_revenue_min_share}",
              gap="技术先进型服务业务收入还差{gap}可达到{advanced_service.service_revenue_min_share}（新增收入计入总收入）",
              value="技术先进型服务业务收入{num}，总收入{den}，占{ratio}"),
    Condition(P, "offshore_revenue", "离岸服务外包收入占比",
              RatioAtLeast("offshore_revenue", "total_revenue", "advanced_service.offshore_revenue_min_share"),
              "离岸服务外包业务收入占当年总收入的比例", ("advanced_service.offshore_revenue_min_share",),
              threshold="不低于{advanced_service.offshore_revenue_min_share}",
              gap="离岸服务外包业务收入还差{gap}可达到{advanced_service.offshore_revenue_min_share}（新增收入计入总收入）",
              value="离岸服务外包业务收入{num}，总收入{den}，占{ratio}"),
)


def stages(v: ParameterView, w: Width, ctx: object = None) -> list[dict[str, pl.Expr]]:
    return [{"_college_missing": pl.col("college").is_null(), **compile_stage(CONDITIONS, 0, v, WIDE)},
            compile_stage(CONDITIONS, 1, v, WIDE), {f"{P}.eligible": all_met(CONDITIONS, v)}]


OUTPUTS = ("advanced_service.eligible",)
