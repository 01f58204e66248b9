from django.core.management.base import BaseCommand, CommandError

from campaigns.models import Campaign


class Command(BaseCommand):
    help = "导出某年度已发布成果展示的静态网页包（zip），用于学校网站。视频较多时请用本命令而非网页下载。"

    def add_arguments(self, parser):
        parser.add_argument("year", type=int)
        parser.add_argument("output", help="输出的 zip 文件路径")

    def handle(self, *args, year, output, **options):
        from showcase.bundle import build_bundle

        campaign = Campaign.objects.filter(year=year).first()
        if campaign is None:
            raise CommandError(f"没有 {year} 年度的活动。")
        with open(output, "wb") as fh:
            build_bundle(campaign, fh)
        self.stdout.write(self.style.SUCCESS(f"已导出 {year} 年度成果展示到 {output}"))
