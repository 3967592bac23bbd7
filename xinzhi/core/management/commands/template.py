"""``xinzhi template KIND [--output FILE] [--format xlsx|csv]``: the empty import file."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from xinzhi.core.imports import UnknownKind, get_kind, kind_names
from xinzhi.core.imports.exports import write_template


class Command(BaseCommand):
    help = "生成空白导入模板（中文列名、计量单位；xlsx 含填表说明）"

    def add_arguments(self, parser) -> None:
        parser.add_argument("kind", help=f"类型：{'、'.join(kind_names())}")
        parser.add_argument("--format", choices=("xlsx", "csv"), default=None)
        parser.add_argument("--output", help="输出文件，默认 <类型>-模板.<格式>")

    def handle(self, *args, **options) -> None:
        try:
            kind = get_kind(options["kind"])
        except UnknownKind as exc:
            raise CommandError(str(exc), returncode=2) from None
        output = options["output"]
        fmt = options["format"] or (output.rsplit(".", 1)[-1].lower() if output and "." in output else "xlsx")
        if fmt not in ("xlsx", "csv"):
            raise CommandError(f"模板格式只能是 xlsx 或 csv，而不是“{fmt}”", returncode=2)
        output = output or f"{kind.name}-模板.{fmt}"
        write_template(kind, fmt, output)
        self.stdout.write(f"已生成模板 {output}")
