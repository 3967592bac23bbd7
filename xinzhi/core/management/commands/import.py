"""``xinzhi import KIND FILE [--commit] [--user USERNAME] [--confirm 说明]``: preview (default) or commit.

Exit status 0 only when the file has no error (and, with ``--commit``, was written). Rows flagged by
the plausibility checks (核实性审核) are written only with ``--confirm`` (the explanation is stored with
the import) or when the file explains each of them in its 核实说明 column.
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
        parser.add_argument("--confirm", default="", metavar="说明",
                            help="核实说明：对核实性审核标出的各行的解释（如“企业新投产，产值大幅增长属实”），随导入记录保存")
        parser.add_argument("--max-issues", type=int, default=200, help="最多列出的错误/警告条数")

    def handle(self, *args, **options) -> None:
        try:
            kind = get_kind(options["kind"])
        except UnknownKind as exc:
            raise CommandError(str(exc), returncode=2) from None
        user = _user(options.get("user"))
        if options["commit"]:
            outcome = commit_import(kind, options["file"], user=user, confirmation=options["confirm"])
        else:
            outcome = preview_import(kind, options["file"], user=user)
        self.stdout.write(format_outcome(outcome, max_issues=options["max_issues"]))
        if outcome.failed:
            raise CommandError(outcome.result.errors[0].reason_zh, returncode=1)
        if not outcome.ok:
            raise CommandError(f"文件有 {outcome.result.error_count} 处错误，未导入", returncode=1)
        if options["commit"] and outcome.needs_confirmation:
            raise CommandError(f"有 {len(outcome.result.unconfirmed_rows)} 行需核实，未导入：核对无误后加 --confirm “核实说明”"
                               "重新导入，或在文件“核实说明”列逐行说明", returncode=1)


def _user(username: str | None):
    if not username:
        return None
    try:
        return get_user_model().objects.get(username=username)
    except get_user_model().DoesNotExist:
        raise CommandError(f"用户“{username}”不存在", returncode=2) from None
