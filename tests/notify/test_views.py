"""组织部's pages: robots (encrypted at rest, masked), the test button, the delivery log."""

import pytest
from django.db import connection
from django.urls import reverse

from audit.models import AuditEntry
from notify import crypto, services
from notify.models import Delivery, DeliveryStatus, Robot

from .conftest import make_robot
from .receiver import closed_port_url

pytestmark = pytest.mark.django_db


def post_robot(client, **data):
    base = {"name": "甲学院工作群", "platform": "wecom", "scope": "org", "role": "", "webhook": "", "secret": "",
            "enabled": "on"}
    return client.post(reverse("notify:robot_new"), {**base, **data})


def test_admin_adds_a_robot_stored_encrypted_and_shown_masked(world, receiver, client_for):
    key, url = receiver.wecom_robot()
    c = client_for(world.users.admin)
    response = post_robot(c, organization=world.college_a.pk, webhook=url)
    assert response.status_code == 302
    robot = Robot.objects.get()
    assert key not in robot.webhook_encrypted and key not in robot.webhook_mask
    assert crypto.decrypt(robot.webhook_encrypted) == url
    with connection.cursor() as cur:
        cur.execute("SELECT * FROM notify_robot")
        assert key not in repr(cur.fetchall())
    page = c.get(reverse("notify:channels")).content.decode()
    assert key not in page and key[-4:] in page and "甲学院党委及所属支部" in page
    edit = c.get(reverse("notify:robot_edit", args=[robot.pk])).content.decode()
    assert key not in edit
    entry = AuditEntry.objects.get(action="create", object_repr__startswith="甲学院工作群")
    assert key not in repr(entry.changes) and "已更换" in repr(entry.changes)


def test_dingtalk_secret_is_encrypted_and_kept_when_the_edit_leaves_it_blank(world, receiver, client_for):
    token, secret, url = receiver.dingtalk_robot()
    c = client_for(world.users.admin)
    post_robot(c, platform="dingtalk", scope="role", role="judge", webhook=url, secret=secret, name="评审专家群")
    robot = Robot.objects.get()
    assert secret not in robot.secret_encrypted and crypto.decrypt(robot.secret_encrypted) == secret
    response = c.post(reverse("notify:robot_edit", args=[robot.pk]),
                      {"name": "评审专家群（新）", "scope": "role", "role": "judge", "webhook": "", "secret": "",
                       "enabled": "on", "version": robot.version})
    assert response.status_code == 302
    robot.refresh_from_db()
    assert robot.name == "评审专家群（新）" and crypto.decrypt(robot.secret_encrypted) == secret
    assert crypto.decrypt(robot.webhook_encrypted) == url
    assert secret not in c.get(reverse("notify:channels")).content.decode()


@pytest.mark.parametrize("data,message", [
    ({"webhook": "https://evil.example/cgi-bin/webhook/send?key=1"}, "必须是企业微信或钉钉的机器人地址"),
    ({"webhook": "http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=1"}, "必须以 https:// 开头"),
    ({"webhook": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send"}, "缺少 key 或 access_token"),
    ({"webhook": "https://oapi.dingtalk.com/robot/send?key=1", "platform": "dingtalk"}, "access_token="),
    ({"webhook": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=1", "secret": "SECabcdefgh"}, "没有加签密钥"),
    ({"webhook": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=1", "name": "<script>x</script>"}, "不能包含"),
    ({"webhook": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=1", "organization": ""}, "请选择院级党组织"),
    ({"webhook": ""}, "请填写 Webhook 地址"),
    ({"webhook": "https://oapi.dingtalk.com/robot/send?access_token=1", "platform": "dingtalk", "secret": "含中文的密钥值"},
     "加签密钥只能包含"),
])
def test_bad_robot_input_is_refused_with_a_chinese_message(world, client_for, data, message):
    c = client_for(world.users.admin)
    response = post_robot(c, **{"organization": world.college_a.pk, **data})
    assert response.status_code == 200 and message in response.content.decode()
    assert Robot.objects.count() == 0


def test_a_branch_cannot_be_a_robot_scope(world, client_for):
    response = post_robot(client_for(world.users.admin), organization=world.branch_a1.pk,
                          webhook="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=1")
    assert response.status_code == 200 and Robot.objects.count() == 0


def test_stale_robot_edit_is_refused(world, receiver, client_for):
    _key, url = receiver.wecom_robot()
    robot = make_robot(world.users.admin, url, org=world.college_a)
    services.update_robot(robot, {"name": "别人改过"}, by=world.users.admin, expected_version=robot.version)
    response = client_for(world.users.admin).post(
        reverse("notify:robot_edit", args=[robot.pk]),
        {"name": "我的修改", "scope": "org", "organization": world.college_a.pk, "enabled": "on", "version": robot.version})
    assert response.status_code == 200 and "其他人已修改" in response.content.decode()
    robot.refresh_from_db()
    assert robot.name == "别人改过"


def test_production_without_encryption_key_refuses_to_store_a_robot(world, client_for, settings):
    settings.PRODUCTION, settings.NOTIFY_ENCRYPTION_KEY = True, ""
    c = client_for(world.users.admin)
    response = post_robot(c, organization=world.college_a.pk,
                          webhook="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=1")
    assert response.status_code == 200 and "NOTIFY_ENCRYPTION_KEY" in response.content.decode()
    assert Robot.objects.count() == 0
    assert "NOTIFY_ENCRYPTION_KEY" in c.get(reverse("notify:channels")).content.decode()


def test_key_from_environment_encrypts_and_rotation_keeps_old_rows_readable(world, settings):
    old, new = crypto.generate_key(), crypto.generate_key()
    settings.NOTIFY_ENCRYPTION_KEY = old
    token = crypto.encrypt("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc")
    settings.NOTIFY_ENCRYPTION_KEY = f"{new},{old}"
    assert crypto.decrypt(token).endswith("key=abc")
    settings.NOTIFY_ENCRYPTION_KEY = new
    with pytest.raises(crypto.CannotDecrypt):
        crypto.decrypt(token)


def test_test_button_sends_to_the_robot_and_reports_the_result(world, receiver, client_for):
    key, url = receiver.wecom_robot()
    robot = make_robot(world.users.admin, url, org=world.college_a)
    c = client_for(world.users.admin)
    response = c.post(reverse("notify:robot_test", args=[robot.pk]), follow=True)
    assert "测试消息已发送" in response.content.decode()
    (payload,) = receiver.messages_for(key)
    assert "【测试】" in payload["markdown"]["content"]

    down = make_robot(world.users.admin, closed_port_url(), org=world.college_b, name="乙学院群")
    response = c.post(reverse("notify:robot_test", args=[down.pk]), follow=True)
    assert "测试消息发送失败" in response.content.decode() and "网络错误" in response.content.decode()
    assert Delivery.objects.get(robot=down).status == DeliveryStatus.FAILED  # a test is not retried


def test_app_test_goes_to_my_own_wecom_account(world, receiver, client_for):
    receiver.members.add(world.users.admin.username)
    response = client_for(world.users.admin).post(reverse("notify:app_test"), follow=True)
    assert "测试消息已发送到您的企业微信" in response.content.decode()
    assert [p["touser"] for p in receiver.messages_for("app")] == [world.users.admin.username]


def test_app_test_without_settings_explains_what_to_configure(world, client_for, no_wecom_app):
    response = client_for(world.users.admin).post(reverse("notify:app_test"), follow=True)
    assert "WECOM_CORP_ID" in response.content.decode()
    assert Delivery.objects.count() == 0


def test_delivery_log_filters_and_retry_of_a_failed_row(world, receiver, client_for, django_capture_on_commit_callbacks):
    key, url = receiver.wecom_robot()
    robot = make_robot(world.users.admin, url, org=world.college_a, name="甲学院群")
    receiver.fail(key, 93000)
    row = services.send_test(robot, by=world.users.admin)
    assert row.status == DeliveryStatus.FAILED and row.errcode == 93000
    c = client_for(world.users.admin)
    page = c.get(reverse("notify:deliveries") + "?status=failed").content.decode()
    assert "发送失败" in page and "Webhook 地址无效" in page and "甲学院群" in page
    assert "暂无记录" in c.get(reverse("notify:deliveries") + "?status=sent").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        c.post(reverse("notify:delivery_retry", args=[row.pk]))
    row.refresh_from_db()
    assert row.status == DeliveryStatus.SENT and len(receiver.messages_for(key)) == 1


def test_delivery_log_query_count_is_flat_with_10x_rows(world, receiver, client_for, django_assert_max_num_queries):
    robots = [make_robot(world.users.admin, receiver.wecom_robot()[1], org=world.college_a, name=f"群{i}")
              for i in range(5)]
    users = [world.users.branch, world.users.college, world.users.judge]
    rows = [Delivery(event=f"e{i}", channel="wecom_robot", target=f"robot:{robots[i % 5].pk}", robot=robots[i % 5],
                     title=f"标题{i}", content="x") for i in range(30)]
    rows += [Delivery(event=f"u{i}", channel="wecom_app", target=f"user:{users[i % 3].pk}", user=users[i % 3],
                      address="u", title=f"个人{i}", content="x") for i in range(30)]
    Delivery.objects.bulk_create(rows)
    c = client_for(world.users.admin)
    c.get(reverse("notify:deliveries"))
    with django_assert_max_num_queries(12):
        response = c.get(reverse("notify:deliveries"))
    assert response.content.decode().count("<tr>") == 51  # header + 50 on the first page


def test_only_zzb_admin_can_post_to_the_channel_pages(world, receiver, client_for):
    _key, url = receiver.wecom_robot()
    robot = make_robot(world.users.admin, url, org=world.college_a)
    c = client_for(world.users.college)
    assert c.post(reverse("notify:robot_test", args=[robot.pk])).status_code == 403
    assert c.post(reverse("notify:app_test")).status_code == 403
    assert post_robot(c, organization=world.college_a.pk, webhook=url).status_code == 403
    assert receiver.requests == 0 and Robot.objects.count() == 1


def test_channels_page_shows_a_broken_robot_and_stays_flat_in_queries(world, receiver, client_for,
                                                                      django_assert_max_num_queries):
    broken = make_robot(world.users.admin, closed_port_url(), org=world.college_a, name="坏群")
    services.send_test(broken, by=world.users.admin)
    for i in range(10):
        make_robot(world.users.admin, receiver.wecom_robot()[1], role="judge", name=f"群{i}")
    c = client_for(world.users.admin)
    c.get(reverse("notify:channels"))
    with django_assert_max_num_queries(10):
        page = c.get(reverse("notify:channels")).content.decode()
    assert "1 条发送失败" in page and page.count("尚未发送") == 11  # the broken one never succeeded either
