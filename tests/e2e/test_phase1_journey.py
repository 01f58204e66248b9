"""Browser journey for phase 1 (issue 3):

branch secretary fills a row → 院级 secretary fills 附件1, checks rows, submits both →
组织部 returns 附件1 → secretary fixes and resubmits → 组织部 accepts."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

FORM1 = {
    "secretary_name": "王建国", "secretary_title": "党委书记", "secretary_phone": "0516-83881000",
    "contact_name": "王老师", "contact_mobile": "13905161000", "contact_email": "jx@example.edu.cn",
    "members_staff": "95", "members_student": "230", "members_retired": "0",
    "brand_name": "匠心育人", "slogan": "以匠心育匠才", "foundation": "学院党委下设 5 个党支部……",
    "connotation": "以工匠精神引领人才培养", "goals": "形成可复制的育人模式", "measures": "党员先锋岗\n名师工作室",
    "schedule": "6月 启动\n9月 推进\n11月 总结", "expected_results": "形成一套经验做法", "guarantees": "学院配套经费 5 万元",
}
FIVE = ["political", "team", "system", "staff", "role"]


def open_as(browser, site, login, username):
    context = browser.new_context(base_url=site.url, locale="zh-CN", timezone_id="Asia/Shanghai",
                                  viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30000)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # "确认提交？" confirmations
    login(page, username)
    return page


def test_phase1_from_branch_row_to_accepted_forms(browser, site, login, screenshot):
    if site.phase != 1:
        pytest.skip("this journey writes phase-1 forms: needs a server seeded with --phase 1")

    # 1. branch secretary fills and reports the branch's own row
    branch = open_as(browser, site, login, "branch1")
    branch.get_by_role("link", name=re.compile("填写本支部")).click()
    branch.fill("[name=feature_name]", "红色工匠")
    branch.fill("[name=feature_intro]", "<script>alert('x')</script>依托实验室设立党员先锋岗")
    branch.fill("[name=carriers]", "党员先锋岗")
    branch.fill("[name=expected_results]", "培养骨干")
    branch.fill("[name=phone]", "13800000001")
    branch.get_by_test_id("submit").click()
    expect(branch.locator(".alert-success")).to_contain_text("已报送院级党组织审核")
    expect(branch.get_by_test_id("row-readonly")).to_contain_text("<script>alert('x')</script>")
    branch.context.close()

    # 2. 院级 secretary fills 附件1 over two sittings (draft, then submit)
    college = open_as(browser, site, login, "college1")
    college.get_by_role("link", name="附件1 申报表").click()
    for name, value in list(FORM1.items())[:9]:
        college.fill(f"[name={name}]", value)
    college.get_by_test_id("save").click()
    expect(college.locator(".alert-success")).to_contain_text("草稿已保存")
    expect(college.get_by_test_id("missing-panel")).to_contain_text("创建目标")
    for name, value in list(FORM1.items())[9:]:
        college.fill(f"[name={name}]", value)
    college.select_option("[name=focus_area]", "talent")
    for code in FIVE:
        college.fill(f"[name=five_{code}]", "已做到，具体情况见附件。")
    college.get_by_test_id("submit").click()
    expect(college.locator(".alert-success")).to_contain_text("附件1 已提交")
    expect(college.get_by_test_id("state")).to_have_text("已提交")

    # 3. checks the rows, handles the two open ones, submits 附件2
    college.get_by_role("link", name="附件2 汇总表").click()
    table = college.get_by_test_id("rows-table")
    expect(table.locator("tr[data-branch='JX-JG1']")).to_contain_text("已报院级")
    college.locator("tr[data-branch='JX-BK2']").get_by_role("link").click()
    college.get_by_test_id("submit").click()
    expect(college.locator(".alert-success")).to_contain_text("已报送")
    college.get_by_role("link", name="返回汇总表").click()
    college.locator("tr[data-branch='JX-YJS']").get_by_role("button", name="不参加").click()
    college.locator("[placeholder^='该支部本年度不参加的原因']").last.fill("支部正在换届")
    college.get_by_role("button", name="确认", exact=True).last.click()
    expect(college.locator(".alert-success")).to_contain_text("不参加的原因")
    college.fill("[name=filler_name]", "王老师")
    college.get_by_test_id("submit-form2").click()
    expect(college.locator(".alert-success")).to_contain_text("附件2 汇总表已提交")
    screenshot(college, "phase1-form2-submitted")

    # 4. 组织部 returns 附件1 with a comment
    admin = open_as(browser, site, login, "zzb_admin")
    admin.get_by_role("link", name="上报进度").click()
    admin.locator("tr[data-org='JX'] td").nth(2).get_by_role("link").click()
    admin.fill("#review-comment", "请补充进度安排的具体时间节点")
    admin.get_by_role("button", name="退回修改").click()
    expect(admin.locator(".alert-success")).to_contain_text("已退回修改")

    # 5. the secretary sees the comment on the home page, fixes and resubmits
    college.goto("/")
    expect(college.get_by_test_id("todo-list")).to_contain_text("请补充进度安排的具体时间节点")
    college.get_by_test_id("todo-list").get_by_role("link", name=re.compile("一院一品牌")).click()
    expect(college.get_by_test_id("return-comment")).to_contain_text("请补充进度安排")
    college.fill("[name=schedule]", "6月15日 启动\n9月30日 中期检查\n11月10日 总结")
    college.get_by_test_id("submit").click()
    expect(college.get_by_test_id("state")).to_have_text("已提交")

    # 6. 组织部 accepts
    admin.reload()
    admin.get_by_role("button", name="审核通过").click()
    expect(admin.get_by_test_id("state")).to_have_text("已通过")
    screenshot(admin, "phase1-form1-accepted")
    pdf = admin.request.get(admin.get_by_test_id("pdf-link").get_attribute("href"))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    for p in (college, admin):
        assert not p.context.pages[0].url.endswith("/500")
        p.context.close()


def test_typed_text_survives_an_expired_session(browser, site, login):
    """Nothing typed is lost: the browser keeps a local copy; after logging in again it offers it back."""
    if site.phase != 1:
        pytest.skip("needs a server seeded with --phase 1")
    # college3's 附件1 was returned by 组织部 in the demo, so it stays editable whatever other journeys do
    page = open_as(browser, site, login, "college3")
    page.get_by_role("link", name="附件1 申报表").click()
    form_url = page.url
    page.fill("[name=slogan]", "会话过期前输入的口号")
    # the local copy is written 0.4 s after the last keystroke (later on a loaded machine): wait for it
    page.wait_for_function("() => (localStorage.getItem('draft:' + document.querySelector('form[data-draft-key]')"
                           ".dataset.draftKey) || '').includes('会话过期前输入的口号')")
    page.context.clear_cookies()  # the session (and CSRF cookie) expire while the page is open
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("csrf-failure")).to_contain_text("数据没有任何改动")
    page.goto(form_url)  # → login page with ?next=
    login(page, "college3", expect_url=r"/submissions/.*")
    expect(page.get_by_test_id("draft-restore")).to_be_visible()
    page.get_by_test_id("draft-restore").get_by_role("button", name="恢复").click()
    expect(page.locator("[name=slogan]")).to_have_value("会话过期前输入的口号")
    page.get_by_test_id("save").click()
    expect(page.locator(".alert-success")).to_contain_text("草稿已保存")
    expect(page.locator("[name=slogan]")).to_have_value("会话过期前输入的口号")
    page.context.close()
