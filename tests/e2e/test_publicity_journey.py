"""Browser journey for the public 公示 (issue 14 part 3): an anonymous visitor reads the 十佳特色支部 list,
files an objection against its first entry and sees the receipt code; 组织部 upholds it and takes the
entry off the list; the public list then shows the next entry instead, and the receipt lookup shows the
answer."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from .test_phase1_journey import open_as

pytestmark = [pytest.mark.e2e, pytest.mark.live_server_only]


@pytest.fixture
def publicity_site(site):
    if site.remote:
        pytest.skip("re-seeds the judging demo")
    from django.core.management import call_command

    from organizations.models import User
    from reviews import services
    from campaigns.models import Campaign
    from reviews.models import JudgingTrack

    call_command("seed_demo", phase=3, verbosity=0)
    call_command("seed_judging_demo", force=True, verbosity=0)
    admin = User.objects.get(username="zzb_admin")
    track = JudgingTrack.objects.filter(campaign=Campaign.objects.current()).get(track="branch")
    services.propose(track, by=admin)
    services.approve(track, by=admin, note="党委常委会")
    today = timezone.localdate()
    site.track = services.open_publicity(track, by=admin, start=today)
    site.phase = 3
    return site


def test_anonymous_objection_upheld_and_the_next_entry_moves_up(browser, publicity_site, page, login, screenshot):
    track = publicity_site.track
    first, nxt = track.proposal[0]["name"], None
    from reviews import queries

    ranked = [r["entry"] for r in queries.ranking(track, with_stability=False)["rows"]]
    nxt = str(ranked[track.award_count].organization)  # the first entry below the cut-off

    # 1. an anonymous visitor reads the list and files an objection (no login)
    page.goto("/reviews/publicity/")
    board = page.get_by_test_id("publicity-branch")
    expect(board.get_by_test_id("publicity-list")).to_contain_text(first)
    expect(board.get_by_test_id("publicity-list")).not_to_contain_text(nxt)
    screenshot(page, "publicity-public-list")
    board.get_by_test_id("file-objection").click()
    page.fill("#id_name", "王老师")
    page.fill("#id_unit", "机械工程学院")
    page.fill("#id_contact", "13800000000")
    page.select_option("#id_entry", str(track.proposal[0]["entry"]))
    page.fill("#id_content", "该支部申报材料中的获奖情况与事实不符。")
    page.get_by_role("button", name="提交异议").click()
    expect(page.get_by_test_id("receipt")).to_contain_text("您的异议已提交")
    code = page.get_by_test_id("receipt-code").inner_text().strip()
    assert len(code) == 19
    screenshot(page, "publicity-receipt")

    # 2. 组织部 upholds it and takes the entry off the list
    admin = open_as(browser, publicity_site, login, "zzb_admin")
    admin.goto(f"/reviews/t/{track.pk}/decision/")
    item = admin.locator("[data-testid^=objection-]").filter(has_text="王老师")
    expect(item).to_contain_text("获奖情况与事实不符")
    item.locator("select[name=outcome]").select_option("upheld")
    item.locator("input[name=handling]").fill("经核实属实，撤销该支部拟表彰资格，名单依次递补。")
    item.get_by_role("button", name="答复").click()
    expect(admin.locator(".alert-success")).to_contain_text("已答复")
    item = admin.locator("[data-testid^=objection-]").filter(has_text="王老师")
    item.locator("input[name=reason]").fill("异议属实：获奖情况不实")
    item.get_by_role("button", name="撤销该项目并递补").click()  # confirm() accepted by open_as
    expect(admin.locator(".alert-success")).to_contain_text(f"递补：{nxt}")
    expect(admin.get_by_test_id("withdrawn")).to_contain_text(first)
    screenshot(admin, "publicity-admin-withdrawn")

    # 3. the public list shows the next entry; the receipt shows the answer
    page.goto("/reviews/publicity/")
    listed = page.get_by_test_id("publicity-branch").get_by_test_id("publicity-list")
    expect(listed).to_contain_text(nxt)
    expect(listed).not_to_contain_text(first)
    page.goto("/reviews/publicity/receipt/")
    page.fill("#id_code", code)
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_test_id("lookup-outcome")).to_contain_text("采纳")
    screenshot(page, "publicity-lookup")

    # 4. the public pages fit a 390 px phone (tables scroll inside their card, no button past the edge)
    from .test_phone_layout import MEASURE, MIN_CELL_PX, PHONE

    page.set_viewport_size(PHONE)
    for path in ("/reviews/publicity/", f"/reviews/publicity/{track.pk}/objection/", "/reviews/publicity/receipt/"):
        page.goto(path)
        found = page.evaluate(MEASURE, MIN_CELL_PX)
        assert not found["narrow"] and not found["cut"], (path, found)
        assert found["pageWidth"] <= found["vw"] + 1, (path, found)
    screenshot(page, "publicity-phone")
