"""Browser journey for the judging guard rails (issue 14 part 4): 组织部 try 结束评分 while an entry of the
十佳党建品牌 track lacks valid scores, read the Chinese refusal naming it, record a reason and go on; the
decision page shows the override."""

import pytest
from playwright.sync_api import expect

from .test_phase1_journey import open_as

pytestmark = [pytest.mark.e2e, pytest.mark.live_server_only]


@pytest.fixture
def short_track(site):
    """The judging demo, with three judges' scores of one brand entry turned into abstentions (2/5 valid)."""
    if site.remote:
        pytest.skip("re-seeds the judging demo")
    from django.core.management import call_command

    from campaigns.models import Campaign

    from reviews.models import Assignment, JudgingTrack

    call_command("seed_demo", phase=3, verbosity=0)
    call_command("seed_judging_demo", force=True, verbosity=0)
    site.phase = 3
    track = JudgingTrack.objects.filter(campaign=Campaign.objects.current()).get(track="brand")
    scored = Assignment.objects.filter(track=track, judge__username="judge1", complete=True).select_related(
        "entry__organization").first()
    entry = scored.entry
    Assignment.objects.filter(track=track, entry=entry, judge__username__in=["judge2", "judge3", "judge4"]).update(
        complete=False, abstained=True, abstain_reason="与申报单位有合作")
    return site, track, entry


def test_close_with_a_missing_score_is_refused_then_overridden_with_a_reason(browser, short_track, login, screenshot):
    site, track, entry = short_track
    name = str(entry.organization)
    admin = open_as(browser, site, login, "zzb_admin")
    admin.goto(f"/reviews/t/{track.pk}/")
    shortfall = admin.get_by_test_id("score-shortfall")
    expect(shortfall).to_contain_text(f"{name}（材料评审 2/3）")
    admin.get_by_role("button", name="结束评分").click()  # the confirm() dialog is accepted by open_as
    refusal = admin.locator(".alert-danger")
    expect(refusal).to_contain_text("有效评分少于每项最少 3 份")
    expect(refusal).to_contain_text(f"{name}（材料评审 2/3）")
    screenshot(admin, "guardrails-refused")

    admin.fill("#override-reason", "三位评委与该单位有合作申报回避，经评审委员会同意按现有两份评分计分")
    admin.get_by_role("button", name="记录原因并允许继续").click()
    expect(admin.locator(".alert-success")).to_contain_text("已记录原因")
    expect(admin.get_by_test_id("score-shortfall")).to_have_count(0)
    admin.get_by_role("button", name="结束评分").click()
    expect(admin.locator(".alert-success")).to_contain_text("本轮评分已结束")

    admin.goto(f"/reviews/t/{track.pk}/decision/")
    overrides = admin.get_by_test_id("score-overrides")
    expect(overrides).to_contain_text("三位评委与该单位有合作申报回避")
    expect(overrides).to_contain_text(f"{name}（材料评审 2/3）")
    screenshot(admin, "guardrails-decision-override")
    admin.get_by_role("button", name="提出拟表彰名单").click()
    expect(admin.get_by_test_id("proposal")).to_be_visible()
