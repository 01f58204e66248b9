import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from campaigns import queries, services
from campaigns.models import SHANGHAI, Campaign, DeadlineKind, Phase
from audit.models import AuditEntry


def d(*a):
    return dt.date(*a)


@pytest.mark.parametrize(
    "day,phase",
    [
        (d(2026, 3, 31), None),
        (d(2026, 4, 1), Phase.DESIGN),
        (d(2026, 5, 15), Phase.DESIGN),
        (d(2026, 5, 16), Phase.BUILD),
        (d(2026, 10, 31), Phase.BUILD),
        (d(2026, 11, 1), Phase.REVIEW),
        (d(2026, 12, 31), Phase.REVIEW),
        (d(2027, 1, 1), Phase.PROMOTION),
    ],
)
def test_current_phase_is_computed_from_dates(db, day, phase):
    c = services.create_campaign(2026)
    assert c.phase_on(day) == phase


def test_default_deadlines_are_end_of_day_shanghai(db):
    c = services.create_campaign(2026)
    due = {x.kind: x.due_at.astimezone(SHANGHAI) for x in c.deadlines.all()}
    assert due[DeadlineKind.DESIGN] == dt.datetime(2026, 5, 15, 23, 59, 59, tzinfo=SHANGHAI)
    assert due[DeadlineKind.REVIEW] == dt.datetime(2026, 11, 10, 23, 59, 59, tzinfo=SHANGHAI)


def test_current_campaign_follows_the_calendar(db, at):
    services.create_campaign(2026)
    services.create_campaign(2027)
    at(2026, 12, 1, 9, 0)
    assert Campaign.objects.current().year == 2026
    at(2027, 4, 2, 9, 0)
    assert Campaign.objects.current().year == 2027


def test_phase_dates_must_be_in_order(db):
    with pytest.raises(ValidationError):
        services.create_campaign(2026, design_end=d(2026, 3, 1))


def test_extension_moves_the_deadline_for_that_org_and_its_branches(world):
    deadline = world.campaign.deadlines.get(kind=DeadlineKind.DESIGN)
    new_due = dt.datetime(2026, 5, 20, 18, 0, tzinfo=SHANGHAI)
    services.grant_extension(deadline, world.college_a, new_due, "学院换届", by=world.users.admin)
    assert queries.effective_due(deadline, world.college_a) == new_due
    assert queries.effective_due(deadline, world.branch_a1) == new_due
    assert queries.effective_due(deadline, world.college_b) == deadline.due_at
    after_deadline = dt.datetime(2026, 5, 18, 9, 0, tzinfo=SHANGHAI)
    assert queries.is_open(deadline, world.branch_a1, now=after_deadline)
    assert not queries.is_open(deadline, world.branch_b1, now=after_deadline)
    entry = AuditEntry.objects.get(action="grant_extension")
    assert entry.actor == world.users.admin and entry.organization == world.college_a


def test_extension_must_be_later_and_have_a_reason(world):
    deadline = world.campaign.deadlines.get(kind=DeadlineKind.DESIGN)
    with pytest.raises(ValidationError):
        services.grant_extension(deadline, world.college_a, deadline.due_at - dt.timedelta(days=1), "x", by=None)
    with pytest.raises(ValidationError):
        services.grant_extension(deadline, world.college_a, deadline.due_at + dt.timedelta(days=1), "  ", by=None)


def test_stale_campaign_edit_is_refused(world):
    from core.concurrency import StaleEdit

    c = world.campaign
    services.update_campaign(c, {"title": "新标题"}, by=world.users.admin, expected_version=1)
    with pytest.raises(StaleEdit):
        services.update_campaign(c, {"title": "旧页面的标题"}, by=world.users.admin, expected_version=1)
    c.refresh_from_db()
    assert c.title == "新标题"
