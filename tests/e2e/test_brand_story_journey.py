"""Browser journey (issue 17, part 3): a 院级 secretary chooses 继续培育 on this year's 附件1, sees it prefilled
from last year's, opens the brand's story (three years); 组织部 opens the 历年对比 view with its SVG charts."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.live_server_only]


def test_continue_the_brand_then_read_its_story(page, site, login, screenshot, browser):
    if site.remote:
        pytest.skip("changes college1's brand choice: needs the live server")
    login(page, "college1")
    expect(page.get_by_test_id("todo-hint")).to_contain_text("继续培育")
    page.get_by_role("link", name=re.compile("申报表（附件1）")).click()
    expect(page.get_by_test_id("brand-choice")).to_contain_text("匠心筑梦")  # last year's brand (seed_demo history)
    foundation = page.locator("textarea[name=foundation]")
    expect(foundation).to_have_value("")
    with page.expect_navigation():
        page.get_by_test_id("choose-continue").click()
    expect(page.get_by_test_id("brand-choice-current")).to_have_text("继续培育（上一年度品牌）")
    expect(foundation).to_have_value(re.compile(r"2025年度继续深化“匠心筑梦”"))
    expect(page.get_by_test_id("carried-notice")).to_contain_text("工作基础")
    screenshot(page, "brand-choice-form1")
    page.get_by_test_id("brand-page-link").click()
    years = page.get_by_test_id("timeline-year")
    expect(years).to_have_count(3)
    assert [years.nth(i).get_attribute("data-year") for i in range(3)] == ["2024", "2025", "2026"]
    expect(years.nth(1).get_by_test_id("award")).to_contain_text("第 3 名")
    expect(years.nth(0).get_by_test_id("funding")).to_contain_text("20000 元")
    screenshot(page, "brand-timeline")
    brand_url = page.url
    # the 附件2 summary: the branch that had not started got last year's row, marked until edited
    page.get_by_role("link", name="附件2 汇总表").click()
    expect(page.get_by_test_id("carried-badge")).to_have_count(1)
    screenshot(page, "brand-choice-form2")
    assert page.http_errors == [] and page.console_errors == []

    admin = browser.new_context(base_url=site.url, locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
    login(admin, "zzb_admin")
    admin.goto("/dashboard/")
    admin.get_by_test_id("yoy-link").click()
    expect(admin.locator("svg.yoy-chart")).to_have_count(4)
    expect(admin.locator("[data-testid=years-table] tbody tr")).to_have_count(3)
    screenshot(admin, "dashboard-years")
    admin.goto(brand_url + "story/")
    expect(admin.get_by_test_id("timeline-year")).to_have_count(2)  # public: only the published years
    screenshot(admin, "brand-story-public")
