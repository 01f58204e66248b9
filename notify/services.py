"""Every write of the notify app: robots (audited, version-checked) and recording notices.

`publish(event, message, robots=..., users=...)` is the one entry point for callers: it records one
Delivery per (event, channel, target) with INSERT ... ON CONFLICT DO NOTHING and queues delivery of
exactly the rows it inserted, after commit. Calling it twice for the same event sends nothing twice."""

import uuid

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit import log as audit
from core.concurrency import StaleEdit
from core.tasks import enqueue_on_commit

from . import crypto, platforms
from .messages import Message, render
from .models import Channel, Delivery, DeliveryStatus, Robot

DELIVERY_CHUNK = 50
AUDITED = ["name", "platform", "organization", "role", "enabled"]


def _deliver_task():
    from .tasks import deliver_notices

    return deliver_notices


# --- Robots ---------------------------------------------------------------------------------


def _apply_secrets(robot, webhook, secret, clear_secret=False):
    changes = {}
    if webhook:
        robot.webhook_encrypted = crypto.encrypt(webhook)
        new_mask = crypto.mask(webhook)
        changes["webhook"] = [robot.webhook_mask or "", new_mask + "（已更换）"]
        robot.webhook_mask = new_mask
    if secret:
        robot.secret_encrypted = crypto.encrypt(secret)
        robot.secret_mask = crypto.mask(secret, keep=3)
        changes["secret"] = ["", "已更换"]
    elif clear_secret and robot.secret_encrypted:
        robot.secret_encrypted = ""
        robot.secret_mask = ""
        changes["secret"] = ["已设置", "已清除"]
    return changes


@transaction.atomic
def create_robot(data, *, by):
    """data: name, platform, organization, role, enabled, webhook, secret."""
    robot = Robot(**{k: data.get(k) for k in ("name", "platform", "organization", "role")},
                  enabled=data.get("enabled", True))
    robot.role = robot.role or ""
    secrets = _apply_secrets(robot, data["webhook"], data.get("secret", ""))
    robot.save()
    audit.record(by, robot, "create", {**audit.diff({}, audit.snapshot(robot, AUDITED)), **secrets},
                 organization=robot.organization)
    return robot


@transaction.atomic
def update_robot(robot, data, *, by, expected_version):
    locked = Robot.objects.select_for_update().get(pk=robot.pk)
    if locked.version != expected_version:
        raise StaleEdit()
    before = audit.snapshot(locked, AUDITED)
    for key in ("name", "organization", "role", "enabled"):
        if key in data:
            setattr(locked, key, data[key])
    locked.role = locked.role or ""
    secrets = _apply_secrets(locked, data.get("webhook", ""), data.get("secret", ""), data.get("clear_secret", False))
    locked.version += 1
    locked.save()
    changes = {**audit.diff(before, audit.snapshot(locked, AUDITED)), **secrets}
    audit.record(by, locked, "update", changes, organization=locked.organization)
    return locked


# --- Recording notices ------------------------------------------------------------------------


def wecom_userid(user):
    """The 企业微信 userid of an account: the field named by WECOM_USERID_FIELD (default username;
    switch to the 工号 field once accounts carry one)."""
    return str(getattr(user, settings.WECOM_USERID_FIELD, "") or "").strip()


def publish(event, message, *, robots=(), users=(), by=None, now=None, deliver=True):
    """Record the deliveries of `message` for `event` and queue them after commit.

    robots: Robot objects (disabled ones are skipped); users: accounts that get a 企业微信 应用消息
    (only when WECOM_* is configured). `message` is a notify.messages.Message, or a callable
    `(target) -> Message` when each target gets its own text. Returns the ids this call inserted."""
    now = now or timezone.now()
    token = uuid.uuid4().hex
    rows = []

    def msg_for(target):
        return message(target) if callable(message) else message

    for robot in robots:
        if not robot.enabled:
            continue
        m = msg_for(robot)
        if m is None:
            continue
        title, content = render(m, robot.channel)
        rows.append(Delivery(event=event, channel=robot.channel, target=robot.target, robot=robot, title=title,
                             content=content, claim=token, created_by=by, created_at=now))
    if users and platforms.wecom_app_configured():
        for user in users:
            m = msg_for(user)
            if m is None:
                continue
            title, content = render(m, Channel.WECOM_APP)
            userid = wecom_userid(user)
            row = Delivery(event=event, channel=Channel.WECOM_APP, target=f"user:{user.pk}", user=user,
                           address=userid[:100], title=title, content=content, claim=token, created_by=by,
                           created_at=now)
            if not userid:
                row.status, row.error = DeliveryStatus.CANCELLED, "该账号没有企业微信账号，未发送"
            rows.append(row)
    if not rows:
        return []
    with transaction.atomic():
        Delivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
        ids = list(Delivery.objects.filter(claim=token, status=DeliveryStatus.QUEUED).order_by("id")
                   .values_list("id", flat=True))
        if deliver:
            for start in range(0, len(ids), DELIVERY_CHUNK):
                enqueue_on_commit(_deliver_task(), ids[start : start + DELIVERY_CHUNK])
    return ids


# --- Test messages ----------------------------------------------------------------------------


def _test_message(by, what):
    now = timezone.localtime(timezone.now())
    return Message(
        title="【测试】党建特色品牌创建平台通知测试",
        body=f"这是一条测试消息，用于确认{what}可以正常接收平台通知。\n发送人：{by.display_name}，时间：{now:%Y-%m-%d %H:%M}",
        link=settings.SITE_URL + "/",
    )


def send_test(robot, *, by):
    """Send a test message to `robot` now (in this request, with the short timeout) and return the
    Delivery row (sent, or failed/queued with the platform's error)."""
    from .delivery import deliver

    event = f"test:{uuid.uuid4().hex}"
    robot_for_send = Robot.objects.get(pk=robot.pk)
    robot_for_send.enabled = True  # a disabled robot may be tested before it is switched on
    ids = publish(event, _test_message(by, f"群机器人「{robot.name}」"), robots=[robot_for_send], by=by, deliver=False)
    deliver(ids, final=True)
    audit.record(by, robot, "test_notice", {}, organization=robot.organization, note="发送测试消息")
    return Delivery.objects.get(pk=ids[0])


def send_app_test(*, by):
    """A test 企业微信 application message to the signed-in person's own account."""
    from .delivery import deliver

    ids = publish(f"test:{uuid.uuid4().hex}", _test_message(by, "您的企业微信账号"), users=[by], by=by, deliver=False)
    row = Delivery.objects.filter(event__startswith="test:", user=by).order_by("-id").first()
    if ids:
        deliver(ids, final=True)
        row.refresh_from_db()
    return row


@transaction.atomic
def retry_delivery(row, *, by):
    """Put a failed row back in the queue (组织部 fixed the robot or the account)."""
    updated = Delivery.objects.filter(pk=row.pk, status=DeliveryStatus.FAILED).update(
        status=DeliveryStatus.QUEUED, attempts=0, next_attempt_at=None, error="", errcode=None
    )
    if updated:
        audit.record(by, row, "update", {"status": ["发送失败", "待发送"]}, note="重新发送")
        enqueue_on_commit(_deliver_task(), [row.pk])
    return bool(updated)
