"""Builders for judging tests: passed entries, judges with home orgs, a track ready to score."""

from organizations.models import Role
from reviews import services
from reviews.models import Assignment, JudgingTrack
from submissions.models import Entry, EntryState, Track

from ..factories import UserFactory, give_role

# Inside the default judging window of the 2026 campaign (opens Nov 10 23:59:59, closes Dec 10 23:59:59)
SCORING_DAY = (2026, 11, 20, 10, 0)


def make_entry(campaign, org, track=Track.BRAND, college=None, rank=None, **extra):
    college = college or (org if track == Track.BRAND else org.parent)
    return Entry.objects.create(
        campaign=campaign, track=track, organization=org, college=college, rank=rank, state=EntryState.PASSED,
        title=extra.pop("title", f"{org.name}品牌"), leader=extra.pop("leader", "张负责人"),
        overview=extra.pop("overview", "创建情况概述"), **extra,
    )


def make_judge(username, home=None):
    return give_role(UserFactory(username=username, full_name=f"评委{username}"), Role.JUDGE, home)


def brand_track(world, judges, *, admin=None, **settings):
    """The 十佳党建品牌 track with the given judges, settings applied, not yet assigned."""
    admin = admin or world.users.admin
    track = services.create_track(world.campaign, Track.BRAND, by=admin)
    if settings:
        track = services.update_track(track, settings, by=admin, expected_version=track.version)
    services.set_judges(track, [j.pk for j in judges], by=admin)
    return JudgingTrack.objects.get(pk=track.pk)


def open_track(track, admin):
    services.assign(track, by=admin)
    services.open_scoring(track, by=admin)
    return JudgingTrack.objects.get(pk=track.pk)


def points_for(track, *values, round_=1):
    """{criterion_id: value} in the order of the round's rubric."""
    return {str(c.pk): v for c, v in zip(track.criteria.filter(round=round_).order_by("sort_order"), values)}


def score(track, judge, entry, *values):
    a = Assignment.objects.get(track=track, judge=judge, entry=entry, round=1)
    return services.save_score(a, points_for(track, *values), by=judge, expected_version=a.version)
