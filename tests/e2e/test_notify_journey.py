"""Browser journey (issue 16): 组织部 adds a 钉钉 robot for all 支部书记, sends a test message, sends a
manual reminder, and reads the delivery log. The platform is the local receiver of tests/notify."""

import pytest
from playwright.sync_api import expect

from tests.notify.receiver import Receiver

pytestmark = [pytest.mark.e2e, pytest.mark.live_server_only]


def test_admin_configures_a_dingtalk_robot_tests_it_and_reminders_reach_the_group(page, site, login, screenshot,
                                                                                  settings):
    if site.remote:
        pytest.skip("points the portal at a local receiver, so it needs the live server")
    receiver = Receiver().start()
    settings.NOTIFY_WEBHOOK_HOSTS = ["127.0.0.1"]
    token, secret, url = receiver.dingtalk_robot()
    try:
        login(page, "zzb_admin")
        page.get_by_test_id("admin-menu").click()
        page.get_by_role("link", name="企业微信/钉钉通知").click()
        page.get_by_test_id("robot-new").click()
        page.fill("input[name=name]", "全校支部书记钉钉群")
        page.select_option("select[name=platform]", "dingtalk")
        page.check("input[name=scope][value=role]")
        page.select_option("select[name=role]", "branch_secretary")
        page.fill("input[name=webhook]", url)
        page.fill("input[name=secret]", secret)
        page.get_by_role("button", name="保存").click()
        robots = page.get_by_test_id("robots")
        expect(robots).to_contain_text("全部支部书记")
        assert token not in page.content() and secret not in page.content()  # masked, never in full

        page.get_by_test_id("robot-test").click()
        expect(page.locator(".alert-success")).to_contain_text("测试消息已发送到「全校支部书记钉钉群」")
        assert len(receiver.messages_for(token)) == 1  # signed (加签) and verified by the receiver
        screenshot(page, "notify-channels")

        page.goto("/campaigns/reminders/")
        page.get_by_role("link", name="手动提醒").click()
        page.select_option("select[name=deadline]", index=1)
        page.select_option("select[name=organizations]", label="机械工程学院党委")
        page.fill("textarea[name=note]", "请本周五前完成填报。")
        page.locator("form button.btn-danger").click()
        expect(page.locator(".alert")).to_contain_text("已向")
        (text,) = [p["markdown"]["text"] for p in receiver.messages_for(token)[1:]]
        assert "> 请本周五前完成填报。" in text and "全部支部书记尚有" in text and "机械" in text

        page.goto("/notify/deliveries/")
        log = page.get_by_test_id("deliveries")
        expect(log).to_contain_text("全校支部书记钉钉群")
        assert log.locator("text=已发送").count() == 2
        screenshot(page, "notify-deliveries")
        assert page.http_errors == [] and page.console_errors == []
    finally:
        receiver.stop()
