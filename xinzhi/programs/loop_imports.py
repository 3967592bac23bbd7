"""Import kinds of the closed loop (issue 17 item 6), through the import framework:

* ``loop-problems`` — technical problems posed by enterprises (企业出题), e.g. a county's collected list of
  needs. The natural key is **enterprise + problem title + posing date** (出题日期): the same title posed
  again on another date is another problem. A new row becomes a problem in the state 已出题 with its
  "posed" step (办理记录, "导入"); a re-import of the same file changes nothing; a corrected row updates the
  posing fields (field, cluster, goal, criteria, budget, deadline, confidentiality) with an audit entry —
  only while the problem is still with the enterprise or the county (已出题/已退回修改): once vetted, its
  content is the basis of the later steps and is refused. The loop's later steps are never imported.
  Rows live where their enterprise is registered (``MATCHED_ENTERPRISE``): a county user imports only
  problems of enterprises registered in its county, judged on the stored enterprise.
* ``loop-solvers`` — the solver register (平台答题的解题方), keyed by the unit's name (unique), in the
  county the file gives (a move between regions is a province action, as for every register).

Nothing stored is deleted by either.
"""

from __future__ import annotations

import polars as pl

from xinzhi.core.bulk import read_frame
from xinzhi.core.imports import Column, ColumnType, ImportKind, RecordRegion, register
from xinzhi.core.imports.checks import duplicate_issues
from xinzhi.core.imports.diff import (
    KindDiff,
    TableDiff,
    cast_columns,
    diff_table,
    insert_rows,
    row_status,
    update_rows,
)
from xinzhi.core.imports.parsing import issues_where
from xinzhi.core.periods import Period
from xinzhi.enterprises.imports import MATCHED_ENTERPRISE
from xinzhi.enterprises.matching import match_enterprises

from . import loop
from .imports import ENTERPRISE_NAME, USCC, _clusters, _optional
from .models import Problem, ProblemStep, Solver, SolverKind

#: budgets above this (yuan) are a unit mistake (the page's own bound, ``services.MAX_YUAN``)
MAX_YUAN = 10**15
#: states in which the posing fields may still change (the enterprise's or the county's hands)
EDITABLE = (loop.POSED, loop.RETURNED)
PROBLEM_KEY = ["enterprise_id", "title", "posed_at"]


class ProblemsKind(ImportKind):
    name = "loop-problems"
    label_zh = "企业技术难题（企业出题）"
    file_key = ("uscc", "enterprise_name", "title", "posed_at")
    record_region = MATCHED_ENTERPRISE
    instructions_zh = ("每行一个企业提出的技术难题：企业、难题名称和出题日期为识别依据，再次导入按本表更新出题内容"
                       "（仅限尚未审核助题的难题）。新难题导入后为“已出题”状态，由县级审核助题。预算按列名所注单位填写，"
                       "须为正数；期望完成日期须晚于出题日期。企业匹配：统一社会信用代码，其次企业名称（预览中提示核对），"
                       "企业须已在企业库中；只能导入本地区企业的难题。")
    columns = (
        USCC, ENTERPRISE_NAME,
        Column("title", "难题名称", max_length=200, example="高精度柔性压力传感器封装"),
        Column("field", "技术领域", max_length=100, example="智能传感器"),
        Column("cluster", "415X集群", required=False, help_zh="集群名称", example=""),
        Column("goal", "需要达到的目标", max_length=2000, example="量产良率达到95%"),
        Column("acceptance_criteria", "可量化的验收指标", max_length=2000, example="良率≥95%，误差≤1%"),
        Column("budget", "预算", ColumnType.MONEY, default_unit="万元", example="200"),
        Column("deadline", "期望完成日期", ColumnType.DATE, example="2026-06-30"),
        Column("confidential", "需保密", ColumnType.BOOL, required=False, default=False,
               help_zh="是：不公开发布，仅定向对接", example="否"),
        Column("posed_at", "出题日期", ColumnType.DATE, example="2025-03-01"),
    )
    VALUES = ("field", "cluster_id", "goal", "acceptance_criteria", "budget", "deadline", "confidential")

    def check(self, frame: pl.DataFrame) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
        frame, issues = match_enterprises(frame, "uscc", "enterprise_name", "统一社会信用代码", "企业名称",
                                          unmatched="error")
        frame = _clusters(_optional(frame, {"cluster": pl.String, "confidential": pl.Boolean}), issues)
        frame = frame.with_columns(pl.col("confidential").fill_null(False))
        issues.append(issues_where(frame, pl.col("budget") <= 0, "预算", "预算须为正数"))
        issues.append(issues_where(frame, pl.col("budget") > MAX_YUAN, "预算", "预算超出合理范围，请核对单位"))
        issues.append(issues_where(frame, pl.col("deadline") <= pl.col("posed_at"), "期望完成日期",
                                   "期望完成日期须晚于出题日期"))
        keyed = frame.filter(pl.col("enterprise_id").is_not_null())
        issues.append(duplicate_issues(keyed, PROBLEM_KEY, "难题名称", "企业同一出题日期的同名难题"))
        # content of a problem past the county's vetting is the basis of the later steps: not changed here
        table, states = self._diff(keyed)
        locked = table.changed.join(states, on="id").filter(~pl.col("state").is_in(list(EDITABLE)))
        labels = pl.col("state").replace_strict(loop.STATE_LABELS, default=pl.col("state"), return_dtype=pl.String)
        issues.append(issues_where(locked, pl.lit(True), "难题名称", pl.format(
            "该难题已进入“{}”环节，出题内容不能再通过导入修改", labels)))
        return frame, issues

    def _stored(self) -> pl.DataFrame:
        return cast_columns(read_frame(
            f"SELECT id, enterprise_id, title, posed_at, state, {', '.join(self.VALUES)} FROM {Problem._meta.db_table}"),
            {"id": pl.Int64, "enterprise_id": pl.Int64, "posed_at": pl.Date, "deadline": pl.Date, "budget": pl.Int64,
             "confidential": pl.Boolean, "cluster_id": pl.String, "state": pl.String})

    def _diff(self, frame: pl.DataFrame) -> tuple[TableDiff, pl.DataFrame]:
        rows = frame.filter(pl.col("enterprise_id").is_not_null()).with_columns(
            pl.col("enterprise_id").cast(pl.Int64), pl.col("cluster_id").cast(pl.String))
        stored = self._stored()
        table = diff_table(Problem, rows, stored.drop("state"), PROBLEM_KEY, list(self.VALUES),
                           carry=["division_code"])
        return table, stored.select("id", "state")

    def diff(self, frame: pl.DataFrame) -> KindDiff:
        table, _ = self._diff(frame)
        return KindDiff({"problem": table}, row_status(table))

    def write(self, diff: KindDiff, batch, actor) -> None:
        table = diff.tables["problem"]
        new = table.new.with_columns(state=pl.lit(loop.POSED), last_step_at=pl.col("posed_at"))
        insert_rows(Problem, new, batch.pk)
        if new.height:  # each new problem gets its "posed" step, as one posed on the page does (read before the
            # updates below, which point the changed problems to this batch too)
            created = cast_columns(read_frame(
                f"SELECT id AS problem_id, posed_at AS on_ FROM {Problem._meta.db_table} WHERE import_batch_id = %s",
                [batch.pk]), {"problem_id": pl.Int64, "on_": pl.Date})
            steps = created.select(
                "problem_id", pl.lit("pose").alias("action"), pl.lit("").alias("from_state"),
                pl.lit(loop.POSED).alias("to_state"), pl.col("on_").alias("on"),
                pl.lit(getattr(actor, "pk", None), dtype=pl.Int64).alias("actor_id"), pl.lit("导入").alias("note"))
            insert_rows(ProblemStep, steps, None)
        update_rows(Problem, table, batch.pk, actor, repr_column="title", batch_note={"import_batch": batch.pk})

    def export_frame(self, period: Period | None) -> pl.DataFrame:
        frame = read_frame(
            f"SELECT e.uscc, e.name AS enterprise_name, p.title, p.field, c.name AS cluster, p.goal, "
            f"p.acceptance_criteria, p.budget, p.deadline, p.confidential, p.posed_at FROM {Problem._meta.db_table} p "
            f"JOIN enterprises_enterprise e ON e.id = p.enterprise_id LEFT JOIN industries_cluster c ON c.code = p.cluster_id "
            f"ORDER BY e.uscc, p.posed_at, p.title")
        return cast_columns(frame, {"budget": pl.Int64, "deadline": pl.Date, "posed_at": pl.Date,
                                    "confidential": pl.Boolean})


class SolversKind(ImportKind):
    name = "loop-solvers"
    label_zh = "解题方名录"
    file_key = ("name",)
    record_region = RecordRegion(
        key=("name",), sql=f"SELECT name, id AS record_id, division_code AS stored_division FROM {Solver._meta.db_table}",
        model="programs.Solver", noun="解题方")
    instructions_zh = ("每行一个解题方（研发机构、创新中心、中试平台、高校、科研院所等）：以名称识别，再次导入按本表更新"
                       "类型、所在县、擅长领域、集群和在册状态。填写统一社会信用代码的，关联企业库中的该单位（其用户以解题方"
                       "身份提交方案）。")
    columns = (
        Column("name", "名称", max_length=200, example="某某新材料研究院"),
        Column("kind", "类型", ColumnType.CHOICE, choices=dict(SolverKind.choices), example="科研院所"),
        Column("division_code", "县代码", ColumnType.DIVISION, help_zh="6位县级行政区划代码", example="330108"),
        Column("uscc", "统一社会信用代码", ColumnType.USCC, required=False, help_zh="单位在企业库中的代码（可空）",
               example=""),
        Column("fields", "擅长领域", required=False, max_length=200, example="新材料、传感器"),
        Column("cluster", "415X集群", required=False, help_zh="集群名称", example=""),
        Column("active", "在册", ColumnType.BOOL, required=False, default=True, example="是"),
    )
    VALUES = ("kind", "division_code", "enterprise_id", "fields", "cluster_id", "active")

    def check(self, frame: pl.DataFrame) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
        frame = _optional(frame, {"uscc": pl.String, "fields": pl.String, "cluster": pl.String, "active": pl.Boolean})
        issues: list[pl.DataFrame] = []
        frame = _clusters(frame, issues)
        register_ = read_frame("SELECT id AS enterprise_id, uscc FROM enterprises_enterprise").select(
            pl.col("enterprise_id").cast(pl.Int64), pl.col("uscc").cast(pl.String))
        frame = frame.join(register_, on="uscc", how="left")
        issues.append(issues_where(frame, pl.col("uscc").is_not_null() & pl.col("enterprise_id").is_null(),
                                   "统一社会信用代码", "企业库中没有该统一社会信用代码的单位"))
        return frame.with_columns(pl.col("fields").fill_null(""), pl.col("active").fill_null(True)), issues

    def diff(self, frame: pl.DataFrame) -> KindDiff:
        stored = cast_columns(read_frame(f"SELECT id, name, {', '.join(self.VALUES)} FROM {Solver._meta.db_table}"),
                              {"id": pl.Int64, "enterprise_id": pl.Int64, "active": pl.Boolean, "cluster_id": pl.String})
        rows = frame.with_columns(pl.col("enterprise_id").cast(pl.Int64), pl.col("cluster_id").cast(pl.String))
        table = diff_table(Solver, rows, stored, ["name"], list(self.VALUES))
        return KindDiff({"solver": table}, row_status(table))

    def write(self, diff: KindDiff, batch, actor) -> None:
        table = diff.tables["solver"]
        insert_rows(Solver, table.new, batch.pk)
        update_rows(Solver, table, batch.pk, actor, repr_column="name", batch_note={"import_batch": batch.pk})

    def export_frame(self, period: Period | None) -> pl.DataFrame:
        frame = read_frame(
            f"SELECT s.name, s.kind, s.division_code, e.uscc, s.fields, c.name AS cluster, s.active "
            f"FROM {Solver._meta.db_table} s LEFT JOIN enterprises_enterprise e ON e.id = s.enterprise_id "
            f"LEFT JOIN industries_cluster c ON c.code = s.cluster_id ORDER BY s.name")
        return cast_columns(frame, {"active": pl.Boolean})


register(ProblemsKind())
register(SolversKind())
