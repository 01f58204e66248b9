"""Deadline reminders through the group robots and 企业微信 application messages (with e-mail)."""

import pytest
from django.core import mail
from django.test import override_settings

from campaigns import reminders
from campaigns.models import ReminderLog, ReminderStatus
from notify import delivery
from notify.models import Channel, Delivery, DeliveryStatus

from ..campaigns.fake_obligations import FlakySMTPBackend
from .conftest import make_robot
from .receiver import closed_port_url


def run(at, capture, *args):
    at(*args)
    with capture(execute=True):
        return reminders.run_due()


def contents(receiver, target):
    out = []
    for payload in receiver.messages_for(target):
        md = payload["markdown"]
        out.append(md.get("content") or md.get("text"))
    return out


def test_college_robot_gets_one_message_naming_its_missing_items_and_deadline(
    world, owed, receiver, at, django_capture_on_commit_callbacks, settings
):
    key_a, url_a = receiver.wecom_robot()
    key_b, url_b = receiver.wecom_robot()
    make_robot(world.users.admin, url_a, org=world.college_a)
    make_robot(world.users.admin, url_b, org=world.college_b)
    run(at, django_capture_on_commit_callbacks, 2026, 5, 12, 9, 0)

    (text,) = contents(receiver, key_a)  # college secretary + branch secretary: one group message
    assert "### 【提醒】附件1、附件2 上报将于5月15日 23:59截止（还剩3天）" in text
    assert "2026年5月15日 23:59（还剩 3 天）" in text
    assert "甲学院党委及所属支部尚有 2 项未完成" in text
    assert "**甲学院党委**：填写本单位\"一院一品牌\"申报表（附件1）（未开始）" in text
    assert f"**甲一支部**：填写本支部\"一支部一特色\"信息（附件2）（未开始） [去处理]({settings.SITE_URL}/forms/form2row/{world.branch_a1.pk}/)" in text
    assert "乙学院" not in text
    (text_b,) = contents(receiver, key_b)
    assert "填写乙学院附件1" in text_b and "甲" not in text_b
    assert len(mail.outbox) == 3  # e-mail as before


def test_role_robot_gets_everyone_with_that_role_and_admin_robot_the_overdue_summary(
    world, owed, receiver, at, django_capture_on_commit_callbacks
):
    token, secret, url = receiver.dingtalk_robot()
    make_robot(world.users.admin, url, platform="dingtalk", role="college_secretary", secret=secret)
    key_admin, url_admin = receiver.wecom_robot()
    make_robot(world.users.admin, url_admin, role="admin")
    run(at, django_capture_on_commit_callbacks, 2026, 5, 12, 9, 0)
    (text,) = contents(receiver, token)
    assert "全部院级党组织书记/联系人尚有 2 项未完成" in text
    assert "填写乙学院附件1" in text and "申报表（附件1）" in text and "附件2" not in text.split("尚有")[1]
    assert contents(receiver, key_admin) == []  # 组织部 owes nothing before the deadline

    run(at, django_capture_on_commit_callbacks, 2026, 5, 16, 9, 0)
    (summary,) = contents(receiver, key_admin)
    assert "【逾期汇总】" in summary and "以下 3 项未按时完成" in summary and "已逾期" in summary


def test_exactly_once_across_runs_retries_and_duplicate_tasks(world, owed, receiver, at, django_capture_on_commit_callbacks):
    key, url = receiver.wecom_robot()
    make_robot(world.users.admin, url, org=world.college_a)
    receiver.members.update({world.users.college.username, world.users.branch.username, world.users.college_b.username})
    receiver.fail(key, 45009)  # the first try is rate-limited
    receiver.fail("app", -1)  # and the platform is busy once for the app message
    first = run(at, django_capture_on_commit_callbacks, 2026, 5, 12, 9, 0)
    assert Delivery.objects.filter(status=DeliveryStatus.QUEUED).count() == 2
    for minute in (3, 8, 13):  # beats every 5 minutes: the sweep retries once the backoff is over
        run(at, django_capture_on_commit_callbacks, 2026, 5, 12, 9, minute)
        delivery.deliver(list(Delivery.objects.values_list("id", flat=True)))  # duplicate task messages
        reminders.deliver(first.ids)
    assert len(receiver.messages_for(key)) == 1
    assert sorted(p["touser"] for p in receiver.messages_for("app")) == sorted(
        [world.users.college.username, world.users.branch.username, world.users.college_b.username])
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    assert Delivery.objects.filter(channel=Channel.WECOM_ROBOT).get().attempts == 2
    assert len(mail.outbox) == 3


def test_failing_robot_blocks_neither_email_nor_the_other_channels(
    world, owed, receiver, at, django_capture_on_commit_callbacks
):
    make_robot(world.users.admin, closed_port_url(), org=world.college_a, name="坏机器人")
    key, url = receiver.wecom_robot()
    make_robot(world.users.admin, url, role="branch_secretary")
    receiver.members.add(world.users.branch.username)
    run(at, django_capture_on_commit_callbacks, 2026, 5, 12, 9, 0)
    assert len(mail.outbox) == 3 and set(ReminderLog.objects.exclude(status=ReminderStatus.SKIPPED).values_list("status", flat=True)) == {
        ReminderStatus.SENT}
    assert len(receiver.messages_for(key)) == 1
    assert [p["touser"] for p in receiver.messages_for("app")] == [world.users.branch.username]
    broken = Delivery.objects.get(robot__name="坏机器人")
    assert broken.status == DeliveryStatus.QUEUED and "网络错误" in broken.error


@override_settings(EMAIL_BACKEND="tests.campaigns.fake_obligations.FlakySMTPBackend")
def test_smtp_outage_does_not_hold_back_or_repeat_the_wecom_messages(
    world, owed, receiver, at, django_capture_on_commit_callbacks
):
    FlakySMTPBackend.failures, FlakySMTPBackend.calls = 100, 0
    key, url = receiver.wecom_robot()
    make_robot(world.users.admin, url, org=world.college_a)
    receiver.members.update({world.users.college.username, world.users.branch.username})
    run(at, django_capture_on_commit_callbacks, 2026, 5, 12, 9, 0)
    assert ReminderLog.objects.filter(status=ReminderStatus.QUEUED).count() == 3  # mail waits for a retry
    assert len(receiver.messages_for(key)) == 1 and len(receiver.messages_for("app")) == 2
    FlakySMTPBackend.failures = 0
    run(at, django_capture_on_commit_callbacks, 2026, 5, 12, 9, 10)  # the sweep retries the mail
    assert ReminderLog.objects.filter(status=ReminderStatus.SENT).count() == 3
    assert len(receiver.messages_for(key)) == 1 and len(receiver.messages_for("app")) == 2


def test_done_before_delivery_sends_no_personal_message(world, owed, receiver, at, django_capture_on_commit_callbacks):
    receiver.members.add(world.users.branch.username)
    at(2026, 5, 12, 9, 0)
    with django_capture_on_commit_callbacks(execute=False):
        result = reminders.run_due()  # recorded; delivery not run yet
    owed.complete("form2row")
    reminders.deliver(result.ids)
    assert ReminderLog.objects.get(recipient=world.users.branch, offset_days=3).status == ReminderStatus.CANCELLED
    assert not Delivery.objects.filter(user=world.users.branch).exists()


def test_rolled_back_queue_records_no_group_notice(world, owed, receiver, at):
    from django.db import transaction

    key, url = receiver.wecom_robot()
    make_robot(world.users.admin, url, org=world.college_a)
    at(2026, 5, 12, 9, 0)
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            reminders.queue(reminders.plan_due(world.campaign))
            raise RuntimeError("rollback")
    assert Delivery.objects.count() == 0 and receiver.requests == 0


def test_no_robots_and_no_app_means_no_extra_queries_or_rows(world, owed, no_wecom_app, at, django_capture_on_commit_callbacks):
    run(at, django_capture_on_commit_callbacks, 2026, 5, 12, 9, 0)
    assert len(mail.outbox) == 3 and Delivery.objects.count() == 0


def test_manual_reminder_reaches_the_college_group_with_its_note(world, owed, receiver, at, django_capture_on_commit_callbacks):
    from campaigns.services import send_manual_reminder

    key, url = receiver.wecom_robot()
    make_robot(world.users.admin, url, org=world.college_a)
    at(2026, 5, 9, 15, 0)
    deadline = world.campaign.deadlines.get(kind="design")
    with django_capture_on_commit_callbacks(execute=True):
        send_manual_reminder(world.campaign, deadline, [world.college_a], by=world.users.admin, note="请本周内完成")
    (text,) = contents(receiver, key)
    assert "> 请本周内完成" in text and "甲学院党委及所属支部尚有 2 项未完成" in text
