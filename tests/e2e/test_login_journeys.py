"""Browser journeys: sign in → home page, for every demo role (see organizations/demo.py)."""

import re

import pytest
from playwright.sync_api import expect

from campaigns.models import Phase

pytestmark = pytest.mark.e2e

ADMIN_LINKS = {"年度活动", "党组织", "账号", "操作记录"}

# username, name in the user menu, role labels shown on the home page, nav links it must / must not have
JOURNEYS = [
    pytest.param("zzb_admin", "组织部 管理员", ["组织部管理员"], ADMIN_LINKS, set(), id="zzb_admin"),
    pytest.param("judge1", "评审专家一（机械学院）", ["评审专家 · 机械工程学院党委"], set(), ADMIN_LINKS, id="judge1"),
    pytest.param("college1", "王建国", ["院级党组织书记/联系人 · 机械工程学院党委"], set(), ADMIN_LINKS, id="college1"),
    pytest.param("branch1", "机械教工一支部书记", ["支部书记 · 机械工程系教工党支部"], set(), ADMIN_LINKS, id="branch1"),
    pytest.param("leader", "校领导（审定）", ["校领导(审定)"], set(), ADMIN_LINKS, id="leader"),
]


def nav_links(page):
    """Texts of the main navigation's links, including those inside its dropdown menus."""
    items = page.locator("#mainnav ul.me-auto a.nav-link:not(.dropdown-toggle), #mainnav ul.me-auto a.dropdown-item")
    return {t.strip() for t in items.all_text_contents()}


def assert_page_assets_ok(page):
    """Stylesheets and scripts really loaded (no 404 on /static/, CSS applied, JS defined)."""
    assert page.http_errors == [], page.http_errors
    assert page.console_errors == [], page.console_errors
    navbar_bg = page.eval_on_selector("nav.navbar", "e => getComputedStyle(e).backgroundImage")
    assert "linear-gradient" in navbar_bg, f"portal.css not applied (navbar background: {navbar_bg})"
    assert page.evaluate("typeof window.bootstrap === 'object' && typeof window.htmx === 'object'")


@pytest.mark.parametrize("username,display_name,role_labels,must_have,must_not_have", JOURNEYS)
def test_role_signs_in_and_sees_home(page, site, login, screenshot, username, display_name, role_labels,
                                     must_have, must_not_have):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    expect(page.get_by_role("heading", name="登录党建特色品牌创建平台")).to_be_visible()

    login(page, username)

    expect(page).to_have_title("首页 · 党建特色品牌创建平台")
    expect(page.get_by_test_id("user-menu")).to_contain_text(display_name)
    todo = page.get_by_test_id("todo-list")
    expect(todo).to_be_visible()
    expect(todo.locator("li").first).to_be_visible()  # a to-do, or "当前阶段没有需要您处理的事项。"
    expect(page.get_by_test_id("todo-count")).to_have_text(re.compile(r"^\d+$"))
    expect(page.get_by_test_id("current-phase")).to_have_text(Phase(site.phase).label)
    for label in role_labels:
        expect(page.locator("main")).to_contain_text(label)

    links = nav_links(page)
    assert "首页" in links
    assert must_have <= links, f"{username} misses nav links {must_have - links}"
    assert not (must_not_have & links), f"{username} must not see {must_not_have & links}"
    assert_page_assets_ok(page)
    screenshot(page, f"home-{username}")

    # Every role-specific link opens (a 403/500 document would land in page.http_errors).
    for text in sorted(must_have):
        link = page.locator("#mainnav ul.me-auto a", has_text=re.compile(f"^{re.escape(text)}$"))
        href = link.get_attribute("href")
        if "dropdown-item" in (link.get_attribute("class") or ""):
            link.locator("xpath=ancestor::li[contains(@class,'dropdown')]/a[contains(@class,'dropdown-toggle')]").click()
        with page.expect_navigation():
            link.click()
        expect(page).to_have_url(site.url + href)
        expect(page).not_to_have_title(re.compile("无权访问|页面不存在|服务器错误"))
        assert page.http_errors == [], (text, page.http_errors)
    with page.expect_navigation():
        page.locator("#mainnav").get_by_role("link", name="首页", exact=True).click()
    expect(page.get_by_test_id("todo-list")).to_be_visible()

    # Sign out through the user menu (needs Bootstrap's JS for the dropdown).
    page.get_by_test_id("user-menu").click()
    page.get_by_role("button", name="退出登录").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))


def test_account_without_role_sees_no_role_page(page, login, screenshot):
    page.goto("/accounts/login/")
    login(page, "norole")

    expect(page).to_have_title("尚未分配角色 · 党建特色品牌创建平台")
    notice = page.get_by_test_id("no-role")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("您的账号尚未分配角色")
    expect(notice).to_contain_text("账号 norole 已登录")
    expect(page.get_by_test_id("todo-list")).to_have_count(0)
    assert nav_links(page) == {"首页", "成果展示"}  # the public showcase is for everyone
    assert_page_assets_ok(page)
    screenshot(page, "home-norole")


def test_wrong_password_shows_chinese_error_then_right_password_works(page, attempt_login, login, screenshot):
    page.goto("/accounts/login/")
    attempt_login(page, "branch2", "not-the-password")

    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    error = page.get_by_test_id("login-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("用户名或密码不正确，请重新输入")
    expect(page.locator("#id_username")).to_have_value("branch2")
    expect(page.locator("#id_password")).to_have_value("")
    expect(page.get_by_test_id("user-menu")).to_have_count(0)
    assert_page_assets_ok(page)
    screenshot(page, "login-wrong-password")

    # The failure is counted (django-axes) but does not block the real owner; success resets it.
    login(page, "branch2")
    expect(page.get_by_test_id("user-menu")).to_contain_text("采矿教工一支部书记")
    expect(page.get_by_test_id("todo-list")).to_be_visible()
