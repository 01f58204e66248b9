"""Demo history for `seed_demo` (every phase): the two years before the current campaign, judged and published,
so the demo shows brands across years (品牌历程) and the 组织部 year-over-year view (历年对比).

Registered after the showcase seeder (it reuses the brand names that seeder gives the previous year). Builds
rows directly (not through the services): it stands for what happened in earlier years. Idempotent and fast:
everything is get_or_create on the natural keys; showcase items are picked once."""

import datetime as dt
from decimal import Decimal

from campaigns.models import SHANGHAI, Campaign
from campaigns.services import create_campaign
from organizations.models import Level, User
from reviews.models import Award, JudgingTrack, Stage
from submissions.models import BrandChoice, Entry, Form1, Form2, Form2Row, FormState, Outcome, RowState, Track

from . import services
from .models import Award as ShowcaseAward
from .models import ShowcaseItem

# college code → {years back: (brand, slogan, continues the year before, submitted days after the deadline)}
HISTORY = {
    "JX": {2: ("匠心筑梦", "匠心筑梦 技能报国", False, -6), 1: ("匠心筑梦", "匠心筑梦 技能报国", True, -3)},
    "KY": {2: ("矿魂铸剑", "传承矿魂 铸剑育人", False, -10), 1: ("矿魂铸剑", "传承矿魂 铸剑育人", True, -8)},
    "CL": {2: ("炉火淬金", "百炼成钢 淬火成金", False, 2), 1: ("冶金先锋", "冶金报国 先锋引领", False, -1)},
    "JS": {2: ("网络红星", "红星闪闪 网络清朗", False, -2), 1: ("网络红星", "红星闪闪 网络清朗", True, 4)},
    "MY": {1: ("铸魂讲坛", "讲好思政课 铸牢信仰魂", False, -5)},
    "WY": {2: ("译路同行", "用外语讲好中国故事", False, -4)},
    "JG": {2: ("机关先锋", "服务师生 机关先行", False, -7), 1: ("机关先锋", "服务师生 机关先行", True, -9)},
    "LT": {1: ("夕阳红先锋", "老有所为 银发生辉", False, -2)},
}
# this year's 附件1 of these orgs (seeded by the submissions seeder) continue last year's brand
CONTINUED_NOW = {"KY", "CL", "MY"}
# years back → ([(college, place, score)], [(branch, place, score)])
RESULTS = {
    2: ([("KY", 1, "93.50"), ("JX", 2, "91.20"), ("WY", 3, "88.00")], [("JX-JG1", 1, "92.40"), ("KY-LH", 2, "90.10")]),
    1: ([("KY", 1, "94.10"), ("CL", 2, "90.30"), ("JX", 3, "89.60")], [("KY-JG1", 1, "93.00"), ("MY-JG1", 2, "89.80")]),
}
AMOUNTS = {Track.BRAND: Decimal("20000"), Track.BRANCH: Decimal("10000")}
FEATURES = [("先锋引航", "党员先锋岗引领支部建设，推动党建与业务融合。", "党员先锋岗、主题党日"),
            ("红色课堂", "把党课搬进实验室和一线，讲好身边的榜样故事。", "微党课、现场教学"),
            ("青春志愿", "学生党员组建志愿服务队，服务社区和校园。", "志愿服务、结对帮扶"),
            ("书香支部", "以读书会推动理论学习常态化。", "读书会、理论研讨")]
OUTCOMES = [("system", "“{brand}”工作机制汇编"), ("method", "“{brand}”工作法"), ("case", "{brand}党建促业务典型案例")]


def _campaign(year):
    return Campaign.objects.filter(year=year).first() or create_campaign(year)


def _at(day, hour=16):
    return dt.datetime.combine(day, dt.time(hour), tzinfo=SHANGHAI)


def seed(campaign, phase, orgs, users):
    admin = users.get("zzb_admin") or User.objects.filter(username="zzb_admin").first()
    forms = {}
    for back in (2, 1):
        past = _campaign(campaign.year - back)
        for code, years in HISTORY.items():
            if back in years:
                forms[(code, back)] = _year_of(past, orgs[code], back, years[back], forms.get((code, back + 1)))
        _results(past, orgs, back)
        _showcase(past, orgs, back, admin)
    for code in CONTINUED_NOW:
        previous = forms.get((code, 1))
        now = Form1.objects.filter(campaign=campaign, organization=orgs[code]).first()
        if previous is not None and now is not None and now.previous_id is None:
            Form1.objects.filter(pk=now.pk).update(brand_choice=BrandChoice.CONTINUE, previous=previous,
                                                   lineage=previous.lineage)


def _year_of(past, college, back, spec, before):
    brand, slogan, continues, late_days = spec
    submitted = _at(past.design_end + dt.timedelta(days=late_days))
    f1, created = Form1.objects.get_or_create(campaign=past, organization=college, defaults={
        "brand_name": brand, "slogan": slogan, "focus_area": "talent", "state": FormState.ACCEPTED,
        "secretary_name": college.secretary_name, "secretary_title": college.secretary_title,
        "secretary_phone": college.secretary_phone, "contact_name": college.contact_name,
        "contact_mobile": college.contact_phone, "contact_email": college.contact_email,
        "members_staff": college.members_staff, "members_student": college.members_student,
        "members_retired": college.members_retired,
        "foundation": f"{college.name}已形成较好的党建工作基础，{past.year}年度继续深化“{brand}”品牌建设。",
        "connotation": f"“{brand}”坚持党建引领，推动党建与中心工作深度融合。",
        "goals": "打造一支过硬的党员队伍，形成可复制可推广的工作经验。",
        "measures": "主题党日常态化\n党员先锋岗全覆盖\n“双带头人”工作室建设",
        "schedule": "6月 制定方案\n9月 中期推进\n11月 总结提炼",
        "expected_results": "形成一套工作机制和一批典型案例。", "guarantees": "学院党委统筹，专项经费保障。",
        "submitted_at": submitted, "reviewed_at": submitted + dt.timedelta(days=5),
    })
    link = before if continues and before is not None else None
    wanted = {"brand_choice": BrandChoice.CONTINUE if link else BrandChoice.NEW, "previous_id": link.pk if link else None}
    if link:
        wanted["lineage"] = link.lineage
    if f1.submitted_at is None:
        wanted.update(submitted_at=submitted, state=FormState.ACCEPTED)
    if any(getattr(f1, k) != v for k, v in wanted.items()):
        Form1.objects.filter(pk=f1.pk).update(**wanted)
        f1.refresh_from_db()
    form2, _ = Form2.objects.get_or_create(campaign=past, organization=college, defaults={
        "state": FormState.ACCEPTED, "filler_name": college.contact_name, "submitted_at": submitted})
    branches = list(college.children.filter(level=Level.BRANCH, is_active=True).order_by("sort_order")[: 4 - back % 2])
    for i, b in enumerate(branches):
        name, intro, carriers = FEATURES[(i + back) % len(FEATURES)]
        Form2Row.objects.get_or_create(form=form2, branch=b, defaults={
            "feature_name": name, "feature_intro": intro, "carriers": carriers, "expected_results": "形成支部特色工作法",
            "phone": b.secretary_phone, "state": RowState.SUBMITTED, "submitted_at": submitted - dt.timedelta(days=2)})
    n_outcomes = 3 if back == 1 else 2
    for k, (kind, title) in enumerate(OUTCOMES[:n_outcomes]):
        Outcome.objects.get_or_create(campaign=past, organization=college, title=title.format(brand=brand), defaults={
            "outcome_type": kind, "date": dt.date(past.year, 7 + k, 15), "description": f"{brand}在{past.year}年度的做法与成效。"})
    if branches:
        Outcome.objects.get_or_create(campaign=past, organization=branches[0], title=f"{branches[0].name}主题党日", defaults={
            "outcome_type": "activity", "date": dt.date(past.year, 6, 28)})
    Entry.objects.get_or_create(campaign=past, track=Track.BRAND, organization=college, defaults={
        "college": college, "title": brand, "leader": college.secretary_name, "members": college.members_total,
        "state": "passed", "negative_list_declared": True, "overview": f"{brand}：创建情况概述。" * 20,
        "submitted_at": _at(past.build_end - dt.timedelta(days=3))})
    return f1


def _results(past, orgs, back):
    brand_results, branch_results = RESULTS[back]
    published = _at(dt.date(past.year, 12, 20))
    for track_kind, results in ((Track.BRAND, brand_results), (Track.BRANCH, branch_results)):
        track, _ = JudgingTrack.objects.get_or_create(campaign=past, track=track_kind, defaults={
            "stage": Stage.PUBLISHED, "opens_at": _at(past.review_start + dt.timedelta(days=10)),
            "closes_at": _at(past.review_start + dt.timedelta(days=39)), "award_amount": AMOUNTS[track_kind],
            "award_count": 10, "rubric_frozen_at": _at(past.review_start + dt.timedelta(days=10)),
            "publicity_start": dt.date(past.year, 12, 10), "publicity_end": dt.date(past.year, 12, 16),
            "published_at": published, "approved_at": published - dt.timedelta(days=12),
            "approval_method": "paper", "approval_note": f"{past.year}年党委会审定"})
        for code, place, score in results:
            org = orgs[code]
            if track_kind == Track.BRAND:
                entry = Entry.objects.filter(campaign=past, track=Track.BRAND, organization=org).first()
            else:
                entry, _ = Entry.objects.get_or_create(campaign=past, track=Track.BRANCH, organization=org, defaults={
                    "college": org.parent, "rank": 1, "title": f"{org.name}特色", "state": "passed",
                    "leader": org.secretary_name, "negative_list_declared": True})
            if entry is not None:
                Award.objects.get_or_create(track=track, entry=entry, defaults={
                    "place": place, "final_score": Decimal(score), "amount": track.award_amount})


def _showcase(past, orgs, back, admin):
    awarded = {code for code, _p, _s in RESULTS[back][0]}
    for code, years in HISTORY.items():
        if back not in years or ShowcaseItem.objects.filter(campaign=past, organization=orgs[code], kind="brand").exists():
            continue
        item = services.pick(past, orgs[code], "brand", by=admin)
        services.publish(item, by=admin, award=ShowcaseAward.BRAND_TOP10 if code in awarded else "")
    for code, _p, _s in RESULTS[back][1]:
        branch = orgs[code]
        if ShowcaseItem.objects.filter(campaign=past, organization=branch, kind="branch").exists():
            continue
        form2 = Form2.objects.filter(campaign=past, organization=branch.parent).first()
        if form2 is None or not Form2Row.objects.filter(form=form2, branch=branch).exists():
            continue
        item = services.pick(past, branch, "branch", by=admin)
        services.publish(item, by=admin, award=ShowcaseAward.BRANCH_TOP10)
