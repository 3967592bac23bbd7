"""``xinzhi screen --input package.json [--year 2025]``: screen one report-once package.

JSON in, JSON out (UTF-8, Chinese kept as is). An invalid package exits with status 2 and a Chinese list
of the field errors on stderr; a year the policy parameters do not cover exits with status 1 and a Chinese
sentence naming the programme and the first year covered.
"""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from xinzhi.policy.engine import YearNotCovered
from xinzhi.policy.package import PackageValidationError, parse_package
from xinzhi.policy.screen import screen


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # pure computation: no database
    help = "政策匹配：读取“最多报一次”年度数据包（JSON），输出各项政策的资格、得分、差距与依据（JSON）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--input", required=True, help="数据包 JSON 文件路径，“-” 表示标准输入")
        parser.add_argument("--year", type=int, default=None, help="计算年度（默认取数据包的 year）")
        parser.add_argument("--output", default="-", help="输出文件路径（默认标准输出）")
        parser.add_argument("--compact", action="store_true", help="不缩进输出")

    def handle(self, *args: Any, **options: Any) -> None:
        data = self._read(options["input"])
        try:
            package = parse_package(data)
        except PackageValidationError as exc:
            self.stderr.write(str(exc))
            raise SystemExit(2) from exc
        try:
            result = screen(package, options["year"])
        except YearNotCovered as exc:
            self.stderr.write(str(exc))
            raise SystemExit(1) from exc
        text = json.dumps(result, ensure_ascii=False, indent=None if options["compact"] else 2)
        if options["output"] == "-":
            self.stdout.write(text)
        else:
            Path(options["output"]).write_text(text + "\n", encoding="utf-8")

    def _read(self, source: str) -> Any:
        try:
            raw = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"无法读取输入文件“{source}”：{exc.strerror}") from exc
        try:
            return json.loads(raw, parse_float=Decimal)
        except json.JSONDecodeError as exc:
            raise CommandError(f"输入不是有效的 JSON：第{exc.lineno}行第{exc.colno}列，{exc.msg}") from exc
