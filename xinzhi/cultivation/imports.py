"""Import kind ``annual-packages``: many report-once packages from one Excel/CSV file (staff), flat columns.

Each row is one enterprise's package for one year. Money columns declare their unit in the header
(default 万元, converted to whole yuan once). The framework checks types, codes, duplicates and the
importing user's region; then every row is built into the package JSON and validated by
:func:`xinzhi.policy.package.parse_package` — the same field-by-field Chinese reasons as the form,
each reported on the row and the column it came from. The commit is atomic (nothing is written if a
row has an error); a changed package becomes a new version and the replaced version is audited.
"""

from __future__ import annotations

import json
from typing import Any

import polars as pl

from xinzhi.core.audit import log_bulk_changes
from xinzhi.core.bulk import insert_frame, read_frame, update_frame
from xinzhi.core.imports import Column, ColumnType, ImportKind, register
from xinzhi.core.imports.diff import KindDiff, TableDiff
from xinzhi.core.imports.parsing import ROW, empty_issues, issues_where
from xinzhi.core.periods import Period
from xinzhi.enterprises.imports import REGISTERED_ENTERPRISE
from xinzhi.policy.package import COLLECTION_METHODS, SCHEMA, PackageValidationError, parse_package

from .models import AnnualPackage


def _money(key: str, header: str, path: str, required: bool = False, example: str = "") -> tuple[Column, str]:
    return Column(key, header, ColumnType.MONEY, required=required, default_unit="万元", example=example), path


def _count(key: str, header: str, path: str, required: bool = False, example: str = "") -> tuple[Column, str]:
    return Column(key, header, ColumnType.INTEGER, required=required, example=example), path


#: (column, package path); ``prior1.*``/``prior2.*`` go to ``prior_years`` (year − 1 / year − 2)
FIELDS: tuple[tuple[Column, str], ...] = (
    (Column("uscc", "统一社会信用代码", ColumnType.USCC, example="91330106MA2H00006X"), "uscc"),
    (Column("enterprise_name", "企业名称", required=False, informational=True, help_zh="便于核对"), ""),
    (Column("year", "数据年度", ColumnType.YEAR, example="2025", data_year=True), "year"),
    (Column("registration_date", "注册成立日期", ColumnType.DATE, required=False, help_zh="空白取企业库成立日期"),
     "registration_date"),
    (Column("industry_code", "行业代码", ColumnType.INDUSTRY, required=False, help_zh="空白取企业库行业"), "industry_code"),
    _money("total_revenue", "总收入", "revenue.total_revenue", True, "12150"),
    _money("sales_revenue", "销售收入", "revenue.sales_revenue", True, "12000"),
    _money("high_tech_revenue", "高新技术产品（服务）收入", "revenue.high_tech_revenue", True, "8000"),
    _money("manufacturing_sales", "制造业销售额", "revenue.manufacturing_sales"),
    _money("total_costs_expenses", "成本费用支出总额", "revenue.total_costs_expenses"),
    _money("export_sales", "出口及跨境应税销售额", "revenue.export_sales"),
    _money("rd_personnel", "研发-人员人工费用", "rd_expense.personnel", True, "260"),
    _money("rd_direct_input", "研发-直接投入费用", "rd_expense.direct_input", True, "120"),
    _money("rd_depreciation", "研发-折旧费用", "rd_expense.depreciation", True, "40"),
    _money("rd_depreciation_tax", "研发-折旧费用（税法口径）", "rd_expense.depreciation_tax"),
    _money("rd_amortisation", "研发-无形资产摊销", "rd_expense.amortisation", True, "10"),
    _money("rd_design", "研发-设计与试验费用", "rd_expense.design_and_trials", True, "30"),
    _money("rd_equipment", "研发-装备调试费用", "rd_expense.equipment_debugging"),
    _money("rd_other", "研发-其他费用", "rd_expense.other"),
    _money("rd_entrusted_domestic", "研发-委托境内研发", "rd_expense.entrusted_domestic"),
    _money("rd_entrusted_abroad", "研发-委托境外研发", "rd_expense.entrusted_abroad"),
    _count("staff_total", "职工总数", "staff.total", True, "260"),
    _count("st_staff", "科技人员数", "staff.st_staff", True, "30"),
    _count("college_or_above", "大专及以上学历人数", "staff.college_or_above"),
    (Column("net_assets", "年末净资产", ColumnType.MONEY, default_unit="万元", example="8600"), "net_assets"),
    _money("total_assets", "年末资产总额", "total_assets", True, "18000"),
    _money("prior1_sales", "上年销售收入", "prior1.sales_revenue"),
    (Column("prior1_net_assets", "上年末净资产", ColumnType.MONEY, required=False, default_unit="万元"),
     "prior1.net_assets"),
    _money("prior1_rd", "上年研发费用", "prior1.rd_expense"),
    _money("prior1_rd_domestic", "上年境内研发费用", "prior1.rd_domestic"),
    _money("prior2_sales", "前年销售收入", "prior2.sales_revenue"),
    (Column("prior2_net_assets", "前年末净资产", ColumnType.MONEY, required=False, default_unit="万元"),
     "prior2.net_assets"),
    _money("prior2_rd", "前年研发费用", "prior2.rd_expense"),
    _money("prior2_rd_domestic", "前年境内研发费用", "prior2.rd_domestic"),
    _count("ip_class1_own", "Ⅰ类知识产权（自主）", "ip.class1_own"),
    _count("ip_class1_acquired", "Ⅰ类知识产权（受让等）", "ip.class1_acquired"),
    _count("ip_class2_own", "Ⅱ类知识产权（自主）", "ip.class2_own"),
    _count("ip_class2_acquired", "Ⅱ类知识产权（受让等）", "ip.class2_acquired"),
    _count("conversions_1", "前年科技成果转化数", "conversions.0"),
    _count("conversions_2", "上年科技成果转化数", "conversions.1"),
    _count("conversions_3", "本年科技成果转化数", "conversions.2"),
    (Column("collection_method", "企业所得税征收方式", ColumnType.CHOICE, required=False, choices=COLLECTION_METHODS,
            default="audit", help_zh="查账征收/核定征收，空白按查账征收"), "tax.collection_method"),
    (Column("vat_general_taxpayer", "增值税一般纳税人", ColumnType.BOOL, required=False), "tax.vat_general_taxpayer"),
    _money("creditable_input_vat", "本年可抵扣进项税额", "tax.creditable_input_vat"),
    (Column("taxable_income", "弥补亏损前应纳税所得额", ColumnType.MONEY, required=False, default_unit="万元"),
     "tax.taxable_income_before_losses"),
    (Column("hte_issue", "高企证书颁发日期", ColumnType.DATE, required=False), "holdings.hte_certificate_issue_date"),
    (Column("hte_field", "高新技术领域", required=False, help_zh="八大领域之一"), "holdings.hte_field"),
    (Column("provincial_rd_institution", "拥有省部级以上研发机构", ColumnType.BOOL, required=False),
     "holdings.provincial_rd_institution"),
)
PATHS = {c.key: path for c, path in FIELDS if path}
PATH_HEADER = {path: c.header for c, path in FIELDS if path}


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    for part in parts[:-1]:
        data = data.setdefault(part, {})
    data[parts[-1]] = value


def build_package(row: dict[str, Any]) -> dict[str, Any]:
    """One parsed file row (money in whole yuan) → package dict (money as yuan strings)."""
    data: dict[str, Any] = {"schema": SCHEMA}
    prior: dict[int, dict[str, Any]] = {}
    conversions: dict[int, int] = {}
    money = {c.key for c, _ in FIELDS if c.type is ColumnType.MONEY}
    for key, path in PATHS.items():
        value = row.get(key)
        if value is None:
            continue
        if key in money:
            value = str(value)
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        if path.startswith("prior"):
            prior.setdefault(int(path[5]), {})[path.split(".")[1]] = value
        elif path.startswith("conversions."):
            conversions[int(path.split(".")[1])] = value
        else:
            _set(data, path, value)
    years = []
    for back in (2, 1):
        if back in prior:
            years.append({"year": row["year"] - back, **prior[back]})
    if years:
        data["prior_years"] = years
    if conversions:
        data["conversions"] = [conversions[i] for i in sorted(conversions)]
    return data


def _header_for(path: str) -> str:
    """The file column a package error path points at (``prior_years[0].sales_revenue`` → 前年/上年…)."""
    if path in PATH_HEADER:
        return PATH_HEADER[path]
    if path.startswith("prior_years"):
        return "以前年度数据"
    if path.startswith("conversions"):
        return "科技成果转化数"
    return path


def canonical(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


class AnnualPackagesKind(ImportKind):
    """Report-once packages, one row per enterprise and year."""

    name = "annual-packages"
    label_zh = "年度数据包（最多报一次）"
    file_key = ("uscc", "year")
    scope_enterprise_column = "enterprise_id"
    #: a package belongs to its registered enterprise: the register's current county decides
    record_region = REGISTERED_ENTERPRISE
    instructions_zh = ("每行一家企业一个年度的数据包；企业须已在企业库中。金额按列名所注单位填写（默认万元）。"
                       "各字段含义见平台“使用帮助 → 年度数据包字段说明”（/help/package/）；校验规则与企业在线填报相同。")
    columns = tuple(c for c, _ in FIELDS)

    def check(self, frame: pl.DataFrame) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
        register_frame = read_frame(
            "SELECT id AS enterprise_id, uscc, name AS _name, division_code, industry_code AS _industry, "
            "registered_on AS _registered FROM enterprises_enterprise")
        register_frame = register_frame.select(
            pl.col("enterprise_id").cast(pl.Int64), pl.col("uscc").cast(pl.String), pl.col("_name").cast(pl.String),
            pl.col("division_code").cast(pl.String), pl.col("_industry").cast(pl.String),
            pl.col("_registered").cast(pl.String).str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False))
        frame = frame.join(register_frame, on="uscc", how="left")
        fills = []
        for key, fallback in (("industry_code", "_industry"), ("registration_date", "_registered")):
            fills.append((pl.col(key) if key in frame.columns else pl.lit(None)).fill_null(pl.col(fallback)).alias(key))
        frame = frame.with_columns(fills)
        issues = [issues_where(frame, pl.col("uscc").is_not_null() & pl.col("enterprise_id").is_null(), "统一社会信用代码",
                               pl.format("企业“{}”不在企业库中，请先导入企业名录", pl.col("uscc")))]
        # cross-field rules: the package parser itself (the same Chinese reasons as the form), per row
        rows, errors, texts = [], [], []
        for row in frame.iter_rows(named=True):
            if row["enterprise_id"] is None or row["year"] is None:
                texts.append(None)
                continue
            data = build_package(row)
            data["name"] = row["_name"]
            try:
                parse_package(data)
            except PackageValidationError as exc:
                for e in exc.errors:
                    rows.append(row[ROW])
                    errors.append((_header_for(e.path), f"{e.label or e.path}：{e.reason}"))
            texts.append(canonical(data))
        frame = frame.with_columns(_data=pl.Series(texts, dtype=pl.String))
        if rows:
            issues.append(pl.DataFrame({ROW: rows, "field": [f for f, _ in errors], "reason": [r for _, r in errors],
                                        "severity": ["error"] * len(rows)}, schema={ROW: pl.Int64, "field": pl.String,
                                                                                     "reason": pl.String, "severity": pl.String}))
        return frame, issues

    def diff(self, frame: pl.DataFrame) -> KindDiff:
        if frame.height == 0:
            empty = frame.select(ROW)
            table = TableDiff(AnnualPackage, ("enterprise_id", "year"), ("data",), empty, empty, empty)
            return KindDiff({"package": table}, empty.with_columns(status=pl.lit("new")))
        from .services.screening import _data_sql

        stored = read_frame(f"SELECT p.id, p.enterprise_id, p.year, p.version, {_data_sql()} AS data "
                            "FROM cultivation_annualpackage p WHERE p.is_current = %s", [True])
        if stored.height:
            stored = stored.select(
                pl.col("id").cast(pl.Int64), pl.col("enterprise_id").cast(pl.Int64), pl.col("year").cast(pl.Int64),
                pl.col("version").cast(pl.Int64),
                pl.col("data").cast(pl.String).map_elements(lambda t: canonical(json.loads(t)), return_dtype=pl.String)
                .alias("_old"))
        else:
            stored = pl.DataFrame(schema={"id": pl.Int64, "enterprise_id": pl.Int64, "year": pl.Int64,
                                          "version": pl.Int64, "_old": pl.String})
        incoming = frame.select(ROW, "enterprise_id", pl.col("year").cast(pl.Int64), "division_code", "_data", "uscc")
        joined = incoming.join(stored, on=["enterprise_id", "year"], how="left")
        new = joined.filter(pl.col("id").is_null())
        changed = joined.filter(pl.col("id").is_not_null() & (pl.col("_data") != pl.col("_old")))
        unchanged = joined.filter(pl.col("id").is_not_null() & (pl.col("_data") == pl.col("_old"))).select(ROW, "id")
        table = TableDiff(AnnualPackage, ("enterprise_id", "year"), ("data",), new, changed, unchanged)
        status = pl.concat([new.select(ROW, status=pl.lit("new")), changed.select(ROW, status=pl.lit("changed")),
                            unchanged.select(ROW, status=pl.lit("unchanged"))]).sort(ROW)
        return KindDiff({"package": table}, status)

    def write(self, diff: KindDiff, batch, actor) -> None:
        table = diff.tables["package"]
        changed = table.changed
        if changed.height:
            update_frame(AnnualPackage._meta.db_table,
                         changed.select("id", is_current=pl.lit(False)), ["id"])
            log_bulk_changes(AnnualPackage, [
                (r["id"], f"{r['uscc']} {r['year']}年 v{r['version']}", {"is_current": ["True", "False"]})
                for r in changed.iter_rows(named=True)], actor=actor, additional_data={"import_batch": batch.pk})
        rows = pl.concat([
            table.new.select("enterprise_id", "division_code", "year", "_data", version=pl.lit(1, dtype=pl.Int64)),
            changed.select("enterprise_id", "division_code", "year", "_data", version=pl.col("version") + 1),
        ])
        if rows.height == 0:
            return
        from xinzhi.core.imports.diff import _now_text

        actor_id = getattr(actor, "pk", None)
        insert_frame(AnnualPackage._meta.db_table, rows.select(
            "enterprise_id", "division_code", "year", "version", is_current=pl.lit(True), data=pl.col("_data"),
            status=pl.lit("valid"), errors=pl.lit("[]"), source=pl.lit("import"),
            submitted_by_id=pl.lit(actor_id, dtype=pl.Int64), import_batch_id=pl.lit(batch.pk, dtype=pl.Int64),
            created_at=pl.lit(_now_text())))

    def export_frame(self, period: Period | None) -> pl.DataFrame:
        from .services.screening import _data_sql

        year_sql = " AND p.year = %s" if period else ""
        raw = read_frame(f"SELECT e.uscc, e.name AS enterprise_name, {_data_sql()} AS data FROM cultivation_annualpackage p "
                         "JOIN enterprises_enterprise e ON e.id = p.enterprise_id WHERE p.is_current = %s AND p.status = 'valid'"
                         + year_sql + " ORDER BY e.uscc, p.year", [True, *([period.year] if period else [])])
        rows = []
        for uscc, name, text in raw.iter_rows():
            rows.append({"uscc": uscc, "enterprise_name": name, **flatten_for_file(json.loads(text))})
        return pl.DataFrame(rows, infer_schema_length=None) if rows else pl.DataFrame()


def flatten_for_file(data: dict[str, Any]) -> dict[str, Any]:
    """Package dict → the file's column keys (money in whole yuan) — the export side of ``build_package``."""
    from datetime import date
    from decimal import Decimal

    out: dict[str, Any] = {}
    money = {c.key for c, _ in FIELDS if c.type is ColumnType.MONEY}
    prior = {data.get("year", 0) - p.get("year", 0): p for p in data.get("prior_years") or []}
    for key, path in PATHS.items():
        if path.startswith("prior"):
            value = prior.get(int(path[5]), {}).get(path.split(".")[1])
        elif path.startswith("conversions."):
            conv = data.get("conversions") or []
            i = int(path.split(".")[1])
            value = conv[i] if i < len(conv) else None
        else:
            node: Any = data
            for part in path.split("."):
                node = node.get(part) if isinstance(node, dict) else None
            value = node
        if value is not None and key in money:
            value = int(Decimal(str(value)).to_integral_value())
        elif value is not None and key in ("registration_date", "hte_issue"):
            value = date.fromisoformat(value)
        out[key] = value
    return out


register(AnnualPackagesKind())
__all__ = ["AnnualPackagesKind", "build_package", "empty_issues"]

# Published recognition lists (HTE, tech SMEs, advanced service enterprises): kinds in their own module.
from . import certification_imports  # noqa: E402, F401
