"""``xinzhi import KIND FILE [--commit] [--user USERNAME]``: preview (default) or commit an import file.

Exit status 0 only when the file has no error (and, with ``--commit``, was written).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from xinzhi.core.imports import UnknownKind, commit_import, get_kind, kind_names, preview_import
from xinzhi.core.imports.report import format_outcome


class Command(BaseCommand):
    help = "导入数据文件（xlsx/csv/parquet）：默认只校验并预览，加 --commit 才写入"

    def add_arguments(self, parser) -> None:
        parser.add_argument("kind", help=f"导入类型：{'、'.join(kind_names())}")
        parser.add_argument("file", help="文件路径")
        parser.add_argument("--commit", action="store_true", help="校验无误后写入（有任何错误则整体不导入）")
        parser.add_argument("--user", help="操作人用户名（记入导入记录与审计日志）")
        parser.add_argument("--max-issues", type=int, default=200, help="最多列出的错误/警告条数")

    def handle(self, *args, **options) -> None:
        try:
            kind = get_kind(options["kind"])
        except UnknownKind as exc:
            raise CommandError(str(exc), returncode=2) from None
        user = _user(options.get("user"))
        run = commit_import if options["commit"] else preview_import
        outcome = run(kind, options["file"], user=user)
        self.stdout.write(format_outcome(outcome, max_issues=options["max_issues"]))
        if not outcome.ok:
            raise CommandError(f"文件有 {outcome.result.error_count} 处错误，未导入", returncode=1)
        if outcome.committed:
            from xinzhi.monitoring.services import refresh_after_import

            months = refresh_after_import(outcome.result.frame)
            if months:
                self.stdout.write("已重新计算监测指标：" + "、".join(f"{y}-{m:02d}" for y, m in months))


def _user(username: str | None):
    if not username:
        return None
    try:
        return get_user_model().objects.get(username=username)
    except get_user_model().DoesNotExist:
        raise CommandError(f"用户“{username}”不存在", returncode=2) from None
