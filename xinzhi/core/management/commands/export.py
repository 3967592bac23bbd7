"""``xinzhi export KIND [--period YYYY-MM] --format csv|parquet|xlsx --output FILE``."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from xinzhi.core.imports import UnknownKind, get_kind, kind_names
from xinzhi.core.imports.exports import FORMATS, export_kind
from xinzhi.core.periods import Period, PeriodError
from xinzhi.core.units import UNIT_FACTORS


class Command(BaseCommand):
    help = "导出数据（与导入格式相同，可编辑后重新导入）"

    def add_arguments(self, parser) -> None:
        parser.add_argument("kind", help=f"类型：{'、'.join(kind_names())}")
        parser.add_argument("--period", help="期别 YYYY-MM（月度类型必填；企业名录为规上年度）")
        parser.add_argument("--format", choices=FORMATS, default=None, help="默认按输出文件扩展名")
        parser.add_argument("--output", required=True, help="输出文件")
        parser.add_argument("--unit", choices=list(UNIT_FACTORS), default="元", help="金额单位，默认元")

    def handle(self, *args, **options) -> None:
        try:
            kind = get_kind(options["kind"])
        except UnknownKind as exc:
            raise CommandError(str(exc), returncode=2) from None
        fmt = options["format"] or options["output"].rsplit(".", 1)[-1].lower()
        if fmt not in FORMATS:
            raise CommandError(f"不支持的格式“{fmt}”，可选：{'、'.join(FORMATS)}", returncode=2)
        try:
            period = Period.parse(options["period"]) if options["period"] else None
        except PeriodError as exc:
            raise CommandError(str(exc), returncode=2) from None
        if kind.periodic and period is None:
            raise CommandError(f"导出“{kind.label_zh}”须指定 --period YYYY-MM", returncode=2)
        count = export_kind(kind, period, fmt, options["output"], unit=options["unit"])
        self.stdout.write(f"已导出 {count} 行到 {options['output']}")
