"""``xinzhi report --period YYYY-MM --kind briefing|operation --format docx|pdf|xlsx --output FILE``."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from xinzhi.core.periods import PeriodError, parse_bounded
from xinzhi.monitoring import reporting, selectors
from xinzhi.regions.models import Division
from xinzhi.reports import render


class Command(BaseCommand):
    help = "生成数据简报或运行报告（docx 可编辑原件，另可输出 pdf、xlsx）"

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True)
        parser.add_argument("--kind", choices=["briefing", "operation"], default="operation")
        parser.add_argument("--format", choices=["docx", "pdf", "xlsx"], default="docx")
        parser.add_argument("--region", default=None, help="区划代码（默认全省）")
        parser.add_argument("--output", required=True)

    def handle(self, *args, period, kind, format, region, output, **options):
        try:
            p = parse_bounded(period)
        except PeriodError as exc:
            raise CommandError(str(exc)) from exc
        division = Division.objects.filter(code=region).first() if region else Division.objects.get(level="province")
        if division is None:
            raise CommandError(f"未知区划代码“{region}”")
        problem = selectors.period_unavailable(p.year, p.month)
        if problem:  # the report reads stored snapshots; computing them is ``xinzhi monitor --recompute``
            raise CommandError(problem[1])
        document = reporting.build(kind, division, p.year, p.month)
        render(document, format, Path(output))
        self.stdout.write(f"已生成 {output}")
