"""The obligations registry: "what does this person/org still owe?"

Higher apps (submissions, reviews) register providers in their AppConfig.ready().
The home-page to-do list, the progress dashboard and the reminders all read the
same answer, so a new obligation is one registration.
"""

from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

_providers = []


@dataclass
class Obligation:
    key: str  # stable id, e.g. "form1"
    label: str  # 中文: 填写本支部"一支部一特色"信息
    organization: object = None
    due_at: datetime | None = None
    url: str = ""
    done: bool = False
    state: str = ""  # 中文状态: 未开始 / 草稿 / 已提交 / 已退回 / 已通过
    deadline_kind: str = ""
    comment: str = ""
    comment_by: str = "党委组织部"  # who wrote the comment (the home page labels it "<comment_by>意见")
    extra: dict = field(default_factory=dict)

    @property
    def days_left(self):
        from .queries import days_left

        return days_left(self.due_at)

    @property
    def overdue(self):
        """Past the due time and not done (the same rule as submissions.status; a deadline at 17:00
        is overdue at 17:01, not from the next day on)."""
        from django.utils import timezone

        return not self.done and self.due_at is not None and timezone.now() > self.due_at


def register(provider):
    """provider(campaign, user, assignment) -> iterable of Obligation for that role."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def unregister(provider):
    """Remove a provider (tests; an app being switched off). Unknown providers are ignored."""
    if provider in _providers:
        _providers.remove(provider)


@contextmanager
def only(*providers):
    """`with only(fake): ...`: exactly these providers answer inside the block (tests that must not
    see the real registrations of the submissions/reviews apps)."""
    saved = list(_providers)
    _providers[:] = list(providers)
    try:
        yield providers
    finally:
        _providers[:] = saved


@contextmanager
def registered(provider):
    """`with registered(fake): ...`: the provider is active only inside the block."""
    already = provider in _providers
    register(provider)
    try:
        yield provider
    finally:
        if not already:
            unregister(provider)


def for_assignment(campaign, user, assignment):
    """Every registered provider's answer for one role assignment (no sorting, no dedup)."""
    items = []
    if campaign is None:
        return items
    for provider in list(_providers):
        items.extend(provider(campaign, user, assignment) or [])
    return items


def for_user(campaign, user):
    from organizations import roles

    items = []
    if campaign is None:
        return items
    for assignment in roles.assignments(user):
        items.extend(for_assignment(campaign, user, assignment))
    items.sort(key=lambda o: (o.done, o.due_at is None, o.due_at.timestamp() if o.due_at else 0))
    return items
