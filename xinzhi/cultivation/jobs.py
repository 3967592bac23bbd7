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
