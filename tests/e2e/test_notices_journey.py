"""Browser journey for the change notices (issue 14, part 2):

a branch secretary reports the row → the 院级 secretary returns it with a comment → the branch secretary
sees the notice in the bell, with who returned it and the comment, and follows its link to the row."""

import re

import pytest
from playwright.sync_api import expect

from .test_phase1_journey import open_as

pytestmark = [pytest.mark.e2e, pytest.mark.live_server_only]  # changes branch1's row in the demo

COMMENT = "特色简介请写明具体载体和时间安排"


def test_a_returned_row_reaches_the_branch_through_the_bell(browser, site, login, screenshot):
    if site.phase != 1:
        pytest.skip("this journey writes a phase-1 row: needs a server seeded with --phase 1")

    # 1. the branch secretary reports the row; no notice yet
    branch = open_as(browser, site, login, "branch1")
    expect(branch.get_by_test_id("unread-count")).to_have_count(0)
    branch.get_by_role("link", name=re.compile("填写本支部")).click()
    branch.fill("[name=feature_name]", "红色工匠")
    branch.fill("[name=feature_intro]", "依托实验室设立党员先锋岗")
    branch.fill("[name=carriers]", "党员先锋岗")
    branch.fill("[name=expected_results]", "培养骨干")
    branch.fill("[name=phone]", "13800000001")
    branch.get_by_test_id("submit").click()
    expect(branch.locator(".alert-success")).to_contain_text("已报送院级党组织审核")

    # 2. the 院级 secretary is told, and returns the row with a comment from the 附件2 table
    college = open_as(browser, site, login, "college1")
    expect(college.get_by_test_id("unread-count")).to_have_text("1")
    college.get_by_role("link", name="附件2 汇总表").click()
    row = college.locator("tr[data-branch='JX-JG1']")
    expect(row).to_contain_text("已报院级")
    row.get_by_role("button", name="退回").click()
    college.locator("[placeholder^='退回修改意见']").first.fill(COMMENT)
    college.get_by_role("button", name="确认退回").first.click()
    expect(college.locator(".alert-success")).to_be_visible()
    college.context.close()

    # 3. the branch secretary's bell shows one unread notice; the notice names the college and quotes the comment
    branch.goto("/")
    expect(branch.get_by_test_id("unread-count")).to_have_text("1")
    branch.get_by_test_id("notifications-link").click()
    notice = branch.get_by_test_id("notification").first
    expect(notice).to_contain_text("已被院级党组织退回修改")
    expect(notice).to_contain_text("机械工程学院党委（院级党组织）")
    expect(notice.get_by_test_id("notice-comment")).to_contain_text(COMMENT)
    screenshot(branch, "notice-in-the-bell")

    # 4. its link opens the row, which is editable again and shows the same comment; the notice is read
    notice.get_by_test_id("notice-link").click()
    branch.wait_for_url(re.compile(r"/submissions/\d+/row/\d+/$"))
    expect(branch.get_by_test_id("return-comment")).to_contain_text(COMMENT)
    expect(branch.get_by_test_id("unread-count")).to_have_count(0)

    # 5. 通知设置: e-mail for this kind switched off (the bell stays on)
    branch.goto("/campaigns/notifications/")
    branch.get_by_test_id("notice-settings-link").click()
    switch = branch.get_by_test_id("email-row_review")
    expect(switch).to_be_checked()
    switch.uncheck()
    branch.get_by_test_id("save").click()
    expect(branch.locator(".alert-success")).to_contain_text("已保存通知设置")
    expect(branch.get_by_test_id("email-row_review")).not_to_be_checked()
    screenshot(branch, "notice-settings")
    branch.context.close()
