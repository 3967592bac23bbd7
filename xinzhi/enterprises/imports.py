"""Import kinds of the enterprise app: the register (``enterprises``) and monthly filings (``monthly-stats``)."""

from __future__ import annotations

import polars as pl

from xinzhi.core.bulk import read_frame
from xinzhi.core.imports import CONFIRMATION, Column, ColumnType, ImportKind, RecordRegion, register
from xinzhi.core.imports.checks import uscc_region_warnings
from xinzhi.core.imports.diff import (
    AROUND_SQL,
    INSERT_PART_ROWS,
    KindDiff,
    cast_columns,
    diff_table,
    insert_rows,
    read_around,
    read_monthly,
    row_status,
    update_rows,
)
from xinzhi.core.imports.parsing import issues_where
from xinzhi.core.imports.plausibility import build_series
from xinzhi.core.periods import Period

from .models import Enterprise, EnterpriseYear, MonthlyStat, Ownership

USCC = Column("uscc", "统一社会信用代码", ColumnType.USCC, help_zh="18位，校验位须正确", example="91330106MA2H00006X")


#: rows about a registered enterprise, which is in the county the register holds now
REGISTERED_ENTERPRISE = RecordRegion(
        key=("uscc",), sql="SELECT uscc, id AS record_id, division_code AS stored_division FROM enterprises_enterprise",
        file_column=None, model="enterprises.Enterprise", noun="企业")
#: rows of published lists (certifications, R&D institutions) are matched to a registered enterprise by code or
#: name (``enterprises.matching``): they live where that enterprise is registered
MATCHED_ENTERPRISE = RecordRegion(
        key=("enterprise_id",),
        sql="SELECT id AS enterprise_id, id AS record_id, division_code AS stored_division FROM enterprises_enterprise",
        file_column=None, model="enterprises.Enterprise", noun="企业", header="统一社会信用代码")
REGISTERED_ENTERPRISE_MOVABLE = RecordRegion(
        key=("uscc",), sql="SELECT uscc, id AS record_id, division_code AS stored_division FROM enterprises_enterprise",
        file_column="division_code", model="enterprises.Enterprise", noun="企业")


class EnterprisesKind(ImportKind):
    """The enterprise register, with the above-scale status (规上) of one year per row."""

    name = "enterprises"
    label_zh = "企业名录"
    file_key = ("uscc",)
    #: a register row changes the stored enterprise; its county in the file is a move when it differs
    record_region = REGISTERED_ENTERPRISE_MOVABLE
    instructions_zh = "每行一家企业，以统一社会信用代码识别；已有企业按本表更新，新企业新增。"
    columns = (
        USCC,
        Column("name", "企业名称", max_length=200, example="杭州某某科技有限公司"),
        Column("division_code", "县（市、区）代码", ColumnType.DIVISION, aliases=("县代码", "所在县（市、区）代码"),
               help_zh="企业所在县（市、区）的6位行政区划代码", example="330106"),
        Column("industry_code", "行业代码", ColumnType.INDUSTRY, aliases=("行业小类代码",),
               help_zh="GB/T 4754-2017 4位小类", example="3973"),
        Column("registered_on", "成立日期", ColumnType.DATE, required=False, example="2015-03-18"),
        Column("ownership", "登记注册类型", ColumnType.CHOICE, required=False, choices=dict(Ownership.choices),
               default=Ownership.PRIVATE.value, help_zh="空白按“民营”", example="民营"),
        Column("is_listed", "是否上市", ColumnType.BOOL, required=False, default=False, example="否"),
        Column("year", "规上年度", ColumnType.YEAR, required=False, help_zh="与“是否规上”一同填写", example="2025",
               data_year=True),
        Column("above_scale", "是否规上", ColumnType.BOOL, required=False,
               help_zh="该年度是否为规模以上工业企业", example="是"),
    )
    VALUE_COLUMNS = ("name", "division_code", "industry_code", "registered_on", "ownership", "is_listed")

    def check(self, frame: pl.DataFrame) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
        issues = []
        if "division_code" in frame.columns:
            issues.append(uscc_region_warnings(frame, "uscc", "division_code", USCC.header))
        has_year, has_flag = "year" in frame.columns, "above_scale" in frame.columns
        if has_year or has_flag:
            year = pl.col("year") if has_year else pl.lit(None)
            flag = pl.col("above_scale") if has_flag else pl.lit(None)
            issues.append(issues_where(frame, year.is_null() & flag.is_not_null(), "规上年度",
                                       "填写了“是否规上”须同时填写规上年度"))
            issues.append(issues_where(frame, year.is_not_null() & flag.is_null(), "是否规上",
                                       "填写了规上年度须同时填写“是否规上”"))
        return frame, issues

    def diff(self, frame: pl.DataFrame) -> KindDiff:
        stored = read_frame(
            "SELECT id, uscc, name, division_code, industry_code, registered_on, ownership, is_listed "
            "FROM enterprises_enterprise"
        )
        values = [c for c in self.VALUE_COLUMNS if c in frame.columns]
        enterprises = diff_table(Enterprise, frame, stored, ["uscc"], values)
        tables = {"enterprise": enterprises}
        if "year" in frame.columns and "above_scale" in frame.columns:
            stored_years = read_frame(
                "SELECT y.id, e.uscc, y.year, y.above_scale FROM enterprises_enterpriseyear y "
                "JOIN enterprises_enterprise e ON e.id = y.enterprise_id"
            )
            incoming = frame.filter(pl.col("year").is_not_null()).with_columns(
                pl.format("{} {}年", pl.col("uscc"), pl.col("year")).alias("_repr"))
            tables["year"] = diff_table(EnterpriseYear, incoming, stored_years, ["uscc", "year"], ["above_scale"],
                                        carry=["_repr"])
        status = row_status(enterprises, *(t for k, t in tables.items() if k != "enterprise"))
        return KindDiff(tables, status, extra={"ids": stored.select("id", "uscc")})

    def write(self, diff: KindDiff, batch, actor) -> None:
        enterprises = diff.tables["enterprise"]
        note = {"import_batch": batch.pk}
        insert_rows(Enterprise, enterprises.new, batch.pk)
        update_rows(Enterprise, enterprises, batch.pk, actor, repr_column="name", batch_note=note)
        years = diff.tables.get("year")
        if years is None:
            return
        typed = {"id": pl.Int64, "uscc": pl.String}
        stored = diff.extra["ids"].cast(typed)
        written = read_frame("SELECT id, uscc FROM enterprises_enterprise WHERE import_batch_id = %s",
                             [batch.pk]).cast(typed)
        ids = pl.concat([stored, written.join(stored.select("uscc"), on="uscc", how="anti")],  # + the new ones
                        how="vertical_relaxed").rename({"id": "enterprise_id"})
        for start in range(0, years.new.height, INSERT_PART_ROWS):  # joined in parts (memory of large files)
            insert_rows(EnterpriseYear, years.new.slice(start, INSERT_PART_ROWS).join(ids, on="uscc"), batch.pk)
        update_rows(EnterpriseYear, years, batch.pk, actor, repr_column="_repr", batch_note=note)

    def export_frame(self, period: Period | None) -> pl.DataFrame:
        """The register, with the above-scale status of ``period``'s year (or each one's latest year)."""
        year_filter = "y.year = %s" if period else (
            "y.year = (SELECT MAX(y2.year) FROM enterprises_enterpriseyear y2 WHERE y2.enterprise_id = e.id)")
        frame = read_frame(
            "SELECT e.uscc, e.name, e.division_code, e.industry_code, e.registered_on, e.ownership, e.is_listed, "
            "y.year, y.above_scale FROM enterprises_enterprise e "
            f"LEFT JOIN enterprises_enterpriseyear y ON y.enterprise_id = e.id AND {year_filter} ORDER BY e.uscc",
            [period.year] if period else [],
        )
        return cast_columns(frame, {"registered_on": pl.Date, "is_listed": pl.Boolean, "year": pl.Int64,
                              "above_scale": pl.Boolean})


def _money(key: str, header: str, example: str) -> Column:
    return Column(key, header, ColumnType.MONEY, default_unit="千元", help_zh="1—N月累计", example=example)


class MonthlyStatsKind(ImportKind):
    """Monthly filings of above-scale industrial enterprises, year to date (1–N月累计)."""

    name = "monthly-stats"
    label_zh = "规上工业企业月度统计（1—N月累计）"
    file_key = ("uscc", "year", "month")
    periodic = True
    scope_enterprise_column = "enterprise_id"
    #: a filing belongs to its registered enterprise: the register's current county decides
    record_region = REGISTERED_ENTERPRISE
    instructions_zh = ("每行一家企业一个期别的1—N月累计值；企业须已在企业库中。修订以前报送的数据在“是否修订”填“是”。"
                       "与企业自身历史相比异常的数值（核实性审核）须说明后才能导入：可在“核实说明”列逐行说明。")
    AMOUNTS = MonthlyStat.AMOUNT_FIELDS
    columns = (
        USCC,
        Column("enterprise_name", "企业名称", required=False, informational=True, help_zh="便于核对"),
        Column("period", "期别", ColumnType.PERIOD, help_zh="YYYY-MM", example="2025-06"),
        _money("output_value", "工业总产值", "12345.6"),
        _money("value_added", "工业增加值", "3086.4"),
        _money("revenue", "营业收入", "13000"),
        _money("rd_expense", "研发费用", "420.5"),
        _money("new_product_output", "新产品产值", "5200"),
        Column("employees", "从业人员期末人数", ColumnType.INTEGER, aliases=("从业人员期末人数(人)",),
               help_zh="人", example="230"),
        Column("is_revision", "是否修订", ColumnType.BOOL, required=False, default=False,
               help_zh="修订以前报送的数据时填“是”", example="否"),
        CONFIRMATION,
    )

    def check(self, frame: pl.DataFrame) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
        register = read_frame("SELECT id AS enterprise_id, uscc, division_code FROM enterprises_enterprise")
        register = register.with_columns(pl.col("enterprise_id").cast(pl.Int64), pl.col("uscc").cast(pl.String),
                                         pl.col("division_code").cast(pl.String))
        frame = frame.join(register, on="uscc", how="left")
        issues = [
            issues_where(frame, pl.col("uscc").is_not_null() & pl.col("enterprise_id").is_null(), USCC.header,
                         pl.format("企业“{}”不在企业库中，请先导入企业名录", pl.col("uscc"))),
        ]
        return frame, issues

    def plausibility_series(self, frame: pl.DataFrame) -> pl.DataFrame | None:
        """Each enterprise's months: the file's and the stored ones around them (核实性审核)."""
        amounts = [a for a in self.AMOUNTS if a in frame.columns]
        known = frame.filter(pl.col("enterprise_id").is_not_null() & pl.col("year").is_not_null())
        if not amounts or known.height == 0:
            return None
        stored = read_around(known, "SELECT enterprise_id, year, month, " + ", ".join(MonthlyStat.AMOUNT_FIELDS)
                             + " FROM enterprises_monthlystat WHERE " + AROUND_SQL,
                             {c: pl.Int64 for c in ("enterprise_id", "year", "month", *MonthlyStat.AMOUNT_FIELDS)})
        return build_series(known, stored, "enterprise_id", amounts)

    def diff(self, frame: pl.DataFrame) -> KindDiff:
        stored = _stored_stats(frame, previous_month=False)
        values = [c for c in (*self.AMOUNTS, "employees", "is_revision") if c in frame.columns]
        frame = frame.with_columns(
            pl.format("{} {}-{}", pl.col("uscc"), pl.col("year"), pl.col("month").cast(pl.String).str.zfill(2))
            .alias("_repr"))
        stats = diff_table(MonthlyStat, frame, stored, ["enterprise_id", "year", "month"], values,
                           carry=["division_code", "_repr"])
        return KindDiff({"stat": stats}, row_status(stats))

    def write(self, diff: KindDiff, batch, actor) -> None:
        stats = diff.tables["stat"]
        insert_rows(MonthlyStat, stats.new, batch.pk)
        update_rows(MonthlyStat, stats, batch.pk, actor, repr_column="_repr", batch_note={"import_batch": batch.pk})

    def export_frame(self, period: Period | None) -> pl.DataFrame:
        if period is None:
            raise ValueError("导出月度统计须指定期别 --period YYYY-MM")
        frame = read_frame(
            "SELECT e.uscc, e.name AS enterprise_name, m.year, m.month, m.output_value, m.value_added, m.revenue, "
            "m.rd_expense, m.new_product_output, m.employees, m.is_revision FROM enterprises_monthlystat m "
            "JOIN enterprises_enterprise e ON e.id = m.enterprise_id WHERE m.year = %s AND m.month = %s "
            "ORDER BY e.uscc",
            [period.year, period.month],
        )
        return cast_columns(frame, {**{a: pl.Int64 for a in (*self.AMOUNTS, "employees", "year", "month")},
                              "is_revision": pl.Boolean})


def _stored_stats(frame: pl.DataFrame, previous_month: bool) -> pl.DataFrame:
    """Stored filings for the periods of ``frame`` (and the month before each, for the YTD check)."""
    dtypes = {c: pl.Int64 for c in ("id", "enterprise_id", "year", "month", *MonthlyStat.AMOUNT_FIELDS, "employees")}
    return read_monthly(
        frame, previous_month,
        "SELECT id, enterprise_id, year, month, output_value, value_added, revenue, rd_expense, "
        "new_product_output, employees, is_revision FROM enterprises_monthlystat "
        "WHERE year = %s AND month BETWEEN %s AND %s",
        {**dtypes, "is_revision": pl.Boolean},
    )


register(EnterprisesKind())
register(MonthlyStatsKind())
