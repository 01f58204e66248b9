"""Reads for campaigns and deadlines."""

import contextlib
import contextvars

from django.utils import timezone

from .models import Campaign, Deadline, DeadlineExtension


def current_campaign():
    return Campaign.objects.current()


def deadlines_by_kind(campaign):
    if campaign is None:
        return {}
    return {d.kind: d for d in campaign.deadlines.all()}


def effective_due(deadline, org, extensions=None):
    """The due time for `org`: its own extension, else its parent's, else the deadline.

    `extensions` may be a pre-loaded {(deadline_id, org_id): due_at} map to avoid queries."""
    if deadline is None:
        return None
    if org is None:
        return deadline.due_at
    if extensions is None:
        extensions = extension_map(deadline.campaign_id)
    for org_id in (org.pk, org.parent_id):
        due = extensions.get((deadline.pk, org_id))
        if due:
            return due
    return deadline.due_at


_memo = contextvars.ContextVar("campaign_lookups", default=None)


@contextlib.contextmanager
def memoized():
    """Inside the block, deadline() and extension_map() read each campaign's rows once.

    For loops that ask the obligations registry about many people (reminders, previews); the
    block must not span writes to deadlines or extensions."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def remember(key, load):
    """load() once per key inside a memoized() block (a GET request: campaigns.middleware); outside, every call loads."""
    memo = _memo.get()
    if memo is None:
        return load()
    if key not in memo:
        memo[key] = load()
    return memo[key]


def extension_map(campaign_id):
    return remember(("extensions", campaign_id), lambda: _extension_map(campaign_id))


def _extension_map(campaign_id):
    return {
        (e.deadline_id, e.organization_id): e.due_at
        for e in DeadlineExtension.objects.filter(deadline__campaign_id=campaign_id).only(
            "deadline_id", "organization_id", "due_at"
        )
    }


def is_open(deadline, org, now=None, extensions=None):
    now = now or timezone.now()
    due = effective_due(deadline, org, extensions)
    return due is None or now <= due


def days_left(due, now=None):
    if due is None:
        return None
    now = now or timezone.now()
    return (timezone.localtime(due).date() - timezone.localtime(now).date()).days


def deadline(campaign, kind):
    if campaign is None:
        return None
    by_kind = remember(("deadlines", campaign.pk), lambda: {d.kind: d for d in Deadline.objects.filter(campaign=campaign)})
    return by_kind.get(kind)
