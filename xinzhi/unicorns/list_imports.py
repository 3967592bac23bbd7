"""Import kind of published unicorn lists (``unicorn-lists``, issue 18): the annual conference's list as
published — 中国独角兽企业发展大会 (GEI/长城战略咨询), Hangzhou's 万物生长大会 lists — one row per company on
the list of a year: list name, year, company, city, field, valuation in 亿美元 and the tier as published.

* **Matching** to the unicorn register (:class:`~xinzhi.unicorns.models.Company`): by the USCC when the row
  has one and the register holds it, else by the exact name (a name match is a warning to review, as for
  every published list; a name held by several companies is an error).
* **Unmatched rows are reported, not created** (a warning; the row is not imported): a register entry needs
  the county (scope, region counts) and the founding date (the age criterion of every tier), and a list gives
  neither — staff register the company (page or ``unicorn-rounds`` import), then import the list again.
* **Natural key**: list name + year + company. A re-import of the same file changes nothing; a corrected row
  (valuation, tier, city, field) updates the entry with an audit entry; nothing is deleted.
* **Valuation** is typed in 亿美元 (the lists' unit) as a plain number and stored in whole US dollars; a
  header in another unit is not recognised (the required column is then missing), a cell with a unit or
  text, a value ≤ 0 or above 10,000 亿美元 is an error, and a unicorn valued under 10 亿美元 (US$1 bn, the
  tier's floor, domain file §2.1) is a warning — the usual sign of a list typed in another unit.
* **Scope**: a list entry is a provincial record (the province sets tiers, ``unicorns.tier.set``): only
  province staff import lists. The framework's region check does it — the record's region is the province.
"""

from __future__ import annotations

import polars as pl

from xinzhi.core.bulk import read_frame
from xinzhi.core.imports import Column, ColumnType, ImportKind, RecordRegion, register
from xinzhi.core.imports.checks import duplicate_issues
from xinzhi.core.imports.diff import KindDiff, cast_columns, diff_table, insert_rows, row_status, update_rows
from xinzhi.core.imports.parsing import file_issue, issues_where
from xinzhi.core.periods import Period

from .models import Company, ListEntry, ListTier

#: the lists' unit: 1 亿美元 = 100 million US dollars
YI = 100_000_000
#: above this a valuation is a unit mistake (10,000 亿美元 = US$1 trillion)
MAX_YI = 10_000
#: the unicorn floor (US$1 bn = 10 亿美元), GEI's rule (domain file §2.1)
UNICORN_FLOOR_YI = 10
VALUATION = "估值（亿美元）"
PROVINCE = "_province"


class UnicornListsKind(ImportKind):
    name = "unicorn-lists"
    label_zh = "独角兽榜单（年度发布名单）"
    file_key = ("list_name", "year", "name")
    record_region = RecordRegion(
        key=("list_name", "year", "company_id"), file_column=PROVINCE, model="unicorns.ListEntry", noun="省级榜单记录",
        header="榜单名称",
        sql=f"SELECT e.list_name, e.year, e.company_id, e.id AS record_id, "
            f"SUBSTR(c.division_code, 1, 2) || '0000' AS stored_division FROM {ListEntry._meta.db_table} e "
            f"JOIN {Company._meta.db_table} c ON c.id = e.company_id")
    instructions_zh = ("每行一家入选企业：榜单名称、榜单年度和企业为识别依据，再次导入按本表更新估值、层级、城市和领域。"
                       "企业按统一社会信用代码、其次企业名称匹配培育库（预览中提示核对）；培育库中没有的企业本行不导入，"
                       "请先登记该企业（所在县、成立日期）。估值按亿美元填写数字，不带单位。榜单记录由省级工作人员导入。")
    columns = (
        Column("list_name", "榜单名称", max_length=100, example="中国独角兽企业榜单（GEI）"),
        Column("year", "榜单年度", ColumnType.YEAR, example="2025"),
        Column("name", "企业名称", max_length=200, example="杭州某某智能科技有限公司"),
        Column("uscc", "统一社会信用代码", ColumnType.USCC, required=False, example=""),
        Column("city", "所在城市", required=False, max_length=50, example="杭州"),
        Column("field", "领域", required=False, max_length=50, example="人工智能"),
        Column("valuation", VALUATION, aliases=("估值(亿美元)", "估值/亿美元", "估值（亿美元)"), required=False,
               help_zh="亿美元，填数字（如 12.5），不带单位", example="12.5"),
        Column("tier", "层级", ColumnType.CHOICE, choices=dict(ListTier.choices), example="独角兽"),
    )
    VALUES = ("tier", "valuation_usd", "city", "field")

    def check(self, frame: pl.DataFrame) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
        issues = []
        if "valuation" not in frame.columns:  # a header in another unit (估值(亿元)) is not this column
            issues.append(file_issue(VALUATION, "缺少估值列：列名须为“估值（亿美元）”，估值按亿美元填写（可空）"))
        for col, dtype in (("uscc", pl.String), ("city", pl.String), ("field", pl.String), ("valuation", pl.String)):
            if col not in frame.columns:
                frame = frame.with_columns(pl.lit(None, dtype=dtype).alias(col))
        text = pl.col("valuation").cast(pl.String).str.strip_chars()
        number = text.str.replace_all(",", "").cast(pl.Float64, strict=False)
        frame = frame.with_columns(_yi=number)
        issues += [
            issues_where(frame, text.is_not_null() & pl.col("_yi").is_null(), VALUATION,
                         pl.format("“{}”不是数字：估值按亿美元填写数字（如 12.5），不带单位，人民币估值须先折算", text)),
            issues_where(frame, pl.col("_yi") <= 0, VALUATION, "估值须大于0"),
            issues_where(frame, pl.col("_yi") > MAX_YI, VALUATION,
                         f"估值超过{MAX_YI:,}亿美元，请核对单位（本列为亿美元，不是万美元或元）"),
            issues_where(frame, pl.col("tier").is_in(["unicorn", "super_unicorn"]) & (pl.col("_yi") < UNICORN_FLOOR_YI),
                         VALUATION, pl.format("独角兽估值应不低于10亿美元，本行为{}亿美元，请核对单位", pl.col("_yi")),
                         "warning"),
        ]
        frame = frame.with_columns(valuation_usd=(pl.col("_yi") * YI).round(0).cast(pl.Int64),
                                   city=pl.col("city").fill_null(""), field=pl.col("field").fill_null(""))
        frame, match_issues = _match(frame)
        issues += match_issues
        keyed = frame.filter(pl.col("company_id").is_not_null())
        issues.append(duplicate_issues(keyed, ["list_name", "year", "company_id"], "企业名称", "榜单同一年度的同一企业"))
        return frame, issues

    def diff(self, frame: pl.DataFrame) -> KindDiff:
        rows = frame.filter(pl.col("company_id").is_not_null()).with_columns(
            pl.col("company_id").cast(pl.Int64), pl.col("year").cast(pl.Int64),
            pl.format("{} {} {}", pl.col("year"), pl.col("list_name"), pl.col("name")).alias("_repr"))
        stored = cast_columns(read_frame(
            f"SELECT id, list_name, year, company_id, {', '.join(self.VALUES)} FROM {ListEntry._meta.db_table}"),
            {"id": pl.Int64, "year": pl.Int64, "company_id": pl.Int64, "valuation_usd": pl.Int64, "tier": pl.String,
             "list_name": pl.String, "city": pl.String, "field": pl.String})
        table = diff_table(ListEntry, rows, stored, ["list_name", "year", "company_id"], list(self.VALUES),
                           carry=["_repr"])
        return KindDiff({"entry": table}, row_status(table))

    def write(self, diff: KindDiff, batch, actor) -> None:
        table = diff.tables["entry"]
        insert_rows(ListEntry, table.new, batch.pk)
        update_rows(ListEntry, table, batch.pk, actor, repr_column="_repr", batch_note={"import_batch": batch.pk})

    def export_frame(self, period: Period | None) -> pl.DataFrame:
        frame = read_frame(
            f"SELECT e.list_name, e.year, c.name, c.uscc, e.city, e.field, e.valuation_usd, e.tier "
            f"FROM {ListEntry._meta.db_table} e JOIN {Company._meta.db_table} c ON c.id = e.company_id "
            f"ORDER BY e.year, e.list_name, c.name")
        frame = cast_columns(frame, {"year": pl.Int64, "valuation_usd": pl.Int64})
        exact = pl.col("valuation_usd").cast(pl.Decimal(30, 8)) / pl.lit(YI).cast(pl.Decimal(30, 8))
        text = exact.cast(pl.String).str.replace(r"\.?0+$", "")
        return frame.with_columns(valuation=text, uscc=pl.when(pl.col("uscc") == "").then(None)
                                  .otherwise(pl.col("uscc"))).drop("valuation_usd")


def _match(frame: pl.DataFrame) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
    """``company_id`` and the region column of each row: by USCC, else by the exact name (see the module)."""
    reg = read_frame(f"SELECT id, name, uscc, division_code FROM {Company._meta.db_table}").select(
        pl.col("id").cast(pl.Int64), pl.col("name").cast(pl.String), pl.col("uscc").cast(pl.String),
        pl.col("division_code").cast(pl.String))
    by_code = reg.filter(pl.col("uscc") != "").unique("uscc", keep="first").select(
        pl.col("uscc"), pl.col("id").alias("_c_id"), pl.col("name").alias("_c_name"), pl.col("division_code").alias("_c_div"))
    by_name = reg.group_by("name").agg(pl.len().alias("_n"), pl.col("id").first().alias("_n_id"),
                                       pl.col("division_code").first().alias("_n_div"))
    work = (frame.with_columns(pl.col("name").str.strip_chars().alias("_name"))
            .join(by_code, on="uscc", how="left").join(by_name.rename({"name": "_name"}), on="_name", how="left"))
    named = pl.col("_c_id").is_null() & (pl.col("_n") == 1)
    work = work.with_columns(
        company_id=pl.coalesce("_c_id", pl.when(named).then(pl.col("_n_id"))),
        _div=pl.coalesce("_c_div", pl.when(named).then(pl.col("_n_div"))))
    issues = [
        issues_where(work, pl.col("_c_id").is_not_null() & (pl.col("_c_name") != pl.col("_name")), "企业名称",
                     pl.format("名称与培育库中的“{}”不一致，已按统一社会信用代码匹配，请核对", pl.col("_c_name")), "warning"),
        issues_where(work, named & pl.col("uscc").is_not_null(), "统一社会信用代码",
                     "培育库中没有该统一社会信用代码，已按企业名称匹配，请核对", "warning"),
        issues_where(work, named & pl.col("uscc").is_null(), "企业名称", "已按企业名称匹配培育库中的企业，请核对", "warning"),
        issues_where(work, pl.col("_c_id").is_null() & (pl.col("_n") > 1), "企业名称",
                     pl.format("培育库中有{}家企业名为“{}”，请填写统一社会信用代码", pl.col("_n"), pl.col("_name"))),
        issues_where(work, pl.col("company_id").is_null() & pl.col("_n").is_null(), "企业名称",
                     pl.format("“{}”不在独角兽培育库中，本行不导入（请先登记该企业的所在县和成立日期）", pl.col("_name")),
                     "warning"),
    ]
    work = work.with_columns(pl.when(pl.col("_div").is_not_null()).then(pl.col("_div").str.slice(0, 2) + "0000")
                             .alias(PROVINCE))
    return work.drop("_name", "_c_id", "_c_name", "_c_div", "_n", "_n_id", "_n_div", "_div"), issues


register(UnicornListsKind())
