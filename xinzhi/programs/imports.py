"""Import kinds of the programmes' registers (issue 17 item 6), through the import framework (template,
preview, atomic commit, per-row Chinese errors, idempotent, export for the round trip):

* ``new-product-projects`` — provincial industrial new-product projects with their review dates and
  appraisal (keyed by enterprise, plan year, product name);
* ``programme-selections`` — excellent new products and advanced technology achievements as published
  (keyed by category, year, name, enterprise);
* ``standards`` — standards an enterprise leads or takes part in (keyed by enterprise, name, level), with the
  专题方向 of task 13 and the 浙江制造 flag (group standards only);
* ``brand-certificates`` — 品字标 certificates (keyed by certificate number; :mod:`.brand_imports`);
* ``benchmarking-plans`` — benchmarking plans and their results (对标达标; :mod:`.benchmark_imports`).

Enterprises are found in the register by USCC, else by exact name with a warning for review
(:mod:`xinzhi.enterprises.matching`); rows live where their enterprise is registered (``MATCHED_ENTERPRISE``).
A re-import changes nothing; a corrected row updates the changed fields with an audit entry; nothing
stored is deleted.
"""

from __future__ import annotations

import polars as pl

from xinzhi.core.bulk import read_frame
from xinzhi.core.imports import Column, ColumnType, ImportKind, RecordRegion, register
from xinzhi.core.imports.checks import duplicate_issues
from xinzhi.core.imports.diff import KindDiff, cast_columns, diff_table, insert_rows, row_status, update_rows
from xinzhi.core.imports.parsing import ROW, issues_where
from xinzhi.core.periods import Period
from xinzhi.enterprises.imports import MATCHED_ENTERPRISE
from xinzhi.enterprises.matching import match_enterprises

from .models import (
    MajorProject,
    NewProductProject,
    NewProductStage,
    ProjectProgramme,
    ProjectUnit,
    Selection,
    SelectionKind,
    Standard,
    StandardLevel,
    StandardStatus,
    StandardTheme,
    UnitKind,
)
from .services import ZHEJIANG_MADE_GROUP_ONLY

USCC = Column("uscc", "统一社会信用代码", ColumnType.USCC, required=False, example="91330106MA2H00006X")
ENTERPRISE_NAME = Column("enterprise_name", "企业名称", max_length=200, example="杭州某某科技有限公司")


def _optional(frame: pl.DataFrame, columns: dict[str, pl.DataType]) -> pl.DataFrame:
    return frame.with_columns([pl.lit(None, dtype=t).alias(c) for c, t in columns.items() if c not in frame.columns])


def _clusters(frame: pl.DataFrame, issues: list) -> pl.DataFrame:
    clusters = read_frame("SELECT code AS cluster_id, name AS cluster FROM industries_cluster")
    clusters = clusters.select(pl.col("cluster_id").cast(pl.String), pl.col("cluster").cast(pl.String))
    frame = frame.join(clusters, on="cluster", how="left")
    issues.append(issues_where(frame, pl.col("cluster").is_not_null() & pl.col("cluster_id").is_null(), "415X集群",
                               pl.format("“{}”不是415X集群名称", pl.col("cluster"))))
    return frame


class NewProductsKind(ImportKind):
    name = "new-product-projects"
    label_zh = "省级工业新产品（新技术）项目"
    file_key = ("uscc", "enterprise_name", "year", "name")
    record_region = MATCHED_ENTERPRISE
    instructions_zh = ("每行一个新产品（新技术）项目：企业、计划年度、产品名称为识别依据，再次导入按本表更新状态、"
                       "各环节日期和鉴定验收结论。状态为“省级立项”及以后的须填立项日期，“鉴定验收通过/未通过”的须填"
                       "鉴定验收日期。企业匹配：统一社会信用代码，其次企业名称（预览中提示核对）。")
    columns = (
        USCC, ENTERPRISE_NAME,
        Column("name", "产品（技术）名称", max_length=200, example="高精度柔性压力传感器"),
        Column("kind", "类型", ColumnType.CHOICE, choices={"product": "新产品", "technology": "新技术"},
               default="product", required=False, example="新产品"),
        Column("year", "计划年度", ColumnType.YEAR, example="2025"),
        Column("stage", "状态", ColumnType.CHOICE, choices=dict(NewProductStage.choices), example="省级立项"),
        Column("applied_on", "申报日期", ColumnType.DATE, example="2025-02-01"),
        Column("county_on", "县级审核日期", ColumnType.DATE, required=False, example="2025-02-10"),
        Column("city_on", "市级审核日期", ColumnType.DATE, required=False, example="2025-03-01"),
        Column("approved_on", "省级立项日期", ColumnType.DATE, required=False, example="2025-04-01"),
        Column("appraised_on", "鉴定验收日期", ColumnType.DATE, required=False, example=""),
        Column("appraisal_result", "鉴定验收结论", required=False, max_length=500, example=""),
    )
    VALUES = ("kind", "stage", "applied_on", "county_on", "city_on", "approved_on", "appraised_on", "appraisal_result")

    def check(self, frame: pl.DataFrame) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
        frame, issues = match_enterprises(frame, "uscc", "enterprise_name", "统一社会信用代码", "企业名称")
        frame = _optional(frame, {"kind": pl.String, "county_on": pl.Date, "city_on": pl.Date, "approved_on": pl.Date,
                                  "appraised_on": pl.Date, "appraisal_result": pl.String})
        needs_approval = pl.col("stage").is_in(["approved", "appraised", "failed"])
        issues.append(issues_where(frame, needs_approval & pl.col("approved_on").is_null(), "省级立项日期",
                                   "状态为省级立项或已鉴定验收的项目须填写立项日期"))
        issues.append(issues_where(frame, pl.col("stage").is_in(["appraised", "failed"]) & pl.col("appraised_on").is_null(),
                                   "鉴定验收日期", "已鉴定验收的项目须填写鉴定验收日期"))
        issues.append(issues_where(frame, pl.col("approved_on") < pl.col("applied_on"), "省级立项日期",
                                   "立项日期早于申报日期"))
        keyed = frame.filter(pl.col("enterprise_id").is_not_null())
        issues.append(duplicate_issues(keyed, ["enterprise_id", "year", "name"], "产品（技术）名称", "同一企业同一年度的同名项目"))
        return frame, issues

    def diff(self, frame: pl.DataFrame) -> KindDiff:
        rows = frame.filter(pl.col("enterprise_id").is_not_null()).with_columns(
            pl.col("enterprise_id").cast(pl.Int64), pl.col("kind").fill_null("product"),
            pl.col("appraisal_result").fill_null(""))
        stored = cast_columns(read_frame(
            f"SELECT id, enterprise_id, year, name, {', '.join(self.VALUES)} FROM {NewProductProject._meta.db_table}"),
            {"id": pl.Int64, "enterprise_id": pl.Int64, "year": pl.Int64, **{c: pl.Date for c in self.VALUES if c.endswith("_on")}})
        table = diff_table(NewProductProject, rows.with_columns(pl.col("year").cast(pl.Int64)), stored,
                           ["enterprise_id", "year", "name"], list(self.VALUES), carry=["division_code"])
        return KindDiff({"project": table}, row_status(table))

    def write(self, diff: KindDiff, batch, actor) -> None:
        table = diff.tables["project"]
        insert_rows(NewProductProject, table.new, batch.pk)
        update_rows(NewProductProject, table, batch.pk, actor, repr_column="name", batch_note={"import_batch": batch.pk})

    def export_frame(self, period: Period | None) -> pl.DataFrame:
        frame = read_frame(
            f"SELECT e.uscc, e.name AS enterprise_name, p.name, p.kind, p.year, p.stage, p.applied_on, p.county_on, "
            f"p.city_on, p.approved_on, p.appraised_on, p.appraisal_result FROM {NewProductProject._meta.db_table} p "
            f"JOIN enterprises_enterprise e ON e.id = p.enterprise_id ORDER BY e.uscc, p.year, p.name")
        return cast_columns(frame, {c: pl.Date for c in ("applied_on", "county_on", "city_on", "approved_on", "appraised_on")})


class SelectionsKind(ImportKind):
    name = "programme-selections"
    label_zh = "优秀工业新产品与先进技术成果名单"
    file_key = ("kind", "uscc", "enterprise_name", "name")
    record_region = MATCHED_ENTERPRISE
    instructions_zh = ("每行一项公布的优秀工业新产品（新技术）或先进技术成果：类别、企业、名称和公布日期；"
                       "同一类别、同一年度、同一企业的同名成果为同一项，再次导入按本表更新等次和日期。")
    columns = (
        Column("kind", "类别", ColumnType.CHOICE, choices=dict(SelectionKind.choices), example="优秀工业新产品（新技术）"),
        USCC, ENTERPRISE_NAME,
        Column("name", "名称", max_length=200, example="高精度柔性压力传感器"),
        Column("published_on", "公布日期", ColumnType.DATE, example="2025-11-20"),
        Column("prize", "等次", required=False, max_length=20, example="一等奖"),
    )

    def check(self, frame: pl.DataFrame) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
        frame, issues = match_enterprises(frame, "uscc", "enterprise_name", "统一社会信用代码", "企业名称")
        frame = _optional(frame, {"prize": pl.String}).with_columns(year=pl.col("published_on").dt.year().cast(pl.Int64))
        keyed = frame.filter(pl.col("enterprise_id").is_not_null())
        issues.append(duplicate_issues(keyed, ["kind", "year", "enterprise_id", "name"], "名称", "同一类别同一年度的同名成果"))
        return frame, issues

    def diff(self, frame: pl.DataFrame) -> KindDiff:
        rows = frame.filter(pl.col("enterprise_id").is_not_null()).with_columns(
            pl.col("enterprise_id").cast(pl.Int64), pl.col("prize").fill_null(""))
        stored = cast_columns(read_frame(
            f"SELECT id, kind, year, enterprise_id, name, published_on, prize FROM {Selection._meta.db_table}"),
            {"id": pl.Int64, "enterprise_id": pl.Int64, "year": pl.Int64, "published_on": pl.Date})
        table = diff_table(Selection, rows, stored, ["kind", "year", "enterprise_id", "name"], ["published_on", "prize"],
                           carry=["division_code"])
        return KindDiff({"selection": table}, row_status(table))

    def write(self, diff: KindDiff, batch, actor) -> None:
        table = diff.tables["selection"]
        insert_rows(Selection, table.new, batch.pk)
        update_rows(Selection, table, batch.pk, actor, repr_column="name", batch_note={"import_batch": batch.pk})

    def export_frame(self, period: Period | None) -> pl.DataFrame:
        frame = read_frame(
            f"SELECT s.kind, e.uscc, e.name AS enterprise_name, s.name, s.published_on, s.prize "
            f"FROM {Selection._meta.db_table} s JOIN enterprises_enterprise e ON e.id = s.enterprise_id "
            f"ORDER BY s.kind, s.year, e.uscc, s.name")
        return cast_columns(frame, {"published_on": pl.Date})


class StandardsKind(ImportKind):
    name = "standards"
    label_zh = "企业参与的标准"
    file_key = ("uscc", "enterprise_name", "name", "level")
    record_region = MATCHED_ENTERPRISE
    instructions_zh = ("每行一项企业主导或参与制定的标准：企业、标准名称、级别为识别依据，再次导入按本表更新。"
                       "状态为“发布”的须填发布日期。专题方向留空为无；浙江制造标准填“是”的级别须为团体标准。")
    columns = (
        USCC, ENTERPRISE_NAME,
        Column("name", "标准名称", max_length=200, example="柔性压力传感器通用规范"),
        Column("number", "标准号", required=False, max_length=60, example="JB/T 00000-2025"),
        Column("level", "级别", ColumnType.CHOICE, choices=dict(StandardLevel.choices), example="行业标准"),
        Column("revision", "是否修订", ColumnType.BOOL, required=False, default=False, example="否"),
        Column("status", "状态", ColumnType.CHOICE, choices=dict(StandardStatus.choices), example="发布"),
        Column("role", "角色", ColumnType.CHOICE, choices={"lead": "主导制定", "participate": "参与制定"}, example="主导制定"),
        Column("drafter_rank", "起草单位排名", ColumnType.INTEGER, required=False, example="1"),
        Column("issuer", "发布机构", required=False, max_length=100, example="工业和信息化部"),
        Column("published_on", "发布日期", ColumnType.DATE, required=False, example="2025-06-01"),
        Column("cluster", "415X集群", required=False, help_zh="集群名称", example=""),
        Column("theme", "专题方向", ColumnType.CHOICE, required=False, choices=dict(StandardTheme.choices),
               help_zh="任务13的专题方向；空白为无", example=""),
        Column("zhejiang_made", "浙江制造标准", ColumnType.BOOL, required=False, default=False,
               help_zh="是/否；“是”仅限团体标准", example="否"),
    )
    VALUES = ("number", "revision", "status", "role", "drafter_rank", "issuer", "published_on", "cluster_id", "theme",
              "zhejiang_made")

    def check(self, frame: pl.DataFrame) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
        frame, issues = match_enterprises(frame, "uscc", "enterprise_name", "统一社会信用代码", "企业名称")
        frame = _optional(frame, {"number": pl.String, "revision": pl.Boolean, "drafter_rank": pl.Int64, "issuer": pl.String,
                                  "published_on": pl.Date, "cluster": pl.String, "theme": pl.String,
                                  "zhejiang_made": pl.Boolean})
        frame = _clusters(frame, issues)
        issues.append(issues_where(frame, (pl.col("status") == "published") & pl.col("published_on").is_null(), "发布日期",
                                   "已发布的标准须填写发布日期"))
        issues.append(issues_where(frame, pl.col("zhejiang_made").fill_null(False) & (pl.col("level") != StandardLevel.GROUP),
                                   "浙江制造标准", ZHEJIANG_MADE_GROUP_ONLY))
        keyed = frame.filter(pl.col("enterprise_id").is_not_null())
        issues.append(duplicate_issues(keyed, ["enterprise_id", "name", "level"], "标准名称", "同一企业同一级别的同名标准"))
        return frame, issues

    def diff(self, frame: pl.DataFrame) -> KindDiff:
        rows = frame.filter(pl.col("enterprise_id").is_not_null()).with_columns(
            pl.col("enterprise_id").cast(pl.Int64), pl.col("number").fill_null(""), pl.col("issuer").fill_null(""),
            pl.col("revision").fill_null(False), pl.col("theme").fill_null(""), pl.col("zhejiang_made").fill_null(False))
        stored = cast_columns(read_frame(
            f"SELECT id, enterprise_id, name, level, {', '.join(self.VALUES)} FROM {Standard._meta.db_table}"),
            {"id": pl.Int64, "enterprise_id": pl.Int64, "drafter_rank": pl.Int64, "published_on": pl.Date,
             "revision": pl.Boolean, "cluster_id": pl.String, "theme": pl.String, "zhejiang_made": pl.Boolean})
        table = diff_table(Standard, rows, stored, ["enterprise_id", "name", "level"], list(self.VALUES),
                           carry=["division_code"])
        return KindDiff({"standard": table}, row_status(table))

    def write(self, diff: KindDiff, batch, actor) -> None:
        table = diff.tables["standard"]
        insert_rows(Standard, table.new, batch.pk)
        update_rows(Standard, table, batch.pk, actor, repr_column="name", batch_note={"import_batch": batch.pk})

    def export_frame(self, period: Period | None) -> pl.DataFrame:
        frame = read_frame(
            f"SELECT e.uscc, e.name AS enterprise_name, s.name, s.number, s.level, s.revision, s.status, s.role, "
            f"s.drafter_rank, s.issuer, s.published_on, c.name AS cluster, NULLIF(s.theme, '') AS theme, s.zhejiang_made "
            f"FROM {Standard._meta.db_table} s "
            f"JOIN enterprises_enterprise e ON e.id = s.enterprise_id LEFT JOIN industries_cluster c ON c.code = s.cluster_id "
            f"ORDER BY e.uscc, s.level, s.name")
        return cast_columns(frame, {"published_on": pl.Date, "revision": pl.Boolean, "drafter_rank": pl.Int64,
                                    "theme": pl.String, "zhejiang_made": pl.Boolean})


class MajorProjectsKind(ImportKind):
    """Major S&T projects, one row per undertaking unit in rank order (the project's columns repeat)."""

    name = "major-projects"
    label_zh = "省重大科技项目及承担单位"
    file_key = ("programme", "name", "rank", "unit_name")
    record_region = RecordRegion(
        key=("programme", "year", "name"), file_column="division_code", model="programs.MajorProject", noun="项目",
        sql=f"SELECT programme, year, name, id AS record_id, division_code AS stored_division FROM {MajorProject._meta.db_table}")
    instructions_zh = ("每行一个项目的一家承担单位（按排名），项目信息在各行重复且须一致。计划类别、立项年度和项目名称为项目的识别"
                       "依据，项目内以排名和单位名称识别承担单位；再次导入按本表更新，文件中缺少的单位不会删除。"
                       "企业承担单位按统一社会信用代码、其次名称匹配企业库（预览中提示核对）。项目所在地取排名最前的省内企业"
                       "承担单位所在县；没有省内企业承担单位时须填“项目所在县代码”。")
    columns = (
        Column("programme", "计划类别", ColumnType.CHOICE, choices=dict(ProjectProgramme.choices), example="“尖兵”研发攻关计划"),
        Column("name", "项目名称", max_length=200, example="高精度柔性传感芯片研发与产业化"),
        Column("approved_on", "立项日期", ColumnType.DATE, example="2025-03-18"),
        Column("project_division", "项目所在县代码", ColumnType.DIVISION, required=False, example=""),
        Column("field", "技术领域", required=False, max_length=100, example="智能传感器"),
        Column("recommended_by_province", "省推荐", ColumnType.BOOL, required=False, default=False, example="否"),
        Column("rank", "排名", ColumnType.INTEGER, example="1"),
        Column("unit_name", "承担单位名称", max_length=200, example="杭州某某科技有限公司"),
        Column("unit_kind", "单位性质", ColumnType.CHOICE, choices=dict(UnitKind.choices), example="企业"),
        Column("unit_uscc", "承担单位统一社会信用代码", ColumnType.USCC, required=False, example="91330106MA2H00006X"),
        Column("outside", "省外单位", ColumnType.BOOL, required=False, default=False, example="否"),
    )
    PROJECT_VALUES = ("approved_on", "division_code", "field", "recommended_by_province", "lead_enterprise_id")

    def check(self, frame: pl.DataFrame) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
        frame = _optional(frame, {"project_division": pl.String, "field": pl.String, "recommended_by_province": pl.Boolean,
                                  "unit_uscc": pl.String, "outside": pl.Boolean})
        enterprise_rows = frame.filter(pl.col("unit_kind") == "enterprise")
        matched, issues = match_enterprises(enterprise_rows, "unit_uscc", "unit_name", "承担单位统一社会信用代码",
                                            "承担单位名称", prefix="unit_", what="企业承担单位")
        frame = frame.join(matched.select(ROW, "unit_enterprise_id", "unit_division_code"), on=ROW, how="left")
        frame = frame.with_columns(year=pl.col("approved_on").dt.year().cast(pl.Int64),
                                   outside=pl.col("outside").fill_null(False),
                                   recommended_by_province=pl.col("recommended_by_province").fill_null(False),
                                   field=pl.col("field").fill_null(""))
        key = ["programme", "year", "name"]
        in_province_ent = pl.col("unit_enterprise_id").is_not_null() & ~pl.col("outside")
        first = (frame.filter(in_province_ent).sort("rank").group_by(key, maintain_order=True)
                 .agg(pl.col("unit_division_code").first().alias("_lead_div")))
        lead = (frame.filter(pl.col("unit_kind") == "enterprise").sort("rank").group_by(key, maintain_order=True)
                .agg(pl.col("rank").first().alias("_first_rank"), pl.col("unit_enterprise_id").first().alias("_first_ent")))
        frame = frame.join(first, on=key, how="left").join(lead, on=key, how="left").with_columns(
            division_code=pl.coalesce("_lead_div", "project_division"),
            lead_enterprise_id=pl.when(pl.col("_first_rank") == pl.col("rank").min().over(key))
            .then(pl.col("_first_ent")).cast(pl.Int64),
        )
        issues.append(issues_where(frame, pl.col("division_code").is_null(), "项目所在县代码",
                                   "项目没有省内企业承担单位，须填写项目所在县代码"))
        issues.append(issues_where(frame, pl.col("rank") < 1, "排名", "排名须为正整数"))
        project_cols = ["approved_on", "project_division", "field", "recommended_by_province"]
        bad = pl.any_horizontal([pl.col(c).n_unique().over(key) > 1 for c in project_cols])
        issues.append(issues_where(frame.with_columns(bad.alias("_bad")), pl.col("_bad"), "项目名称",
                                   "同一项目各行的项目信息不一致"))
        issues.append(duplicate_issues(frame, [*key, "rank", "unit_name"], "承担单位名称", "同一项目同一排名的同名单位"))
        return frame, issues

    def diff(self, frame: pl.DataFrame) -> KindDiff:
        key = ["programme", "year", "name"]
        stored_projects = cast_columns(read_frame(
            f"SELECT id, programme, year, name, {', '.join(self.PROJECT_VALUES)} FROM {MajorProject._meta.db_table}"),
            {"id": pl.Int64, "year": pl.Int64, "approved_on": pl.Date, "lead_enterprise_id": pl.Int64,
             "recommended_by_province": pl.Boolean})
        projects = diff_table(MajorProject, frame.sort(ROW).unique(key, keep="first", maintain_order=True), stored_projects,
                              key, list(self.PROJECT_VALUES))
        units_in = frame.select(ROW, *key, "rank", pl.col("unit_name").alias("unit"), pl.col("unit_kind").alias("kind"),
                                (~pl.col("outside")).alias("in_province"),
                                pl.col("unit_enterprise_id").cast(pl.Int64).alias("enterprise_id"),
                                pl.format("{} · {}", pl.col("name"), pl.col("unit_name")).alias("_repr"))
        stored_units = cast_columns(read_frame(
            f"SELECT u.id, p.programme, p.year, p.name, u.rank, u.name AS unit, u.kind, u.in_province, u.enterprise_id "
            f"FROM {ProjectUnit._meta.db_table} u JOIN {MajorProject._meta.db_table} p ON p.id = u.project_id"),
            {"id": pl.Int64, "year": pl.Int64, "rank": pl.Int64, "in_province": pl.Boolean, "enterprise_id": pl.Int64})
        units = diff_table(ProjectUnit, units_in.with_columns(pl.col("rank").cast(pl.Int64)), stored_units,
                           [*key, "rank", "unit"], ["kind", "in_province", "enterprise_id"], carry=["_repr"])
        return KindDiff({"unit": units, "project": projects}, row_status(units, projects),
                        extra={"ids": stored_projects.select("id", *key)})

    def write(self, diff: KindDiff, batch, actor) -> None:
        key = ["programme", "year", "name"]
        projects, units = diff.tables["project"], diff.tables["unit"]
        insert_rows(MajorProject, projects.new, batch.pk)
        update_rows(MajorProject, projects, batch.pk, actor, repr_column="name", batch_note={"import_batch": batch.pk})
        ids = cast_columns(read_frame(f"SELECT id, programme, year, name FROM {MajorProject._meta.db_table}"),
                           {"id": pl.Int64, "year": pl.Int64})
        new_units = units.new.join(ids.rename({"id": "project_id"}), on=key, how="inner").drop("name").rename({"unit": "name"})
        insert_rows(ProjectUnit, new_units, batch.pk)
        update_rows(ProjectUnit, units, batch.pk, actor, repr_column="_repr", batch_note={"import_batch": batch.pk})

    def export_frame(self, period: Period | None) -> pl.DataFrame:
        frame = read_frame(
            f"SELECT p.programme, p.name, p.approved_on, p.division_code AS project_division, p.field, "
            f"p.recommended_by_province, u.rank, u.name AS unit_name, u.kind AS unit_kind, e.uscc AS unit_uscc, "
            f"NOT u.in_province AS outside FROM {ProjectUnit._meta.db_table} u "
            f"JOIN {MajorProject._meta.db_table} p ON p.id = u.project_id "
            f"LEFT JOIN enterprises_enterprise e ON e.id = u.enterprise_id ORDER BY p.year, p.programme, p.name, u.rank")
        return cast_columns(frame, {"approved_on": pl.Date, "rank": pl.Int64, "recommended_by_province": pl.Boolean,
                                    "outside": pl.Boolean})


register(NewProductsKind())
register(MajorProjectsKind())
register(SelectionsKind())
register(StandardsKind())

# the closed loop's registers (problems posed, solvers) and the submissions to the research-needs call
# (科技攻关需求征集) are declared in their own modules
from . import benchmark_imports, brand_imports, loop_imports, match_imports, need_imports, scenario_imports  # noqa: E402,F401
