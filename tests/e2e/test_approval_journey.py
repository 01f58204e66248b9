"""Browser journey for 审定 (issue 14 part 1): 组织部 propose the 十佳特色支部 list; the 校领导 find it on
their home page, open it, send it back with a comment; 组织部 see the comment and propose again; the
校领导 approve; 组织部 see who approved and when."""

import re

import pytest
from playwright.sync_api import expect

from .test_phase1_journey import open_as

pytestmark = [pytest.mark.e2e, pytest.mark.live_server_only]


@pytest.fixture
def judging_site(site):
    if site.remote:
        pytest.skip("re-seeds the judging demo")
    from django.core.management import call_command

    call_command("seed_demo", phase=3, verbosity=0)
    call_command("seed_judging_demo", force=True, verbosity=0)
    site.phase = 3
    return site


def _branch_track_pk():
    from campaigns.models import Campaign
    from reviews.models import JudgingTrack

    return JudgingTrack.objects.filter(campaign=Campaign.objects.current()).get(track="branch").pk


def test_leader_sends_back_then_approves_the_proposed_list(browser, judging_site, login, screenshot):
    pk = _branch_track_pk()
    admin = open_as(browser, judging_site, login, "zzb_admin")
    admin.goto(f"/reviews/t/{pk}/decision/")
    admin.get_by_role("button", name="提出拟表彰名单").click()
    expect(admin.get_by_test_id("proposal")).to_be_visible()

    leader = open_as(browser, judging_site, login, "leader")
    todo = leader.get_by_test_id("todo-list")
    expect(todo).to_contain_text("审定十佳特色支部拟表彰名单")
    todo.get_by_role("link", name=re.compile("审定十佳特色支部")).click()
    expect(leader.get_by_test_id("awaiting")).to_be_visible()
    expect(leader.get_by_test_id("approval-row").first).to_be_visible()
    expect(leader.get_by_test_id("check-passed").first).to_be_visible()
    screenshot(leader, "approval-leader-proposed")
    leader.fill("#return-comment", "请复核第3名的评委分歧后再报")
    leader.get_by_test_id("send-back").click()
    expect(leader.locator(".alert-success")).to_contain_text("已退回")

    admin.goto(f"/reviews/t/{pk}/decision/")
    expect(admin.get_by_test_id("return-comment")).to_contain_text("请复核第3名的评委分歧后再报")
    admin.get_by_role("button", name="提出拟表彰名单").click()
    expect(admin.get_by_test_id("proposal")).to_be_visible()

    leader.goto("/")
    leader.get_by_test_id("todo-list").get_by_role("link", name=re.compile("审定十佳特色支部")).click()
    leader.fill("#approve-comment", "同意")
    leader.get_by_test_id("approve").click()  # the confirm() dialog is accepted by open_as
    expect(leader.get_by_test_id("approved")).to_contain_text("校领导在线审定")
    screenshot(leader, "approval-leader-approved")

    admin.goto(f"/reviews/t/{pk}/decision/")
    expect(admin.get_by_test_id("approval-step")).to_contain_text("校领导在线审定")
    expect(admin.get_by_test_id("approval-step")).to_contain_text("校领导")
    expect(admin.get_by_role("button", name="开始公示")).to_be_visible()
    screenshot(admin, "approval-admin-decision")
