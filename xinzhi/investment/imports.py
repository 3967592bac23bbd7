"""Import kinds of the investment app: high-tech projects with their YTD progress (``investment``) and
county totals of fixed-asset investment (``region-investment``)."""

from __future__ import annotations

from dataclasses import replace

import polars as pl

from xinzhi.core.bulk import read_frame
from xinzhi.core.imports import CONFIRMATION, Column, ColumnType, ImportKind, RecordRegion, register
from xinzhi.core.imports.checks import duplicate_issues
from xinzhi.core.imports.diff import (
    AROUND_SQL,
    KindDiff,
    cast_columns,
    diff_table,
    insert_rows,
    read_around,
    read_monthly,
    row_status,
    update_rows,
)
from xinzhi.core.imports.parsing import ROW, issues_where
from xinzhi.core.imports.plausibility import build_series
from xinzhi.core.periods import Period

from .models import AnnualPlan, InvestmentProject, ProjectProgress, RegionInvestment, Stage

PERIOD = Column("period", "期别", ColumnType.PERIOD, help_zh="YYYY-MM", example="2025-06")
DIVISION = Column("division_code", "县代码", ColumnType.DIVISION, aliases=("县（市、区）代码",),
                  help_zh="6位县级行政区划代码", example="330106")
REVISION = Column("is_revision", "是否修订", ColumnType.BOOL, required=False, default=False,
                  help_zh="修订以前报送的数据时填“是”（累计值低于上月的修订不再需要核实说明）", example="否")


class InvestmentKind(ImportKind):
    """High-tech investment projects and their year-to-date completed investment (1–N月累计完成投资)."""

    name = "investment"
    label_zh = "高新技术产业投资项目及月度完成投资"
    file_key = ("code", "year", "month")
    periodic = True
    #: a row changes the stored project (by 项目代码); its county in the file is a move when it differs
    record_region = RecordRegion(
        key=("code",), sql="SELECT code, id AS record_id, division_code AS stored_division FROM investment_investmentproject",
        model="investment.InvestmentProject", noun="项目")
    instructions_zh = ("每行一个项目一个期别；项目信息按项目代码新增或更新。期别与累计完成投资须同时填写，"
                       "均留空时只登记项目。")
    PROJECT_VALUES = ("name", "division_code", "industry_code", "is_high_tech", "planned_total", "stage",
                      "start_year")
    columns = (
        Column("code", "项目代码", max_length=40, help_zh="投资项目在线审批监管平台代码", example="2501-330106-04-01-123456"),
        Column("name", "项目名称", max_length=200, example="某某集成电路封装测试项目"),
        DIVISION,
        Column("industry_code", "行业代码", ColumnType.INDUSTRY, help_zh="GB/T 4754-2017 4位小类", example="3973"),
        Column("is_high_tech", "是否高新技术产业", ColumnType.BOOL, required=False, default=True, example="是"),
        Column("planned_total", "计划总投资", ColumnType.MONEY, default_unit="万元", example="52000"),
        Column("stage", "阶段", ColumnType.CHOICE, required=False, choices=dict(Stage.choices),
               default=Stage.RESERVE.value, help_zh="空白按“谋划储备”", example="在建"),
        Column("start_year", "开工年份", ColumnType.YEAR, required=False, example="2025"),
        replace(PERIOD, required=False),
        Column("ytd_completed", "累计完成投资", ColumnType.MONEY, required=False, default_unit="万元",
               help_zh="1—N月累计", example="8600"),
        REVISION,
        CONFIRMATION,
    )

    def check(self, frame: pl.DataFrame) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
        if "year" not in frame.columns:  # a project list without 期别
            frame = frame.with_columns(pl.lit(None, dtype=pl.Int64).alias("year"),
                                       pl.lit(None, dtype=pl.Int64).alias("month"))
        issues = [duplicate_issues(frame.filter(pl.col("year").is_null()), ["code"], "项目代码", "项目代码")]
        has_amount = "ytd_completed" in frame.columns
        amount = pl.col("ytd_completed") if has_amount else pl.lit(None)
        issues.append(issues_where(frame, pl.col("year").is_null() & amount.is_not_null(), "期别",
                                   "填写了累计完成投资须同时填写期别"))
        issues.append(issues_where(frame, pl.col("year").is_not_null() & amount.is_null(), "累计完成投资",
                                   "填写了期别须同时填写累计完成投资"))
        values = [c for c in self.PROJECT_VALUES if c in frame.columns]
        inconsistent = pl.any_horizontal([pl.col(v).n_unique().over("code") > 1 for v in values])
        issues.append(issues_where(frame.with_columns(inconsistent.alias("_bad")), pl.col("_bad"), "项目代码",
                                   "同一项目代码各行的项目信息不一致"))
        return frame, issues

    def plausibility_series(self, frame: pl.DataFrame) -> pl.DataFrame | None:
        """Each project's months, file and stored, with the plan of the file's rows (核实性审核)."""
        if "ytd_completed" not in frame.columns or "year" not in frame.columns:
            return None
        rows = frame.filter(pl.col("year").is_not_null() & pl.col("code").is_not_null())
        if rows.height == 0:
            return None
        stored = read_around(rows, "SELECT p.code, g.year, g.month, g.ytd_completed FROM investment_projectprogress g "
                             "JOIN investment_investmentproject p ON p.id = g.project_id WHERE "
                             + AROUND_SQL.replace("year", "g.year").replace("month", "g.month"),
                             {"code": pl.String, "year": pl.Int64, "month": pl.Int64, "ytd_completed": pl.Int64})
        return build_series(rows, stored, "code", ["ytd_completed"], extra=["planned_total"])

    def diff(self, frame: pl.DataFrame) -> KindDiff:
        stored = cast_columns(read_frame(
            "SELECT id, code, name, division_code, industry_code, is_high_tech, planned_total, stage, start_year "
            "FROM investment_investmentproject"), {"id": pl.Int64, "is_high_tech": pl.Boolean,
                                                   "planned_total": pl.Int64, "start_year": pl.Int64})
        values = [c for c in self.PROJECT_VALUES if c in frame.columns]
        projects = diff_table(InvestmentProject, frame.unique("code", keep="first", maintain_order=True), stored,
                              ["code"], values)
        progress_in = frame.filter(pl.col("year").is_not_null()).with_columns(
            pl.format("{} {}-{}", pl.col("code"), pl.col("year"), pl.col("month").cast(pl.String).str.zfill(2))
            .alias("_repr"))
        if "ytd_completed" not in progress_in.columns:
            progress_in = progress_in.head(0).with_columns(pl.lit(None, dtype=pl.Int64).alias("ytd_completed"))
        p_values = [c for c in ("ytd_completed", "is_revision") if c in progress_in.columns]
        progress = diff_table(ProjectProgress, progress_in, _stored_progress(progress_in, previous_month=False),
                              ["code", "year", "month"], p_values, carry=["_repr"])
        return KindDiff({"project": projects, "progress": progress}, _status(frame, projects, progress),
                        extra={"ids": stored.select("id", "code")})

    def write(self, diff: KindDiff, batch, actor) -> None:
        projects, progress = diff.tables["project"], diff.tables["progress"]
        note = {"import_batch": batch.pk}
        insert_rows(InvestmentProject, projects.new, batch.pk)
        update_rows(InvestmentProject, projects, batch.pk, actor, repr_column="name", batch_note=note)
        ids = pl.concat([
            diff.extra["ids"],
            read_frame("SELECT id, code FROM investment_investmentproject WHERE import_batch_id = %s", [batch.pk]),
        ], how="vertical_relaxed").with_columns(pl.col("id").cast(pl.Int64)).unique("code")
        insert_rows(ProjectProgress, progress.new.join(ids.rename({"id": "project_id"}), on="code"), batch.pk)
        update_rows(ProjectProgress, progress, batch.pk, actor, repr_column="_repr", batch_note=note)

    def export_frame(self, period: Period | None) -> pl.DataFrame:
        if period is None:
            raise ValueError("导出投资项目须指定期别 --period YYYY-MM")
        frame = read_frame(
            "SELECT p.code, p.name, p.division_code, p.industry_code, p.is_high_tech, p.planned_total, p.stage, "
            "p.start_year, g.year, g.month, g.ytd_completed, g.is_revision FROM investment_projectprogress g "
            "JOIN investment_investmentproject p ON p.id = g.project_id WHERE g.year = %s AND g.month = %s "
            "ORDER BY p.code",
            [period.year, period.month],
        )
        return cast_columns(frame, {"is_high_tech": pl.Boolean, "is_revision": pl.Boolean, "planned_total": pl.Int64,
                                    "ytd_completed": pl.Int64, "start_year": pl.Int64, "year": pl.Int64,
                                    "month": pl.Int64})


def _status(frame: pl.DataFrame, projects, progress) -> pl.DataFrame:
    """A row is new when its month (or, without a period, its project) is new; changed when its
    month or its project changed."""
    new_codes = projects.new.select("code")
    changed_codes = projects.changed.select("code")
    rows = frame.select(ROW, "code", "year")
    month_new = progress.new.select(ROW)
    month_changed = progress.changed.select(ROW)
    return rows.with_columns(
        pl.when(pl.col(ROW).is_in(month_new[ROW].implode()) | (pl.col("year").is_null() & pl.col("code").is_in(new_codes["code"].implode())))
        .then(pl.lit("new"))
        .when(pl.col(ROW).is_in(month_changed[ROW].implode()) | pl.col("code").is_in(changed_codes["code"].implode()))
        .then(pl.lit("changed"))
        .otherwise(pl.lit("unchanged"))
        .alias("status")
    ).select(ROW, "status")


def _stored_progress(frame: pl.DataFrame, previous_month: bool) -> pl.DataFrame:
    return read_monthly(
        frame, previous_month,
        "SELECT g.id, p.code, g.year, g.month, g.ytd_completed, g.is_revision FROM investment_projectprogress g "
        "JOIN investment_investmentproject p ON p.id = g.project_id WHERE g.year = %s AND g.month BETWEEN %s AND %s",
        {"id": pl.Int64, "code": pl.String, "year": pl.Int64, "month": pl.Int64, "ytd_completed": pl.Int64,
         "is_revision": pl.Boolean},
    )


class RegionInvestmentKind(ImportKind):
    """A county's total fixed-asset investment, year to date (the denominator of the high-tech share)."""

    name = "region-investment"
    label_zh = "县（市、区）固定资产投资（1—N月累计）"
    file_key = ("division_code", "year", "month")
    periodic = True
    #: the county is the row's key: a row writes the record of the county it names
    record_region = RecordRegion(key=("division_code",))
    instructions_zh = "每行一个县（市、区）一个期别的全社会固定资产投资1—N月累计值。"
    columns = (
        DIVISION,
        PERIOD,
        Column("ytd_fixed_asset_investment", "固定资产投资累计", ColumnType.MONEY, default_unit="万元",
               help_zh="1—N月累计", example="3560000"),
        REVISION,
        CONFIRMATION,
    )

    def plausibility_series(self, frame: pl.DataFrame) -> pl.DataFrame | None:
        """Each county's months, file and stored (核实性审核)."""
        value = "ytd_fixed_asset_investment"
        rows = frame.filter(pl.col("year").is_not_null() & pl.col("division_code").is_not_null())
        if value not in frame.columns or rows.height == 0:
            return None
        stored = read_around(rows, f"SELECT division_code, year, month, {value} FROM investment_regioninvestment "
                             "WHERE " + AROUND_SQL,
                             {"division_code": pl.String, "year": pl.Int64, "month": pl.Int64, value: pl.Int64})
        return build_series(rows, stored, "division_code", [value])

    def _stored(self, frame: pl.DataFrame, previous_month: bool) -> pl.DataFrame:
        return read_monthly(
            frame, previous_month,
            "SELECT id, division_code, year, month, ytd_fixed_asset_investment, is_revision "
            "FROM investment_regioninvestment WHERE year = %s AND month BETWEEN %s AND %s",
            {"id": pl.Int64, "division_code": pl.String, "year": pl.Int64, "month": pl.Int64,
             "ytd_fixed_asset_investment": pl.Int64, "is_revision": pl.Boolean},
        )

    def diff(self, frame: pl.DataFrame) -> KindDiff:
        values = [c for c in ("ytd_fixed_asset_investment", "is_revision") if c in frame.columns]
        frame = frame.with_columns(
            pl.format("{} {}-{}", pl.col("division_code"), pl.col("year"), pl.col("month").cast(pl.String).str.zfill(2))
            .alias("_repr"))
        table = diff_table(RegionInvestment, frame, self._stored(frame, previous_month=False),
                           ["division_code", "year", "month"], values, carry=["_repr"])
        return KindDiff({"region": table}, row_status(table))

    def write(self, diff: KindDiff, batch, actor) -> None:
        table = diff.tables["region"]
        insert_rows(RegionInvestment, table.new, batch.pk)
        update_rows(RegionInvestment, table, batch.pk, actor, repr_column="_repr", batch_note={"import_batch": batch.pk})

    def export_frame(self, period: Period | None) -> pl.DataFrame:
        if period is None:
            raise ValueError("导出固定资产投资须指定期别 --period YYYY-MM")
        frame = read_frame(
            "SELECT division_code, year, month, ytd_fixed_asset_investment, is_revision "
            "FROM investment_regioninvestment WHERE year = %s AND month = %s ORDER BY division_code",
            [period.year, period.month],
        )
        return cast_columns(frame, {"year": pl.Int64, "month": pl.Int64, "ytd_fixed_asset_investment": pl.Int64,
                                    "is_revision": pl.Boolean})


register(InvestmentKind())
register(RegionInvestmentKind())


class ProjectPlanKind(ImportKind):
    """The plan of registered projects (issue 18): planned start and completion, responsible unit and person,
    major-project flag, and the annual planned investment of a year. One row per project and year."""

    name = "investment-plan"
    label_zh = "投资项目计划（计划开工竣工日期、年度计划投资、责任单位）"
    file_key = ("code", "year")
    record_region = RecordRegion(
        key=("code",), sql="SELECT code, id AS record_id, division_code AS stored_division FROM investment_investmentproject",
        model="investment.InvestmentProject", noun="项目")
    instructions_zh = ("每行一个项目一个年度：项目须已登记（按项目代码识别）。年度计划投资按项目和年度新增或更新；"
                       "计划开工、竣工日期和责任单位、责任人按项目更新（同一项目各行须一致），留空的列不修改。")
    PROJECT_VALUES = ("planned_start", "planned_completion", "responsible_unit", "responsible_person", "is_major")
    columns = (
        Column("code", "项目代码", max_length=40, example="2501-330106-04-01-123456"),
        Column("year", "年度", ColumnType.YEAR, example="2025"),
        Column("planned_investment", "年度计划投资", ColumnType.MONEY, default_unit="万元", example="12000"),
        Column("planned_start", "计划开工日期", ColumnType.DATE, required=False, example="2025-03-01"),
        Column("planned_completion", "计划竣工日期", ColumnType.DATE, required=False, example="2026-12-31"),
        Column("responsible_unit", "责任单位", required=False, max_length=100, example="某某科技有限公司"),
        Column("responsible_person", "责任人", required=False, max_length=50, example="张三"),
        Column("is_major", "是否省重大项目", ColumnType.BOOL, required=False, example="否"),
    )

    def _present(self, frame: pl.DataFrame) -> list[str]:
        return [c for c in self.PROJECT_VALUES if c in frame.columns and frame[c].null_count() < frame.height]

    def check(self, frame: pl.DataFrame) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
        known = read_frame("SELECT code FROM investment_investmentproject")
        codes = known["code"].cast(pl.String).implode() if known.height else pl.Series([], dtype=pl.String).implode()
        issues = [
            issues_where(frame, pl.col("code").is_not_null() & ~pl.col("code").is_in(codes), "项目代码",
                         "项目代码不存在，请先登记项目"),
            issues_where(frame, pl.col("planned_investment") < 0, "年度计划投资", "不能为负数"),
        ]
        if "planned_start" in frame.columns and "planned_completion" in frame.columns:
            issues.append(issues_where(frame, pl.col("planned_completion") < pl.col("planned_start"), "计划竣工日期",
                                       "不能早于计划开工日期"))
        present = self._present(frame)
        if present:
            inconsistent = pl.any_horizontal([pl.col(v).n_unique().over("code") > 1 for v in present])
            issues.append(issues_where(frame.with_columns(inconsistent.alias("_bad")), pl.col("_bad"), "项目代码",
                                       "同一项目代码各行的计划信息不一致"))
        return frame, issues

    def diff(self, frame: pl.DataFrame) -> KindDiff:
        present = self._present(frame)
        stored = cast_columns(read_frame(
            "SELECT id, code, planned_start, planned_completion, responsible_unit, responsible_person, is_major "
            "FROM investment_investmentproject"), {"id": pl.Int64, "planned_start": pl.Date,
                                                  "planned_completion": pl.Date, "is_major": pl.Boolean})
        projects = diff_table(InvestmentProject, frame.unique("code", keep="first", maintain_order=True), stored,
                              ["code"], present)
        plans_in = frame.with_columns(pl.format("{} {}", pl.col("code"), pl.col("year")).alias("_repr"))
        stored_plans = cast_columns(read_frame(
            "SELECT a.id, p.code, a.year, a.planned_investment FROM investment_annualplan a "
            "JOIN investment_investmentproject p ON p.id = a.project_id"),
            {"id": pl.Int64, "year": pl.Int64, "planned_investment": pl.Int64})
        plans = diff_table(AnnualPlan, plans_in, stored_plans, ["code", "year"], ["planned_investment"], carry=["_repr"])
        return KindDiff({"plan": plans, "project": projects}, row_status(plans, projects),
                        extra={"ids": stored.select("id", "code")})

    def write(self, diff: KindDiff, batch, actor) -> None:
        plans, projects = diff.tables["plan"], diff.tables["project"]
        note = {"import_batch": batch.pk}
        update_rows(InvestmentProject, projects, batch.pk, actor, repr_column="code", batch_note=note)
        ids = diff.extra["ids"].rename({"id": "project_id"})
        insert_rows(AnnualPlan, plans.new.join(ids, on="code"), batch.pk)
        update_rows(AnnualPlan, plans, batch.pk, actor, repr_column="_repr", batch_note=note)

    def export_frame(self, period: Period | None) -> pl.DataFrame:
        frame = read_frame(
            "SELECT p.code, a.year, a.planned_investment, p.planned_start, p.planned_completion, p.responsible_unit, "
            "p.responsible_person, p.is_major FROM investment_annualplan a "
            "JOIN investment_investmentproject p ON p.id = a.project_id ORDER BY p.code, a.year")
        return cast_columns(frame, {"year": pl.Int64, "planned_investment": pl.Int64, "planned_start": pl.Date,
                                    "planned_completion": pl.Date, "is_major": pl.Boolean})


register(ProjectPlanKind())
