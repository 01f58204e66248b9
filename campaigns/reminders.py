"""Deadline reminders: who still owes what, when to tell them, and sending it exactly once.

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
import functools
import logging
import smtplib
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template import Context, Engine
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from core.outbox import Tally
from core.tasks import send as send_task
from notify import delivery as notify_delivery
from organizations.models import Role, RoleAssignment

from . import obligations, outbox, reminder_notices
from .models import (
    SHANGHAI,
    Deadline,
    DeadlineKind,
    Notification,
    ReminderKind,
    ReminderLog,
    ReminderSettings,
    ReminderStatus,
)
from .queries import current_campaign, effective_due, extension_map, memoized

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

_engine = Engine(autoescape=False)


def backoff(attempt):
    """Seconds to wait before retry number `attempt` (1-based)."""
    return BACKOFF_SECONDS[min(max(attempt, 1), len(BACKOFF_SECONDS)) - 1]


def settings_for(campaign):
    obj, _ = ReminderSettings.objects.get_or_create(campaign=campaign)
    return obj


# --- When ------------------------------------------------------------------------------------


def send_time(due_at, offset, send_at=dt.time(9, 0)):
    """The Shanghai wall-clock moment to send the `offset`-days-before reminder for `due_at`.

    Never at or after the due time itself (a deadline at 08:00 gets its day-0 reminder at 07:00)."""
    day = timezone.localtime(due_at, SHANGHAI).date() - dt.timedelta(days=offset)
    moment = dt.datetime.combine(day, send_at, tzinfo=SHANGHAI)
    if moment >= due_at:
        moment = due_at - dt.timedelta(hours=1)
    return moment


def current_offset(due_at, now, offsets, send_at=dt.time(9, 0)):
    """(offset to send now or None, the larger offsets that passed as well)."""
    if due_at is None or now >= due_at:
        return None, []
    passed = [o for o in sorted(offsets, reverse=True) if send_time(due_at, o, send_at) <= now]
    if not passed:
        return None, []
    return passed[-1], passed[:-1]


def slot_name(offset, due_at, deadline=None):
    """"d3@202605152359": the offset and the due time it counts from. If 组织部 moves a deadline
    or grants an extension, the reminders against the new date are new slots and go out."""
    return f"d{offset}@{timezone.localtime(due_at, SHANGHAI):%Y%m%d%H%M}"


def overdue_slot(due_at):
    return f"overdue@{timezone.localtime(due_at, SHANGHAI):%Y%m%d%H%M}"


# --- Who owes what ---------------------------------------------------------------------------


@dataclass
class Item:
    """One open obligation, resolved against a deadline and a due time."""

    key: str
    label: str
    org_id: int | None
    org_name: str
    due_at: dt.datetime
    url: str
    state: str
    org_email: str = ""

    def as_json(self):
        return {
            "key": self.key, "label": self.label, "org_id": self.org_id, "organization": self.org_name,
            "due_at": self.due_at.isoformat(), "url": self.url, "state": self.state,
        }


@dataclass
class Planned:
    deadline: Deadline
    recipient: object
    slot: str
    kind: str
    offset: int | None
    due_at: dt.datetime
    items: list = field(default_factory=list)
    superseded: list = field(default_factory=list)  # slots that passed unsent (catch-up)
    subject: str = ""
    body: str = ""

    @property
    def key(self):
        return (self.deadline.pk, self.recipient.pk, self.slot)

    @property
    def cc(self):
        """The contact e-mails (联系人邮箱) of the orgs named in this reminder, copied in."""
        own = (self.recipient.email or "").lower()
        emails = {i.org_email for i in self.items if isinstance(i, Item) and i.org_email}
        return ",".join(sorted(e for e in emails if e.lower() != own))[:500]

    @property
    def org_names(self):
        seen = []
        for item in self.items:
            name = item.org_name if isinstance(item, Item) else item.get("organization", "")
            if name and name not in seen:
                seen.append(name)
        return seen


def absolute(url):
    if url and url.startswith("/"):
        return settings.SITE_URL + url
    return url or settings.SITE_URL + reverse("home")


def active_assignments(user_ids=None):
    qs = (
        RoleAssignment.objects.active()
        .filter(user__is_active=True)
        .select_related("user", "organization", "organization__parent")
        .order_by("user_id", "role", "organization_id")
    )
    if user_ids is not None:
        qs = qs.filter(user_id__in=user_ids)
    return qs


def open_items(campaign, now, *, user_ids=None, kinds=None):
    """{user: {deadline: [Item, ...]}} of the obligations still open, read from the registry.

    Items without a deadline_kind (or for a kind with no Deadline) cannot be reminded about and
    are ignored. An obligation without a due_at gets the extension-aware due of its org."""
    with memoized():
        return _open_items(campaign, now, user_ids=user_ids, kinds=kinds)


def _open_items(campaign, now, *, user_ids=None, kinds=None):
    deadlines = {d.kind: d for d in campaign.deadlines.all()}
    extensions = extension_map(campaign.pk)
    result = defaultdict(lambda: defaultdict(list))
    seen = set()
    users = {}
    for assignment in active_assignments(user_ids):
        user = users.setdefault(assignment.user_id, assignment.user)
        for ob in obligations.for_assignment(campaign, user, assignment):
            if ob.done or not ob.deadline_kind or (kinds and ob.deadline_kind not in kinds):
                continue
            deadline = deadlines.get(ob.deadline_kind)
            if deadline is None:
                continue
            org = ob.organization
            org_id = getattr(org, "pk", None)
            marker = (user.pk, deadline.pk, ob.key, org_id)
            if marker in seen:
                continue
            seen.add(marker)
            due = ob.due_at or effective_due(deadline, org, extensions)
            result[user][deadline].append(
                Item(ob.key, str(ob.label), org_id, str(org) if org else "", due, absolute(ob.url), ob.state or "",
                     getattr(org, "contact_email", "") or "")
            )
    return result


# --- What to send ----------------------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def _compile(source):
    return _engine.from_string(source)


def _render(source, context):
    return _compile(source).render(Context(context, autoescape=False))


def mail_context(campaign, deadline, recipient, due_at, items, offset=None, note="", now=None):
    local_due = timezone.localtime(due_at, SHANGHAI)
    now = now or timezone.now()
    return {
        "recipient_name": getattr(recipient, "display_name", str(recipient)),
        "campaign_title": campaign.title,
        "deadline_label": DeadlineKind(deadline.kind).label,
        "due_at": local_due,
        "days_left": (local_due.date() - timezone.localtime(now, SHANGHAI).date()).days,
        "offset": offset,
        "items": [
            {"label": i.label, "organization": i.org_name, "state": i.state, "url": i.url, "link": i.url}
            for i in items
        ],
        "note": note,
        "site_url": settings.SITE_URL,
    }


def render_reminder(rsettings, campaign, planned, note="", now=None):
    ctx = mail_context(campaign, planned.deadline, planned.recipient, planned.due_at, planned.items,
                       planned.offset, note, now)
    subject = " ".join(_render(rsettings.subject_template, ctx).split())[:300]
    body = _render(rsettings.body_template, ctx)
    if note:
        body = f"{note}\n\n{body}"
    return subject, body


def plan_due(campaign, now=None, *, include_logged=False):
    """The before-deadline reminders a run at `now` would send (not yet in the log)."""
    now = now or timezone.now()
    if campaign is None:
        return []
    rsettings = settings_for(campaign)
    if not rsettings.enabled:
        return []
    offsets = rsettings.sorted_offsets()
    groups = {}
    for user, by_deadline in open_items(campaign, now).items():
        for deadline, items in by_deadline.items():
            for item in items:
                offset, earlier = current_offset(item.due_at, now, offsets, rsettings.send_time)
                if offset is None:
                    continue
                slot = slot_name(offset, item.due_at, deadline)
                p = groups.get((deadline.pk, user.pk, slot))
                if p is None:
                    p = groups[(deadline.pk, user.pk, slot)] = Planned(
                        deadline, user, slot, ReminderKind.BEFORE_DEADLINE, offset, item.due_at,
                        superseded=[slot_name(o, item.due_at, deadline) for o in earlier],
                    )
                p.items.append(item)
                p.due_at = min(p.due_at, item.due_at)
    planned = list(groups.values())
    if not include_logged:
        planned = _without_logged(planned)
    for p in planned:
        p.subject, p.body = render_reminder(rsettings, campaign, p, now=now)
    planned.sort(key=lambda p: (p.deadline.due_at, p.recipient.pk, p.slot))
    return planned


def plan_overdue(campaign, now=None, *, include_logged=False):
    """Summaries for 组织部: per deadline and per due time that has passed (the deadline's own, and
    each extension's), one summary to every admin listing the open items that were due then."""
    now = now or timezone.now()
    if campaign is None or not settings_for(campaign).enabled:
        return []
    extensions = extension_map(campaign.pk)
    dues = {}
    for d in campaign.deadlines.all():
        times = {d.due_at} | {due for (deadline_id, _org), due in extensions.items() if deadline_id == d.pk}
        passed = {t for t in times if t <= now}
        if passed:
            dues[d] = passed
    if not dues:
        return []
    admins = list({a.user_id: a.user for a in active_assignments().filter(role=Role.ADMIN)}.values())
    if not admins:
        return []
    if not include_logged:  # once every admin has every summary so far, don't even ask the registry
        logged = defaultdict(set)
        for deadline_id, slot, recipient_id in ReminderLog.objects.filter(
            deadline__in=list(dues), kind=ReminderKind.OVERDUE_SUMMARY
        ).values_list("deadline_id", "slot", "recipient_id"):
            logged[(deadline_id, slot)].add(recipient_id)
        admin_ids = {a.pk for a in admins}
        dues = {d: ts for d, ts in dues.items() if any(not admin_ids <= logged[(d.pk, overdue_slot(t))] for t in ts)}
        if not dues:
            return []
    items = open_items(campaign, now, kinds={d.kind for d in dues})
    planned = []
    for deadline in dues:
        late_by_due, extended = defaultdict(list), []
        for user, by_deadline in items.items():
            for item in by_deadline.get(deadline, []):
                row = {**item.as_json(), "owner": getattr(user, "display_name", str(user))}
                if item.due_at <= now:
                    late_by_due[item.due_at].append(row)
                else:
                    extended.append(row)
        for due, late in sorted(late_by_due.items()):
            for admin in admins:
                p = Planned(deadline, admin, overdue_slot(due), ReminderKind.OVERDUE_SUMMARY, None, due)
                p.items = late
                p.subject, p.body = render_overdue(campaign, deadline, due, admin, late, extended)
                planned.append(p)
    if not include_logged:
        planned = _without_logged(planned)
    return planned


def render_overdue(campaign, deadline, due, admin, late, extended):
    orgs = defaultdict(list)
    for row in late:
        orgs[row["organization"] or row["owner"]].append(row)
    ctx = {
        "campaign": campaign,
        "deadline_label": DeadlineKind(deadline.kind).label,
        "due_at": timezone.localtime(due, SHANGHAI),
        "extension": due != deadline.due_at,
        "orgs": sorted(orgs.items()),
        "late_count": len(late),
        "extended_count": len(extended),
        "recipient_name": admin.display_name,
        "link": settings.SITE_URL + reverse("campaigns:reminders", args=[campaign.pk]),
    }
    subject = f"【逾期汇总】{ctx['deadline_label']}{'（延期）' if ctx['extension'] else ''}：{len(orgs)}个党组织/个人共{len(late)}项未按时完成"
    body = render_to_string("campaigns/mail/overdue_summary.txt", ctx)
    return subject[:300], body


def _without_logged(planned):
    if not planned:
        return planned
    deadline_ids = {p.deadline.pk for p in planned}
    slots = {p.slot for p in planned}
    logged = set(
        ReminderLog.objects.filter(deadline_id__in=deadline_ids, slot__in=slots).values_list(
            "deadline_id", "recipient_id", "slot"
        )
    )
    return [p for p in planned if p.key not in logged]


def plan_manual(campaign, deadline, org_ids, now=None, *, note="", rsettings=None):
    """A manual reminder for `deadline` to whoever owes something for the chosen orgs (or their
    branches). Each call is its own batch, so it may repeat an automatic reminder on purpose."""
    now = now or timezone.now()
    rsettings = rsettings or settings_for(campaign)
    org_ids = set(org_ids)
    batch = f"manual-{timezone.localtime(now, SHANGHAI):%Y%m%d%H%M%S}-{uuid.uuid4().hex[:6]}"
    planned = []
    for user, by_deadline in open_items(campaign, now, kinds={deadline.kind}).items():
        items = [i for i in by_deadline.get(deadline, []) if i.org_id in org_ids]
        if not items:
            continue
        p = Planned(deadline, user, batch, ReminderKind.MANUAL, None, min(i.due_at for i in items), items)
        p.subject, p.body = render_reminder(rsettings, campaign, p, note=note, now=now)
        p.note = note  # the group robots' message quotes it too (reminder_notices)
        planned.append(p)
    return planned


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


def sample_context():
    """A context with every variable, to validate edited templates."""
    now = timezone.localtime(timezone.now(), SHANGHAI)
    return {
        "recipient_name": "张三", "campaign_title": "示例活动", "deadline_label": "附件1、附件2 上报",
        "due_at": now, "days_left": 3, "offset": 3, "note": "",
        "items": [{"label": "填写附件1", "organization": "示例学院党委", "state": "草稿", "url": settings.SITE_URL,
                   "link": settings.SITE_URL}],
        "site_url": settings.SITE_URL,
    }
