"""What a reminder says: the mail context, the 组织部-editable templates and the overdue summary.

Split out of campaigns/reminders.py (which decides who is reminded when, and sends exactly once)."""

import functools
from collections import defaultdict

from django.conf import settings
from django.template import Context, Engine
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .models import SHANGHAI, DeadlineKind

_engine = Engine(autoescape=False)


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
