"""``xinzhi monitor --period 2025-06 [--region CODE] [--indicator ID] --format table|json|csv``;
``xinzhi monitor --refresh-stale``: recompute the months marked 监测结果待更新 (e.g. after a crash)."""

from __future__ import annotations

import csv
import json
import sys

from django.core.management.base import BaseCommand, CommandError

from xinzhi.core import cells
from xinzhi.core.periods import Period, PeriodError, parse_bounded
from xinzhi.monitoring import services
from xinzhi.monitoring.models import IndicatorValue
from xinzhi.regions.models import Division

FIELDS = ["indicator", "region", "region_name", "region_level", "period", "value", "unit", "last_year_value", "yoy",
          "yoy_unit", "target", "comparator", "gap", "progress", "projected", "rating", "rank", "peer_count", "reason"]
RATING_ZH = {"blue": "蓝", "yellow": "黄", "red": "红", "grey": "灰（无数据）", "": ""}


class Command(BaseCommand):
    help = "计算并输出某月的监测指标（区域、指标可筛选），红黄蓝评价附说明"

    def add_arguments(self, parser):
        parser.add_argument("--period", help="期别 YYYY-MM（除 --refresh-stale 外必填）")
        parser.add_argument("--region", help="区划代码（省、市、县），或集群/产业类别代码")
        parser.add_argument("--indicator", help="指标代码，如 rd_intensity")
        parser.add_argument("--format", choices=["table", "json", "csv"], default="table")
        parser.add_argument("--recompute", action="store_true", help="重新计算并保存（默认只读取已存快照）")
        parser.add_argument("--refresh-stale", action="store_true",
                            help="重新计算所有“监测结果待更新”的月份（导入后未及重算，如进程中断）")

    def handle(self, *args, period, region, indicator, format, recompute, refresh_stale=False, **options):
        if refresh_stale:
            months = services.refresh_stale()
            self.stderr.write("已重新计算待更新的月份：" + "、".join(str(Period(y, m)) for y, m in months)
                              if months else "没有待更新的月份")
            if not period:
                return
        if not period:
            raise CommandError("请用 --period YYYY-MM 指定期别")
        try:
            p = parse_bounded(period)
        except PeriodError as exc:
            raise CommandError(str(exc)) from exc
        stored = IndicatorValue.objects.filter(year=p.year, month=p.month)
        if recompute:
            # only months somebody filed for: snapshots of an empty month would become "the latest month"
            if p.month not in services.months_with_filings(p.year):
                raise CommandError(f"{p.label_zh()}尚无企业填报数据，不计算")
            count = services.refresh(p.year, p.month)
            self.stderr.write(f"已计算 {p} 共 {count} 条指标值")
        elif not stored.exists():
            raise CommandError(f"{p.label_zh()}尚无监测结果；如已导入数据，请加 --recompute 计算")
        qs = IndicatorValue.objects.filter(year=p.year, month=p.month)
        if region:
            qs = qs.filter(region=region)
        if indicator:
            qs = qs.filter(indicator=indicator)
        if region and not qs.exists():
            raise CommandError(f"区域“{region}”在 {p} 没有指标值")
        names = dict(Division.objects.values_list("code", "name"))
        rows = [self._row(v, names) for v in qs.order_by("indicator", "region_level", "rank", "region")]
        getattr(self, f"_write_{format}")(rows)

    @staticmethod
    def _row(v: IndicatorValue, names: dict[str, str]) -> dict:
        return {
            "indicator": v.indicator, "region": v.region, "region_name": names.get(v.region, v.region),
            "region_level": v.region_level, "period": f"{v.year:04d}-{v.month:02d}", "value": v.value, "unit": v.unit,
            "last_year_value": v.last_year_value, "yoy": v.yoy, "yoy_unit": v.yoy_unit, "target": v.target,
            "comparator": v.comparator, "gap": v.gap, "progress": v.progress, "projected": v.projected,
            "rating": v.rating or None, "rank": v.rank, "peer_count": v.peer_count, "reason": v.rating_reason,
        }

    def _write_json(self, rows: list[dict]) -> None:
        self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=1))

    def _write_csv(self, rows: list[dict]) -> None:
        writer = csv.DictWriter(sys.stdout, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows({k: cells.csv_cell(v) for k, v in row.items()} for row in rows)

    def _write_table(self, rows: list[dict]) -> None:
        def fmt(x):
            return "—" if x is None else (f"{x:,.2f}" if isinstance(x, float) else str(x))

        for r in rows:
            self.stdout.write(
                f"{r['indicator']:<32} {r['region_name']:<8} {fmt(r['value']):>16} {r['unit']:<3} 同比 {fmt(r['yoy']):>8}"
                f" 目标 {fmt(r['target']):>10} {RATING_ZH.get(r['rating'] or '', ''):<3} 排名 {fmt(r['rank']):>3}  {r['reason']}"
            )
