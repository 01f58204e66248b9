"""Browser journey for phases 2/3 (issue 4): a 院级 org recommends a branch, fills its 附件3,
uploads the report and the "三个一" (with a real H.264 video), submits; 组织部 passes the formal check."""

import re
import shutil
import subprocess

import pytest
from playwright.sync_api import expect

from .test_phase1_journey import open_as

pytestmark = [pytest.mark.e2e, pytest.mark.live_server_only]


@pytest.fixture
def phase3_site(site):
    if site.remote:
        if site.phase != 3:
            pytest.skip("needs a server seeded with --phase 3")
        return site
    from django.core.management import call_command

    call_command("seed_demo", phase=3, verbosity=0)
    site.phase = 3
    return site


def upload(page, slot, path):
    item = page.locator(f"li[data-slot='{slot}']")
    item.locator("input[type=file]").set_input_files(str(path))
    with page.expect_navigation():  # the page reloads after a successful XHR upload
        item.get_by_role("button", name="上传").click()
    expect(page.locator(f"li[data-slot='{slot}']")).not_to_contain_text("未上传")


def test_recommend_fill_upload_submit_and_pass_formal_check(browser, phase3_site, login, screenshot, tmp_path):
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg is needed to make a test video")
    video = tmp_path / "示范点.mp4"
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc=duration=3:size=640x360:rate=10",
                    "-c:v", "libx264", "-pix_fmt", "yuv420p", str(video)], check=True, timeout=60)
    doc = tmp_path / "材料.pdf"
    doc.write_bytes(b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")

    college = open_as(browser, phase3_site, login, "college1")
    college.get_by_role("link", name="十佳申报").click()
    college.select_option("[name=branch]", label="智能制造系教工党支部")
    college.select_option("[name=rank]", "2")
    college.get_by_test_id("recommend").click()
    expect(college.get_by_test_id("recommendations")).to_contain_text("排序 2：智能制造系教工党支部")
    college.get_by_test_id("recommendations").get_by_role("link", name="智能制造系教工党支部").click()

    college.fill("[name=title]", "智造先锋")
    college.fill("[name=leader]", "王二书记")
    college.fill("[name=members]", "19")
    college.fill("[name=started_on]", "2025-09-01")
    college.fill("[name=overview]", "背景、做法、成效、经验。" * 100)
    college.check("[name=negative_list_declared]")
    college.fill("[name=college_opinion]", "同意推荐")
    college.get_by_test_id("save").click()
    expect(college.locator(".alert-success")).to_contain_text("已保存")

    # a wrong file is refused with a clear message, nothing stored
    fake = tmp_path / "假视频.mp4"
    fake.write_bytes(b"MZ" + b"\x00" * 5000)
    item = college.locator("li[data-slot='video']")
    item.locator("input[type=file]").set_input_files(str(fake))
    item.get_by_role("button", name="上传").click()
    expect(item.locator(".upload-status")).to_contain_text("文件类型不符合要求")

    for slot in ("summary_report", "experience_doc", "case_doc"):
        upload(college, slot, doc)
    upload(college, "video", video)
    expect(college.locator("li[data-slot='video'] video")).to_have_count(1)
    expect(college.get_by_test_id("checklist")).to_contain_text("必备材料齐全")
    expect(college.get_by_test_id("checklist")).to_contain_text("建议 3–5 分钟")
    college.get_by_test_id("submit").click()
    expect(college.get_by_test_id("state")).to_have_text(re.compile("已提交"))
    screenshot(college, "phase3-entry-submitted")

    admin = open_as(browser, phase3_site, login, "zzb_admin")
    admin.goto("/submissions/current/check/")
    row = admin.locator("tr", has_text="智能制造系教工党支部")
    expect(row).to_contain_text("齐全")
    row.get_by_role("button", name="通过").click()
    expect(admin.locator(".alert-success")).to_contain_text("形式审查通过")
    expect(admin.locator("tr", has_text="智能制造系教工党支部")).to_contain_text("形式审查通过")
    college.context.close()
    admin.context.close()
