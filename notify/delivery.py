"""Sending recorded deliveries exactly once (the same outbox discipline as reminder e-mail).

- `deliver(ids)` claims rows with one conditional UPDATE (queued → sending, with a lease), sends each,
  and marks it sent, or queued again with a backoff (network errors, HTTP 5xx, the platforms'
  rate-limit / busy errcodes), or failed (any other errcode, or after MAX_ATTEMPTS).
- When a target answers with a rate limit, the other rows for that target in the same batch are
  put back without being tried (and without counting an attempt).
- `sweep(now)` re-queues rows whose lease expired (a worker died mid-send) and hands every row
  whose retry is due back to delivery. The reminder beat calls it on every run.

Each channel is its own row and its own task: a failing robot never holds up e-mail or the others."""

import datetime as dt
import logging
import uuid

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from core.outbox import Tally
from core.tasks import send as send_task

from . import crypto, platforms
from .models import Channel, Delivery, DeliveryStatus

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
LEASE = dt.timedelta(minutes=5)
SWEEP_GRACE = dt.timedelta(minutes=2)
RETRY_SLACK = dt.timedelta(seconds=2)
CHUNK = 50


def backoff(attempt):
    steps = settings.NOTIFY_BACKOFF_SECONDS or [60]
    return steps[min(max(attempt, 1), len(steps)) - 1]


Result = Tally  # one pass of the outbox (core.outbox)


def _send(row):
    if row.channel == Channel.WECOM_APP:
        return platforms.send_wecom_app(row.address, row.content)
    robot = row.robot
    webhook = crypto.decrypt(robot.webhook_encrypted)
    if row.channel == Channel.WECOM_ROBOT:
        return platforms.send_wecom_robot(webhook, row.content)
    return platforms.send_dingtalk_robot(webhook, crypto.decrypt(robot.secret_encrypted), row.title, row.content)


def deliver(ids, now=None, *, final=False):
    """Send the queued rows among `ids` that this call claims. Safe to call twice.
    final=True (a test message in a request): no retry, a transient error fails the row at once."""
    now = now or timezone.now()
    result = Result()
    token = uuid.uuid4().hex
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now + RETRY_SLACK)  # new rows: null
    claimed = Delivery.objects.filter(due, pk__in=list(ids), status=DeliveryStatus.QUEUED).update(
        status=DeliveryStatus.SENDING, claim=token, lease_until=now + LEASE, attempts=F("attempts") + 1
    )
    if not claimed:
        return result
    rows = list(Delivery.objects.filter(claim=token, status=DeliveryStatus.SENDING).select_related("robot")
                .order_by("id"))
    throttled = {}  # target -> seconds: a rate-limited target is not tried again in this batch
    for row in rows:
        mine = Delivery.objects.filter(pk=row.pk, claim=token, status=DeliveryStatus.SENDING)
        if row.target in throttled:
            wait = throttled[row.target]
            mine.update(status=DeliveryStatus.QUEUED, lease_until=None, attempts=F("attempts") - 1,
                        next_attempt_at=timezone.now() + dt.timedelta(seconds=wait),
                        error="同一目标被限流，稍后发送")
            result.retry_ids.append(row.pk)
            result.retry_in = max(result.retry_in, wait)
            continue
        if row.channel != Channel.WECOM_APP and (row.robot is None or (not row.robot.enabled
                                                                       and not row.event.startswith("test:"))):
            mine.update(status=DeliveryStatus.CANCELLED, lease_until=None, error="群机器人已停用或已删除，未发送")
            result.cancelled += 1
            continue
        try:
            sent = _send(row)
        except platforms.SendError as exc:
            error = str(exc)[:1000]
            log.warning("notice %s (%s → %s) failed, attempt %s: %s", row.pk, row.channel, row.target, row.attempts, exc)
            if exc.retry and not final and row.attempts < MAX_ATTEMPTS:
                wait = backoff(row.attempts)
                mine.update(status=DeliveryStatus.QUEUED, error=error, errcode=exc.errcode, lease_until=None,
                            next_attempt_at=timezone.now() + dt.timedelta(seconds=wait))
                result.retry_ids.append(row.pk)
                result.retry_in = max(result.retry_in, wait)
                if exc.errcode in platforms.RETRY_ERRCODES:
                    throttled[row.target] = wait
            else:
                mine.update(status=DeliveryStatus.FAILED, error=error, errcode=exc.errcode, lease_until=None)
                result.failed += 1
            continue
        except (crypto.KeyMissing, crypto.CannotDecrypt, ValueError) as exc:
            mine.update(status=DeliveryStatus.FAILED, error=str(exc)[:1000], lease_until=None)
            result.failed += 1
            continue
        mine.update(status=DeliveryStatus.SENT, sent_at=timezone.now(), lease_until=None, errcode=sent.errcode,
                    error="")
        result.sent += 1
    return result


def _deliver_task():
    from .tasks import deliver_notices

    return deliver_notices


def sweep(now=None):
    """Re-queue rows whose lease expired; hand rows whose (re)try is due back to delivery."""
    now = now or timezone.now()
    Delivery.objects.filter(status=DeliveryStatus.SENDING, lease_until__lt=now).update(
        status=DeliveryStatus.QUEUED, next_attempt_at=now, error="发送中断（租约过期），重新排队"
    )
    ids = list(
        Delivery.objects.filter(status=DeliveryStatus.QUEUED)
        .filter(Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True, created_at__lte=now - SWEEP_GRACE))
        .order_by("id").values_list("id", flat=True)
    )
    for start in range(0, len(ids), CHUNK):
        send_task(_deliver_task(), ids[start : start + CHUNK])
    return ids
