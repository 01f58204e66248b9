"""Demo content for phase 1-3 pages (registered with organizations.demo; idempotent)."""

import datetime as dt

from django.core.files.base import ContentFile
from django.utils import timezone

from organizations.models import Level

from .models import Attachment, Entry, Form1, Form2, Form2Row, FormState, Outcome, RowState

FEATURES = [
    ("红色工匠", "依托重点实验室设立党员先锋岗，党员教师带领学生攻关关键技术，把党建融入科研育人全过程。", "党员先锋岗、科研攻关小组", "形成一批育人成果"),
    ("矿魂育人", "传承矿业精神，组织师生赴矿山一线开展主题党日，讲好矿业报国故事。", "主题党日、现场教学", "打造现场教学基地"),
    ("书香党建", "以读书会为载体，开展'每月一书'理论学习，推动理论学习常态化。", "读书会、微党课", "形成学习品牌"),
    ("青马领航", "面向学生党员骨干开展青年马克思主义者培养，强化政治引领。", "青马班、志愿服务", "培养学生骨干50名"),
]


def _pdf_bytes(title):
    return (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
            b"% " + title.encode() + b"\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def _attachment(org, name, kind="pdf"):
    att = Attachment.objects.filter(organization=org, original_name=name).first()
    if att:
        return att
    att = Attachment(organization=org, kind=kind, original_name=name, size=0)
    data = _pdf_bytes(name)
    att.file.save(f"attachments/demo-{org.code}-{abs(hash(name)) % 10**8}.pdf", ContentFile(data), save=False)
    att.size = len(data)
    att.save()
    return att


def seed(campaign, phase, orgs, users):
    from .models import StandardItem
    from .standards import ensure_standard_items

    ensure_standard_items(StandardItem)  # reference data (a flushed test database loses it)
    now = timezone.now()
    jx, ky = orgs["JX"], orgs["KY"]
    # 附件2 rows: college1's org partly done (branch1's own row untouched, 2 reported, 1 draft, 1 untouched);
    # college2's org complete and submitted
    for college, skip, n_done, n_draft in ((jx, 1, 2, 1), (ky, 0, 5, 0), (orgs["CL"], 0, 2, 2)):
        form2, _ = Form2.objects.get_or_create(campaign=campaign, organization=college)
        branches = list(college.children.filter(level=Level.BRANCH).order_by("sort_order"))[skip:]
        for i, b in enumerate(branches[: n_done + n_draft]):
            name, intro, carriers, results = FEATURES[i % len(FEATURES)]
            Form2Row.objects.get_or_create(form=form2, branch=b, defaults={
                "feature_name": name, "feature_intro": intro, "carriers": carriers, "expected_results": results,
                "phone": b.secretary_phone, "state": RowState.SUBMITTED if i < n_done else RowState.DRAFT,
                "submitted_at": now if i < n_done else None,
            })
        if college == ky and phase >= 1 and form2.state == FormState.DRAFT:
            Form2.objects.filter(pk=form2.pk).update(filler_name="李老师", state=FormState.SUBMITTED, submitted_at=now)
    # 附件1: college2's org submitted, 材料学院 accepted, college1's org a draft
    samples = [
        (ky, "矿魂铸剑", FormState.SUBMITTED), (orgs["CL"], "冶金先锋", FormState.ACCEPTED), (jx, "匠心育人", FormState.DRAFT),
        (orgs["MY"], "铸魂讲坛", FormState.RETURNED),
    ]
    for org, brand, state in samples:
        Form1.objects.get_or_create(campaign=campaign, organization=org, defaults={
            "brand_name": brand, "slogan": "把支部建在创新链上", "focus_area": "talent", "state": state,
            "secretary_name": org.secretary_name, "secretary_title": org.secretary_title, "secretary_phone": org.secretary_phone,
            "contact_name": org.contact_name, "contact_mobile": org.contact_phone, "contact_email": org.contact_email,
            "members_staff": org.members_staff, "members_student": org.members_student, "members_retired": org.members_retired,
            "connotation": f"“{brand}”以党建引领为核心，推动党建与业务深度融合。",
            "review_comment": "请补充进度安排中的时间节点" if state == FormState.RETURNED else "",
            "submitted_at": now if state != FormState.DRAFT else None,
        })
    if phase < 2:
        return
    start = campaign.build_start
    for org, title, kind, days in ((jx, "“匠心讲堂”工作机制", "system", 20), (orgs["JX-JG1"], "七一主题党日：重温入党誓词", "activity", 45),
                                   (ky, "矿山一线现场教学案例", "case", 60), (orgs["KY-JG1"], "党员先锋岗工作法", "method", 90)):
        o, created = Outcome.objects.get_or_create(campaign=campaign, organization=org, title=title, defaults={
            "outcome_type": kind, "date": min(start + dt.timedelta(days=days), timezone.localdate()),
            "description": f"{title}：做法、成效与体会。"})
        if created:
            o.attachments.add(_attachment(org, f"{title}.pdf"))
    if phase < 3:
        return
    brand, _ = Entry.objects.get_or_create(campaign=campaign, track="brand", organization=ky, defaults={
        "college": ky, "title": "矿魂铸剑", "leader": ky.secretary_name, "members": ky.members_total,
        "started_on": campaign.design_start, "overview": "学院党委以“矿魂铸剑”为品牌……" * 10, "negative_list_declared": True,
        "college_opinion": "同意申报", "state": "submitted", "submitted_at": now,
    })
    if brand.summary_report_id is None:
        Entry.objects.filter(pk=brand.pk).update(
            summary_report=_attachment(ky, "创建总结报告.pdf"), experience_doc=_attachment(ky, "典型经验.pdf"),
            case_doc=_attachment(ky, "典型案例.pdf"))
    Entry.objects.get_or_create(campaign=campaign, track="brand", organization=jx, defaults={
        "college": jx, "title": "匠心育人", "leader": jx.secretary_name, "members": jx.members_total})
    Entry.objects.get_or_create(campaign=campaign, track="branch", organization=orgs["JX-JG1"], defaults={
        "college": jx, "rank": 1, "title": "红色工匠", "leader": orgs["JX-JG1"].secretary_name})
