"""Import kind ``brand-certificates``: 品字标 certificates (品字标认证证书, programmes.md §3.3), through the import
framework (template, preview, atomic commit, per-row Chinese errors, idempotent, export for the round trip).

Keyed by the certificate number (证书编号, unique). Enterprises are matched as in the other programme kinds
(USCC, else exact name with a warning); rows live where their enterprise is registered (``MATCHED_ENTERPRISE``:
a user imports only for enterprises of their region). A certificate already registered for another
enterprise is refused, not moved. The same rules as :func:`.services.record_certificate`, applied columnar:
有效期至 not before 发证日期; an end (撤销 / 注销 / 暂停) with its date, not before 发证日期, and no date without
an end. A re-import changes nothing; a corrected row updates the changed fields with an audit entry; nothing
stored is deleted.
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

from .imports import ENTERPRISE_NAME, USCC, _optional
from .models import BrandCertificate, CertificateEnd


class BrandCertificatesKind(ImportKind):
    name = "brand-certificates"
    label_zh = "品字标认证证书"
    file_key = ("number",)
    record_region = MATCHED_ENTERPRISE
    instructions_zh = ("每行一张品字标认证证书，以证书编号为识别依据，再次导入按本表更新。有效期至不得早于发证日期；"
                       "证书被撤销、注销或暂停的填写终止方式和终止日期，未终止的两列留空。")
    columns = (
        USCC, ENTERPRISE_NAME,
        Column("number", "证书编号", max_length=60, example="CN-ZJZZ-2025-000001"),
        Column("product", "认证产品", max_length=200, example="高精度柔性压力传感器"),
        Column("standard_number", "依据的浙江制造标准号", max_length=60, example="T/ZZB 0000-2024"),
        Column("certifier", "认证机构", max_length=100, example="浙江某某认证有限公司"),
        Column("issued_on", "发证日期", ColumnType.DATE, example="2025-03-01"),
        Column("valid_until", "有效期至", ColumnType.DATE, example="2028-02-28"),
        Column("end_kind", "证书终止", ColumnType.CHOICE, required=False, choices=dict(CertificateEnd.choices),
               help_zh="撤销、注销或暂停；未终止留空", example=""),
        Column("ended_on", "终止日期", ColumnType.DATE, required=False, example=""),
    )
    VALUES = ("enterprise_id", "product", "standard_number", "certifier", "issued_on", "valid_until", "end_kind", "ended_on")

    def check(self, frame: pl.DataFrame) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
        frame, issues = match_enterprises(frame, "uscc", "enterprise_name", "统一社会信用代码", "企业名称")
        frame = _optional(frame, {"end_kind": pl.String, "ended_on": pl.Date})
        issues.append(issues_where(frame, pl.col("valid_until") < pl.col("issued_on"), "有效期至",
                                   "有效期至不能早于发证日期"))
        issues.append(issues_where(frame, pl.col("end_kind").is_not_null() & pl.col("ended_on").is_null(), "终止日期",
                                   "证书已撤销、注销或暂停的须填写终止日期"))
        issues.append(issues_where(frame, pl.col("end_kind").is_null() & pl.col("ended_on").is_not_null(), "证书终止",
                                   "填写终止日期的须填写证书终止方式（撤销、注销或暂停）"))
        issues.append(issues_where(frame, pl.col("ended_on") < pl.col("issued_on"), "终止日期", "终止日期不能早于发证日期"))
        issues.append(duplicate_issues(frame, ["number"], "证书编号", "同一证书编号"))
        stored = read_frame(f"SELECT number, enterprise_id AS _stored_enterprise FROM {BrandCertificate._meta.db_table}")
        stored = stored.select(pl.col("number").cast(pl.String), pl.col("_stored_enterprise").cast(pl.Int64))
        frame = frame.join(stored, on="number", how="left")
        issues.append(issues_where(
            frame, pl.col("enterprise_id").is_not_null() & pl.col("_stored_enterprise").is_not_null()
            & (pl.col("enterprise_id").cast(pl.Int64) != pl.col("_stored_enterprise")), "证书编号",
            pl.format("证书编号“{}”已登记在其他企业名下", pl.col("number"))))
        return frame, issues

    def diff(self, frame: pl.DataFrame) -> KindDiff:
        rows = frame.filter(pl.col("enterprise_id").is_not_null()).with_columns(
            pl.col("enterprise_id").cast(pl.Int64), pl.col("end_kind").fill_null(""))
        stored = cast_columns(read_frame(f"SELECT id, number, {', '.join(self.VALUES)} FROM {BrandCertificate._meta.db_table}"),
                              {"id": pl.Int64, "enterprise_id": pl.Int64, "issued_on": pl.Date, "valid_until": pl.Date,
                               "ended_on": pl.Date})
        table = diff_table(BrandCertificate, rows, stored, ["number"], list(self.VALUES), carry=["division_code"])
        return KindDiff({"certificate": table}, row_status(table))

    def write(self, diff: KindDiff, batch, actor) -> None:
        table = diff.tables["certificate"]
        insert_rows(BrandCertificate, table.new, batch.pk)
        update_rows(BrandCertificate, table, batch.pk, actor, repr_column="number", batch_note={"import_batch": batch.pk})

    def export_frame(self, period: Period | None) -> pl.DataFrame:
        frame = read_frame(
            f"SELECT e.uscc, e.name AS enterprise_name, b.number, b.product, b.standard_number, b.certifier, b.issued_on, "
            f"b.valid_until, NULLIF(b.end_kind, '') AS end_kind, b.ended_on FROM {BrandCertificate._meta.db_table} b "
            f"JOIN enterprises_enterprise e ON e.id = b.enterprise_id ORDER BY b.number")
        return cast_columns(frame, {"issued_on": pl.Date, "valid_until": pl.Date, "ended_on": pl.Date, "end_kind": pl.String})


register(BrandCertificatesKind())
