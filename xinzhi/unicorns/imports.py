"""Import kind of unicorn cultivation: financing and valuation lists (``unicorn-rounds``).

One row per financing round of a company; the company is known by its name (new companies are added with
the county, track and founding date of the row; a company's fields must agree on all its rows). Amounts are
typed in the unit the header declares (default 万元; for a USD round the figures are US dollars in that
unit — the 币种 column says which) and stored in whole units; the rate is the year's average (1 USD in CNY).
Event lists (the annual conference's published list of unicorns) are the kind ``unicorn-lists``
(:mod:`xinzhi.unicorns.list_imports`); tiers are still confirmed by the province on the company page
(see docs/unicorns.md).
"""

from __future__ import annotations

import polars as pl

from xinzhi.core.bulk import read_frame
from xinzhi.core.imports import Column, ColumnType, ImportKind, RecordRegion, register
from xinzhi.core.imports.diff import KindDiff, cast_columns, diff_table, insert_rows, row_status, update_rows
from xinzhi.core.imports.parsing import issues_where
from xinzhi.core.periods import Period

from .models import Company, FinancingRound


class FinancingRoundsKind(ImportKind):
    name = "unicorn-rounds"
    label_zh = "创新型企业融资与估值名单"
    file_key = ("name", "announced_on", "round_name")
    record_region = RecordRegion(
        key=("name",), sql="SELECT name, id AS record_id, division_code AS stored_division FROM unicorns_company",
        model="unicorns.Company", noun="企业")
    instructions_zh = ("每行一家企业的一轮融资：企业按名称识别，新企业按本行的县代码、赛道和成立日期登记（同一企业各行须一致）；"
                       "融资按企业、融资日期和轮次新增或更新。币种为美元时金额和估值按美元填写（单位同列名），"
                       "美元汇率填融资当年平均汇率（1美元兑人民币）。")
    COMPANY_VALUES = ("division_code", "field", "founded_on")
    ROUND_VALUES = ("currency", "amount", "post_valuation", "usd_rate", "investors")
    columns = (
        Column("name", "企业名称", max_length=200, example="杭州某某智能科技有限公司"),
        Column("division_code", "县代码", ColumnType.DIVISION, help_zh="6位县级行政区划代码", example="330106"),
        Column("field", "赛道", max_length=50, example="人工智能"),
        Column("founded_on", "成立日期", ColumnType.DATE, example="2019-05-20"),
        Column("announced_on", "融资日期", ColumnType.DATE, example="2025-04-01"),
        Column("round_name", "轮次", max_length=30, example="C轮"),
        Column("currency", "币种", ColumnType.CHOICE, choices={"CNY": "人民币", "USD": "美元"}, example="人民币"),
        Column("amount", "融资金额", ColumnType.MONEY, default_unit="万元", example="30000"),
        Column("post_valuation", "投后估值", ColumnType.MONEY, required=False, default_unit="万元", example="500000"),
        Column("usd_rate", "美元汇率", example="7.1800", help_zh="融资当年平均汇率，1美元兑人民币"),
        Column("investors", "投资方", required=False, max_length=500, example="某某资本、某某基金"),
    )

    def check(self, frame: pl.DataFrame) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
        rate = pl.col("usd_rate").cast(pl.String).str.strip_chars().cast(pl.Float64, strict=False)
        frame = frame.with_columns(rate.alias("_rate"))
        if "investors" not in frame.columns:
            frame = frame.with_columns(pl.lit("").alias("investors"))
        if "post_valuation" not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype=pl.Int64).alias("post_valuation"))
        issues = [
            issues_where(frame, pl.col("_rate").is_null() | (pl.col("_rate") < 1) | (pl.col("_rate") > 20), "美元汇率",
                         "须为1—20之间的数字（1美元兑人民币）"),
            issues_where(frame, pl.col("amount") <= 0, "融资金额", "须大于0"),
            issues_where(frame, pl.col("post_valuation").is_not_null() & (pl.col("post_valuation") < pl.col("amount")),
                         "投后估值", "不能低于本轮融资金额"),
            issues_where(frame, pl.col("announced_on") < pl.col("founded_on"), "融资日期", "不能早于成立日期"),
        ]
        inconsistent = pl.any_horizontal([pl.col(v).n_unique().over("name") > 1 for v in self.COMPANY_VALUES])
        issues.append(issues_where(frame.with_columns(inconsistent.alias("_bad")), pl.col("_bad"), "企业名称",
                                   "同一企业各行的县代码、赛道或成立日期不一致"))
        frame = frame.with_columns(pl.col("_rate").round(4).cast(pl.String).alias("usd_rate"),
                                   pl.col("investors").fill_null(""))
        return frame, issues

    def diff(self, frame: pl.DataFrame) -> KindDiff:
        stored = cast_columns(read_frame("SELECT id, name, division_code, field, founded_on FROM unicorns_company"),
                              {"id": pl.Int64, "founded_on": pl.Date})
        companies = diff_table(Company, frame.unique("name", keep="first", maintain_order=True), stored, ["name"],
                               list(self.COMPANY_VALUES))
        stored_rounds = cast_columns(read_frame(
            "SELECT r.id, c.name, r.announced_on, r.round_name, r.currency, r.amount, r.post_valuation, "
            "CAST(r.usd_rate AS TEXT) AS usd_rate, r.investors FROM unicorns_financinground r "
            "JOIN unicorns_company c ON c.id = r.company_id"),
            {"id": pl.Int64, "announced_on": pl.Date, "amount": pl.Int64, "post_valuation": pl.Int64})
        stored_rounds = stored_rounds.with_columns(
            pl.col("usd_rate").cast(pl.Float64).round(4).cast(pl.String))
        rounds_in = frame.with_columns(pl.format("{} {} {}", pl.col("name"), pl.col("announced_on"),
                                                 pl.col("round_name")).alias("_repr"))
        rounds = diff_table(FinancingRound, rounds_in, stored_rounds, ["name", "announced_on", "round_name"],
                            list(self.ROUND_VALUES), carry=["_repr"])
        return KindDiff({"round": rounds, "company": companies}, row_status(rounds, companies),
                        extra={"ids": stored.select("id", "name")})

    def write(self, diff: KindDiff, batch, actor) -> None:
        rounds, companies = diff.tables["round"], diff.tables["company"]
        note = {"import_batch": batch.pk}
        insert_rows(Company, companies.new, batch.pk)
        update_rows(Company, companies, batch.pk, actor, repr_column="name", batch_note=note)
        ids = pl.concat([diff.extra["ids"], read_frame("SELECT id, name FROM unicorns_company WHERE import_batch_id = %s",
                                                       [batch.pk])], how="vertical_relaxed").with_columns(
            pl.col("id").cast(pl.Int64)).unique("name")
        insert_rows(FinancingRound, rounds.new.join(ids.rename({"id": "company_id"}), on="name"), batch.pk)
        update_rows(FinancingRound, rounds, batch.pk, actor, repr_column="_repr", batch_note=note)

    def export_frame(self, period: Period | None) -> pl.DataFrame:
        frame = read_frame(
            "SELECT c.name, c.division_code, c.field, c.founded_on, r.announced_on, r.round_name, r.currency, r.amount, "
            "r.post_valuation, CAST(r.usd_rate AS TEXT) AS usd_rate, r.investors FROM unicorns_financinground r "
            "JOIN unicorns_company c ON c.id = r.company_id ORDER BY c.name, r.announced_on")
        return cast_columns(frame, {"founded_on": pl.Date, "announced_on": pl.Date, "amount": pl.Int64,
                                    "post_valuation": pl.Int64})


register(FinancingRoundsKind())

# published lists (the annual conference's list of a year) are declared in their own module
from . import list_imports  # noqa: E402,F401
