"""Import kind of the research-needs call (科技攻关需求征集, issue 17 item 6), through the import framework:

``research-needs`` — submissions to a call as a county or city collects them, **one row per unit in rank
order** (like ``major-projects``): the need's columns repeat on every row and must agree; rank 1 is the lead
enterprise itself (单位性质 企业), ranks 2, 3, … are its partners (合作单位), numbered 1..n without gaps.

* The call is named by 征集年度 + 征集名称 and must exist. The natural key of a need is **call + lead
  enterprise + 需求名称**; of a partner, its need + 排名. A stored withdrawn need gives way to a later
  submission of the same title (the same choice the page makes), so a key names one stored need.
* The rules of a submission on the page (:func:`xinzhi.programs.research.submit_need`) hold for every row:
  总预算 > 0 and ≤ ``MAX_YUAN``, 0 ≤ 企业自筹 ≤ 总预算, 实施周期 1–120 months, the lead enterprise in the
  register (an error otherwise), a partner is not the lead itself; 提交日期 within the call's 发布日期 ..
  申报截止日期 and not in the future.
* A new need is created in 已提交 (``calls.SUBMITTED``) with its "submit" step (办理记录, note 导入),
  submitted by the importing user, in the county where its enterprise is registered — only while the call
  is collecting (征集中). A re-import of the same file changes nothing. A corrected row updates the need's
  fields or its partners with an audit entry — only while the need is 已提交 or 已退回修改 and the call is
  collecting; once vetted further (县级审核通过 …) its content is the basis of the later steps and a change
  is refused row by row. A returned need stays returned: resubmitting is the enterprise's step on the page.
* Rows live where the lead enterprise is registered (``MATCHED_ENTERPRISE``): a county user imports only
  needs of enterprises registered in its county, judged on the stored enterprise. Who may import at all is
  the framework's ``imports.run`` (staff of province, city and county).

Nothing stored is deleted: a stored partner missing from the file stays (a warning says so).
"""

from __future__ import annotations

from dataclasses import replace

import polars as pl
from django.utils import timezone

from xinzhi.core.bulk import read_frame
from xinzhi.core.imports import Column, ColumnType, ImportKind, register
from xinzhi.core.imports.checks import duplicate_issues
from xinzhi.core.imports.diff import KindDiff, TableDiff, cast_columns, diff_table, insert_rows, update_rows
from xinzhi.core.imports.parsing import ROW, issues_where
from xinzhi.core.periods import Period
from xinzhi.enterprises.imports import MATCHED_ENTERPRISE
from xinzhi.enterprises.matching import match_enterprises, register_frame

from . import calls
from .imports import _clusters, _optional
from .models import NeedPartner, NeedStep, ResearchCall, ResearchNeed, UnitKind
from .services import MAX_YUAN

#: states in which a submission's content may still change (the enterprise's or the county's hands)
EDITABLE = (calls.SUBMITTED, calls.RETURNED)
#: the page's bounds of 实施周期 (``research.submit_need``)
MONTHS = (1, 120)
DEFAULT_MONTHS = 36
NEED_KEY = ["call_id", "enterprise_id", "title"]
NEED_VALUES = ["field", "cluster_id", "problem", "targets", "budget", "self_funded", "months", "submitted_on"]
PARTNER_KEY = ["call_id", "lead_id", "title", "rank"]
PARTNER_VALUES = ["name", "kind", "enterprise_id", "in_province"]
#: a need in the file before its enterprise and call are known (rows that must agree, ranks 1..n)
FILE_NEED = ["year", "call_name", "_lead", "title"]
#: the need's columns as the file has them (must be equal on every row of a need)
FILE_NEED_VALUES = ["field", "cluster", "problem", "targets", "budget", "self_funded", "months", "submitted_on"]
NEED_DTYPES = {"id": pl.Int64, "call_id": pl.Int64, "enterprise_id": pl.Int64, "title": pl.String, "state": pl.String,
               "field": pl.String, "cluster_id": pl.String, "problem": pl.String, "targets": pl.String,
               "budget": pl.Int64, "self_funded": pl.Int64, "months": pl.Int64, "submitted_on": pl.Date}


def _day(column: str) -> pl.Expr:
    return pl.col(column).dt.strftime("%Y-%m-%d")


def _stored_needs() -> pl.DataFrame:
    """One stored need per key: a withdrawn need gives way to another submission of the same title, then the
    latest. ``state`` included (for the lock)."""
    frame = cast_columns(read_frame(
        f"SELECT id, call_id, enterprise_id, title, state, {', '.join(NEED_VALUES)} FROM {ResearchNeed._meta.db_table}"),
        NEED_DTYPES)
    return (frame.sort([pl.col("state") == calls.WITHDRAWN, pl.col("id")], descending=[False, True])
            .unique(NEED_KEY, keep="first", maintain_order=True))


class ResearchNeedsKind(ImportKind):
    name = "research-needs"
    label_zh = "科技攻关需求（征集申报）"
    file_key = ("rank", "year", "call_name", "uscc", "enterprise_name", "title")
    record_region = replace(MATCHED_ENTERPRISE, noun="牵头企业", header="牵头企业统一社会信用代码")
    instructions_zh = ("每行一个需求的一家单位（按排名）：排名1为牵头企业本身（单位性质为企业），合作单位从2起连续编号；需求信息"
                       "在各行重复且须一致。征集年度和征集名称须为已发布的需求征集；征集、牵头企业和需求名称为需求的识别依据，"
                       "需求内以排名识别单位。新需求导入后为“已提交”状态，由县级审核；再次导入按本表更新需求内容和合作单位"
                       "（仅限“已提交”“已退回修改”且征集仍在进行中的需求），文件中缺少的合作单位不会删除。总预算、企业自筹按列名"
                       "所注单位填写：总预算须为正数，企业自筹不超过总预算；实施周期1–120个月；提交日期须在征集发布日期与申报"
                       "截止日期之间。牵头企业按统一社会信用代码、其次名称匹配企业库（预览中提示核对），须已在企业库中；只能"
                       "导入本地区企业的需求。")
    columns = (
        Column("year", "征集年度", ColumnType.YEAR, example="2025"),
        Column("call_name", "征集名称", max_length=200, example="2025年企业科技攻关需求征集"),
        Column("uscc", "牵头企业统一社会信用代码", ColumnType.USCC, required=False, example="91330106MA2H00006X"),
        Column("enterprise_name", "牵头企业名称", max_length=200, example="杭州某某科技有限公司"),
        Column("title", "需求名称", max_length=200, example="高端轴承钢纯净度控制"),
        Column("field", "技术领域", max_length=100, example="新材料"),
        Column("cluster", "415X集群", required=False, help_zh="集群名称", example=""),
        Column("problem", "需解决的关键技术难题", max_length=4000, example="钢中夹杂物的尺寸与数量控制"),
        Column("targets", "攻关目标与考核指标", max_length=4000, example="氧含量≤5ppm，疲劳寿命提高30%"),
        Column("budget", "总预算", ColumnType.MONEY, default_unit="万元", example="800"),
        Column("self_funded", "企业自筹", ColumnType.MONEY, default_unit="万元", required=False, default=0,
               help_zh="不超过总预算；空白为0", example="500"),
        Column("months", "实施周期（月）", ColumnType.INTEGER, required=False, default=DEFAULT_MONTHS,
               help_zh="1–120；空白为36", example="36"),
        Column("submitted_on", "提交日期", ColumnType.DATE, example="2025-03-10"),
        Column("rank", "排名", ColumnType.INTEGER, help_zh="1为牵头企业本身，合作单位从2起连续编号", example="1"),
        Column("unit_name", "单位名称", max_length=200, example="杭州某某科技有限公司"),
        Column("unit_kind", "单位性质", ColumnType.CHOICE, choices=dict(UnitKind.choices), example="企业"),
        Column("unit_uscc", "单位统一社会信用代码", ColumnType.USCC, required=False,
               help_zh="企业库中的单位填写后关联该单位（可空）", example="91330106MA2H00006X"),
        Column("outside", "省外单位", ColumnType.BOOL, required=False, default=False, example="否"),
    )

    # -- checks ---------------------------------------------------------------------------------
    def check(self, frame: pl.DataFrame) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
        frame = _optional(frame, {"uscc": pl.String, "cluster": pl.String, "self_funded": pl.Int64, "months": pl.Int64,
                                  "unit_uscc": pl.String, "outside": pl.Boolean})
        frame = frame.with_columns(pl.col("self_funded").fill_null(0), pl.col("months").fill_null(DEFAULT_MONTHS),
                                   pl.col("outside").fill_null(False))
        frame, issues = match_enterprises(frame, "uscc", "enterprise_name", "牵头企业统一社会信用代码", "牵头企业名称",
                                          unmatched="error", what="牵头企业")
        frame = _clusters(frame, issues)
        frame = frame.with_columns(pl.coalesce(pl.col("enterprise_id").cast(pl.String), pl.col("uscc"),
                                               pl.col("enterprise_name")).alias("_lead"))
        frame = self._calls(frame, issues)
        frame = self._units(frame, issues)
        issues += self._amounts(frame) + self._agreement(frame)
        keyed = frame.filter(pl.col("enterprise_id").is_not_null() & pl.col("call_id").is_not_null())
        issues += self._locks(keyed)
        return frame, issues

    def _calls(self, frame: pl.DataFrame, issues: list) -> pl.DataFrame:
        """The call each row names (征集年度 + 征集名称) and the window of its submissions."""
        stored = cast_columns(read_frame(
            f"SELECT id AS call_id, year, name AS call_name, state AS call_state, opened_on, deadline "
            f"FROM {ResearchCall._meta.db_table}"),
            {"call_id": pl.Int64, "call_name": pl.String, "call_state": pl.String, "opened_on": pl.Date,
             "deadline": pl.Date})
        stored = stored.with_columns(pl.col("year").cast(frame.schema["year"]))
        frame = frame.join(stored, on=["year", "call_name"], how="left")
        issues.append(issues_where(frame, pl.col("call_id").is_null() & pl.col("year").is_not_null()
                                   & pl.col("call_name").is_not_null(), "征集名称",
                                   pl.format("{}年没有名为“{}”的需求征集", pl.col("year"), pl.col("call_name"))))
        issues.append(issues_where(frame, pl.col("submitted_on") < pl.col("opened_on"), "提交日期",
                                   pl.format("提交日期早于征集发布日期（{}）", _day("opened_on"))))
        issues.append(issues_where(frame, pl.col("submitted_on") > pl.col("deadline"), "提交日期",
                                   pl.format("提交日期晚于申报截止日期（{}），征集已截止", _day("deadline"))))
        issues.append(issues_where(frame, pl.col("submitted_on") > pl.lit(timezone.localdate()), "提交日期",
                                   "提交日期不能晚于今天"))
        return frame

    def _units(self, frame: pl.DataFrame, issues: list) -> pl.DataFrame:
        """Rank 1 is the lead enterprise itself; a partner is not; partners are linked to the register by their
        code, else by an exact name that names one enterprise (as the page links them)."""
        reg = register_frame()
        frame = frame.join(reg.select(pl.col("id").alias("enterprise_id"), pl.col("uscc").alias("_lead_uscc"),
                                      pl.col("name").alias("_lead_name")), on="enterprise_id", how="left")
        known = pl.col("enterprise_id").is_not_null()
        same_code = pl.col("unit_uscc").is_not_null() & (pl.col("unit_uscc") == pl.col("_lead_uscc"))
        same_name = (pl.col("unit_name") == pl.col("_lead_name")) | (pl.col("unit_name") == pl.col("enterprise_name"))
        lead_row = pl.col("rank") == 1
        issues.append(issues_where(frame, lead_row & (pl.col("unit_kind") != "enterprise"), "单位性质",
                                   "排名第1的单位须为牵头企业本身，单位性质应为“企业”"))
        issues.append(issues_where(
            frame, known & lead_row & (pl.col("unit_kind") == "enterprise")
            & ~(same_code | (pl.col("unit_uscc").is_null() & same_name)).fill_null(False), "单位名称",
            pl.format("排名第1的单位须为牵头企业“{}”本身", pl.col("_lead_name"))))
        issues.append(issues_where(frame, lead_row & pl.col("outside"), "省外单位",
                                   "排名第1的单位为牵头企业（已在企业库中登记），不能是省外单位"))
        issues.append(issues_where(frame, known & (pl.col("rank") >= 2) & (same_code | same_name), "单位名称",
                                   "合作单位不能是牵头企业本身"))
        by_code = reg.select(pl.col("uscc").alias("unit_uscc"), pl.col("id").alias("_p_code"))
        by_name = (reg.group_by("name").agg(pl.len().alias("_p_count"), pl.col("id").first().alias("_p_name"))
                   .rename({"name": "unit_name"}))
        frame = frame.join(by_code, on="unit_uscc", how="left").join(by_name, on="unit_name", how="left")
        issues.append(issues_where(
            frame, (pl.col("rank") >= 2) & pl.col("unit_uscc").is_not_null() & pl.col("_p_code").is_null() & ~pl.col("outside"),
            "单位统一社会信用代码", "企业库中没有该统一社会信用代码的单位，本合作单位不关联企业库", "warning"))
        by_name_only = pl.col("unit_uscc").is_null() & (pl.col("_p_count") == 1)
        partner = pl.coalesce(pl.col("_p_code"), pl.when(by_name_only).then(pl.col("_p_name")))
        frame = frame.with_columns(pl.when(pl.col("rank") >= 2).then(partner).cast(pl.Int64).alias("unit_enterprise_id"))
        return frame.drop("_p_code", "_p_count", "_p_name")

    def _amounts(self, frame: pl.DataFrame) -> list[pl.DataFrame]:
        low, high = MONTHS
        return [
            issues_where(frame, pl.col("budget") <= 0, "总预算", "总预算须为正数"),
            issues_where(frame, pl.col("budget") > MAX_YUAN, "总预算", "总预算超出合理范围，请核对单位"),
            issues_where(frame, pl.col("self_funded") > MAX_YUAN, "企业自筹", "企业自筹超出合理范围，请核对单位"),
            issues_where(frame, (pl.col("self_funded") > pl.col("budget")) & (pl.col("self_funded") <= MAX_YUAN),
                         "企业自筹", "企业自筹不能超过总预算"),
            issues_where(frame, (pl.col("months") < low) | (pl.col("months") > high), "实施周期（月）",
                         f"实施周期须在 {low}–{high} 个月之间"),
        ]

    def _agreement(self, frame: pl.DataFrame) -> list[pl.DataFrame]:
        """The need's columns agree on its rows; its ranks are 1..n, each once."""
        differs = [pl.when(pl.col(c).n_unique().over(FILE_NEED) > 1).then(pl.lit(self.header_of(c)))
                   for c in FILE_NEED_VALUES]
        frame = frame.with_columns(pl.concat_str(differs, separator="、", ignore_nulls=True).alias("_differs"),
                                   pl.len().over(FILE_NEED).alias("_units"))
        return [
            issues_where(frame, pl.col("_differs") != "", "需求名称",
                         pl.format("同一需求各行的需求信息须一致，以下各列不一致：{}", pl.col("_differs"))),
            issues_where(frame, pl.col("rank") < 1, "排名", "排名须为正整数"),
            issues_where(frame, pl.col("rank") > pl.col("_units"), "排名",
                         pl.format("排名须从1起连续编号：本需求共{}家单位，排名应为1–{}", pl.col("_units"), pl.col("_units"))),
            duplicate_issues(frame, [*FILE_NEED, "rank"], "排名", "需求的同一排名"),
        ]

    def _locks(self, keyed: pl.DataFrame) -> list[pl.DataFrame]:
        """New or changed needs only while the call collects; changes only while the need is editable.
        Stored partners missing from the file: a warning (nothing is deleted)."""
        needs, partners, stored, stored_partners = self._diff(keyed)
        status = self._status(keyed, needs, partners).join(
            keyed.select(ROW, *NEED_KEY, "call_state"), on=ROW, how="left").join(
            stored.select(*NEED_KEY, "state"), on=NEED_KEY, how="left")
        state = pl.col("state").replace_strict(calls.LABELS, default=pl.col("state"), return_dtype=pl.String)
        call_state = pl.col("call_state").replace_strict(calls.CALL_LABELS, default=pl.col("call_state"),
                                                         return_dtype=pl.String)
        touched = pl.col("status") != "unchanged"
        missing = self._missing_partners(keyed, stored, stored_partners)
        return [
            issues_where(status, touched & (pl.col("call_state") != calls.OPEN), "征集名称",
                         pl.format("征集当前为“{}”，不再接受申报或修改", call_state)),
            issues_where(status, (pl.col("status") == "changed") & ~pl.col("state").is_in(list(EDITABLE)), "需求名称",
                         pl.format("该需求当前为“{}”，申报内容不能再通过导入修改（仅“已提交”“已退回修改”的需求可以修改）",
                                   state)),
            issues_where(missing, pl.lit(True), "排名", pl.format(
                "已登记的第{}名合作单位“{}”不在本文件中，导入不会删除该单位", pl.col("rank"), pl.col("name")), "warning"),
        ]

    def _missing_partners(self, keyed: pl.DataFrame, stored: pl.DataFrame, stored_partners: pl.DataFrame) -> pl.DataFrame:
        first = (keyed.sort(ROW).unique(NEED_KEY, keep="first", maintain_order=True)
                 .select(ROW, *NEED_KEY).with_columns(pl.col("enterprise_id").cast(pl.Int64)))
        in_file = keyed.select(pl.col("call_id"), pl.col("enterprise_id").cast(pl.Int64).alias("lead_id"), "title",
                               pl.col("rank").cast(pl.Int64))
        gone = stored_partners.join(in_file, on=PARTNER_KEY, how="anti")
        return first.rename({"enterprise_id": "lead_id"}).join(gone, on=["call_id", "lead_id", "title"], how="inner")

    # -- diff and write ------------------------------------------------------------------------
    def _diff(self, frame: pl.DataFrame) -> tuple[TableDiff, TableDiff, pl.DataFrame, pl.DataFrame]:
        rows = frame.filter(pl.col("enterprise_id").is_not_null() & pl.col("call_id").is_not_null()).with_columns(
            pl.col("enterprise_id").cast(pl.Int64), pl.col("call_id").cast(pl.Int64), pl.col("cluster_id").cast(pl.String),
            pl.col("rank").cast(pl.Int64), pl.col("months").cast(pl.Int64))
        stored = _stored_needs()
        firsts = rows.sort(ROW).unique(NEED_KEY, keep="first", maintain_order=True)
        needs = diff_table(ResearchNeed, firsts, stored.drop("state"), NEED_KEY, NEED_VALUES, carry=["division_code"])
        ids = stored.select(pl.col("id").alias("need_id"), "call_id", pl.col("enterprise_id").alias("lead_id"), "title")
        incoming = rows.filter(pl.col("rank") >= 2).select(
            ROW, "call_id", pl.col("enterprise_id").alias("lead_id"), "title", "rank", pl.col("unit_name").alias("name"),
            pl.col("unit_kind").alias("kind"), pl.col("unit_enterprise_id").cast(pl.Int64).alias("enterprise_id"),
            (~pl.col("outside")).alias("in_province"), pl.format("{} · {}", pl.col("title"), pl.col("unit_name")).alias("_repr"),
        ).join(ids, on=["call_id", "lead_id", "title"], how="left")
        stored_partners = cast_columns(read_frame(
            f"SELECT id, need_id, rank, name, kind, enterprise_id, in_province FROM {NeedPartner._meta.db_table}"),
            {"id": pl.Int64, "need_id": pl.Int64, "rank": pl.Int64, "name": pl.String, "kind": pl.String,
             "enterprise_id": pl.Int64, "in_province": pl.Boolean}).join(ids, on="need_id", how="inner").drop("need_id")
        partners = diff_table(NeedPartner, incoming, stored_partners, PARTNER_KEY, PARTNER_VALUES,
                              carry=["need_id", "_repr"])
        return needs, partners, stored, stored_partners

    @staticmethod
    def _status(rows: pl.DataFrame, needs: TableDiff, partners: TableDiff) -> pl.DataFrame:
        """Per file row: ``new`` (its need is new), ``changed`` (the need's fields, on its first row, or the
        row's partner changes), else ``unchanged``."""
        new = needs.new.select(*NEED_KEY).with_columns(pl.lit(True).alias("_new"))
        touched = pl.concat([needs.changed.select(ROW), partners.new.select(ROW), partners.changed.select(ROW)])
        keyed = rows.select(ROW, pl.col("call_id").cast(pl.Int64), pl.col("enterprise_id").cast(pl.Int64), "title")
        return keyed.join(new, on=NEED_KEY, how="left").select(
            ROW, pl.when(pl.col("_new")).then(pl.lit("new"))
            .when(pl.col(ROW).is_in(touched[ROW].implode())).then(pl.lit("changed"))
            .otherwise(pl.lit("unchanged")).alias("status")).sort(ROW)

    def diff(self, frame: pl.DataFrame) -> KindDiff:
        needs, partners, _, _ = self._diff(frame)
        return KindDiff({"need": needs, "partner": partners}, self._status(
            frame.filter(pl.col("enterprise_id").is_not_null() & pl.col("call_id").is_not_null()), needs, partners))

    def write(self, diff: KindDiff, batch, actor) -> None:
        needs, partners = diff.tables["need"], diff.tables["partner"]
        actor_id = getattr(actor, "pk", None)
        new = needs.new.with_columns(state=pl.lit(calls.SUBMITTED), submitted_by_id=pl.lit(actor_id, dtype=pl.Int64))
        insert_rows(ResearchNeed, new, batch.pk)
        note = {"import_batch": batch.pk}
        update_rows(ResearchNeed, needs, batch.pk, actor, repr_column="title", batch_note=note)
        fresh = partners.new
        if new.height:  # each new need gets its "submit" step, as one submitted on the page does
            created = cast_columns(read_frame(
                f"SELECT n.id AS need_id, n.call_id, n.enterprise_id, n.title, n.submitted_on FROM "
                f"{ResearchNeed._meta.db_table} n WHERE NOT EXISTS (SELECT 1 FROM {NeedStep._meta.db_table} s "
                f"WHERE s.need_id = n.id)"), {"need_id": pl.Int64, "call_id": pl.Int64, "enterprise_id": pl.Int64,
                                              "title": pl.String, "submitted_on": pl.Date})
            created = created.join(new.select(NEED_KEY), on=NEED_KEY, how="semi")
            insert_rows(NeedStep, created.select(
                "need_id", pl.lit("submit").alias("action"), pl.lit("").alias("from_state"),
                pl.lit(calls.SUBMITTED).alias("to_state"), pl.col("submitted_on").alias("on"),
                pl.lit(actor_id, dtype=pl.Int64).alias("actor_id"), pl.lit("导入").alias("note")), None)
            fresh = fresh.join(created.select(pl.col("need_id").alias("_created"), "call_id",
                                              pl.col("enterprise_id").alias("lead_id"), "title"),
                               on=["call_id", "lead_id", "title"], how="left").with_columns(
                need_id=pl.coalesce("need_id", "_created"))
        insert_rows(NeedPartner, fresh, None)
        update_rows(NeedPartner, partners, None, actor, repr_column="_repr", batch_note=note)

    # -- export --------------------------------------------------------------------------------
    def export_frame(self, period: Period | None) -> pl.DataFrame:
        chosen = _stored_needs().select("id")
        needs = cast_columns(read_frame(
            f"SELECT n.id, c.year, c.name AS call_name, e.uscc, e.name AS enterprise_name, n.title, n.field, "
            f"cl.name AS cluster, n.problem, n.targets, n.budget, n.self_funded, n.months, n.submitted_on "
            f"FROM {ResearchNeed._meta.db_table} n JOIN {ResearchCall._meta.db_table} c ON c.id = n.call_id "
            f"JOIN enterprises_enterprise e ON e.id = n.enterprise_id "
            f"LEFT JOIN industries_cluster cl ON cl.code = n.cluster_id"),
            {"id": pl.Int64, "year": pl.Int64, "budget": pl.Int64, "self_funded": pl.Int64, "months": pl.Int64,
             "submitted_on": pl.Date}).join(chosen, on="id", how="semi")
        units = cast_columns(read_frame(
            f"SELECT p.need_id AS id, p.rank, p.name AS unit_name, p.kind AS unit_kind, e.uscc AS unit_uscc, "
            f"NOT p.in_province AS outside FROM {NeedPartner._meta.db_table} p "
            f"LEFT JOIN enterprises_enterprise e ON e.id = p.enterprise_id"),
            {"id": pl.Int64, "rank": pl.Int64, "unit_name": pl.String, "unit_kind": pl.String, "unit_uscc": pl.String,
             "outside": pl.Boolean})
        leads = needs.with_columns(pl.lit(1, dtype=pl.Int64).alias("rank"), pl.col("enterprise_name").alias("unit_name"),
                                   pl.lit(UnitKind.ENTERPRISE.value).alias("unit_kind"), pl.col("uscc").alias("unit_uscc"),
                                   pl.lit(False).alias("outside"))
        frame = pl.concat([leads, needs.join(units, on="id", how="inner")], how="diagonal_relaxed")
        keys = [c.key for c in self.columns]
        return frame.sort("year", "call_name", "uscc", "title", "rank").select(keys)


register(ResearchNeedsKind())
