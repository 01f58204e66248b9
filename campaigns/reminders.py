"""Deadline reminders: who still owes what, when to tell them, and sending it exactly once.

Three modules: `reminder_plan` (who owes what, which slot is due: steps 1 and the planning of 4),
`reminder_mail` (what the mail says), and this one (queue exactly once, deliver, the periodic run).

Everything here reads the obligations registry (campaigns.obligations) and nothing else:
submissions/reviews register what is missing; this module decides when and to whom.

The life of a reminder:

1. ``plan_due(campaign, now)`` asks the registry, for every active role assignment, which
   obligations are still open, and groups them into one reminder per (deadline, person, slot).
   A slot is an offset and the due time it counts from ("d3@202605152359"), so an org with an
   extension is reminded against its own date, and a moved deadline gets fresh reminders.
   Only the latest offset whose send time has passed is planned: a run missed while the worker
   was down is caught up once, and the older slots it supersedes are logged as "skipped".
2. ``queue(planned)`` inserts ReminderLog rows with INSERT ... ON CONFLICT DO NOTHING on the
   unique (deadline, recipient, slot) and creates the in-portal notification for exactly the rows
   this call inserted. Delivery is scheduled with ``transaction.on_commit``.
3. ``deliver(ids)`` claims rows with one conditional UPDATE (queued → sending, with a lease),
   re-checks that the person still owes something, sends the mail and marks each row sent (or
   queued again with a backoff, or failed after MAX_ATTEMPTS).
4. ``run_due(now)`` (the beat task) re-queues rows whose lease expired or whose retry is due,
   then plans and queues what is due now, including the overdue summary for 组织部.
"""

import datetime as dt
import logging
import smtplib
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core.outbox import Tally
from core.tasks import send as send_task
from notify import delivery as notify_delivery

from . import outbox, reminder_notices
from .models import Notification, ReminderKind, ReminderLog, ReminderStatus
# The module's API stays `reminders.*`: what a reminder says and who gets one when live next door.
from .reminder_mail import _render, mail_context, render_overdue, render_reminder, sample_context  # noqa: F401
from .reminder_plan import (  # noqa: F401
    Item, Planned, absolute, active_assignments, current_offset, open_items, overdue_slot, plan_due, plan_manual,
    plan_overdue, send_time, settings_for, slot_name,
)
from .queries import current_campaign

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
BACKOFF_SECONDS = [60, 300, 900, 3600, 3 * 3600]


def send_lease():
    """How long one row may stay "sending": the real send time of one mail (at most the SMTP
    timeout, EMAIL_TIMEOUT) twice over, at least REMINDER_LEASE_MIN_SECONDS (a minute). The lease of
    a batch's remaining rows is renewed before each mail, so a killed worker's rows are free again
    within about this long instead of a fixed ten minutes (docs/operations.md;
    tests/campaigns/test_reminders_worker.py kills a worker mid-batch)."""
    return dt.timedelta(seconds=max(settings.REMINDER_LEASE_MIN_SECONDS, 2 * (settings.EMAIL_TIMEOUT or 30)))


# A freshly queued row is delivered by its on_commit task; the sweep only picks it up after this.
SWEEP_GRACE = dt.timedelta(minutes=2)
DELIVERY_CHUNK = 50
RETRY_SLACK = dt.timedelta(seconds=5)
TRANSIENT_ERRORS = (smtplib.SMTPException, OSError)



def backoff(attempt):
    """Seconds to wait before retry number `attempt` (1-based)."""
    return BACKOFF_SECONDS[min(max(attempt, 1), len(BACKOFF_SECONDS)) - 1]


# --- Queue (exactly once) --------------------------------------------------------------------


def queue(planned, *, by=None, now=None):
    """Record the planned reminders and their notifications; deliver after commit.

    Returns the ids of the rows this call inserted. Rows another run inserted first are left
    alone (ON CONFLICT DO NOTHING on the unique (deadline, recipient, slot))."""
    now = now or timezone.now()
    if not planned:
        return []
    token = uuid.uuid4().hex
    by_key = {p.key: p for p in planned}
    with transaction.atomic():
        rows = []
        skipped = []
        for p in planned:
            orgs = "、".join(p.org_names)[:500] if p.kind != ReminderKind.OVERDUE_SUMMARY else ""
            rows.append(
                ReminderLog(
                    deadline=p.deadline, recipient=p.recipient, slot=p.slot, kind=p.kind, offset_days=p.offset,
                    due_at=p.due_at, email=p.recipient.email or "", subject=p.subject, body=p.body,
                    items=[i.as_json() if isinstance(i, Item) else i for i in p.items], organizations=orgs, cc=p.cc,
                    claim=token, created_by=by, created_at=now, next_attempt_at=now + SWEEP_GRACE,
                )
            )
            for slot in p.superseded:
                skipped.append(
                    ReminderLog(
                        deadline=p.deadline, recipient=p.recipient, slot=slot, kind=p.kind, due_at=p.due_at,
                        offset_days=int(slot[1:].split("@")[0]), status=ReminderStatus.SKIPPED,
                        email=p.recipient.email or "", organizations=orgs,
                        error=f"错过发送时间，补发时已由 {p.slot} 取代", created_at=now,
                    )
                )
        ReminderLog.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
        if skipped:
            ReminderLog.objects.bulk_create(skipped, ignore_conflicts=True, batch_size=500)
        mine = list(
            ReminderLog.objects.filter(claim=token, status=ReminderStatus.QUEUED).values_list(
                "id", "deadline_id", "recipient_id", "slot"
            )
        )
        notifications = []
        for pk, deadline_id, recipient_id, slot in mine:
            p = by_key[(deadline_id, recipient_id, slot)]
            url = _notification_url(p)
            notifications.append(
                Notification(user=p.recipient, title=p.subject, body=p.body, url=url, reminder_id=pk, created_at=now)
            )
        Notification.objects.bulk_create(notifications, batch_size=500)
        ids = [row[0] for row in mine]
        transaction.on_commit(lambda: enqueue_delivery(ids))  # enqueue_delivery never raises (core.tasks.send)
        reminder_notices.record_group_notices([(pk, by_key[(d, r, s)]) for pk, d, r, s in mine])
    return ids


def _notification_url(p):
    if p.kind == ReminderKind.OVERDUE_SUMMARY:
        return reverse("campaigns:reminder_log", args=[p.deadline.campaign_id]) + f"?deadline={p.deadline.pk}"
    for item in p.items:
        url = item.url if isinstance(item, Item) else item.get("url")
        if url:
            return url.removeprefix(settings.SITE_URL) or "/"
    return reverse("home")


def _deliver_task():
    from .tasks import deliver_reminders

    return deliver_reminders


def enqueue_delivery(ids):
    """Queue delivery of these rows now (a broker outage leaves them queued for the next catch-up)."""
    for start in range(0, len(ids), DELIVERY_CHUNK):
        send_task(_deliver_task(), list(ids[start : start + DELIVERY_CHUNK]))


# --- Deliver ---------------------------------------------------------------------------------


Delivery = Tally  # one pass of the outbox (core.outbox)


def _still_owed(rows, now):
    """{row id: bool}: does the recipient still owe at least one of the row's items?"""
    owed = {}
    by_campaign = defaultdict(list)
    for row in rows:
        if row.kind == ReminderKind.OVERDUE_SUMMARY:
            owed[row.pk] = True
        else:
            by_campaign[row.deadline.campaign].append(row)
    for campaign, group in by_campaign.items():
        current = open_items(campaign, now, user_ids={r.recipient_id for r in group},
                             kinds={r.deadline.kind for r in group})
        open_keys = defaultdict(set)
        for user, by_deadline in current.items():
            for deadline, items in by_deadline.items():
                open_keys[(user.pk, deadline.pk)].update((i.key, i.org_id) for i in items)
        for row in group:
            wanted = {(i.get("key"), i.get("org_id")) for i in row.items}
            owed[row.pk] = bool(wanted & open_keys[(row.recipient_id, row.deadline_id)])
    return owed


def deliver(ids, now=None):
    """Send the queued rows among `ids` that this call manages to claim. Safe to call twice.
    The loop is the shared outbox (campaigns.outbox), also used by the change notices."""
    now = now or timezone.now()
    result = Delivery()
    token, claimed = outbox.claim(ReminderLog, ids, now, lease=send_lease(), retry_slack=RETRY_SLACK)
    if not claimed:
        return result
    rows = list(
        ReminderLog.objects.filter(claim=token, status=ReminderStatus.SENDING)
        .select_related("recipient", "deadline", "deadline__campaign")
        .order_by("id")
    )
    owed = _still_owed(rows, now)
    reminder_notices.record_personal_notices([row for row in rows if owed.get(row.pk)])

    def message(row, connection):
        cc = [e for e in row.cc.split(",") if e]
        return EmailMessage(row.subject, row.body, settings.DEFAULT_FROM_EMAIL, [row.email], cc=cc,
                            connection=connection)

    return outbox.send_claimed(
        ReminderLog, rows, token, result, message=message, lease=send_lease, transient=TRANSIENT_ERRORS,
        max_attempts=MAX_ATTEMPTS, backoff=backoff,
        skip=lambda row: None if owed.get(row.pk) else "发送前复核：事项均已完成")


# --- The periodic run ------------------------------------------------------------------------


@dataclass
class RunResult:
    requeued: int = 0
    queued: int = 0
    overdue: int = 0
    ids: list = field(default_factory=list)

    def as_dict(self):
        return {"requeued": self.requeued, "queued": self.queued, "overdue": self.overdue}


def sweep(now=None):
    """Hand rows that were recorded but never sent (crash, lost task, expired lease, retry due)
    back to delivery. Returns their ids."""
    return outbox.sweep(ReminderLog, now or timezone.now(), enqueue=enqueue_delivery)


def run_due(now=None, campaign=None):
    """The beat task's body: catch up unsent rows, then queue everything that is due now."""
    now = now or timezone.now()
    result = RunResult()
    result.requeued = len(sweep(now))
    notify_delivery.sweep(now)  # 企业微信/钉钉 rows whose retry is due (their own outbox)
    from . import notices

    notices.sweep(now)  # change notices (campaigns.notices) recorded but not yet sent
    campaign = campaign or current_campaign()
    if campaign is None:
        return result
    ids = queue(plan_due(campaign, now), now=now)
    result.queued = len(ids)
    overdue_ids = queue(plan_overdue(campaign, now), now=now)
    result.overdue = len(overdue_ids)
    result.ids = ids + overdue_ids
    return result


def schedule(campaign, rsettings=None):
    """[(deadline, [(offset, send time, rows sent for the base date)])] for the admin page."""
    rsettings = rsettings or settings_for(campaign)
    counts = defaultdict(int)
    for deadline_id, slot, n in _slot_counts(campaign):
        counts[(deadline_id, slot)] += n
    table = []
    for deadline in campaign.deadlines.all():
        rows = []
        for offset in rsettings.sorted_offsets():
            rows.append((offset, send_time(deadline.due_at, offset, rsettings.send_time),
                         counts[(deadline.pk, slot_name(offset, deadline.due_at))]))
        table.append((deadline, rows, counts[(deadline.pk, overdue_slot(deadline.due_at))]))
    return table


def _slot_counts(campaign):
    from django.db.models import Count

    return (
        ReminderLog.objects.filter(deadline__campaign=campaign)
        .exclude(status=ReminderStatus.SKIPPED)
        .values_list("deadline_id", "slot")
        .annotate(n=Count("id"))
        .values_list("deadline_id", "slot", "n")
    )
