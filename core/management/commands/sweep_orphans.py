"""List (dry run, the default) or delete storage files that no row points at, and old upload
temp files. The periodic sweeper does the same hourly (core.ops); this is the manual check."""

from django.core.management.base import BaseCommand
from django.template.defaultfilters import filesizeformat

from core import ops


class Command(BaseCommand):
    help = "列出（默认，仅预览）或删除没有任何记录引用的存储文件，以及超过一天的上传临时文件。"

    def add_arguments(self, parser):
        parser.add_argument("--delete", action="store_true", help="really delete (default: dry run)")
        parser.add_argument("--grace-hours", type=int, default=None,
                            help="only files older than this (default: ORPHAN_FILE_GRACE_HOURS)")

    def handle(self, *args, delete=False, grace_hours=None, **options):
        report = ops.sweep_orphan_files(delete=delete, grace_hours=grace_hours)
        for name in report.candidates:
            self.stdout.write(f"{'已删除' if delete else '将删除'}  {name}")
        verb = "已删除" if delete else "预览：可删除"
        self.stdout.write(f"{verb} {len(report.candidates)} 个孤立文件，共 {filesizeformat(report.bytes)}"
                          + ("" if delete else "（未删除；确认后加 --delete）"))
        if delete:
            count, size = ops.remove_orphan_temp_files()
            self.stdout.write(f"上传临时文件：已删除 {count} 个，共 {filesizeformat(size)}")
