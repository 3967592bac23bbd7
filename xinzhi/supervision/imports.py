"""Import kinds of work coordination (through ``xinzhi.core.imports``: template, preview, atomic commit, per-row
Chinese errors, region scope):

* ``supervision-tasks`` — task ledger rows: year, number, title, text, group, lead and co-operating units,
  responsible person, responsible region (province, city or county code), deadline. A task is keyed by
  (year, region, number); a row for a city or county whose number exists at a region above it becomes a
  split of that task (its parent: the city's task, else the province's). Re-importing changes nothing; a
  corrected file updates the changed fields with an audit entry; nothing is deleted.
* ``supervision-activities`` — S&T innovation activities (task 10), keyed by (region, date, name).

The region is part of each row's key (``RecordRegion`` without ``sql``): a user imports only rows of its
region and below; nothing moves between regions.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from xinzhi.core.bulk import read_frame
from xinzhi.core.imports import Column, ColumnType, ImportKind, RecordRegion, register
from xinzhi.core.imports.checks import duplicate_issues
from xinzhi.core.imports.diff import KindDiff, cast_columns, diff_table, insert_rows, row_status, update_rows
from xinzhi.core.imports.parsing import issues_where
from xinzhi.core.periods import Period

from .models import Activity, ActivityKind, Task, TaskGroup

REGION = Column("division_code", "地区代码", max_length=6, help_zh="6位行政区划代码：省330000、设区市或县（市、区）",
                example="330100")


def _region_issues(frame: pl.DataFrame, header: str) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
    divisions = read_frame("SELECT code AS division_code, level AS _level FROM regions_division").with_columns(
        pl.col("division_code").cast(pl.String), pl.col("_level").cast(pl.String))
    frame = frame.join(divisions, on="division_code", how="left")
    return frame, [issues_where(frame, pl.col("division_code").is_not_null() & pl.col("_level").is_null(), header,
                                pl.format("地区代码“{}”不存在", pl.col("division_code")))]


class TasksKind(ImportKind):
    name = "supervision-tasks"
    label_zh = "任务清单（年度任务及分解）"
    file_key = ("year", "division_code", "number")
    record_region = RecordRegion(key=("year", "division_code", "number"), sql=None, file_column="division_code",
                                 noun="任务")
    instructions_zh = ("每行一项任务：年度、序号、责任地区为识别依据（同一地区同一年度序号唯一），再次导入按本表更新。"
                       "设区市或县（市、区）的任务若与上级地区同年度同序号任务对应，记为该任务的分解任务。"
                       "只能导入本地区及下级地区的任务。")
    columns = (
        Column("year", "年度", ColumnType.YEAR, example="2025"),
        Column("number", "序号", max_length=20, example="4"),
        Column("title", "任务名称", max_length=100, example="扩面提质科技企业"),
        Column("text", "任务内容", example="新认定高新技术企业500家"),
        Column("group", "工作组", ColumnType.CHOICE, choices=dict(TaskGroup.choices),
               default=TaskGroup.INDUSTRY.value, required=False, example="现代化产业体系组"),
        Column("lead_department", "牵头单位", max_length=100, example="市经信局"),
        Column("co_departments", "配合单位", required=False, max_length=300, help_zh="以顿号分隔", example="市科技局、市财政局"),
        Column("responsible_person", "责任人", required=False, max_length=50, example=""),
        REGION,
        Column("deadline", "完成时限", ColumnType.DATE, example="2025-12-31"),
    )
    VALUES = ("title", "text", "group", "lead_department", "co_departments", "responsible_person", "deadline")

    def check(self, frame: pl.DataFrame) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
        for col in ("co_departments", "responsible_person"):
            if col not in frame.columns:
                frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(col))
        frame = frame.with_columns(pl.col("co_departments").fill_null(""), pl.col("responsible_person").fill_null(""),
                                   pl.col("group").fill_null(TaskGroup.INDUSTRY.value))
        frame, issues = _region_issues(frame, "地区代码")
        issues.append(issues_where(frame, pl.col("deadline").dt.year() != pl.col("year"), "完成时限",
                                   "完成时限须在任务年度内"))
        issues.append(duplicate_issues(frame, ["year", "division_code", "number"], "序号", "地区同一年度的序号"))
        return frame, issues

    def _stored(self) -> pl.DataFrame:
        return cast_columns(read_frame(
            'SELECT id, year, division_id AS division_code, number, title, text, "group", lead_department, '
            "co_departments, responsible_person, deadline FROM supervision_task"),
            {"id": pl.Int64, "year": pl.Int64, "deadline": pl.Date})

    def diff(self, frame: pl.DataFrame) -> KindDiff:
        stored = self._stored()
        rows = frame.with_columns(pl.col("year").cast(pl.Int64))
        # the parent of a city's or county's row: the same year and number at its city, else the province
        ids = stored.select("year", "number", "division_code", "id")
        city = pl.col("division_code").str.slice(0, 4) + pl.lit("00")
        rows = rows.with_columns(
            pl.when(pl.col("division_code").str.ends_with("0000")).then(None)
            .when(pl.col("division_code").str.ends_with("00")).then(None).otherwise(city).alias("_city"),
            pl.when(pl.col("division_code").str.ends_with("0000")).then(None)
            .otherwise(pl.col("division_code").str.slice(0, 2) + pl.lit("0000")).alias("_province"),
        )
        rows = (rows.join(ids.rename({"division_code": "_city", "id": "_city_task"}), on=["year", "number", "_city"],
                          how="left")
                .join(ids.rename({"division_code": "_province", "id": "_province_task"}),
                      on=["year", "number", "_province"], how="left")
                .with_columns(pl.coalesce("_city_task", "_province_task").alias("parent_id"),
                              pl.col("division_code").alias("division_id"),
                              pl.date(pl.col("year"), 1, 1).alias("start_date"),
                              pl.lit("import").alias("source"), pl.lit("[]").alias("milestones"),
                              pl.lit("[]").alias("indicators")))
        table = diff_table(Task, rows, stored, ["year", "division_code", "number"], list(self.VALUES),
                           carry=["division_id", "parent_id", "start_date", "source", "milestones", "indicators"])
        return KindDiff({"task": table}, row_status(table))

    def write(self, diff: KindDiff, batch, actor) -> None:
        table = diff.tables["task"]
        insert_rows(Task, table.new.with_columns(pl.lit(getattr(actor, "pk", None), dtype=pl.Int64).alias("created_by_id")),
                    batch.pk)
        update_rows(Task, table, batch.pk, actor, repr_column="title", batch_note={"import_batch": batch.pk})

    def export_frame(self, period: Period | None) -> pl.DataFrame:
        frame = read_frame(
            'SELECT year, number, title, text, "group", lead_department, co_departments, responsible_person, '
            "division_id AS division_code, deadline FROM supervision_task ORDER BY year, division_id, id")
        return cast_columns(frame, {"year": pl.Int64, "deadline": pl.Date})


class ActivitiesKind(ImportKind):
    name = "supervision-activities"
    label_zh = "科技创新活动（月月有）"
    file_key = ("division_code", "held_on", "title")
    record_region = RecordRegion(key=("division_code", "held_on", "title"), sql=None, file_column="division_code",
                                 noun="活动")
    instructions_zh = ("每行一场活动：地区代码、举办日期、活动名称为识别依据，再次导入按本表更新。"
                       "只能导入本地区及下级地区的活动；不能导入尚未举办的活动。")
    columns = (
        REGION,
        Column("held_on", "举办日期", ColumnType.DATE, example="2025-03-18"),
        Column("title", "活动名称", max_length=200, example="“十链百场万企”智能装备专场对接会"),
        Column("kind", "活动类型", ColumnType.CHOICE, choices=dict(ActivityKind.choices), example="“十链百场万企”对接"),
        Column("organiser", "主办单位", max_length=200, example="杭州市经济和信息化局"),
        Column("chain", "产业链", required=False, max_length=100, example="智能装备"),
        Column("participants", "参加人数", ColumnType.INTEGER, required=False, default=0, example="120"),
        Column("enterprises", "参加企业数", ColumnType.INTEGER, required=False, default=0, example="45"),
        Column("agreements", "签约项目数", ColumnType.INTEGER, required=False, default=0, example="6"),
        Column("problems_posted", "发布技术难题数", ColumnType.INTEGER, required=False, default=0, example="12"),
        Column("outcome", "活动成效", required=False, example="签约合作项目6个"),
    )
    COUNTS = ("participants", "enterprises", "agreements", "problems_posted")
    VALUES = ("kind", "organiser", "chain", *COUNTS, "outcome")

    def check(self, frame: pl.DataFrame) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
        for col in ("chain", "outcome"):
            frame = frame.with_columns((pl.col(col) if col in frame.columns else pl.lit(None, dtype=pl.String))
                                       .fill_null("").alias(col))
        for col in self.COUNTS:
            frame = frame.with_columns((pl.col(col) if col in frame.columns else pl.lit(None, dtype=pl.Int64))
                                       .fill_null(0).cast(pl.Int64).alias(col))
        frame, issues = _region_issues(frame, "地区代码")
        for col in self.COUNTS:
            issues.append(issues_where(frame, pl.col(col) < 0, self.header_of(col), "不能为负数"))
        issues.append(issues_where(frame, pl.col("held_on") > pl.lit(dt.date.today()), "举办日期",
                                   "不能导入尚未举办的活动"))
        issues.append(duplicate_issues(frame, ["division_code", "held_on", "title"], "活动名称", "地区同一日期的活动"))
        return frame, issues

    def diff(self, frame: pl.DataFrame) -> KindDiff:
        stored = cast_columns(read_frame(
            "SELECT id, division_id AS division_code, held_on, title, kind, organiser, chain, participants, "
            "enterprises, agreements, problems_posted, outcome FROM supervision_activity"),
            {"id": pl.Int64, "held_on": pl.Date, **{c: pl.Int64 for c in self.COUNTS}})
        rows = frame.with_columns(pl.col("division_code").alias("division_id"))
        table = diff_table(Activity, rows, stored, ["division_code", "held_on", "title"], list(self.VALUES),
                           carry=["division_id"])
        return KindDiff({"activity": table}, row_status(table))

    def write(self, diff: KindDiff, batch, actor) -> None:
        table = diff.tables["activity"]
        insert_rows(Activity, table.new.with_columns(
            pl.lit(getattr(actor, "pk", None), dtype=pl.Int64).alias("created_by_id")), batch.pk)
        update_rows(Activity, table, batch.pk, actor, repr_column="title", batch_note={"import_batch": batch.pk})

    def export_frame(self, period: Period | None) -> pl.DataFrame:
        frame = read_frame(
            "SELECT division_id AS division_code, held_on, title, kind, organiser, chain, participants, enterprises, "
            "agreements, problems_posted, outcome FROM supervision_activity ORDER BY held_on, division_id")
        return cast_columns(frame, {"held_on": pl.Date, **{c: pl.Int64 for c in self.COUNTS}})


register(TasksKind())
register(ActivitiesKind())
