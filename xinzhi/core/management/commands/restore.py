"""``xinzhi restore FILE --yes``: replace the database and var/ files with a backup's, then check every
table's row count and checksum against the backup's manifest (exit status 1 on any difference).
Stop the web processes and workers first."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from xinzhi.core.backup import BackupError, restore


class Command(BaseCommand):
    help = "Restore a backup made by `xinzhi backup` into the configured database and var/"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--yes", action="store_true", help="confirm: the current data is replaced")

    def handle(self, *args, file: str, yes: bool, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"备份文件不存在：{path}")
        if not yes:
            raise CommandError("恢复会覆盖当前数据库和 var/ 下的文件；确认请加 --yes（先停止网站和 worker）")
        try:
            result = restore(path)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        tables = result.manifest["tables"]
        if result.problems:
            raise CommandError("恢复后与备份不一致：\n" + "\n".join(result.problems))
        self.stdout.write(f"恢复完成并已核对：{len(tables)} 张表行数与校验值一致，"
                          f"{sum(c for c, _ in tables.values()):,} 行；文件 {result.files} 个")
