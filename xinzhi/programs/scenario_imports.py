"""Import kind ``application-scenarios`` (应用场景, issue 17 item 4), through the import framework.

Each row is a scenario opened to new technologies and products (programmes.md §1.6: no provincial
mechanism found; the Jiaxing model 嘉政办发〔2025〕17号 — scenario catalogues of leading firms, state-owned
enterprises and government units). The natural key is **county + scenario name + opening date** (the
same name opened again on another date is another scenario). A new row becomes a scenario 征集中 with its
"opened" step (办理记录, "导入"); a re-import of the same file changes nothing; a corrected row updates
the provider, its kind, the cluster, the field, the need and the deadline (audited). The state and the
matches are never imported — they are the steps staff record on the page. The county is part of the key:
a user imports only scenarios of counties in its region. Nothing stored is deleted.
"""

from __future__ import annotations

import polars as pl

from xinzhi.core.bulk import read_frame
from xinzhi.core.imports import Column, ColumnType, ImportKind, RecordRegion, register
from xinzhi.core.imports.checks import duplicate_issues
from xinzhi.core.imports.diff import KindDiff, cast_columns, diff_table, insert_rows, row_status, update_rows
from xinzhi.core.imports.parsing import issues_where
from xinzhi.core.periods import Period

from . import scenarios
from .imports import _clusters, _optional
from .models import ProviderKind, Scenario, ScenarioStep

KEY = ["division_code", "name", "opened_on"]


class ScenariosKind(ImportKind):
    name = "application-scenarios"
    label_zh = "应用场景"
    file_key = ("division_code", "name", "opened_on")
    record_region = RecordRegion(key=("division_code", "name", "opened_on"), sql=None, file_column="division_code",
                                 model="programs.Scenario", noun="应用场景")
    instructions_zh = ("每行一个开放的应用场景：县代码、场景名称和开放日期为识别依据，再次导入按本表更新提供方、集群、"
                       "应用领域、需求描述和征集截止日期。新场景导入后为“征集中”状态；对接、试用、落地等进展在场景页面"
                       "登记，不通过导入修改。场景提供方填写单位名称；提供方在企业库中的，可填写其统一社会信用代码以便关联。"
                       "只能导入本地区县的场景。")
    columns = (
        Column("division_code", "县代码", ColumnType.DIVISION, help_zh="场景所在县（市、区）的6位代码", example="330402"),
        Column("name", "场景名称", max_length=200, example="智慧病房护理机器人应用场景"),
        Column("provider_name", "场景提供方", max_length=200, example="嘉兴市第一医院"),
        Column("provider_kind", "提供方类型", ColumnType.CHOICE, choices=dict(ProviderKind.choices), example="医院"),
        Column("provider_uscc", "提供方统一社会信用代码", ColumnType.USCC, required=False,
               help_zh="提供方在企业库中的代码（可空）", example=""),
        Column("cluster", "415X集群", required=False, help_zh="集群名称", example=""),
        Column("field", "应用领域", max_length=100, example="智慧医疗"),
        Column("need", "需求描述", max_length=5000, example="病区夜间巡视与物资配送，需支持电梯联动"),
        Column("opened_on", "开放日期", ColumnType.DATE, example="2025-06-01"),
        Column("deadline", "征集截止日期", ColumnType.DATE, example="2025-08-31"),
    )
    VALUES = ("provider_name", "provider_kind", "provider_enterprise_id", "cluster_id", "field", "need", "deadline")

    def check(self, frame: pl.DataFrame) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
        frame = _optional(frame, {"provider_uscc": pl.String, "cluster": pl.String})
        issues: list[pl.DataFrame] = []
        frame = _clusters(frame, issues)
        register_ = read_frame("SELECT id AS provider_enterprise_id, uscc AS provider_uscc FROM enterprises_enterprise")
        register_ = register_.select(pl.col("provider_enterprise_id").cast(pl.Int64), pl.col("provider_uscc").cast(pl.String))
        frame = frame.join(register_, on="provider_uscc", how="left")
        issues.append(issues_where(frame, pl.col("provider_uscc").is_not_null() & pl.col("provider_enterprise_id").is_null(),
                                   "提供方统一社会信用代码", "企业库中没有该统一社会信用代码的单位"))
        issues.append(issues_where(frame, pl.col("deadline") < pl.col("opened_on"), "征集截止日期",
                                   "征集截止日期不能早于开放日期"))
        issues.append(duplicate_issues(frame, KEY, "场景名称", "同一县同一开放日期的同名场景"))
        return frame, issues

    def _stored(self) -> pl.DataFrame:
        return cast_columns(read_frame(
            f"SELECT id, division_code, name, opened_on, {', '.join(self.VALUES)} FROM {Scenario._meta.db_table}"),
            {"id": pl.Int64, "division_code": pl.String, "opened_on": pl.Date, "deadline": pl.Date,
             "provider_enterprise_id": pl.Int64, "cluster_id": pl.String})

    def diff(self, frame: pl.DataFrame) -> KindDiff:
        rows = frame.with_columns(pl.col("provider_enterprise_id").cast(pl.Int64), pl.col("cluster_id").cast(pl.String),
                                  pl.col("division_code").cast(pl.String))
        table = diff_table(Scenario, rows, self._stored(), KEY, list(self.VALUES))
        return KindDiff({"scenario": table}, row_status(table))

    def write(self, diff: KindDiff, batch, actor) -> None:
        table = diff.tables["scenario"]
        new = table.new.with_columns(state=pl.lit(scenarios.OPEN), close_reason=pl.lit(""),
                                     opened_by_id=pl.lit(getattr(actor, "pk", None), dtype=pl.Int64))
        insert_rows(Scenario, new, batch.pk)
        if new.height:  # each new scenario gets its "opened" step, as one opened on the page does (read before the
            # updates below, which point the changed scenarios to this batch too)
            created = cast_columns(read_frame(
                f"SELECT id AS scenario_id, opened_on AS on_ FROM {Scenario._meta.db_table} WHERE import_batch_id = %s",
                [batch.pk]), {"scenario_id": pl.Int64, "on_": pl.Date})
            steps = created.select(
                "scenario_id", pl.lit("open").alias("action"), pl.lit("").alias("from_state"),
                pl.lit(scenarios.OPEN).alias("to_state"), pl.col("on_").alias("on"),
                pl.lit(getattr(actor, "pk", None), dtype=pl.Int64).alias("actor_id"), pl.lit("导入").alias("note"))
            insert_rows(ScenarioStep, steps, None)
        update_rows(Scenario, table, batch.pk, actor, repr_column="name", batch_note={"import_batch": batch.pk})

    def export_frame(self, period: Period | None) -> pl.DataFrame:
        frame = read_frame(
            f"SELECT s.division_code, s.name, s.provider_name, s.provider_kind, e.uscc AS provider_uscc, "
            f"c.name AS cluster, s.field, s.need, s.opened_on, s.deadline FROM {Scenario._meta.db_table} s "
            f"LEFT JOIN enterprises_enterprise e ON e.id = s.provider_enterprise_id "
            f"LEFT JOIN industries_cluster c ON c.code = s.cluster_id ORDER BY s.division_code, s.opened_on, s.name")
        return cast_columns(frame, {"opened_on": pl.Date, "deadline": pl.Date})


register(ScenariosKind())
