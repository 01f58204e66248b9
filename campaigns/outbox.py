"""The e-mail outbox loop shared by deadline reminders (ReminderLog) and change notices (NoticeLog).

Both tables have the same delivery columns (status queued/sending/sent/failed/cancelled, attempts,
error, claim, lease_until, next_attempt_at, sent_at, email). `claim()` takes the due rows with one
conditional UPDATE (queued → sending, with a lease and one more attempt); `send_claimed()` sends each
claimed row once: the lease of the rows still to send is renewed before each mail, SMTP errors put
the row back with a backoff (or fail it after `max_attempts`), a row without an address is marked
sent with a note (the in-portal notification is its delivery)."""

import datetime as dt
import logging
import uuid

from django.core.mail import get_connection
from django.db.models import F, Q
from django.utils import timezone

log = logging.getLogger(__name__)

QUEUED, SENDING, SENT, FAILED, CANCELLED = "queued", "sending", "sent", "failed", "cancelled"
NO_EMAIL = "该账号未设置邮箱，仅发送站内通知"


def claim(model, ids, now, *, lease, retry_slack):
    """(token, number claimed). Never-tried rows go at once; a retry only when its backoff is over (a
    duplicate or early message for it is a no-op, the sweep or the task's own retry picks it up on time)."""
    token = uuid.uuid4().hex
    due = Q(attempts=0) | Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now + retry_slack)
    claimed = model.objects.filter(due, pk__in=list(ids), status=QUEUED).update(
        status=SENDING, claim=token, lease_until=now + lease, attempts=F("attempts") + 1)
    return token, claimed


def send_claimed(model, rows, token, result, *, message, lease, transient, max_attempts, backoff, skip=None):
    """Send the claimed `rows` (a core.outbox.Tally is filled in). `message(row, connection)` builds the
    EmailMessage; `skip(row)` returns a reason to cancel the row instead (e.g. nothing is owed any more)."""
    connection = None
    try:
        for i, row in enumerate(rows):
            if i:  # this batch is alive: keep the rows still to send leased for one more send
                model.objects.filter(claim=token, status=SENDING).update(lease_until=timezone.now() + lease())
            mine = model.objects.filter(pk=row.pk, claim=token, status=SENDING)
            reason = skip(row) if skip is not None else None
            if reason:
                mine.update(status=CANCELLED, error=reason, lease_until=None)
                result.cancelled += 1
                continue
            if not row.email:
                mine.update(status=SENT, sent_at=timezone.now(), lease_until=None, error=NO_EMAIL)
                result.sent += 1
                continue
            try:
                if connection is None:
                    connection = get_connection()
                    connection.open()
                message(row, connection).send()
            except transient as exc:
                log.warning("%s %s: mail failed (attempt %s): %s", model._meta.model_name, row.pk, row.attempts, exc)
                error = f"{exc.__class__.__name__}: {exc}"[:1000]
                if row.attempts >= max_attempts:
                    mine.update(status=FAILED, error=error, lease_until=None)
                    result.failed += 1
                else:
                    wait = backoff(row.attempts)
                    mine.update(status=QUEUED, error=error, lease_until=None,
                                next_attempt_at=timezone.now() + dt.timedelta(seconds=wait))
                    result.retry_ids.append(row.pk)
                    result.retry_in = max(result.retry_in, wait)
                connection = _close(connection)
                continue
            mine.update(status=SENT, sent_at=timezone.now(), error="", lease_until=None)
            result.sent += 1
    finally:
        _close(connection)
    return result


def _close(connection):
    if connection is not None:
        try:
            connection.close()
        except Exception:  # noqa: BLE001 - a broken connection is replaced next time
            pass
    return None


def sweep(model, now, *, enqueue):
    """Hand rows recorded but never sent (crash, lost task, expired lease, retry due) back to delivery."""
    model.objects.filter(status=SENDING, lease_until__lt=now).update(
        status=QUEUED, next_attempt_at=now, error="发送中断（租约过期），重新排队")
    ids = list(model.objects.filter(status=QUEUED).filter(Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True))
               .order_by("id").values_list("id", flat=True))
    if ids:
        enqueue(ids)
    return ids
