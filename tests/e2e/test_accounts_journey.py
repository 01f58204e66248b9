"""Browser journey for accounts (issue 14 part 5): branch1 locks themself out; 组织部 unlock the account and
hand over a one-time link; branch1 sets a new password with it and signs in; the link then no longer works."""

import re

import pytest
from playwright.sync_api import expect

from .test_phase1_journey import open_as

pytestmark = [pytest.mark.e2e, pytest.mark.live_server_only]  # changes branch1's password


def test_locked_out_user_gets_unlocked_and_sets_a_new_password(browser, site, login, attempt_login, screenshot):
    if site.remote:
        pytest.skip("changes branch1's password")
    person = browser.new_context(base_url=site.url, locale="zh-CN", timezone_id="Asia/Shanghai").new_page()
    for _ in range(5):  # the 5th failure answers with the lockout page
        attempt_login(person, "branch1", "wrong-password")
    expect(person.get_by_test_id("locked")).to_contain_text("联系")
    screenshot(person, "accounts-locked-page")

    admin = open_as(browser, site, login, "zzb_admin")
    admin.goto("/orgs/people/")
    admin.get_by_role("link", name="branch1", exact=True).click()
    expect(admin.get_by_test_id("locked-badge")).to_be_visible()
    admin.get_by_test_id("unlock").click()
    expect(admin.locator(".alert-success")).to_contain_text("已解除锁定")
    screenshot(admin, "accounts-account-page")
    admin.get_by_test_id("password-link").click()
    link = admin.get_by_test_id("reset-link").input_value()
    assert re.search(r"/accounts/activate/[^/]+/[^/]+/$", link)
    screenshot(admin, "accounts-one-time-link")

    person.goto(link)
    person.fill("#id_new_password1", "Neues-Passwort-2026")
    person.fill("#id_new_password2", "Neues-Passwort-2026")
    with person.expect_navigation():
        person.get_by_role("button", name="设置密码").click()
    attempt_login(person, "branch1", "Neues-Passwort-2026")
    expect(person.get_by_test_id("todo-list")).to_be_visible()
    person.goto(link)
    expect(person.get_by_test_id("invalid-link")).to_be_visible()
