"""Reminders through 企业微信 / 钉钉 (the notify app): the glue between campaigns.reminders and notify.

Two seams, both on the same exactly-once outbox (notify.Delivery, unique per event/channel/target):

- `record_group_notices(inserted)`: called by reminders.queue() in its transaction, for the
  ReminderLog rows that call inserted. One message per group robot per (deadline, slot), listing
  the open items of the robot's scope: a 院级 org's robot gets the items of that org and its branches,
  a role's robot the items of everyone holding that role (the 组织部 robot: the overdue summary).
- `record_personal_notices(rows)`: called by reminders.deliver() for the rows it is about to send
  (after the "still owed?" check), so the 企业微信 application message to the person goes exactly
  when the e-mail does, and not for a reminder cancelled because everything was done meanwhile.

The event of both is "reminder:<deadline id>:<slot>"; a failure here never stops the e-mail."""

import logging
from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from notify import platforms
from notify import queries as notify_queries
from notify import services as notify
from notify.messages import Line, Message
from organizations.models import Role, RoleAssignment

from .models import SHANGHAI, DeadlineKind, ReminderKind

log = logging.getLogger(__name__)


def event_key(deadline_id, slot):
    return f"reminder:{deadline_id}:{slot}"


def _item(i):
    return i.as_json() if hasattr(i, "as_json") else dict(i)


def _deadline_text(due_at, now=None):
    local = timezone.localtime(due_at, SHANGHAI)
    today = timezone.localtime(now or timezone.now(), SHANGHAI).date()
    days = (local.date() - today).days
    if local <= (now or timezone.now()):
        tail = "已逾期"
    elif days > 0:
        tail = f"还剩 {days} 天"
    else:
        tail = "今天截止"
    return f"{local:%Y年%-m月%-d日 %H:%M}（{tail}）"


def _lines(items):
    lines, seen = [], set()
    for i in items:
        marker = (i.get("key"), i.get("org_id"), i.get("owner", ""))
        if marker in seen:
            continue
        seen.add(marker)
        org = i.get("organization") or i.get("owner", "")
        lines.append(Line(label=i.get("label", ""), organization=org, state=i.get("state", ""), url=i.get("url", "")))
    return lines


def _portal_link(items):
    for i in items:
        if i.get("url", "").startswith(settings.SITE_URL):
            return i["url"]
    return settings.SITE_URL + "/"


def group_message(title, due_at, scope, items, note="", overdue=False):
    lines = _lines(items)
    if overdue:
        intro = f"以下 {len(lines)} 项未按时完成："
    else:
        intro = f"{scope}尚有 {len(lines)} 项未完成："
    return Message(title=title, deadline=_deadline_text(due_at), intro=intro, lines=lines, note=note,
                   link=settings.SITE_URL + "/" if overdue else _portal_link(items))


def record_group_notices(inserted):
    """inserted: [(ReminderLog id, Planned)] of one reminders.queue() call."""
    if not inserted:
        return []
    try:
        with transaction.atomic():
            return _record_group_notices(inserted)
    except Exception:  # noqa: BLE001 - a channel problem must never stop the e-mail outbox
        log.exception("recording 企业微信/钉钉 group notices failed; e-mail goes on")
        return []


def _record_group_notices(inserted):
    if not notify_queries.any_enabled_robot():
        return []
    planned = [p for _pk, p in inserted]
    org_ids = {_item(i).get("org_id") for p in planned for i in p.items} - {None}
    colleges = notify_queries.college_of(org_ids)
    recipient_roles = defaultdict(set)
    for user_id, role in RoleAssignment.objects.active().filter(
        user_id__in={p.recipient.pk for p in planned}
    ).values_list("user_id", "role"):
        recipient_roles[user_id].add(role)
    robots = notify_queries.enabled_robots(college_ids=set(colleges.values()), roles=set(Role.values))
    if not robots:
        return []
    by_event = defaultdict(list)
    for p in planned:
        by_event[(p.deadline, p.slot)].append(p)
    ids = []
    for (deadline, slot), group in by_event.items():
        first = group[0]
        overdue = first.kind == ReminderKind.OVERDUE_SUMMARY
        per_robot = {}
        for robot in robots:
            items = []
            if robot.organization_id and not overdue:
                for p in group:
                    items += [_item(i) for i in p.items if colleges.get(_item(i).get("org_id")) == robot.organization_id]
            elif robot.role:
                for p in group:
                    if robot.role in recipient_roles[p.recipient.pk]:
                        items += [_item(i) for i in p.items]
            if items:
                per_robot[robot.pk] = group_message(first.subject, first.due_at, robot.scope_label, items,
                                                    note=getattr(first, "note", ""), overdue=overdue)
        if per_robot:
            targets = [r for r in robots if r.pk in per_robot]
            ids += notify.publish(event_key(deadline.pk, slot), lambda r, m=per_robot: m[r.pk], robots=targets)
    return ids


def personal_message(row):
    items = [dict(i) for i in row.items]
    overdue = row.kind == ReminderKind.OVERDUE_SUMMARY
    lines = _lines(items)
    label = DeadlineKind(row.deadline.kind).label
    intro = (f"{label}：以下 {len(lines)} 项未按时完成：" if overdue
             else f"{row.recipient.display_name}同志，以下事项尚未完成：")
    return Message(title=row.subject, deadline=_deadline_text(row.due_at or row.deadline.due_at), intro=intro,
                   lines=lines, link=_portal_link(items))


def record_personal_notices(rows):
    """rows: ReminderLog rows (with recipient and deadline) that are being delivered now."""
    if not rows or not platforms.wecom_app_configured():
        return []
    try:
        ids = []
        by_event = defaultdict(list)
        for row in rows:
            by_event[event_key(row.deadline_id, row.slot)].append(row)
        for event, group in by_event.items():
            messages = {row.recipient.pk: personal_message(row) for row in group}
            ids += notify.publish(event, lambda u, m=messages: m.get(u.pk), users=[r.recipient for r in group])
        return ids
    except Exception:  # noqa: BLE001 - a channel problem must never stop the e-mail outbox
        log.exception("recording 企业微信 application notices failed; e-mail goes on")
        return []
