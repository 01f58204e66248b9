"""Demo judging data on top of `seed_demo --phase 3`. Idempotent: existing tracks are left alone.

十佳党建品牌: scoring open, judges 2–5 have scored, judge1 still has work (and is conflicted with 机械).
十佳特色支部: every judge has scored and submitted; scoring closed, ready for the decision steps.

With --room (what `make demo` uses): 十佳党建品牌 has a 现场答辩 instead: round 1 scored by every judge and
closed, the five finalists in round 2, the live room open on the first one (zzb_admin: 现场答辩室 / 投屏;
judge1–5: the room on their phones)."""

import datetime as dt
import hashlib
import random
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from campaigns.queries import current_campaign
from organizations.models import Level, Organization, User
from reviews import services
from reviews.demo import build_defence_room
from reviews.models import Assignment, JudgingTrack
from submissions.models import Attachment, AttachmentKind, Entry, EntryState, Track

OVERVIEW = ("一、创建背景\n学院党委坚持以习近平新时代中国特色社会主义思想为指导，立足学科特色，围绕立德树人根本任务……\n\n"
            "二、主要做法\n1. 建立“党建+学科”双融合工作机制；2. 实施党员先锋岗和教工党支部书记“双带头人”培育工程；"
            "3. 打造“三会一课”+主题党日特色载体。\n\n三、创建成效\n近三年获批省级以上教学科研平台 3 个，"
            "学生党员在各类竞赛中获奖 40 余项……\n\n四、经验启示\n坚持党建引领、问题导向、项目化推进。")


class Command(BaseCommand):
    help = "创建十佳评审演示数据（需先运行 seed_demo --phase 3）。可重复运行。"

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true")
        parser.add_argument("--room", action="store_true", help="十佳党建品牌设现场答辩，答辩室已开启")

    def handle(self, *args, force, room=False, **options):
        if not (settings.SEED_DEMO_ALLOWED or force):
            raise CommandError("DEBUG 未开启：拒绝写入演示数据。确需运行请加 --force。")
        campaign = current_campaign()
        admin = User.objects.filter(username="zzb_admin").first()
        judges = list(User.objects.filter(username__in=[f"judge{i}" for i in range(1, 6)]).order_by("username"))
        if campaign is None or admin is None or len(judges) < 5:
            raise CommandError("请先运行 seed_demo --phase 3。")
        rng = random.Random(campaign.year)
        with transaction.atomic():
            brand = self.entries(campaign, Track.BRAND)
            branch = self.entries(campaign, Track.BRANCH)
            self.materials(brand + branch)
            if room:
                if brand and not JudgingTrack.objects.filter(campaign=campaign, track=Track.BRAND).exists():
                    build_defence_room(campaign, admin, judges, brand, rng=rng, shortlist=min(5, len(brand)))
            else:
                self.track(campaign, Track.BRAND, admin, judges, brand, rng, finish=False)
            self.track(campaign, Track.BRANCH, admin, judges, branch, rng, finish=True)
        self.stdout.write(self.style.SUCCESS("十佳评审演示数据就绪。"))

    def entries(self, campaign, track):
        out = []
        for college in Organization.objects.filter(level=Level.COLLEGE, is_active=True).order_by("sort_order"):
            if track == Track.BRAND:
                org, rank = college, None
            else:
                org = college.children.filter(is_active=True).order_by("sort_order").first()
                rank = 1
                if org is None:
                    continue
            entry, _ = Entry.objects.get_or_create(
                campaign=campaign, track=track, organization=org,
                defaults={"college": college, "rank": rank, "state": EntryState.PASSED, "leader": college.secretary_name,
                          "title": f"{college.name[:2]}{'先锋' if track == Track.BRAND else '红烛'}工程", "members": 60,
                          "overview": OVERVIEW, "negative_list_declared": True, "started_on": dt.date(campaign.year - 1, 9, 1),
                          "honours": "2024年 省级党建工作样板支部\n2025年 全国高校“双带头人”教师党支部书记工作室"},
            )
            if entry.state == EntryState.PASSED:
                out.append(entry)
        return out

    def materials(self, entries):
        """A short test-pattern video (if ffmpeg is installed) and a one-page case PDF for entries without them."""
        video = demo_video()
        case = None
        for e in entries:
            if e.video_id is None and video:
                e.video = attach(e.organization, video, AttachmentKind.MP4, "示范点建设微视频.mp4", duration=6, codec="h264")
            if e.case_doc_id is None:
                if case is None:
                    from submissions.pdf import render_html_to_pdf

                    case = render_html_to_pdf(f'<html><body style="font-family: \'{settings.PDF_FONT_FAMILY}\'">'
                                              "<h1>党建促业务典型案例（演示）</h1><p>案例正文……</p></body></html>")
                e.case_doc = attach(e.organization, case, AttachmentKind.PDF, "典型案例.pdf")
            e.save(update_fields=["video", "case_doc"])

    def track(self, campaign, kind, admin, judges, entries, rng, finish):
        if JudgingTrack.objects.filter(campaign=campaign, track=kind).exists() or not entries:
            return
        now = timezone.now()
        t = services.create_track(campaign, kind, by=admin)
        t = services.update_track(t, {"opens_at": now - dt.timedelta(days=3), "closes_at": now + dt.timedelta(days=10),
                                      "award_amount": 20000 if kind == Track.BRAND else 10000,
                                      "award_count": min(10, max(1, len(entries) - 2))},
                                  by=admin, expected_version=t.version)
        services.set_judges(t, [j.pk for j in judges], by=admin)
        services.assign(t, by=admin)
        t = services.open_scoring(t, by=admin)
        criteria = list(t.criteria.order_by("sort_order"))
        quality = {e.pk: rng.uniform(0.55, 0.95) for e in entries}
        for j in judges:
            mine = list(Assignment.objects.filter(track=t, judge=j).select_related("entry"))
            if not finish and j.username == "judge1":
                mine = mine[:2]  # judge1 has work left
            for a in mine:
                pts = {str(c.pk): max(0, min(c.max_points, round(c.max_points * (quality[a.entry_id] + rng.gauss(0, 0.07)))))
                       for c in criteria}
                services.save_score(a, pts, by=j, expected_version=a.version)
            if finish or j.username != "judge1":
                if mine:
                    services.submit_sheet(t, j, by=j)
        if finish:
            services.close_scoring(t, by=admin)


def demo_video():
    if not shutil.which("ffmpeg"):
        return None
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "v.mp4"
        cmd = ["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=640x360:rate=25:duration=6",
               "-c:v", "libx264", "-pix_fmt", "yuv420p", "-movflags", "+faststart", str(out)]
        if subprocess.run(cmd, capture_output=True).returncode != 0:
            return None
        return out.read_bytes()


def attach(org, data, kind, name, duration=None, codec=""):
    att = Attachment(organization=org, kind=kind, original_name=name, size=len(data),
                     sha256=hashlib.sha256(data).hexdigest(), duration_seconds=duration, video_codec=codec)
    att.file.save(f"{uuid.uuid4().hex}.{kind}", ContentFile(data), save=False)
    att.save()
    return att
