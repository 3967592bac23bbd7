"""Cultivation's background jobs (registered with ``xinzhi.jobs`` when the app is ready): the register
screening (replaces a year's stored results in one transaction) and the what-if over the whole register
(1–5 s in the request before), whose comparison is kept as an Excel file."""

from __future__ import annotations

import io

import xlsxwriter
from django.urls import reverse

from xinzhi.accounts.permissions import require
from xinzhi.jobs.registry import Outcome, register


@register("cultivation.screening", "全库筛查")
def screening_job(job, progress) -> Outcome:
    from .services import screening

    require(job.user, "cultivation.screening.run")
    year = int(job.params["year"])
    progress(10, "读取年度数据包")
    run = screening.run_screening(year, job.user)
    return Outcome(text=f"{year}年度全库筛查完成：{run.enterprise_count}家企业，用时{run.duration_ms}毫秒",
                   url=f"{reverse('cultivation:unclaimed')}?year={year}")


WHAT_IF_COLUMNS = (("program_label", "项目"), ("eligible_before", "调整前符合"), ("eligible_after", "调整后符合"),
                   ("newly_eligible", "新增符合"), ("no_longer_eligible", "不再符合"), ("cost_change", "财政影响变化(元)"))


@register("cultivation.what_if", "政策参数模拟")
def what_if_job(job, progress) -> Outcome:
    """The what-if for one changed parameter; the result (province totals and by city) as an Excel file."""
    from .services import whatif

    require(job.user, "cultivation.what_if")
    p = job.params
    progress(10, "按调整后的参数重新计算")
    result = whatif.run(job.user, int(p["year"]), {p["param"]: p["value"]})
    progress(80, "生成结果表")
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    for sheet_name, rows, columns in (
        ("全省合计", result["totals"], WHAT_IF_COLUMNS),
        ("分地市", result["rows"], (("city_name", "地市"), *WHAT_IF_COLUMNS)),
    ):
        sheet = book.add_worksheet(sheet_name)
        sheet.write_row(0, 0, [label for _, label in columns])
        for i, row in enumerate(rows, start=1):
            sheet.write_row(i, 0, [row.get(key) if row.get(key) is not None else row.get("city_code", "")
                                   for key, _ in columns])
    book.close()
    changed = sum(int(t.get("newly_eligible") or 0) + int(t.get("no_longer_eligible") or 0) for t in result["totals"])
    return Outcome(text=f"{p['year']}年度政策模拟完成：{result['enterprises']}家企业，{changed}项符合情况发生变化",
                   data=buffer.getvalue(), file_name=f"{p['year']}年度政策参数模拟结果.xlsx")


@register("cultivation.certificate_reminders", "高新技术企业证书到期提醒")
def certificate_reminders(job, progress) -> Outcome:
    """Scheduled (daily): high-tech enterprise certificates whose validity ends exactly ``days_ahead`` days
    from today (a list, default [90, 30]) — the enterprise's users and the county's staff are told. The end
    of validity is the one definition (``policy.validity.expiry_expr``: three years from the issue date,
    国科发火〔2016〕32号; an earlier stored end ends it sooner). Run daily, each certificate is announced once
    per distance. ``days_ahead`` is a working choice of this platform, not an official figure."""
    from datetime import date, timedelta

    import polars as pl
    from django.contrib.auth import get_user_model

    from xinzhi.notifications.services import notify
    from xinzhi.policy.params import load_parameters
    from xinzhi.policy.validity import expiry_expr, recognition_date_expr

    from .models import Certification

    today = date.fromisoformat(job.params["today"]) if job.params.get("today") else date.today()
    offsets = [int(d) for d in job.params.get("days_ahead", [90, 30])]
    rows = Certification.objects.filter(program="hte").values_list(
        "enterprise_id", "enterprise__name", "enterprise__division_id", "issued_on", "year", "expires_on")
    frame = pl.DataFrame([(*r[:3], str(r[3])[:10] if r[3] else None, r[4], str(r[5])[:10] if r[5] else None)
                          for r in rows],
                         schema={"enterprise_id": pl.Int64, "name": pl.String, "division": pl.String,
                                 "issued_on": pl.String, "year": pl.Int64, "expires_on": pl.String}, orient="row")
    frame = frame.with_columns(pl.col("issued_on", "expires_on").str.to_date("%Y-%m-%d", strict=False))
    if frame.height == 0:
        return Outcome(text="没有高新技术企业证书")
    tree = load_parameters()
    frame = frame.with_columns(end=expiry_expr(recognition_date_expr("issued_on", "year"), tree))
    frame = frame.with_columns(end=pl.when(pl.col("expires_on").is_not_null() & (pl.col("expires_on") < pl.col("end")))
                               .then(pl.col("expires_on")).otherwise(pl.col("end")))
    due = frame.filter(pl.col("end").is_in([today + timedelta(days=d) for d in offsets]))
    if due.height == 0:
        return Outcome(text="没有将要到期的证书")
    users = get_user_model().objects.filter(is_active=True)
    by_enterprise = dict(users.filter(enterprise_id__in=due["enterprise_id"].to_list())
                         .values_list("enterprise_id", "pk"))
    sent = 0
    for row in due.iter_rows(named=True):  # one notice per certificate due (a handful a day)
        if row["enterprise_id"] in by_enterprise:
            sent += notify(by_enterprise[row["enterprise_id"]], "reminder", "高新技术企业证书即将到期",
                           f"{row['name']}的高新技术企业证书有效期至{row['end']:%Y年%m月%d日}，如需继续享受政策请及时申请重新认定。")
    for county, group in due.group_by("division"):
        staff = list(users.filter(role="county_staff", division_id=county[0]).values_list("pk", flat=True))
        names = "、".join(group.sort("end")["name"].head(10).to_list())
        sent += notify(staff, "reminder", f"本地区{group.height}家企业的高新技术企业证书即将到期",
                       f"{names}{'等' if group.height > 10 else ''}，请提醒企业及时申请重新认定。")
    return Outcome(text=f"{due.height}张证书即将到期，已发送{sent}条提醒")
