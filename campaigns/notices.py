"""Notices of changes that concern someone: in the portal (the bell) and by e-mail, exactly once.

A registry, because the changes live in higher apps (submissions, reviews) and this app may not
import them. Each of them registers, in its AppConfig.ready():

    notices.kind("row_review", "支部信息被院级退回", roles=[Role.BRANCH_SECRETARY])

    @notices.on("submissions.form2row", "return", kind="row_review", policy="row.return")
    def row_returned(event):
        return notices.Notice(to=secretaries_of(event.obj.branch), title="…", url="…")

    notices.quiet("row.save", "row.view", reason="…")   # a policy action that tells nobody

and nothing else changes in its services: every transition already writes an audit entry
(audit.changes.transition / audit.log.record). audit.log calls `on_audit(entry, obj, context)` for
each entry; a registration matching (model, audit action) builds its notices, and they are
recorded in the transaction of the change itself (a change that rolls back tells nobody; a
committed change cannot lose its notice):

1. one NoticeLog row per (event, target) with INSERT … ON CONFLICT DO NOTHING on the unique
   ("audit:<entry id>", target): a second dispatch of the same event inserts nothing;
2. one in-portal Notification for each row this call inserted (always, whatever the person chose);
3. the e-mail: queued, or recorded as not sent when the person switched e-mail off for the kind;
   企业微信 application messages through notify.publish (the same event key, same switch);
4. delivery after commit (core.tasks.enqueue_on_commit): a broker outage leaves the rows queued for
   the sweep (the reminder beat and the ops sweeper call `sweep`), never fails the change.

Delivery (`deliver(ids)`) is the reminders' outbox discipline: a conditional UPDATE claims rows
(queued → sending, with the same lease), each mail is sent once, SMTP errors go back to the queue
with the reminders' backoff, and fail for good after MAX_ATTEMPTS.

tests/campaigns/test_notices.py enumerates core.policy.REGISTRY: every policy action is either
registered here (`policy=`) or declared quiet with a reason."""

import datetime as dt
import logging
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core.tasks import send as send_task

from .models import SHANGHAI, Notification, NoticeLog, NoticePreference, NoticeStatus

log = logging.getLogger(__name__)

CHUNK = 50


# --- The registry ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """A category a person can switch e-mail on or off for (the 通知设置 page)."""

    code: str
    label: str
    roles: tuple = ()  # who usually receives it (the settings page lists these kinds first)
    help: str = ""


@dataclass
class Address:
    """Someone without an account (an objector who left an e-mail address)."""

    email: str
    name: str = ""


@dataclass
class Notice:
    to: list  # accounts (organizations.User) and/or Address
    title: str
    url: str = ""  # a path in the portal ("/submissions/…"); empty: the notices page
    lines: list = field(default_factory=list)  # facts shown under the title
    kind: str = ""  # default: the registration's kind
    actor_label: str = ""  # default: who(event.actor)
    comment: str | None = None  # default: the audit entry's note


@dataclass
class Event:
    entry: object  # audit.models.AuditEntry
    obj: object
    context: dict

    @property
    def actor(self):
        return self.entry.actor

    @property
    def comment(self):
        return (self.entry.note or "").strip()

    @property
    def changes(self):
        return self.entry.changes or {}

    def changed_to(self, name):
        """The new value of `name` in this change (None when it did not change)."""
        pair = self.changes.get(name)
        return pair[1] if isinstance(pair, (list, tuple)) and len(pair) == 2 else None


@dataclass
class Registration:
    model: str
    action: str
    kind: str
    build: object
    policy: tuple = ()
    when: object = None


KINDS = {}
_registry = {}  # (model label, audit action) → [Registration]
QUIET = {}  # "machine.action" → why it tells nobody


def kind(code, label, *, roles=(), help=""):
    KINDS[code] = Kind(code, label, tuple(roles), help)
    return KINDS[code]


def on(model, action, *, kind, policy=(), when=None):
    """Decorator: `build(event) -> Notice | [Notice] | None` for audit entries of (model, action).
    `policy`: the policy action(s) ("row.return") this covers, for the enumerating test."""
    policies = (policy,) if isinstance(policy, str) else tuple(policy)

    def register(build):
        if kind not in KINDS:
            raise LookupError(f"unknown notice kind {kind!r}: declare it with notices.kind() first")
        regs = _registry.setdefault((model, action), [])
        if not any(r.build is build for r in regs):
            regs.append(Registration(model, action, kind, build, policies, when))
        return build

    return register


def quiet(*policy_actions, reason):
    """Declare policy actions that concern nobody but the person doing them."""
    for name in policy_actions:
        QUIET[name] = reason


def covered_policy_actions():
    return {p for regs in _registry.values() for r in regs for p in r.policy}


def registrations():
    return [r for regs in _registry.values() for r in regs]


# --- Who did it ------------------------------------------------------------------------------


def who(user, org=None):
    """"党委组织部 · 张三", "甲学院党委（院级党组织）· 李四", "校领导 · 王五": the actor as the recipient
    should read it. `org`: the org the change is about (its college is preferred for a 院级 actor)."""
    if user is None:
        return "系统"
    from organizations.models import Role, RoleAssignment

    name = user.display_name
    held = list(RoleAssignment.objects.active().filter(user=user).select_related("organization"))
    roles = {a.role for a in held}
    if Role.ADMIN in roles:
        return f"党委组织部 · {name}"
    colleges = [a.organization for a in held if a.role == Role.COLLEGE_SECRETARY and a.organization]
    if colleges:
        wanted = {org.pk, org.parent_id} if org is not None else set()
        college = next((c for c in colleges if c.pk in wanted), colleges[0])
        return f"{college.name}（院级党组织）· {name}"
    if Role.APPROVER in roles:
        return f"校领导 · {name}"
    branches = [a.organization for a in held if a.role == Role.BRANCH_SECRETARY and a.organization]
    if branches:
        return f"{branches[0].name}（党支部）· {name}"
    if Role.JUDGE in roles:
        return f"评审专家 · {name}"
    return name


# --- Preferences -----------------------------------------------------------------------------


def email_off(user_ids, kind_code):
    """The ids among `user_ids` who switched e-mail off for `kind_code`."""
    return set(NoticePreference.objects.filter(user_id__in=list(user_ids), kind=kind_code, email=False)
               .values_list("user_id", flat=True))


def preferences(user):
    """[(Kind, e-mail on?)] for the settings page: the kinds of the person's roles first."""
    from organizations.models import RoleAssignment

    roles = set(RoleAssignment.objects.active().filter(user=user).values_list("role", flat=True))
    off = set(NoticePreference.objects.filter(user=user, email=False).values_list("kind", flat=True))
    kinds = sorted(KINDS.values(), key=lambda k: (not (set(k.roles) & roles), list(KINDS).index(k.code)))
    return [(k, k.code not in off, bool(set(k.roles) & roles)) for k in kinds]


@transaction.atomic
def set_preferences(user, email_on, *, by):
    """email_on: {kind code: bool}. Unknown kinds are ignored. Audited on the account. Returns the changes."""
    from audit import log as audit

    current = {p.kind: p for p in NoticePreference.objects.select_for_update().filter(user=user)}
    changes = {}
    for code, on_ in email_on.items():
        if code not in KINDS:
            continue
        before = current[code].email if code in current else True
        if before == bool(on_):
            continue
        NoticePreference.objects.update_or_create(user=user, kind=code, defaults={"email": bool(on_)})
        label = f"邮件通知：{KINDS[code].label}"
        changes[label] = ["发送" if before else "不发送", "发送" if on_ else "不发送"]
    if changes:
        from organizations.models import User

        audit.record(by, User.objects.get(pk=user.pk), "update", changes, note="通知设置")
    return changes


# --- Recording (in the transaction of the change) --------------------------------------------


def on_audit(entry, obj, context):
    """The audit listener (registered in CampaignsConfig.ready): notices for this entry, if any.
    Never raises: a notice problem must not undo the change it is about."""
    regs = _registry.get((type(obj)._meta.label_lower, entry.action))
    if not regs:
        return []
    try:
        with transaction.atomic():
            return dispatch(entry, obj, context, regs)
    except Exception:  # noqa: BLE001 - the change stands; the notice is logged as lost
        log.exception("recording the notices of audit entry %s failed; the change itself is saved", entry.pk)
        return []


def event_key(entry):
    return f"audit:{entry.pk}"


def _target(person):
    if isinstance(person, Address):
        return f"e{person.email.strip().lower()}"[:260]
    return f"u{person.pk}"


def _notices(out):
    if out is None:
        return []
    return [out] if isinstance(out, Notice) else [n for n in out if n is not None]


def portal_url(path):
    return settings.SITE_URL + (path or reverse("campaigns:notifications"))


def settings_url():
    return settings.SITE_URL + reverse("campaigns:notice_settings")


def render(notice, *, name, actor_label, comment, at, kind_label):
    """(subject, text body) of one notice: who did it, the comment and the link, for e-mail and the bell."""
    lines = [f"{name}同志：" if name else "您好：", "", f"{notice.title}。"]
    lines += [str(line) for line in notice.lines if line]
    lines.append(f"操作：{actor_label}，{timezone.localtime(at, SHANGHAI):%Y年%-m月%-d日 %H:%M}")
    if comment:
        lines.append(f"意见：{comment}")
    lines += ["", f"查看详情：{portal_url(notice.url)}", "",
              f"（通知类别：{kind_label}。可在“通知设置”中关闭此类邮件：{settings_url()}）", "党委组织部 · 党建特色品牌创建平台"]
    return f"【通知】{notice.title}"[:300], "\n".join(lines)


def dispatch(entry, obj, context=None, regs=None, now=None):
    """Record the notices of one audit entry (call inside the change's transaction). Returns the ids of
    the NoticeLog rows this call inserted; a second call for the same entry inserts nothing."""
    from organizations.models import User

    now = now or timezone.now()
    regs = regs if regs is not None else _registry.get((type(obj)._meta.label_lower, entry.action), [])
    event = Event(entry, obj, context or {})
    token = uuid.uuid4().hex
    planned = []  # (notice, person, target)
    for reg in regs:
        if reg.when is not None and not reg.when(event):
            continue
        for notice in _notices(reg.build(event)):
            notice.kind = notice.kind or reg.kind
            seen = set()
            for person in notice.to:
                if person is None:
                    continue
                if isinstance(person, User):
                    if not person.is_active or (entry.actor_id and person.pk == entry.actor_id):
                        continue  # nobody is told about their own change
                elif not person.email:
                    continue
                target = _target(person)
                if target in seen:
                    continue
                seen.add(target)
                planned.append((notice, person, target))
    if not planned:
        return []
    off = {}
    rows = []
    actor_default = who(entry.actor, getattr(entry, "organization", None))
    for notice, person, target in planned:
        account = person if not isinstance(person, Address) else None
        actor_label = notice.actor_label or actor_default
        comment = event.comment if notice.comment is None else notice.comment
        kind_ = KINDS[notice.kind]
        subject, body = render(notice, name=account.display_name if account else person.name,
                               actor_label=actor_label, comment=comment, at=entry.at or now, kind_label=kind_.label)
        if account is not None and notice.kind not in off:
            off[notice.kind] = email_off([p.pk for _n, p, _t in planned if not isinstance(p, Address)], notice.kind)
        email = (account.email if account else person.email) or ""
        row = NoticeLog(event=event_key(entry), target=target, kind=notice.kind, recipient=account, email=email,
                        subject=subject, body=body, url=(notice.url or "")[:500], actor=entry.actor,
                        actor_label=actor_label[:200], comment=comment, audit_entry=entry, claim=token, created_at=now,
                        next_attempt_at=now + SWEEP_GRACE)
        if account is not None and account.pk in off.get(notice.kind, ()):
            row.status, row.error = NoticeStatus.CANCELLED, "接收人已关闭此类邮件通知，仅发送站内通知"
        rows.append(row)
    NoticeLog.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    mine = list(NoticeLog.objects.filter(claim=token).select_related("recipient").order_by("id"))
    Notification.objects.bulk_create([
        Notification(user=row.recipient, title=row.subject.removeprefix("【通知】"), body=row.body, url=row.url, notice=row, created_at=now)
        for row in mine if row.recipient_id
    ])
    _wecom(entry, mine)
    ids = [row.pk for row in mine if row.status == NoticeStatus.QUEUED]
    if ids:
        transaction.on_commit(lambda: enqueue_delivery(ids))  # never raises (core.tasks.send)
    return [row.pk for row in mine]


def _wecom(entry, rows):
    """企业微信 application messages to the same people (when configured), on the notify outbox."""
    from notify import platforms
    from notify import services as notify
    from notify.messages import Message

    people = [r for r in rows if r.recipient_id and r.status == NoticeStatus.QUEUED]
    if not people or not platforms.wecom_app_configured():
        return []
    by_user = {r.recipient_id: r for r in people}

    def message(user):
        row = by_user.get(user.pk)
        if row is None:
            return None
        note = f"意见：{row.comment}" if row.comment else ""
        return Message(title=row.subject, intro=f"操作：{row.actor_label}", note=note, link=portal_url(row.url))

    try:
        with transaction.atomic():
            return notify.publish(f"notice:{entry.pk}", message, users=[r.recipient for r in people])
    except Exception:  # noqa: BLE001 - a channel problem never stops the e-mail or the bell
        log.exception("recording 企业微信 notices of audit entry %s failed", entry.pk)
        return []


# --- Delivery (the reminders' outbox discipline) ---------------------------------------------

SWEEP_GRACE = dt.timedelta(minutes=2)
RETRY_SLACK = dt.timedelta(seconds=5)


def _deliver_task():
    from .tasks import deliver_notices

    return deliver_notices


def enqueue_delivery(ids):
    for start in range(0, len(ids), CHUNK):
        send_task(_deliver_task(), list(ids[start : start + CHUNK]))


def deliver(ids, now=None):
    """Send the queued rows among `ids` that this call claims. Safe to call twice (and concurrently):
    the reminders' outbox loop (campaigns.outbox), lease, backoff and attempts."""
    from core.outbox import Tally

    from . import outbox, reminders

    now = now or timezone.now()
    result = Tally()
    token, claimed = outbox.claim(NoticeLog, ids, now, lease=reminders.send_lease(), retry_slack=RETRY_SLACK)
    if not claimed:
        return result
    rows = list(NoticeLog.objects.filter(claim=token, status=NoticeStatus.SENDING).order_by("id"))

    def message(row, connection):
        return EmailMessage(row.subject, row.body, settings.DEFAULT_FROM_EMAIL, [row.email], connection=connection)

    return outbox.send_claimed(NoticeLog, rows, token, result, message=message, lease=reminders.send_lease,
                               transient=reminders.TRANSIENT_ERRORS, max_attempts=reminders.MAX_ATTEMPTS,
                               backoff=reminders.backoff)


def sweep(now=None):
    """Rows recorded but never sent (broker outage, lost task, expired lease, retry due) go back to
    delivery. Called by the reminder beat (reminders.run_due) and the ops sweeper. Returns their ids."""
    from . import outbox

    return outbox.sweep(NoticeLog, now or timezone.now(), enqueue=enqueue_delivery)
