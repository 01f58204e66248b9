"""manage.py backup [--dir DIR] [--keep N]: one dated archive of the database, files, version and migrations."""

import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core import backup


class Command(BaseCommand):
    help = "备份数据库（SQLite 在线备份 / PostgreSQL pg_dump）、上传文件（或 S3 对象清单）、平台版本与迁移状态到一个归档文件"

    def add_arguments(self, parser):
        parser.add_argument("--dir", default=os.environ.get("BACKUP_DIR") or str(settings.BASE_DIR / "var" / "backups"),
                            help="归档目录（默认 $BACKUP_DIR 或 var/backups）")
        parser.add_argument("--keep", type=int, default=None, help="只保留最新的 N 份归档，删除更早的")

    def handle(self, *args, **options):
        if options["keep"] is not None and options["keep"] < 1:
            raise CommandError("--keep 至少为 1")
        try:
            path = backup.backup(options["dir"], keep=options["keep"])
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        manifest = backup.read_manifest(path)
        self.stdout.write(f"{path}\n{backup.describe(manifest)}")
        return None
