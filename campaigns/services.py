"""Writes for campaigns, deadlines and extensions: validated, audited, version-checked."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from audit import log as audit
from core import versioning

from . import hooks
from .models import Campaign, Deadline, DeadlineExtension, DeadlineKind, end_of_day


def default_dates(year):
    d = dt.date
    return {
        "design_start": d(year, 4, 1),
        "design_end": d(year, 5, 15),
        "build_start": d(year, 5, 16),
        "build_end": d(year, 11, 10),
        "review_start": d(year, 11, 1),
        "review_end": d(year, 12, 31),
        "promotion_start": d(year + 1, 1, 1),
    }


def default_deadlines(dates):
    return {
        DeadlineKind.DESIGN: end_of_day(dates["design_end"]),
        DeadlineKind.REVIEW: end_of_day(dates["build_end"]),
        DeadlineKind.JUDGING: end_of_day(dates["review_start"] + dt.timedelta(days=39)),  # Dec 10 by default
    }


@transaction.atomic
@transaction.atomic
def create_campaign(year, *, by=None, title=None, **dates):
    values = default_dates(year)
    values.update(dates)
    campaign = Campaign(year=year, title=title or f"{year}年度“一院一品牌、一支部一特色”党建特色品牌创建", **values)
    campaign.full_clean(validate_unique=False)  # a taken year: the one Chinese message below, serial or concurrent
    try:
        with transaction.atomic():  # a concurrent creation of the same year (double click) got there first
            campaign.save()
    except IntegrityError as exc:
        raise ValidationError(f"{year} 年度活动已存在。") from exc
    for kind, due in default_deadlines(values).items():
        Deadline.objects.create(campaign=campaign, kind=kind, due_at=due)
    audit.record(by, campaign, "create", audit.diff({}, audit.snapshot(campaign)))
    return campaign


@transaction.atomic
def update_campaign(campaign, data, *, by, expected_version, deadlines=None):
    current = versioning.lock(Campaign.objects, campaign.pk, expected_version)
    before = audit.snapshot(current)
    for name, value in data.items():
        setattr(current, name, value)
    current.full_clean()
    current.version += 1
    current.save()
    changes = audit.diff(before, audit.snapshot(current))  # recorded once, with the deadline changes below
    for kind, due in (deadlines or {}).items():
        d = Deadline.objects.get(campaign=current, kind=kind)
        if d.due_at != due:
            old = d.due_at
            changes[f"deadline:{kind}"] = [d.due_at.isoformat(), due.isoformat()]
            d.due_at = due
            d.version += 1
            d.save(update_fields=["due_at", "version"])
            hooks.deadline_moved(d, old, due, by=by)
    if changes:
        audit.record(by, current, "update", changes)
    return current


@transaction.atomic
def move_deadline(campaign, kind, due, *, by, note=""):
    """Set one deadline of the campaign (created if the campaign has none of that kind), audited on the
    campaign; the receivers of campaigns.hooks follow (the judging tracks for 评审打分)."""
    d = Deadline.objects.select_for_update().filter(campaign=campaign, kind=kind).first()
    if d is None:
        d = Deadline.objects.create(campaign=campaign, kind=kind, due_at=due)
        audit.record(by, campaign, "update", {f"deadline:{kind}": [None, due.isoformat()]}, note=note)
        return d
    if d.due_at == due:
        return d
    old = d.due_at
    d.due_at = due
    d.version += 1
    d.save(update_fields=["due_at", "version"])
    audit.record(by, campaign, "update", {f"deadline:{kind}": [old.isoformat(), due.isoformat()]}, note=note)
    hooks.deadline_moved(d, old, due, by=by)
    return d


@transaction.atomic
def grant_extension(deadline, organization, due_at, reason, *, by):
    if due_at <= deadline.due_at:
        raise ValidationError("延期时间必须晚于原截止时间")
    if not reason.strip():
        raise ValidationError("请填写延期原因")
    ext, created = DeadlineExtension.objects.update_or_create(
        deadline=deadline,
        organization=organization,
        defaults={"due_at": due_at, "reason": reason.strip(), "granted_by": by},
    )
    audit.record(
        by,
        ext,
        "grant_extension",
        {"due_at": [None if created else "", due_at.isoformat()], "reason": ["", reason.strip()]},
        organization=organization,
    )
    return ext


@transaction.atomic
def revoke_extension(extension, *, by):
    audit.record(by, extension, "revoke_extension", {"due_at": [extension.due_at.isoformat(), None]},
                 organization=extension.organization)
    extension.delete()


# --- Reminders and notifications -------------------------------------------------------------


@transaction.atomic
def update_reminder_settings(rsettings, data, *, by, expected_version):
    from .models import ReminderSettings

    current = versioning.lock(ReminderSettings.objects, rsettings.pk, expected_version)
    before = audit.snapshot(current)
    for name, value in data.items():
        setattr(current, name, value)
    current.version += 1
    current.save()
    changes = audit.diff(before, audit.snapshot(current))
    if changes:
        audit.record(by, current.campaign, "update", {f"reminders:{k}": v for k, v in changes.items()},
                     note="修改提醒设置")
    return current


def send_manual_reminder(campaign, deadline, organizations, *, by, note=""):
    """Queue a reminder for `deadline` to everyone who owes something for the chosen orgs (and
    the branches of a chosen 院级 org). Returns the number of people reminded."""
    from organizations.models import Organization

    from . import reminders

    org_ids = {o.pk for o in organizations}
    org_ids |= set(Organization.objects.filter(parent_id__in=org_ids).values_list("pk", flat=True))
    with transaction.atomic():
        planned = reminders.plan_manual(campaign, deadline, org_ids, note=note)
        ids = reminders.queue(planned, by=by)
        audit.record(by, campaign, "manual_reminder", {
            "deadline": [None, deadline.kind],
            "organizations": [None, sorted(str(o) for o in organizations)],
            "recipients": [None, len(ids)],
        }, note=note)
    return len(ids)


def mark_notification_read(notification):
    from django.utils import timezone

    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def mark_all_notifications_read(user):
    from django.utils import timezone

    from .models import Notification

    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
