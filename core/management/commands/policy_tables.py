from django.core.management.base import BaseCommand

from core.policy import markdown_tables


class Command(BaseCommand):
    help = "打印全部工作流规则表（Markdown），即 docs/policy-tables.md 的内容。"

    def handle(self, *args, **options):
        self.stdout.write(markdown_tables())
