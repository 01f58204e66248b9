"""Synthetic judging data for the benchmark, the query-count test and the demo.

Builds rows in bulk (not through services): it stands for data that judges entered over weeks."""

import random

from django.utils import timezone

from organizations.models import Level, Organization, Role, RoleAssignment, User
from submissions.models import Entry, EntryState, Track

from .models import Assignment, Criterion, JudgingTrack, ScoreSheet, Stage


def build_scored_track(campaign, *, n_entries=60, n_judges=15, n_criteria=6, seed=2026, prefix="BENCH"):
    """A brand track with n_entries passed entries, n_judges judges scoring all of them on n_criteria."""
    rng = random.Random(seed)
    school = Organization.objects.filter(level=Level.SCHOOL).first()
    colleges = Organization.objects.bulk_create([
        Organization(name=f"{prefix}学院{i:03d}党委", code=f"{prefix}-{i:03d}", level=Level.COLLEGE,
                     org_type="college_committee", parent=school, sort_order=1000 + i)
        for i in range(n_entries)
    ])
    entries = Entry.objects.bulk_create([
        Entry(campaign=campaign, track=Track.BRAND, organization=c, college=c, state=EntryState.PASSED,
              title=f"品牌{i:03d}", leader=f"负责人{i}", overview="创建情况概述。" * 20)
        for i, c in enumerate(colleges)
    ])
    judges = User.objects.bulk_create([User(username=f"{prefix.lower()}_judge{j:02d}", full_name=f"评委{j:02d}")
                                       for j in range(n_judges)])
    RoleAssignment.objects.bulk_create([RoleAssignment(user=j, role=Role.JUDGE) for j in judges])
    now = timezone.now()
    track = JudgingTrack.objects.create(
        campaign=campaign, track=Track.BRAND, stage=Stage.CLOSED, opens_at=now - timezone.timedelta(days=20),
        closes_at=now - timezone.timedelta(days=1), rubric_frozen_at=now - timezone.timedelta(days=20),
        tie_break=["criterion:c0", "top_scores", "vote"],
    )
    track.judges.set(judges)
    maxes = [10 + 5 * (k % 4) for k in range(n_criteria)]
    criteria = Criterion.objects.bulk_create([
        Criterion(track=track, code=f"c{k}", name=f"指标{k + 1}", max_points=m, sort_order=k) for k, m in enumerate(maxes)
    ])
    quality = {e.pk: rng.uniform(0.4, 0.95) for e in entries}
    harshness = {j.pk: rng.uniform(-0.1, 0.1) for j in judges}
    rows = []
    for e in entries:
        for j in judges:
            pts = {str(c.pk): max(0, min(c.max_points, round(c.max_points * (quality[e.pk] + harshness[j.pk] + rng.gauss(0, 0.08)))))
                   for c in criteria}
            rows.append(Assignment(track=track, judge=j, entry=e, points=pts, total=sum(pts.values()), complete=True,
                                   scored_at=now))
    Assignment.objects.bulk_create(rows)
    ScoreSheet.objects.bulk_create([ScoreSheet(track=track, judge=j, submitted_at=now) for j in judges])
    return track


def build_defence_room(campaign, admin, judges, entries, *, rng=None, shortlist=5, kind=Track.BRAND):
    """A track with 现场答辩: round 1 scored by every judge and closed (shortlist), round 2's room open on
    the first finalist. Goes through the services (audited), as 组织部 and the judges would."""
    from . import services

    rng = rng or random.Random(campaign.year)
    now = timezone.now()
    t = services.create_track(campaign, kind, by=admin)
    t = services.update_track(t, {"opens_at": now - timezone.timedelta(days=3), "closes_at": now + timezone.timedelta(days=10),
                                  "second_round": True, "shortlist_size": shortlist, "round1_weight": 40,
                                  "round2_weight": 60, "defence_minutes": 8, "award_count": min(10, shortlist)},
                              by=admin, expected_version=t.version)
    services.set_judges(t, [j.pk for j in judges], by=admin)
    services.assign(t, by=admin)
    t = services.open_scoring(t, by=admin)
    criteria = list(t.criteria.filter(round=1).order_by("sort_order"))
    quality = {e.pk: rng.uniform(0.55, 0.95) for e in entries}
    for j in judges:
        mine = list(Assignment.objects.filter(track=t, judge=j, round=1))
        for a in mine:
            pts = {str(c.pk): max(0, min(c.max_points, round(c.max_points * (quality[a.entry_id] + rng.gauss(0, 0.07)))))
                   for c in criteria}
            services.save_score(a, pts, by=j, expected_version=a.version)
        if mine:
            services.submit_sheet(t, j, by=j)
    t = services.close_scoring(t, by=admin)
    services.open_room(t, by=admin)
    return JudgingTrack.objects.get(pk=t.pk)
