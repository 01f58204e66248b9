"""manage.py restore ARCHIVE [--force]: into an empty database and media folder; refuses to overwrite data."""

from django.core.management.base import BaseCommand, CommandError

from core import backup


class Command(BaseCommand):
    help = "从 manage.py backup 的归档恢复数据库与上传文件；目标已有数据时拒绝，除非加 --force"

    def add_arguments(self, parser):
        parser.add_argument("archive")
        parser.add_argument("--force", action="store_true", help="覆盖已有数据（先清除目标数据库与文件目录）")

    def handle(self, *args, **options):
        try:
            manifest = backup.restore(options["archive"], force=options["force"])
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        problems = backup.verify(manifest)
        if problems:
            raise CommandError("恢复后核对不一致：\n" + "\n".join(problems[:50]))
        self.stdout.write(f"已恢复：{backup.describe(manifest)}\n核对一致：每张表行数与每个文件校验和均与备份相同。")
        pending = backup.pending_migrations()
        if pending:
            self.stdout.write(f"本代码比备份多 {len(pending)} 个迁移：请运行 manage.py migrate")
