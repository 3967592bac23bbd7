"""Import kinds for the published recognition lists (issue 14 §8): ``hte-list`` (高新技术企业认定名单),
``tech-sme-list`` (科技型中小企业入库登记名单) and ``advanced-service-list`` (技术先进型服务企业名单).

Each row is one enterprise on one list, as the list is published. The enterprise is found in the register
by its unified social credit code, else by its exact name — a name match is a warning, so the preview shows
it for review (:mod:`xinzhi.enterprises.matching`); an enterprise not in the register is reported and its
row skipped. A certification is keyed by (enterprise, programme, year): importing the same list again
changes nothing, a corrected list updates the changed fields (audited), nothing stored is deleted.

Dates: an HTE certificate is valid three years from its issue date (自颁发证书之日起有效期为三年,
国科发火〔2016〕32号, policy_criteria.md §1), so ``有效期至`` = issue date + 3 years − 1 day; the year is
the issue date's year. A tech-SME registration is for the year of its number (入库年度).
"""

from __future__ import annotations

import datetime

import polars as pl

from xinzhi.core.bulk import read_frame
from xinzhi.core.imports import Column, ColumnType, ImportKind, register
from xinzhi.core.imports.checks import duplicate_issues
from xinzhi.core.imports.diff import KindDiff, cast_columns, diff_table, insert_rows, row_status, update_rows
from xinzhi.core.imports.parsing import issues_where
from xinzhi.core.periods import Period
from xinzhi.enterprises.imports import MATCHED_ENTERPRISE
from xinzhi.enterprises.matching import match_enterprises

from .models import Certification, Program

#: HTE qualification validity from the certificate's issue date (国科发火〔2016〕32号 第十六条; policy_criteria.md §1)
HTE_VALIDITY_YEARS = 3

USCC = Column("uscc", "统一社会信用代码", ColumnType.USCC, required=False, help_zh="有则按代码匹配企业库；无则按企业名称匹配",
              example="91330106MA2H00006X")
NAME = Column("enterprise_name", "企业名称", max_length=200, example="杭州某某科技有限公司")


def _plus_years(day: datetime.date | None, years: int) -> datetime.date | None:
    if day is None:
        return None
    try:
        return day.replace(year=day.year + years) - datetime.timedelta(days=1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class _ListKind(ImportKind):
    """One published list of one programme; subclasses set the programme and the columns."""

    program: str
    file_key = ("certificate_no",)
    record_region = MATCHED_ENTERPRISE
    VALUES = ("certificate_no", "issued_on", "expires_on", "batch")

    def _dates(self, frame: pl.DataFrame) -> pl.DataFrame:
        """``year`` and ``expires_on`` from what the list gives (subclasses)."""
        return frame

    def check(self, frame: pl.DataFrame) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
        frame, issues = match_enterprises(frame, "uscc", "enterprise_name", USCC.header, NAME.header)
        frame = self._dates(frame)
        for col in ("issued_on", "expires_on", "batch", "certificate_no"):
            if col not in frame.columns:
                frame = frame.with_columns(pl.lit(None, dtype=pl.Date if col.endswith("_on") else pl.String).alias(col))
        keyed = frame.filter(pl.col("enterprise_id").is_not_null()).with_columns(
            pl.format("{} {}", pl.col("enterprise_id"), pl.col("year")).alias("_ent_year"))
        issues.append(duplicate_issues(keyed, ["enterprise_id", "year"], NAME.header, "企业在同一年度"))
        issues.append(issues_where(frame, pl.col("year").is_null(), self.header_of("year") if "year" in
                                   {c.key for c in self.columns} else "发证日期", "无法确定年度"))
        return frame.with_columns(pl.lit(self.program).alias("program")), issues

    def _stored(self) -> pl.DataFrame:
        return cast_columns(read_frame(
            "SELECT c.id, c.enterprise_id, c.program, c.year, c.certificate_no, c.issued_on, c.expires_on, c.batch, "
            "e.uscc FROM cultivation_certification c JOIN enterprises_enterprise e ON e.id = c.enterprise_id "
            "WHERE c.program = %s", [self.program]),
            {"id": pl.Int64, "enterprise_id": pl.Int64, "year": pl.Int64, "issued_on": pl.Date, "expires_on": pl.Date})

    def diff(self, frame: pl.DataFrame) -> KindDiff:
        rows = frame.filter(pl.col("enterprise_id").is_not_null()).with_columns(
            pl.col("enterprise_id").cast(pl.Int64), pl.col("year").cast(pl.Int64),
            pl.format("{} {}年", pl.col("enterprise_name"), pl.col("year")).alias("_repr"))
        stored = self._stored().with_columns(pl.col("certificate_no").fill_null(""), pl.col("batch").fill_null(""))
        rows = rows.with_columns(pl.col("certificate_no").fill_null(""), pl.col("batch").fill_null(""))
        table = diff_table(Certification, rows, stored.drop("uscc"), ["enterprise_id", "program", "year"],
                           list(self.VALUES), carry=["_repr"])
        status = row_status(table)
        # rows skipped (enterprise not in the register) are neither new nor changed
        return KindDiff({"certification": table}, status)

    def write(self, diff: KindDiff, batch, actor) -> None:
        table = diff.tables["certification"]
        insert_rows(Certification, table.new, batch.pk)
        update_rows(Certification, table, batch.pk, actor, repr_column="_repr", batch_note={"import_batch": batch.pk})

    def export_frame(self, period: Period | None) -> pl.DataFrame:
        year = " AND c.year = %s" if period else ""
        frame = read_frame(
            "SELECT c.batch, c.certificate_no, e.name AS enterprise_name, e.uscc, c.issued_on, c.year, c.expires_on "
            "FROM cultivation_certification c JOIN enterprises_enterprise e ON e.id = c.enterprise_id "
            f"WHERE c.program = %s{year} ORDER BY c.year, c.certificate_no, e.uscc",
            [self.program, *([period.year] if period else [])])
        return cast_columns(frame, {"issued_on": pl.Date, "expires_on": pl.Date, "year": pl.Int64})


class HTEListKind(_ListKind):
    """高新技术企业认定名单, as published: batch, certificate number, enterprise name and USCC, issue date."""

    name = "hte-list"
    label_zh = "高新技术企业认定名单"
    program = Program.HTE
    instructions_zh = ("每行一家企业，与公布的认定名单一致：批次、证书编号、企业名称、统一社会信用代码、发证日期。"
                       "按统一社会信用代码匹配企业库，无代码或代码不在库中时按企业名称精确匹配（预览中逐行提示，请核对）；"
                       "企业库中没有的企业不导入。认定年度取发证日期所在年，有效期至发证日起三年。")
    columns = (
        Column("batch", "批次", required=False, max_length=100, example="2025年第一批"),
        Column("certificate_no", "证书编号", max_length=40, example="GR202533001234"),
        NAME,
        USCC,
        Column("issued_on", "发证日期", ColumnType.DATE, example="2025-12-02"),
    )

    def _dates(self, frame: pl.DataFrame) -> pl.DataFrame:
        return frame.with_columns(
            pl.col("issued_on").dt.year().cast(pl.Int64).alias("year"),
            pl.col("issued_on").map_batches(
                lambda s: pl.Series([_plus_years(d, HTE_VALIDITY_YEARS) for d in s.to_list()], dtype=pl.Date),
                return_dtype=pl.Date).alias("expires_on"),
        )

    def export_frame(self, period: Period | None) -> pl.DataFrame:
        return super().export_frame(period).drop("year", "expires_on")


class TechSMEListKind(_ListKind):
    """科技型中小企业入库登记名单: registration number (入库登记编号), enterprise, year, date."""

    name = "tech-sme-list"
    label_zh = "科技型中小企业入库登记名单"
    program = Program.TECH_SME
    instructions_zh = ("每行一家入库企业：入库登记编号、企业名称、统一社会信用代码、入库年度，入库日期可空。"
                       "企业匹配规则同高新技术企业名单；同一企业同一年度只能一行。")
    columns = (
        Column("batch", "批次", required=False, max_length=100, example="2025年第三批"),
        Column("certificate_no", "入库登记编号", max_length=40, example="20253301060A000123"),
        NAME,
        USCC,
        Column("year", "入库年度", ColumnType.YEAR, example="2025"),
        Column("issued_on", "入库日期", ColumnType.DATE, required=False, example="2025-05-20"),
    )

    def export_frame(self, period: Period | None) -> pl.DataFrame:
        return super().export_frame(period).drop("expires_on")


class AdvancedServiceListKind(_ListKind):
    """技术先进型服务企业名单: the list year, enterprise, certificate number and date when published."""

    name = "advanced-service-list"
    label_zh = "技术先进型服务企业名单"
    program = Program.ADVANCED_SERVICE
    file_key = ("uscc", "enterprise_name", "year")
    instructions_zh = "每行一家企业：名单年度、企业名称、统一社会信用代码，证书编号和认定日期有则填写。"
    columns = (
        Column("batch", "批次", required=False, max_length=100, example="2025年"),
        Column("certificate_no", "证书编号", required=False, max_length=40, example="JX2025330012"),
        NAME,
        USCC,
        Column("year", "名单年度", ColumnType.YEAR, example="2025"),
        Column("issued_on", "认定日期", ColumnType.DATE, required=False, example="2025-10-15"),
    )

    def export_frame(self, period: Period | None) -> pl.DataFrame:
        return super().export_frame(period).drop("expires_on")


register(HTEListKind())
register(TechSMEListKind())
register(AdvancedServiceListKind())
