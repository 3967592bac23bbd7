"""Import kind ``benchmarking-plans``: benchmarking plans (对标技术方案) and their results (对标结果), through the
import framework (template, preview, atomic commit, per-row Chinese errors, idempotent, export for the round
trip). Keyed by enterprise, product and benchmark (对标对象). The benchmark may name a standard of the register by
its number (标准库中的标准号). Enterprises are matched as in the other programme kinds (USCC, else exact name
with a warning); rows live where their enterprise is registered. A re-import changes nothing; a corrected row
updates the changed fields with an audit entry; nothing stored is deleted.

415X集群: a cluster name; ``不属于`` for none; empty — inferred from the enterprise's industry by the same rule as
the page and the API (:func:`.benchmarking.infer_clusters`), marked as inferred, with a warning in the preview
saying what was inferred or why nothing was (several clusters or none). The export writes an inferred cluster
as empty (a re-import infers it again) and a plan without a cluster as ``不属于``, so the round trip is unchanged.
"""

from __future__ import annotations

import polars as pl

from xinzhi.core.bulk import read_frame
from xinzhi.core.imports import Column, ColumnType, ImportKind, register
from xinzhi.core.imports.checks import duplicate_issues
from xinzhi.core.imports.diff import KindDiff, cast_columns, diff_table, insert_rows, row_status, update_rows
from xinzhi.core.imports.parsing import issues_where
from xinzhi.core.periods import Period
from xinzhi.enterprises.imports import MATCHED_ENTERPRISE
from xinzhi.enterprises.matching import match_enterprises

from .benchmarking import infer_clusters
from .imports import ENTERPRISE_NAME, USCC, _clusters, _optional
from .models import BenchmarkLevel, BenchmarkPlan, BenchmarkResult, Standard

#: the 415X集群 cell of a plan in no cluster (empty: inferred from the industry)
NONE = "不属于"


class BenchmarkPlansKind(ImportKind):
    name = "benchmarking-plans"
    label_zh = "对标达标方案及结果"
    file_key = ("uscc", "enterprise_name", "product", "benchmark")
    record_region = MATCHED_ENTERPRISE
    instructions_zh = ("每行一项企业产品的对标技术方案：企业、产品名称、对标对象为识别依据，再次导入按本表更新。"
                       "已有对标结果的填写结果和结果日期（不早于方案发布日期）；尚无结果的两列留空。"
                       "对标对象为标准库中的标准时可填其标准号。")
    columns = (
        USCC, ENTERPRISE_NAME,
        Column("product", "产品名称", max_length=200, example="高精度柔性压力传感器"),
        Column("benchmark", "对标对象", max_length=200, help_zh="标准号及名称，或国内外先进产品",
               example="IEC 60770-1:2010 变送器性能评定方法"),
        Column("standard_number", "标准库中的标准号", required=False, max_length=60, example=""),
        Column("level", "对标水平", ColumnType.CHOICE, choices=dict(BenchmarkLevel.choices), example="国际先进"),
        Column("indicators", "对比的关键指标", required=False, max_length=2000, example="量程、精度、长期稳定性"),
        Column("planned_on", "方案发布日期", ColumnType.DATE, example="2025-04-01"),
        Column("cluster", "415X集群", required=False, help_zh="集群名称；“不属于”为不属于任何集群；空白则按企业所属行业推断",
               example=""),
        Column("result", "对标结果", ColumnType.CHOICE, required=False, choices=dict(BenchmarkResult.choices), example="达标"),
        Column("result_on", "结果日期", ColumnType.DATE, required=False, example="2025-12-01"),
        Column("result_note", "结果说明", required=False, max_length=2000, example=""),
    )
    VALUES = ("standard_id", "level", "indicators", "planned_on", "cluster_id", "cluster_inferred", "result", "result_on",
              "result_note")

    def check(self, frame: pl.DataFrame) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
        frame, issues = match_enterprises(frame, "uscc", "enterprise_name", "统一社会信用代码", "企业名称")
        frame = _optional(frame, {"standard_number": pl.String, "indicators": pl.String, "cluster": pl.String,
                                  "result": pl.String, "result_on": pl.Date, "result_note": pl.String})
        none = pl.col("cluster").str.strip_chars() == NONE
        frame = frame.with_columns(none.fill_null(False).alias("_no_cluster"),
                                   pl.when(none).then(None).otherwise(pl.col("cluster")).alias("cluster"))
        frame = _clusters(frame, issues)
        frame = self._infer(frame, issues)
        numbers = read_frame(f"SELECT number AS standard_number, MIN(id) AS standard_id FROM {Standard._meta.db_table} "
                             f"WHERE number <> '' GROUP BY number")
        numbers = numbers.select(pl.col("standard_number").cast(pl.String), pl.col("standard_id").cast(pl.Int64))
        frame = frame.join(numbers, on="standard_number", how="left")
        issues.append(issues_where(frame, pl.col("standard_number").is_not_null() & pl.col("standard_id").is_null(),
                                   "标准库中的标准号", pl.format("标准库中没有标准号“{}”", pl.col("standard_number"))))
        issues.append(issues_where(frame, pl.col("result").is_not_null() & pl.col("result_on").is_null(), "结果日期",
                                   "填写了对标结果的须填写结果日期"))
        issues.append(issues_where(frame, pl.col("result").is_null() & pl.col("result_on").is_not_null(), "对标结果",
                                   "填写了结果日期的须填写对标结果（达标、领先或未达标）"))
        issues.append(issues_where(frame, pl.col("result_on") < pl.col("planned_on"), "结果日期",
                                   "结果日期不能早于方案发布日期"))
        keyed = frame.filter(pl.col("enterprise_id").is_not_null())
        issues.append(duplicate_issues(keyed, ["enterprise_id", "product", "benchmark"], "对标对象",
                                       "同一企业同一产品对同一对象的方案"))
        return frame, issues

    @staticmethod
    def _infer(frame: pl.DataFrame, issues: list) -> pl.DataFrame:
        """An empty 415X集群: inferred from the enterprise's industry (one rule with the page and the API)."""
        industries = read_frame("SELECT id AS enterprise_id, industry_code FROM enterprises_enterprise").select(
            pl.col("enterprise_id").cast(pl.Int64), pl.col("industry_code").cast(pl.String))
        frame = frame.with_columns(pl.col("enterprise_id").cast(pl.Int64)).join(industries, on="enterprise_id", how="left")
        wanted = pl.col("cluster").is_null() & ~pl.col("_no_cluster") & pl.col("enterprise_id").is_not_null()
        codes = frame.filter(wanted)["industry_code"].unique().to_list()
        inferred = infer_clusters(codes) if codes else {}
        verdicts = pl.DataFrame([(k, v.code, v.note) for k, v in inferred.items()], orient="row",
                                schema={"industry_code": pl.String, "_inferred": pl.String, "_note": pl.String})
        frame = frame.join(verdicts, on="industry_code", how="left", nulls_equal=True).with_columns(
            pl.when(wanted).then(pl.col("_inferred")).otherwise(pl.col("cluster_id")).alias("cluster_id"),
            (wanted & pl.col("_inferred").is_not_null()).alias("cluster_inferred"))
        issues.append(issues_where(frame, wanted & pl.col("_note").is_not_null(), "415X集群", pl.col("_note"), "warning"))
        return frame

    def diff(self, frame: pl.DataFrame) -> KindDiff:
        rows = frame.filter(pl.col("enterprise_id").is_not_null()).with_columns(
            pl.col("enterprise_id").cast(pl.Int64), pl.col("indicators").fill_null(""), pl.col("result").fill_null(""),
            pl.col("result_note").fill_null(""))
        stored = cast_columns(read_frame(
            f"SELECT id, enterprise_id, product, benchmark, {', '.join(self.VALUES)} FROM {BenchmarkPlan._meta.db_table}"),
            {"id": pl.Int64, "enterprise_id": pl.Int64, "standard_id": pl.Int64, "planned_on": pl.Date,
             "result_on": pl.Date, "cluster_id": pl.String, "cluster_inferred": pl.Boolean})
        table = diff_table(BenchmarkPlan, rows, stored, ["enterprise_id", "product", "benchmark"], list(self.VALUES),
                           carry=["division_code"])
        return KindDiff({"plan": table}, row_status(table))

    def write(self, diff: KindDiff, batch, actor) -> None:
        table = diff.tables["plan"]
        insert_rows(BenchmarkPlan, table.new, batch.pk)
        update_rows(BenchmarkPlan, table, batch.pk, actor, repr_column="product", batch_note={"import_batch": batch.pk})

    def export_frame(self, period: Period | None) -> pl.DataFrame:
        frame = read_frame(
            f"SELECT e.uscc, e.name AS enterprise_name, b.product, b.benchmark, s.number AS standard_number, b.level, "
            f"b.indicators, b.planned_on, CASE WHEN b.cluster_inferred THEN NULL WHEN b.cluster_id IS NULL THEN '{NONE}' "
            f"ELSE c.name END AS cluster, NULLIF(b.result, '') AS result, b.result_on, b.result_note "
            f"FROM {BenchmarkPlan._meta.db_table} b JOIN enterprises_enterprise e ON e.id = b.enterprise_id "
            f"LEFT JOIN {Standard._meta.db_table} s ON s.id = b.standard_id "
            f"LEFT JOIN industries_cluster c ON c.code = b.cluster_id ORDER BY e.uscc, b.product, b.benchmark")
        return cast_columns(frame, {"planned_on": pl.Date, "result_on": pl.Date})


register(BenchmarkPlansKind())
