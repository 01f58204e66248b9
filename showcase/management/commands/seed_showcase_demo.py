from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction


class Command(BaseCommand):
    help = "创建或更新成果展示演示内容（需先运行 seed_demo --phase 4）。可重复运行。"

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="在 DEBUG 关闭时也允许运行")

    def handle(self, *args, force, **options):
        if not (settings.SEED_DEMO_ALLOWED or force):
            raise CommandError("DEBUG 未开启：seed_showcase_demo 拒绝运行。确需运行请加 --force。")
        from showcase import demo

        try:
            with transaction.atomic():
                n = demo.seed()
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"成果展示演示内容就绪：共 {n} 个展示条目。"))
