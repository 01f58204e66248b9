"""回避 rules and assignment."""

import pytest

from reviews import queries, services
from reviews.models import Assignment, Round
from submissions.models import Track

from .helpers import brand_track, make_entry, make_judge


@pytest.fixture
def setup(world):
    w = world
    w.e_a = make_entry(w.campaign, w.college_a)
    w.e_b = make_entry(w.campaign, w.college_b)
    w.b_a1 = make_entry(w.campaign, w.branch_a1, Track.BRANCH, rank=1)
    w.b_b1 = make_entry(w.campaign, w.branch_b1, Track.BRANCH, rank=1)
    return w


def test_judge_from_the_entrant_org_is_conflicted(setup):
    w = setup
    assert queries.conflict_reason(None, w.users.judge, w.e_a)  # judge's home is college A
    assert not queries.conflict_reason(None, w.users.judge, w.e_b)


def test_judge_from_the_parent_org_is_conflicted_with_its_branches(setup):
    w = setup
    assert "上级" in queries.conflict_reason(None, w.users.judge, w.b_a1)
    assert not queries.conflict_reason(None, w.users.judge, w.b_b1)


def test_judge_from_a_child_branch_is_conflicted_with_the_college(setup):
    w = setup
    j = make_judge("branchjudge", w.branch_a2)
    assert "下级" in queries.conflict_reason(None, j, w.e_a)
    assert not queries.conflict_reason(None, j, w.b_a1)  # a sibling branch is not a conflict
    assert not queries.conflict_reason(None, j, w.e_b)


def test_judge_without_home_org_or_at_school_level_has_no_automatic_conflict(setup):
    w = setup
    outsider = make_judge("outsider")
    school = make_judge("zzb", w.school)
    for e in (w.e_a, w.e_b, w.b_a1):
        assert not queries.conflict_reason(None, outsider, e)
        assert not queries.conflict_reason(None, school, e)


def test_all_by_all_assignment_leaves_out_conflicted_pairs(setup):
    w = setup
    other = make_judge("j2", w.college_b)
    track = brand_track(w, [w.users.judge, other])
    added, shortfall = services.assign(track, by=w.users.admin)
    pairs = set(Assignment.objects.filter(track=track).values_list("judge__username", "entry__organization__code"))
    assert pairs == {("judge", "B"), ("j2", "A")}
    assert added == 2


def test_balanced_assignment_gives_n_judges_per_entry_and_balances_load(world):
    w = world
    from ..factories import CollegeFactory

    colleges = [CollegeFactory(parent=w.school) for _ in range(10)]
    entries = [make_entry(w.campaign, c) for c in colleges] + [make_entry(w.campaign, w.college_a)]
    judges = [make_judge(f"j{i}") for i in range(5)] + [w.users.judge]  # judge is conflicted with college A
    track = brand_track(w, judges, judges_per_entry=3)
    added, shortfall = services.assign(track, by=w.users.admin)
    assert added == 33 and shortfall == []
    per_entry = {e.pk: Assignment.objects.filter(track=track, entry=e).count() for e in entries}
    assert set(per_entry.values()) == {3}
    loads = [Assignment.objects.filter(track=track, judge=j).count() for j in judges]
    assert max(loads) - min(loads) <= 1
    assert not Assignment.objects.filter(track=track, judge=w.users.judge, entry__organization=w.college_a).exists()


def test_assignment_reports_entries_without_enough_eligible_judges(setup):
    w = setup
    track = brand_track(w, [w.users.judge, make_judge("j2")], judges_per_entry=2)
    added, shortfall = services.assign(track, by=w.users.admin)
    assert [e.pk for e in shortfall] == [w.e_a.pk]


def test_admin_cannot_assign_a_conflicted_judge_by_hand(setup):
    w = setup
    track = brand_track(w, [w.users.judge])
    with pytest.raises(services.JudgingError):
        services.add_assignment(track, w.users.judge, w.e_a, by=w.users.admin)
    a = services.add_assignment(track, w.users.judge, w.e_b, by=w.users.admin)
    assert a.round == Round.MATERIALS


def test_declared_conflict_withdraws_the_assignment_and_is_listed_for_admin(setup):
    w = setup
    track = brand_track(w, [w.users.judge])
    services.assign(track, by=w.users.admin)
    services.declare_conflict(track, w.users.judge, w.e_b, "曾在该单位挂职", by=w.users.judge)
    assert not Assignment.objects.filter(track=track, judge=w.users.judge).exists()
    rows = queries.all_conflicts(track)
    reasons = {(r["judge"].username, r["entry"].organization.code): r["reason"] for r in rows}
    assert reasons[("judge", "B")] == "本人申报回避：曾在该单位挂职"
    assert "即申报单位" in reasons[("judge", "A")]
    with pytest.raises(services.JudgingError):  # and it cannot be assigned again
        services.add_assignment(track, w.users.judge, w.e_b, by=w.users.admin)


def test_declaring_a_conflict_needs_a_reason(setup):
    w = setup
    track = brand_track(w, [w.users.judge])
    services.assign(track, by=w.users.admin)
    with pytest.raises(services.JudgingError):
        services.declare_conflict(track, w.users.judge, w.e_b, "  ", by=w.users.judge)


def test_only_judge_role_accounts_can_be_judges(setup):
    w = setup
    track = services.create_track(w.campaign, Track.BRAND, by=w.users.admin)
    with pytest.raises(services.JudgingError):
        services.set_judges(track, [w.users.college.pk], by=w.users.admin)


def test_the_fast_conflict_test_agrees_with_auto_conflict_on_every_small_case():
    """auto_conflict_test (the queue and the scoring page's position) says yes exactly where auto_conflict gives a
    reason: every entry (org, parent) over ids 1-4 and None, against every set of up to two home orgs."""
    import itertools

    from organizations.models import Level
    from reviews.queries import auto_conflict, auto_conflict_test

    ids = [1, 2, 3, 4]
    home_choices = [(org, parent, level) for org in ids for parent in [*ids, None]
                    for level in (Level.SCHOOL, Level.COLLEGE, Level.BRANCH)]
    cases = 0
    for n in (0, 1, 2):
        for homes in itertools.combinations(home_choices, n):
            test = auto_conflict_test(list(homes))
            for entry_org in ids:
                for entry_parent in [*ids, None]:
                    assert test(entry_org, entry_parent) == bool(auto_conflict(list(homes), entry_org, entry_parent)), (
                        homes, entry_org, entry_parent)
                    cases += 1
    assert cases == 1831 * 20  # 1 + 60 + 1770 sets of homes × 20 entries
