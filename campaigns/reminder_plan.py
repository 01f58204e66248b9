"""Who is reminded of what, and when: the plan a reminder run would send (nothing is written here).

Split out of campaigns/reminders.py, which queues the plan exactly once and delivers it; see the
life of a reminder in that module's docstring."""

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from organizations.models import Role, RoleAssignment

from . import obligations
from .reminder_mail import render_overdue, render_reminder
from .models import SHANGHAI, Deadline, ReminderKind, ReminderLog, ReminderSettings
from .queries import effective_due, extension_map, memoized


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
