"""Data for the dashboard/export tests, written straight to the models (these tests are about reading)."""

import datetime as dt

from django.core.files.base import ContentFile

from campaigns.models import SHANGHAI, Deadline, DeadlineExtension, DeadlineKind
from submissions.models import Attachment, Entry, Form1, Form2, Form2Row, Outcome

LONG_INTRO = "依托重点实验室设立党员先锋岗，党员教师带领学生攻关关键技术，把党建融入科研育人全过程。" * 3


def at_sh(*args):
    return dt.datetime(*args, tzinfo=SHANGHAI)


def fill(world):
    """College A: 附件1 submitted May 10 09:30, 附件2 draft with branch A-1's row submitted, a brand entry
    (submitted, with all "三个一") and a branch entry (A-1, returned by the formal check); two outcomes.
    College B: nothing, but an extension of the design deadline to May 25."""
    c = world.campaign
    world.form1 = Form1.objects.create(
        campaign=c, organization=world.college_a, state="submitted", brand_name="匠心铸魂", slogan="以匠心育人",
        connotation="以工匠精神引领" * 30, submitted_at=at_sh(2026, 5, 10, 9, 30))
    world.form2 = Form2.objects.create(campaign=c, organization=world.college_a, filler_name="李老师")
    Form2Row.objects.create(form=world.form2, branch=world.branch_a1, state="submitted", feature_name="红色工匠",
                            feature_intro=LONG_INTRO[:200], submitted_at=at_sh(2026, 5, 9, 16, 5))
    docs = []
    for name in ("经验.pdf", "案例.pdf", "视频.mp4"):
        a = Attachment(organization=world.college_a, kind="mp4" if name.endswith("mp4") else "pdf",
                       original_name=name, size=10)
        a.file.save(f"attachments/{name}", ContentFile(b"x" * 10), save=False)
        a.save()
        docs.append(a)
    world.brand = Entry.objects.create(
        campaign=c, track="brand", organization=world.college_a, college=world.college_a, state="submitted",
        title="匠心铸魂", experience_doc=docs[0], case_doc=docs[1], video=docs[2],
        submitted_at=at_sh(2026, 11, 5, 10, 0))
    world.branch_entry = Entry.objects.create(
        campaign=c, track="branch", organization=world.branch_a1, college=world.college_a, rank=1, state="returned",
        title="红色工匠", check_comment="缺少示范点建设微视频，请补充后重新提交。")
    Outcome.objects.create(campaign=c, organization=world.branch_a1, outcome_type="case", title="案例一",
                           date=dt.date(2026, 6, 3))
    Outcome.objects.create(campaign=c, organization=world.college_a, outcome_type="method", title="工作法",
                           date=dt.date(2026, 7, 9))
    design = Deadline.objects.get(campaign=c, kind=DeadlineKind.DESIGN)
    DeadlineExtension.objects.create(deadline=design, organization=world.college_b, due_at=at_sh(2026, 5, 25, 18, 0),
                                     reason="合并调整", granted_by=world.users.admin)
    return world


def export_job(world, user=None):
    """A finished ExportJob with a file, for the permission matrix."""
    from dashboard.models import ExportJob

    job = ExportJob.objects.filter(created_by=user or world.users.admin).first()
    if job is None:
        job = ExportJob(kind="status", params={"campaign": world.campaign.pk}, status="done", progress=100,
                        created_by=user or world.users.admin, filename="上报状态.xlsx")
        job.file.save("exports/test.xlsx", ContentFile(b"PK\x03\x04 not really"), save=False)
        job.save()
    return job
