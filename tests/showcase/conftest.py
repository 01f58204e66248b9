"""Showcase fixtures: sources (附件1/附件2 rows/附件3/outcomes) and picked items."""

import datetime as dt
import shutil
import subprocess

import pytest
from django.core.files.base import ContentFile

from showcase import services
from submissions.models import Attachment, Entry, Form1, Form2, Form2Row, Outcome



def _png(color=(180, 22, 27), size=(120, 90)):
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "PNG")
    return buf.getvalue()


PNG = _png()


@pytest.fixture(scope="session")
def tiny_mp4(tmp_path_factory):
    """A 2-second H.264 test video made with ffmpeg (None when ffmpeg is missing)."""
    if not shutil.which("ffmpeg"):
        return None
    out = tmp_path_factory.mktemp("video") / "t.mp4"
    subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=10",
                    "-t", "2", "-pix_fmt", "yuv420p", "-c:v", "libx264", str(out)], check=True, timeout=60)
    return out.read_bytes()


def attachment(org, kind, name, data, caption=""):
    a = Attachment(organization=org, kind=kind, original_name=name, size=len(data), caption=caption)
    a.file.save(f"attachments/{name}", ContentFile(data), save=False)
    a.save()
    return a


def brand_sources(campaign, college, brand_name, *, slogan="", connotation="", measures="举措一\n举措二",
                  case_title="", case_body="", video=None, photo=True, logo=True):
    f1 = Form1(campaign=campaign, organization=college, brand_name=brand_name, slogan=slogan,
               connotation=connotation, measures=measures, expected_results="形成可推广经验", state="accepted")
    if logo:
        f1.logo.save("logos/l.png", ContentFile(PNG), save=False)
    f1.save()
    entry = Entry.objects.create(campaign=campaign, track="brand", organization=college, college=college,
                                 title=brand_name, overview=f"{brand_name}创建情况概述", state="passed")
    if video is not None:
        entry.video = attachment(college, "mp4", "v.mp4", video)
    entry.case_doc = attachment(college, "pdf", "case.pdf", b"%PDF-1.4 case")
    entry.save()
    if photo:
        entry.evidence.add(attachment(college, "png", "p.png", PNG, caption="主题党日活动"))
    if case_title:
        Outcome.objects.create(campaign=campaign, organization=college, outcome_type="case", title=case_title,
                               date=dt.date(campaign.year, 9, 1), description=case_body)
    return f1, entry


def branch_sources(campaign, branch, feature_name, intro="支部特色简介"):
    f2, _ = Form2.objects.get_or_create(campaign=campaign, organization=branch.parent)
    return Form2Row.objects.create(form=f2, branch=branch, feature_name=feature_name, feature_intro=intro,
                                   carriers="党员先锋岗\n结对帮扶", state="submitted")


@pytest.fixture
def picked(world, tiny_mp4, django_capture_on_commit_callbacks):
    """College A's brand (with video, case, photo) and branch A1's 特色 picked, NOT yet published;
    college B's brand picked and published."""
    admin = world.users.admin
    brand_sources(world.campaign, world.college_a, "红色引擎", slogan="党建强引擎 发展增动能",
                  connotation="以党建为引擎，推动学科建设与人才培养深度融合", case_title="党建引领科研攻关典型案例",
                  case_body="组建党员攻关突击队，攻克关键技术难题", video=tiny_mp4)
    brand_sources(world.campaign, world.college_b, "青春领航", slogan="青春向党", connotation="以青年党员为骨干开展志愿服务")
    branch_sources(world.campaign, world.branch_a1, "实验室先锋岗")
    with django_capture_on_commit_callbacks(execute=True):  # runs the poster task (Celery is eager in tests)
        a = services.pick(world.campaign, world.college_a, "brand", by=admin)
        a1 = services.pick(world.campaign, world.branch_a1, "branch", by=admin)
        b = services.pick(world.campaign, world.college_b, "brand", by=admin)
    b = services.publish(b, by=admin, award="brand_top10")
    world.item_a, world.item_a1, world.item_b = a, a1, b
    return world
