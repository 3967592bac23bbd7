"""Import kinds of the registers (issue 14 §8): R&D institutions by level and date (``rd-institutions``) and the
platform lists — ``innovation-centres``, ``pilot-platforms``, ``alliances`` (one row per member),
``public-service-platforms``, ``incubators``.

Enterprises (the institution's enterprise, a platform's lead unit, an alliance's members) are found in the
register by USCC, else by exact name with a warning for review (:mod:`xinzhi.enterprises.matching`). An
institution is keyed by (enterprise, level); a platform by (kind, name). Re-importing a list changes
nothing; a corrected list updates the changed fields with an audit entry; nothing stored is deleted (a
member missing from a later file stays a member). A status is taken from the file for new rows only:
later status changes go through evaluation (with their history), never through an overwrite.
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
    ChainPosition,
    InstitutionLevel,
    InstitutionStatus,
    Platform,
    PlatformKind,
    PlatformLevel,
    PlatformMember,
    RDInstitution,
)

STATUS_FOR_NEW = {k: v for k, v in InstitutionStatus.choices if k != InstitutionStatus.REVOKED}
DIVISION = Column("division_code", "所在县（市、区）代码", ColumnType.DIVISION, aliases=("县代码",),
                  help_zh="6位县级行政区划代码", example="330106")


class RDInstitutionsKind(ImportKind):
    """企业研发机构名单: enterprise, institution name, level, recognition date (and field)."""

    name = "rd-institutions"
    label_zh = "企业研发机构名单（按级别和认定日期）"
    file_key = ("uscc", "enterprise_name", "level")
    record_region = MATCHED_ENTERPRISE
    instructions_zh = ("每行一个企业研发机构：企业、机构名称、级别、认定日期（按认定日期统计新认定数）。"
                       "同一企业同一级别为同一机构，再次导入按本表更新名称、日期和领域；状态只在新增时取本表"
                       "（以后的状态变化经评价办理，有状态历史）。企业匹配：统一社会信用代码，其次企业名称（预览中提示核对）。")
    columns = (
        Column("uscc", "统一社会信用代码", ColumnType.USCC, required=False, example="91330106MA2H00006X"),
        Column("enterprise_name", "企业名称", max_length=200, example="杭州某某科技有限公司"),
        Column("name", "机构名称", max_length=200, example="杭州某某科技有限公司省级企业技术中心"),
        Column("level", "级别", ColumnType.CHOICE, choices=dict(InstitutionLevel.choices), example="省级企业技术中心"),
        Column("recognised_on", "认定日期", ColumnType.DATE, help_zh="认定文件的发文日期", example="2025-12-18"),
        Column("status", "状态", ColumnType.CHOICE, required=False, choices=STATUS_FOR_NEW,
               default=InstitutionStatus.RECOGNISED.value, help_zh="只用于新增的机构；空白按“已认定”", example="已认定"),
        Column("field", "技术领域", required=False, max_length=100, example="智能传感器"),
    )
    VALUES = ("name", "recognised_on", "recognised_year", "field")

    def check(self, frame: pl.DataFrame) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
        frame, issues = match_enterprises(frame, "uscc", "enterprise_name", "统一社会信用代码", "企业名称")
        frame = frame.with_columns(pl.col("recognised_on").dt.year().cast(pl.Int64).alias("recognised_year"))
        for col in ("field", "status"):
            if col not in frame.columns:
                frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(col))
        keyed = frame.filter(pl.col("enterprise_id").is_not_null())
        issues.append(duplicate_issues(keyed, ["enterprise_id", "level"], "级别", "企业的同一级别"))
        return frame, issues

    def diff(self, frame: pl.DataFrame) -> KindDiff:
        rows = frame.filter(pl.col("enterprise_id").is_not_null()).with_columns(
            pl.col("field").fill_null(""), pl.col("enterprise_id").cast(pl.Int64))
        stored = cast_columns(read_frame(
            "SELECT i.id, i.enterprise_id, i.level, i.name, i.recognised_on, i.recognised_year, i.field "
            "FROM platforms_rdinstitution i WHERE i.id IN (SELECT MAX(id) FROM platforms_rdinstitution "
            "GROUP BY enterprise_id, level)"),
            {"id": pl.Int64, "enterprise_id": pl.Int64, "recognised_on": pl.Date, "recognised_year": pl.Int64})
        table = diff_table(RDInstitution, rows, stored, ["enterprise_id", "level"], list(self.VALUES), carry=["status"])
        return KindDiff({"institution": table}, row_status(table))

    def write(self, diff: KindDiff, batch, actor) -> None:
        table = diff.tables["institution"]
        insert_rows(RDInstitution, table.new.with_columns(pl.col("status").fill_null(InstitutionStatus.RECOGNISED)),
                    batch.pk)
        update_rows(RDInstitution, table, batch.pk, actor, repr_column="name", batch_note={"import_batch": batch.pk})

    def export_frame(self, period: Period | None) -> pl.DataFrame:
        frame = read_frame(
            "SELECT e.uscc, e.name AS enterprise_name, i.name, i.level, i.recognised_on, i.status, i.field "
            "FROM platforms_rdinstitution i JOIN enterprises_enterprise e ON e.id = i.enterprise_id "
            "WHERE i.recognised_on IS NOT NULL ORDER BY e.uscc, i.level")
        return cast_columns(frame, {"recognised_on": pl.Date})


class PlatformListKind(ImportKind):
    """A list of platforms of one kind; with ``members`` one row per member (alliances along a chain)."""

    platform_kind: str
    members: bool = False
    PLATFORM_VALUES = ("level", "lead_enterprise_id", "division_code", "field", "cluster_id", "recognised_on",
                       "recognised_year")

    def __init__(self, kind: str, name: str, label: str, members: bool = False, example: str = "") -> None:
        self.platform_kind, self.name, self.label_zh, self.members = kind, name, label, members
        # a platform is known by its name within its kind; its county is the stored one (a move is a province act)
        self.record_region = RecordRegion(
            key=("name",), file_column="division_code", model="platforms.Platform", noun="平台",
            sql=f"SELECT name, id AS record_id, division_code AS stored_division FROM platforms_platform "
                f"WHERE kind = '{PlatformKind(kind).value}'")
        self.file_key = ("name", "member_name") if members else ("name",)
        self.instructions_zh = (
            f"每行一个{label.removesuffix('名单')}" + ("的一家成员单位（平台信息在各行重复，须一致）" if members else "")
            + "：名称为识别依据，再次导入按本表更新；状态只在新增时取本表。牵头单位"
            + ("和成员单位" if members else "") + "按统一社会信用代码、其次名称匹配企业库（预览中提示核对）；"
            "牵头单位不在库中时平台照常登记、不关联牵头单位"
            + ("；成员单位不在库中时该成员不导入" if members else "") + "。已登记的成员不会因文件中缺少而删除。")
        columns = [
            Column("name", "名称", max_length=200, example=example),
            Column("level", "级别", ColumnType.CHOICE, choices=dict(PlatformLevel.choices),
                   default=PlatformLevel.PROVINCIAL.value, required=False, example="省级"),
            Column("lead_uscc", "牵头单位统一社会信用代码", ColumnType.USCC, required=False, example="91330106MA2H00006X"),
            Column("lead_name", "牵头单位名称", required=False, max_length=200, example="杭州某某科技有限公司"),
            DIVISION,
            Column("field", "领域", required=False, max_length=100, example="新材料"),
            Column("cluster", "415X集群", required=False, help_zh="集群名称", example="高端装备"),
            Column("status", "状态", ColumnType.CHOICE, required=False, choices=STATUS_FOR_NEW,
                   default=InstitutionStatus.RECOGNISED.value, help_zh="只用于新增的平台；空白按“已认定”", example="已认定"),
            Column("recognised_on", "认定（批复）日期", ColumnType.DATE, required=False, example="2024-11-15"),
        ]
        if members:
            columns += [
                Column("member_uscc", "成员单位统一社会信用代码", ColumnType.USCC, required=False,
                       example="91330108MA2H00011X"),
                Column("member_name", "成员单位名称", max_length=200, example="杭州某某材料有限公司"),
                Column("member_role", "成员角色", ColumnType.CHOICE, required=False,
                       choices={"lead": "牵头单位", "member": "成员单位"}, default="member", example="成员单位"),
                Column("chain_position", "产业链环节", ColumnType.CHOICE, required=False,
                       choices=dict(ChainPosition.choices), example="上游"),
                Column("joined_year", "加入年度", ColumnType.YEAR, required=False, example="2024"),
            ]
        self.columns = tuple(columns)

    # -- check --------------------------------------------------------------------------------------
    def check(self, frame: pl.DataFrame) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
        optional = ("lead_uscc", "lead_name", "field", "cluster", "recognised_on", "status", "level")
        optional += ("member_uscc", "member_role", "chain_position", "joined_year") if self.members else ()
        for col in optional:
            if col not in frame.columns:
                dtype = pl.Date if col == "recognised_on" else pl.Int64 if col == "joined_year" else pl.String
                frame = frame.with_columns(pl.lit(None, dtype=dtype).alias(col))
        frame = frame.with_columns(pl.col("level").fill_null(PlatformLevel.PROVINCIAL.value))
        frame, issues = match_enterprises(frame, "lead_uscc", "lead_name", "牵头单位统一社会信用代码", "牵头单位名称",
                                          prefix="lead_", what="牵头单位")
        issues = [i.with_columns(pl.col("reason").str.replace("本行不导入（请先通过“企业名录”导入该企业）",
                                                              "平台照常登记，不关联牵头单位")) for i in issues]
        clusters = read_frame("SELECT code AS cluster_id, name AS cluster FROM industries_cluster")
        clusters = clusters.select(pl.col("cluster_id").cast(pl.String), pl.col("cluster").cast(pl.String))
        frame = frame.join(clusters, on="cluster", how="left").with_columns(
            pl.col("recognised_on").dt.year().cast(pl.Int64).alias("recognised_year"),
            pl.col("field").fill_null(""), pl.lit(self.platform_kind).alias("kind"))
        issues.append(issues_where(frame, pl.col("cluster").is_not_null() & pl.col("cluster_id").is_null(), "415X集群",
                                   pl.format("“{}”不是415X集群名称", pl.col("cluster"))))
        if self.members:
            frame, member_issues = match_enterprises(frame, "member_uscc", "member_name", "成员单位统一社会信用代码",
                                                     "成员单位名称", prefix="member_", what="成员单位")
            issues += member_issues
            issues.append(duplicate_issues(frame.filter(pl.col("member_enterprise_id").is_not_null()),
                                           ["name", "member_enterprise_id"], "成员单位名称", "平台的同一成员单位"))
            values = [c for c in ("level", "lead_enterprise_id", "division_code", "field", "cluster_id",
                                  "recognised_on", "status") if c in frame.columns]
            inconsistent = pl.any_horizontal([pl.col(v).n_unique().over("name") > 1 for v in values])
            issues.append(issues_where(frame.with_columns(inconsistent.alias("_bad")), pl.col("_bad"), "名称",
                                       "同一平台各行的平台信息不一致"))
        return frame, issues

    # -- diff and write -----------------------------------------------------------------------------
    def _stored_platforms(self) -> pl.DataFrame:
        return cast_columns(read_frame(
            "SELECT id, kind, name, level, lead_enterprise_id, division_code, field, cluster_id, recognised_on, "
            "recognised_year FROM platforms_platform WHERE kind = %s", [self.platform_kind]),
            {"id": pl.Int64, "lead_enterprise_id": pl.Int64, "recognised_on": pl.Date, "recognised_year": pl.Int64})

    def diff(self, frame: pl.DataFrame) -> KindDiff:
        stored = self._stored_platforms()
        incoming = frame.with_columns(pl.col("lead_enterprise_id").cast(pl.Int64))
        platforms = diff_table(Platform, incoming.unique("name", keep="first", maintain_order=True), stored,
                               ["kind", "name"], list(self.PLATFORM_VALUES), carry=["status"])
        tables = {"platform": platforms}
        if self.members:
            members_in = (incoming.filter(pl.col("member_enterprise_id").is_not_null())
                          .with_columns(pl.col("member_enterprise_id").cast(pl.Int64).alias("enterprise_id"),
                                        pl.col("member_role").fill_null("member").alias("role"),
                                        pl.col("chain_position").fill_null(""),
                                        pl.format("{} ∋ {}", pl.col("name"), pl.col("member_name")).alias("_repr")))
            stored_members = cast_columns(read_frame(
                "SELECT m.id, p.name, m.enterprise_id, m.role, m.chain_position, m.joined_year "
                "FROM platforms_platformmember m JOIN platforms_platform p ON p.id = m.platform_id WHERE p.kind = %s",
                [self.platform_kind]), {"id": pl.Int64, "enterprise_id": pl.Int64, "joined_year": pl.Int64})
            tables["member"] = diff_table(PlatformMember, members_in, stored_members, ["name", "enterprise_id"],
                                          ["role", "chain_position", "joined_year"], carry=["_repr"])
        status = _member_status(incoming, platforms, tables["member"]) if self.members else row_status(platforms)
        return KindDiff(tables, status, extra={"ids": stored.select("id", "name")})

    def write(self, diff: KindDiff, batch, actor) -> None:
        platforms = diff.tables["platform"]
        note = {"import_batch": batch.pk}
        insert_rows(Platform, platforms.new.with_columns(pl.col("status").fill_null(InstitutionStatus.RECOGNISED)), batch.pk)
        update_rows(Platform, platforms, batch.pk, actor, repr_column="name", batch_note=note)
        members = diff.tables.get("member")
        if members is None:
            return
        ids = pl.concat([
            diff.extra["ids"],
            read_frame("SELECT id, name FROM platforms_platform WHERE import_batch_id = %s", [batch.pk]),
        ], how="vertical_relaxed").with_columns(pl.col("id").cast(pl.Int64)).unique("name")
        insert_rows(PlatformMember, members.new.join(ids.rename({"id": "platform_id"}), on="name"), batch.pk)
        update_rows(PlatformMember, members, batch.pk, actor, repr_column="_repr", batch_note=note)

    def export_frame(self, period: Period | None) -> pl.DataFrame:
        member_cols = (", me.uscc AS member_uscc, me.name AS member_name, m.role AS member_role, "
                       "NULLIF(m.chain_position, '') AS chain_position, m.joined_year") if self.members else ""
        member_join = (" LEFT JOIN platforms_platformmember m ON m.platform_id = p.id "
                       "LEFT JOIN enterprises_enterprise me ON me.id = m.enterprise_id") if self.members else ""
        frame = read_frame(
            "SELECT p.name, p.level, le.uscc AS lead_uscc, le.name AS lead_name, p.division_code, "
            "NULLIF(p.field, '') AS field, c.name AS cluster, p.status, p.recognised_on" + member_cols +
            " FROM platforms_platform p LEFT JOIN enterprises_enterprise le ON le.id = p.lead_enterprise_id "
            "LEFT JOIN industries_cluster c ON c.code = p.cluster_id" + member_join +
            " WHERE p.kind = %s ORDER BY p.name" + (", me.uscc" if self.members else ""), [self.platform_kind])
        return cast_columns(frame, {"recognised_on": pl.Date, "joined_year": pl.Int64})


def _member_status(frame: pl.DataFrame, platforms, members) -> pl.DataFrame:
    """One status per file row of a member list: new when its platform or its member is new, changed when
    either changes, else unchanged."""
    def names(part: pl.DataFrame) -> pl.Series:
        return part["name"].implode()

    def rows(part: pl.DataFrame) -> pl.Series:
        return part[ROW].implode()

    return frame.select(ROW, "name").with_columns(
        pl.when(pl.col("name").is_in(names(platforms.new)) | pl.col(ROW).is_in(rows(members.new))).then(pl.lit("new"))
        .when(pl.col("name").is_in(names(platforms.changed)) | pl.col(ROW).is_in(rows(members.changed)))
        .then(pl.lit("changed")).otherwise(pl.lit("unchanged")).alias("status")
    ).select(ROW, "status").sort(ROW)


register(RDInstitutionsKind())
register(PlatformListKind(PlatformKind.INNOVATION_CENTRE, "innovation-centres", "制造业创新中心名单",
                          example="浙江省智能传感器创新中心"))
register(PlatformListKind(PlatformKind.PILOT_PLATFORM, "pilot-platforms", "中试平台名单", example="浙江省精细化工中试平台"))
register(PlatformListKind(PlatformKind.ALLIANCE, "alliances", "产业技术联盟及成员名单", members=True,
                          example="浙江省人形机器人产业技术创新联盟"))
register(PlatformListKind(PlatformKind.PUBLIC_SERVICE, "public-service-platforms", "产业基础公共服务平台名单",
                          example="杭州工业软件产业基础公共服务平台"))
register(PlatformListKind(PlatformKind.INCUBATOR, "incubators", "科技企业孵化器名单", example="西湖区创新谷科技企业孵化器"))

__all__ = ["PlatformListKind", "RDInstitutionsKind"]
