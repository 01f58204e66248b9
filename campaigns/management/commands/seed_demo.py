"""seed_demo lives in campaigns: it creates the org tree and accounts (organizations, below) and the year's
campaign, then runs the demo seeders that higher apps registered in organizations.demo."""

import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from campaigns.models import Campaign, Deadline, DeadlineKind, end_of_day
from campaigns.services import create_campaign
from organizations import demo
from organizations.models import Level, Organization, RoleAssignment, User

# Offsets (days after design_start) of the default calendar: Apr 1 → May 15 → Nov 1/10 → Dec 31.
LAYOUT = {"design_end": 44, "build_start": 45, "build_end": 223, "review_start": 214, "review_end": 274, "promotion_start": 275}
# Where "today" falls for each --phase (days after design_start).
TODAY_OFFSET = {1: 24, 2: 120, 3: 216, 4: 290}


def shifted_dates(today, phase):
    start = today - dt.timedelta(days=TODAY_OFFSET[phase])
    dates = {"design_start": start}
    dates.update({k: start + dt.timedelta(days=v) for k, v in LAYOUT.items()})
    return dates


class Command(BaseCommand):
    help = "创建或更新演示数据（演示学校、账号、本年度活动）。可重复运行。"

    def add_arguments(self, parser):
        parser.add_argument("--phase", type=int, choices=[1, 2, 3, 4], default=1,
                            help="调整本年度活动的日期，使今天位于第 N 阶段（默认 1）")
        parser.add_argument("--force", action="store_true", help="在 DEBUG 关闭时也允许运行（仅用于演示/测试环境）")

    def handle(self, *args, phase, force, **options):
        if not (settings.SEED_DEMO_ALLOWED or force):
            raise CommandError("DEBUG 未开启：为防止误操作生产数据，seed_demo 拒绝运行。确需运行请加 --force。")
        with transaction.atomic():
            orgs = self.seed_orgs()
            self.seed_accounts(orgs)
            campaign = self.seed_campaign(phase)
            users = {u.username: u for u in User.objects.filter(username__in=[a[0] for a in demo.ACCOUNTS])}
            for seeder in demo.SEEDERS:
                seeder(campaign, phase, orgs, users)
        self.stdout.write(self.style.SUCCESS(
            f"演示数据就绪：{Organization.objects.colleges().count()} 个院级党组织，"
            f"{Organization.objects.branches().count()} 个党支部，{campaign.title}（今天位于第 {phase} 阶段）。"
        ))

    def seed_orgs(self):
        root, _ = Organization.objects.update_or_create(
            code="SCHOOL", defaults={"name": "中共××大学委员会", "short_name": "校党委", "level": Level.SCHOOL,
                                     "org_type": "school_committee", "parent": None},
        )
        orgs = {"SCHOOL": root}
        for i, (code, name, org_type, secretary, branches) in enumerate(demo.COLLEGES):
            college, _ = Organization.objects.update_or_create(
                code=code,
                defaults={
                    "name": name, "level": Level.COLLEGE, "org_type": org_type, "parent": root, "sort_order": i + 1,
                    "secretary_name": secretary, "secretary_title": "党委书记" if "党委" in name else "书记",
                    "secretary_phone": f"0516-8388{1000 + i}", "contact_name": f"{secretary[0]}老师",
                    "contact_phone": f"1390516{1000 + i:04d}", "contact_email": f"{code.lower()}@example.edu.cn",
                },
            )
            orgs[code] = college
            totals = [0, 0, 0, 0]
            for j, (suffix, bname, btype, dual) in enumerate(branches):
                staff, student, retired, prob = demo.MEMBER_PROFILES[btype]
                staff += j
                totals = [totals[0] + staff, totals[1] + student, totals[2] + retired, totals[3] + prob]
                branch, _ = Organization.objects.update_or_create(
                    code=f"{code}-{suffix}",
                    defaults={
                        "name": bname, "level": Level.BRANCH, "org_type": btype, "parent": college, "sort_order": j + 1,
                        "secretary_name": f"{secretary[0]}{'一二三四五'[j]}书记", "dual_leader": dual,
                        "secretary_phone": f"1380516{i:02d}{j:02d}", "members_staff": staff, "members_student": student,
                        "members_retired": retired, "members_probationary": prob,
                    },
                )
                orgs[branch.code] = branch
            if not branches:
                totals = [12, 0, 0, 1]
            Organization.objects.filter(pk=college.pk).update(
                members_staff=totals[0], members_student=totals[1], members_retired=totals[2], members_probationary=totals[3]
            )
        return orgs

    def seed_accounts(self, orgs):
        for username, full_name, role, org_code in demo.ACCOUNTS:
            user, created = User.objects.get_or_create(
                username=username, defaults={"full_name": full_name, "email": f"{username}@example.edu.cn"}
            )
            if created:
                user.set_password(demo.PASSWORD)
                user.save()
            if role:
                RoleAssignment.objects.get_or_create(user=user, role=role, organization=orgs.get(org_code) if org_code else None)

    def seed_campaign(self, phase):
        today = timezone.localdate()
        dates = shifted_dates(today, phase)
        campaign = Campaign.objects.filter(year=today.year).first()
        if campaign is None:
            return create_campaign(today.year, **dates)
        Campaign.objects.filter(pk=campaign.pk).update(**dates)
        dues = {
            DeadlineKind.DESIGN: end_of_day(dates["design_end"]),
            DeadlineKind.REVIEW: end_of_day(dates["build_end"]),
            DeadlineKind.JUDGING: end_of_day(dates["review_start"] + dt.timedelta(days=39)),
        }
        for kind, due in dues.items():
            Deadline.objects.update_or_create(campaign=campaign, kind=kind, defaults={"due_at": due})
        campaign.refresh_from_db()
        return campaign
