"""Bulk 材料查重 of one year, incrementally: `manage.py check_similarity --year 2026 [--full]`."""

from django.core.management.base import BaseCommand, CommandError

from campaigns.models import Campaign

from ... import services
from ...models import Run, RunStatus


class Command(BaseCommand):
    help = "材料查重：对某一年度的全部材料计算指纹（只算新增/修改的）并与本年度其他单位、往年材料和案例库比对。"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--full", action="store_true", help="全部重新比对（指纹仍只为修改过的文本重新计算）")

    def handle(self, *args, year, full, **opts):
        campaign = Campaign.objects.filter(year=year).first()
        if campaign is None:
            raise CommandError(f"没有 {year} 年度的活动。")
        if Run.objects.filter(campaign=campaign, status__in=[RunStatus.QUEUED, RunStatus.RUNNING]).exists():
            raise CommandError(f"{year} 年度的查重正在进行。")
        run = Run.objects.create(campaign=campaign, full=full)
        run = services.execute_run(run.pk)
        if run.status != RunStatus.DONE:
            raise CommandError(f"查重失败：{run.error}")
        self.stdout.write(f"{year} 年度：{run.texts} 份材料，新计算指纹 {run.hashed} 份，比对 {run.checked} 份，"
                          f"精确比对 {run.pairs} 对，用时 {run.seconds} 秒。")
