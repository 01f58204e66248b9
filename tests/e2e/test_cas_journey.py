"""Browser journeys through 统一身份认证: the portal (live server) and a real CAS server (tests/cas_server/)."""

import re

import pytest
from playwright.sync_api import expect

from organizations.models import User

from ..cas_server.users import MATCHED, PASSWORD, UNMATCHED

pytestmark = [pytest.mark.e2e, pytest.mark.live_server_only]


@pytest.fixture
def cas_site(site, cas_on):
    """The seeded demo portal with CAS on; the demo 院级书记 college1 (王建国) carries 张三's 工号."""
    if site.remote:
        pytest.skip("needs the live server: the test switches CAS on in its settings")
    User.objects.filter(username="college1").update(employee_id=MATCHED.employee_id)
    return site


def portal_errors(page, site):
    return [(status, url) for status, url in page.http_errors if url.startswith(site.url)]


def sign_in_at_cas(page, cas_url, username):
    expect(page).to_have_url(re.compile("^" + re.escape(cas_url) + "login"))
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("#login_form button[type=submit]")


def test_cas_user_signs_in_lands_on_home_and_signs_out(page, cas_site, cas_on, screenshot):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    cas_button = page.get_by_test_id("cas-login")
    expect(cas_button).to_have_text(re.compile("统一身份认证登录"))
    expect(page.locator("#id_username")).to_be_visible()  # local login stays beside it
    screenshot(page, "cas-login-page")

    cas_button.click()
    sign_in_at_cas(page, cas_on.url, MATCHED.username)

    expect(page).to_have_url(cas_site.url + "/")
    expect(page).to_have_title("首页 · 党建特色品牌创建平台")
    expect(page.get_by_test_id("user-menu")).to_contain_text("王建国")  # the portal account, not the CAS name
    expect(page.locator("main")).to_contain_text("院级党组织书记/联系人 · 机械工程学院党委")
    screenshot(page, "cas-home-college1")

    page.get_by_test_id("user-menu").click()
    with page.expect_navigation(url=re.compile(re.escape(cas_site.url) + r"/accounts/login/$")):
        page.get_by_role("button", name="退出登录").click()
    expect(page.get_by_test_id("cas-login")).to_be_visible()
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    # the CAS session ended too: the CAS server asks for the password again
    page.get_by_test_id("cas-login").click()
    expect(page.locator("#id_password")).to_be_visible()
    assert page.url.startswith(cas_on.url)
    assert portal_errors(page, cas_site) == []


def test_signing_out_at_the_cas_server_ends_the_portal_session(page, cas_site, cas_on):
    """Single sign-out: the CAS server POSTs a logoutRequest to the portal, which ends that session."""
    page.goto("/accounts/cas/login/?next=/")
    sign_in_at_cas(page, cas_on.url, MATCHED.username)
    expect(page.get_by_test_id("user-menu")).to_contain_text("王建国")

    page.goto(cas_on.url + "logout")  # e.g. 退出 in another campus system
    page.goto(cas_site.url + "/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))


def test_unmatched_cas_user_is_told_whom_to_ask(page, cas_site, cas_on, screenshot):
    page.goto("/accounts/login/")
    page.get_by_test_id("cas-login").click()
    sign_in_at_cas(page, cas_on.url, UNMATCHED.username)

    problem = page.get_by_test_id("cas-problem")
    expect(problem).to_have_attribute("data-reason", "unmatched")
    expect(problem.get_by_role("heading")).to_have_text("未找到与您对应的平台账号")
    expect(page.get_by_test_id("cas-employee-id")).to_have_text(UNMATCHED.employee_id)
    expect(problem).to_contain_text("党委组织部（电话 0000-12345678）")
    screenshot(page, "cas-unmatched")
    # 退出统一身份认证 lets the person sign in as someone else
    page.get_by_test_id("cas-logout").click()
    expect(page).to_have_url(re.compile(re.escape(cas_site.url) + r"/accounts/login/$"))
