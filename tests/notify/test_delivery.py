"""The notify outbox against the local 企业微信/钉钉 receiver: formats, signatures, retries, exactly once."""

import datetime as dt

import pytest
from django.utils import timezone

from notify import delivery, services
from notify.messages import Line, Message
from notify.models import Channel, Delivery, DeliveryStatus

from .conftest import make_robot
from .receiver import closed_port_url

pytestmark = pytest.mark.django_db


def message(n=1):
    return Message(title="【提醒】附件1、附件2 上报将于5月15日 23:59截止", deadline="2026年5月15日 23:59（还剩 3 天）",
                   intro="甲学院党委及所属支部尚有 1 项未完成：",
                   lines=[Line(f"填写附件{i}", "甲学院党委", "草稿", "http://127.0.0.1:8000/forms/1/") for i in range(1, n + 1)],
                   link="http://127.0.0.1:8000/")


def later(minutes):
    return timezone.now() + dt.timedelta(minutes=minutes)


def test_wecom_robot_gets_markdown_in_the_documented_format(world, receiver):
    key, url = receiver.wecom_robot()
    robot = make_robot(world.users.admin, url, org=world.college_a)
    ids = services.publish("e1", message(), robots=[robot], deliver=False)
    assert delivery.deliver(ids).sent == 1
    (payload,) = receiver.messages_for(key)
    assert payload["msgtype"] == "markdown"
    content = payload["markdown"]["content"]
    assert content.startswith("### 【提醒】附件1、附件2 上报将于5月15日 23:59截止")
    assert '<font color="warning">2026年5月15日 23:59（还剩 3 天）</font>' in content
    assert "1. **甲学院党委**：填写附件1（草稿） [去处理](http://127.0.0.1:8000/forms/1/)" in content
    assert content.endswith("[登录平台查看](http://127.0.0.1:8000/)")
    row = Delivery.objects.get(pk=ids[0])
    assert (row.status, row.attempts, row.errcode, row.channel) == (DeliveryStatus.SENT, 1, 0, Channel.WECOM_ROBOT)


def test_dingtalk_robot_signs_each_request_and_the_receiver_verifies_it(world, receiver):
    token, secret, url = receiver.dingtalk_robot()
    robot = make_robot(world.users.admin, url, platform="dingtalk", role="branch_secretary", secret=secret)
    ids = services.publish("e1", message(), robots=[robot], deliver=False)
    assert delivery.deliver(ids).sent == 1
    (payload,) = receiver.messages_for(token)
    assert payload["msgtype"] == "markdown" and payload["markdown"]["title"].startswith("【提醒】")
    assert "**2026年5月15日 23:59（还剩 3 天）**" in payload["markdown"]["text"]


def test_dingtalk_wrong_secret_is_refused_by_the_platform_and_not_retried(world, receiver):
    token, _secret, url = receiver.dingtalk_robot()
    robot = make_robot(world.users.admin, url, platform="dingtalk", role="judge", secret="SECwrongwrongwrong")
    ids = services.publish("e1", message(), robots=[robot], deliver=False)
    result = delivery.deliver(ids)
    row = Delivery.objects.get(pk=ids[0])
    assert (result.failed, row.status, row.errcode) == (1, DeliveryStatus.FAILED, 310000)
    assert "加签" in row.error and receiver.messages_for(token) == []


@pytest.mark.parametrize("platform,errcode", [("wecom", 45009), ("dingtalk", 130101), ("wecom", "http502")])
def test_rate_limit_answer_is_retried_after_backoff_and_delivered_once(world, receiver, platform, errcode):
    if platform == "wecom":
        target, url = receiver.wecom_robot()
        robot = make_robot(world.users.admin, url, org=world.college_a)
    else:
        target, secret, url = receiver.dingtalk_robot()
        robot = make_robot(world.users.admin, url, platform="dingtalk", org=world.college_a, secret=secret)
    receiver.fail(target, errcode)
    ids = services.publish("e1", message(), robots=[robot], deliver=False)

    first = delivery.deliver(ids)
    row = Delivery.objects.get(pk=ids[0])
    assert first.retry_ids == ids and row.status == DeliveryStatus.QUEUED and row.attempts == 1
    assert row.next_attempt_at > timezone.now() + dt.timedelta(seconds=50)  # the first backoff is 60 s
    assert delivery.deliver(ids).sent == 0  # not due yet: a duplicate task message does nothing
    assert delivery.deliver(ids, now=later(2)).sent == 1
    for _ in range(3):  # retried task, second sweep: nothing more
        delivery.deliver(ids, now=later(30))
        delivery.sweep(now=later(30))
    assert len(receiver.messages_for(target)) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts, row.error) == (DeliveryStatus.SENT, 2, "")


def test_rate_limited_robot_holds_back_its_other_rows_without_spending_their_attempts(world, receiver):
    key, url = receiver.wecom_robot()
    robot = make_robot(world.users.admin, url, role="branch_secretary")
    receiver.fail(key, 45009)
    ids = [services.publish(f"e{i}", message(), robots=[robot], deliver=False)[0] for i in range(3)]
    result = delivery.deliver(ids)
    assert sorted(result.retry_ids) == sorted(ids)
    assert receiver.requests == 1  # one refused request, the two others not even tried
    assert sorted(Delivery.objects.values_list("attempts", flat=True)) == [0, 0, 1]
    assert delivery.deliver(ids, now=later(2)).sent == 3
    assert len(receiver.messages_for(key)) == 3


def test_receiver_down_is_retried_with_backoff_then_failed_after_five_attempts(world, receiver):
    robot = make_robot(world.users.admin, closed_port_url(), org=world.college_a)
    ids = services.publish("e1", message(), robots=[robot], deliver=False)
    minutes = 0
    for attempt in range(1, 6):
        delivery.deliver(ids, now=later(minutes))
        row = Delivery.objects.get(pk=ids[0])
        assert row.attempts == attempt and "网络错误" in row.error
        minutes += 200
    assert row.status == DeliveryStatus.FAILED
    assert delivery.deliver(ids, now=later(minutes)).sent == 0


def test_slow_receiver_times_out_and_the_retry_is_delivered(world, receiver, settings):
    settings.NOTIFY_HTTP_TIMEOUT = 0.3
    receiver.slow_seconds = 1.0
    key, url = receiver.wecom_robot()
    robot = make_robot(world.users.admin, url, org=world.college_a)
    receiver.fail(key, "slow")
    ids = services.publish("e1", message(), robots=[robot], deliver=False)
    assert delivery.deliver(ids).retry_ids == ids
    assert "网络错误" in Delivery.objects.get(pk=ids[0]).error
    assert delivery.deliver(ids, now=later(2)).sent == 1
    assert len(receiver.messages_for(key)) == 1


def test_same_event_and_target_is_recorded_once(world, receiver):
    key, url = receiver.wecom_robot()
    robot = make_robot(world.users.admin, url, org=world.college_a)
    first = services.publish("reminder:1:d3@x", message(), robots=[robot], deliver=False)
    again = services.publish("reminder:1:d3@x", message(), robots=[robot], deliver=False)
    assert len(first) == 1 and again == []
    assert Delivery.objects.count() == 1


def test_disabled_robot_gets_nothing(world, receiver):
    key, url = receiver.wecom_robot()
    robot = make_robot(world.users.admin, url, org=world.college_a, enabled=False)
    assert services.publish("e1", message(), robots=[robot]) == []
    assert receiver.requests == 0


def test_wecom_app_message_goes_to_the_account_and_refreshes_an_expired_token(world, receiver):
    receiver.members.add(world.users.branch.username)
    ids = services.publish("e1", message(), users=[world.users.branch], deliver=False)
    assert delivery.deliver(ids).sent == 1
    receiver.expire_tokens()  # the cached token is now stale: 42001, fetch a new one, send
    ids2 = services.publish("e2", message(), users=[world.users.branch], deliver=False)
    assert delivery.deliver(ids2).sent == 1
    payloads = receiver.messages_for("app")
    assert [p["touser"] for p in payloads] == [world.users.branch.username] * 2
    assert payloads[0]["agentid"] == receiver.agent_id and payloads[0]["msgtype"] == "markdown"
    assert receiver.token_requests == 2


def test_wecom_app_unknown_member_fails_without_retry(world, receiver):
    ids = services.publish("e1", message(), users=[world.users.branch], deliver=False)
    delivery.deliver(ids)
    row = Delivery.objects.get(pk=ids[0])
    assert (row.status, row.errcode) == (DeliveryStatus.FAILED, 81013)
    assert "找不到该成员" in row.error


def test_wecom_app_is_off_without_settings(world, receiver, no_wecom_app):
    assert services.publish("e1", message(), users=[world.users.branch]) == []
    assert Delivery.objects.count() == 0


def test_userid_field_setting_picks_the_account_field(world, receiver, settings):
    settings.WECOM_USERID_FIELD = "phone"
    world.users.branch.phone = ""
    ids = services.publish("e1", message(), users=[world.users.branch], deliver=False)
    row = Delivery.objects.get(event="e1")
    assert ids == [] and row.status == DeliveryStatus.CANCELLED and "没有企业微信账号" in row.error


def test_long_lists_are_cut_to_the_platform_limit_with_a_count(world, receiver):
    key, url = receiver.wecom_robot()
    robot = make_robot(world.users.admin, url, role="branch_secretary")
    ids = services.publish("e1", message(n=200), robots=[robot], deliver=False)
    assert delivery.deliver(ids).sent == 1  # the receiver refuses > 4096 bytes (40058)
    content = receiver.messages_for(key)[0]["markdown"]["content"]
    assert len(content.encode()) <= 4096
    assert "项未列出，请登录平台查看" in content and content.endswith("[登录平台查看](http://127.0.0.1:8000/)")


def test_user_text_cannot_inject_links_or_tags(world, receiver):
    key, url = receiver.wecom_robot()
    robot = make_robot(world.users.admin, url, org=world.college_a)
    m = Message(title="提醒", lines=[Line('[点我](http://evil.example) <font color="info">x</font>', "**甲**", "")])
    ids = services.publish("e1", m, robots=[robot], deliver=False)
    delivery.deliver(ids)
    content = receiver.messages_for(key)[0]["markdown"]["content"]
    assert "](http://evil.example)" not in content and "<font" not in content.split("\n", 1)[1].replace(
        '<font color="warning">', "")


def test_a_redirect_from_the_webhook_is_not_followed(world, receiver):
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    class Redirect(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            self.send_response(302)
            self.send_header("Location", f"{receiver.base}/cgi-bin/webhook/send?key={next(iter(receiver.wecom_keys))}")
            self.end_headers()

    receiver.wecom_robot()
    server = HTTPServer(("127.0.0.1", 0), Redirect)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        robot = make_robot(world.users.admin, f"http://127.0.0.1:{server.server_address[1]}/cgi-bin/webhook/send?key=x",
                           org=world.college_a)
        ids = services.publish("e1", message(), robots=[robot], deliver=False)
        delivery.deliver(ids)
    finally:
        server.shutdown()
        server.server_close()
    assert receiver.received == [] and "HTTP 302" in Delivery.objects.get(pk=ids[0]).error
