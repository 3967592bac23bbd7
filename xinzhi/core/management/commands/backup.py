"""``xinzhi backup [--output DIR]``: one tar file with the database, var/ uploads and job results, and a
manifest of every table's row count and checksum (``core.backup``)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from xinzhi.core.backup import BackupError, backup, read_manifest


class Command(BaseCommand):
    help = "Back up the database and var/ files into one tar file"

    def add_arguments(self, parser):
        parser.add_argument("--output", default=str(Path(settings.VAR_DIR) / "backups"),
                            help="folder for the backup file (default var/backups)")

    def handle(self, *args, output: str, **options):
        try:
            path = backup(Path(output))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        manifest = read_manifest(path)
        rows = sum(count for count, _ in manifest["tables"].values())
        self.stdout.write(f"备份完成：{path}（{path.stat().st_size / 2**20:.1f} MB；{len(manifest['tables'])} 张表，"
                          f"{rows:,} 行；{len(manifest['files'])} 个文件）")
