"""Browser journey for 材料查重 (issue 17 part 1): 组织部 runs the year's check with the button, sees the
flag in the 形式审查 list, opens the most similar material and reads both texts side by side."""

import pytest
from playwright.sync_api import expect

from .test_phase1_journey import open_as

pytestmark = [pytest.mark.e2e, pytest.mark.live_server_only]


@pytest.fixture
def copied_site(site):
    """Phase 3 demo plus 材料学院's 附件3, which copies two paragraphs of 矿业学院's (one reordered)."""
    if site.remote:
        pytest.skip("plants entries in the database: live-server mode only")
    from django.core.management import call_command

    from campaigns.models import Campaign
    from organizations.models import Organization
    from similarity import textgen
    from submissions.models import Entry

    call_command("seed_demo", phase=3, verbosity=0)
    ky = Entry.objects.get(campaign=Campaign.objects.current(), track="brand", organization__code="KY")
    original = textgen.text(17, 2400)
    Entry.objects.filter(pk=ky.pk).update(overview=original)
    paras = original.split("\n")
    sents = textgen.split_sentences(paras[2])
    copy = "\n".join([textgen.text(18, 600), paras[1], "".join(reversed(sents)), textgen.text(19, 600)])
    cl = Organization.objects.get(code="CL")
    Entry.objects.update_or_create(campaign=ky.campaign, track="brand", organization=cl, defaults={
        "college": cl, "title": "冶金先锋", "overview": copy, "state": "submitted"})
    site.phase = 3
    return site


def test_zzb_runs_the_check_sees_the_flag_and_compares_side_by_side(browser, copied_site, login, screenshot):
    admin = open_as(browser, copied_site, login, "zzb_admin")
    admin.get_by_text("评比材料").click()
    admin.get_by_role("link", name="材料查重").click()
    expect(admin.get_by_role("heading", name="材料查重")).to_be_visible()
    admin.fill("#threshold", "10")
    admin.get_by_role("button", name="保存阈值").click()
    expect(admin.locator(".alert")).to_contain_text("查重提示阈值已设为 10%")
    admin.get_by_role("button", name="查重本年度新增/修改的材料").click()
    expect(admin.get_by_test_id("run-box")).to_contain_text("已完成")
    admin.get_by_role("link", name="返回形式审查").click()
    row = admin.locator("tr", has=admin.get_by_role("link", name="材料与冶金学院党委"))
    flag = row.get_by_test_id("similarity-flag")
    expect(flag).to_contain_text("查重")
    flag.click()
    expect(admin.get_by_test_id("text-block").first).to_contain_text("资源与安全工程学院党委")
    admin.get_by_role("link", name="对照查看").first.click()
    expect(admin.get_by_test_id("percent")).to_contain_text("%")
    left, right = admin.get_by_test_id("left"), admin.get_by_test_id("right")
    expect(left.locator("mark")).to_have_count(right.locator("mark").count())
    assert left.locator("mark").count() >= 6
    expect(left.locator("mark#a1")).to_be_visible()
    screenshot(admin, "similarity-compare")
