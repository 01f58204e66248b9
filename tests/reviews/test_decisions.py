"""Ranking from the database, second round, and the decision pipeline: order, 公示 dates, publish."""

import datetime as dt

import pytest

from audit.models import AuditEntry
from reviews import queries, services
from reviews.models import Assignment, Award, JudgingTrack, Round, ScoreSheet, Stage

from ..factories import CollegeFactory
from .helpers import SCORING_DAY, brand_track, make_entry, make_judge, open_track, points_for, score


@pytest.fixture
def scored(world, at):
    """3 entries, 5 judges (no conflicts), all scored; award_count 2."""
    w = world
    at(*SCORING_DAY)
    w.entries = [make_entry(w.campaign, CollegeFactory(parent=w.school, name=f"学院{i}")) for i in range(3)]
    w.judges = [make_judge(f"jj{i}") for i in range(5)]
    w.track = open_track(brand_track(w, w.judges, award_count=2, aggregation="trimmed"), w.users.admin)
    table = {  # entry → per-judge criteria
        0: [(15, 25, 30, 20, 10), (10, 20, 25, 15, 8), (12, 22, 28, 18, 9), (11, 21, 27, 17, 9), (5, 10, 10, 10, 5)],
        1: [(12, 20, 25, 15, 8)] * 5,
        2: [(8, 15, 20, 10, 5)] * 5,
    }
    for ei, rows in table.items():
        for j, vals in zip(w.judges, rows):
            score(w.track, j, w.entries[ei], *vals)
    return w


def test_ranking_uses_the_trimmed_mean_with_five_judges(scored):
    w = scored
    board = queries.ranking(w.track)
    r = {row["entry"].pk: row["r"] for row in board["rows"]}
    # entry 0 totals: 100, 78, 89, 85, 40 → drop 100 and 40 → (78+89+85)/3 = 84
    assert r[w.entries[0].pk].final == pytest.approx(84.0)
    assert r[w.entries[0].pk].n_judges == 5
    assert r[w.entries[0].pk].disagree  # sd of 100,78,89,85,40 ≈ 20.6
    assert r[w.entries[1].pk].final == pytest.approx(80.0)
    assert [row["entry"].pk for row in board["rows"]] == [e.pk for e in w.entries]


def test_abstention_reduces_the_judge_count_and_switches_trimming_off(scored):
    w = scored
    a = Assignment.objects.get(track=w.track, judge=w.judges[4], entry=w.entries[0])
    services.save_score(a, {}, by=w.judges[4], expected_version=a.version, abstain=True, abstain_reason="利益相关")
    r = {row["entry"].pk: row["r"] for row in queries.ranking(w.track)["rows"]}
    # 4 counted judges: 100, 78, 89, 85 → plain mean 88
    assert r[w.entries[0].pk].n_judges == 4
    assert r[w.entries[0].pk].final == pytest.approx(88.0)


def close(w):
    return services.close_scoring(w.track, by=w.users.admin)


def test_decision_steps_must_happen_in_order(scored):
    w = scored
    admin = w.users.admin
    with pytest.raises(services.JudgingError):
        services.propose(w.track, by=admin)  # scoring still open
    close(w)
    with pytest.raises(services.JudgingError):
        services.approve(w.track, by=admin, note="常委会")
    with pytest.raises(services.JudgingError):
        services.open_publicity(w.track, by=admin, start=dt.date(2026, 12, 14))
    with pytest.raises(services.JudgingError):
        services.publish(w.track, by=admin)
    track = services.propose(w.track, by=admin)
    assert [p["entry"] for p in track.proposal] == [w.entries[0].pk, w.entries[1].pk]
    with pytest.raises(services.JudgingError):
        services.open_publicity(track, by=admin, start=dt.date(2026, 12, 14))
    track = services.approve(track, by=admin, note="2026年第20次党委常委会")
    assert track.stage == Stage.APPROVED


def test_publicity_defaults_to_five_working_days_and_freezes_inputs(scored, at):
    w = scored
    admin = w.users.admin
    close(w)
    services.propose(w.track, by=admin)
    services.approve(w.track, by=admin, note="常委会")
    track = services.open_publicity(w.track, by=admin, start=dt.date(2026, 12, 17))  # a Thursday
    assert track.publicity_end == dt.date(2026, 12, 23)  # Thu, Fri, Mon, Tue, Wed
    assert track.inputs_frozen
    with pytest.raises(services.JudgingError):
        services.record_vote(track, w.entries[2], 9, by=admin)
    sheet = ScoreSheet.objects.create(track=track, judge=w.judges[0], round=1, submitted_at=track.proposed_at)
    with pytest.raises(services.JudgingError):
        services.unlock_sheet(sheet, by=admin, reason="改分")


def test_working_days_skip_weekends():
    assert services.add_working_days(dt.date(2026, 12, 14), 5) == dt.date(2026, 12, 18)  # Mon → Fri
    assert services.add_working_days(dt.date(2026, 12, 19), 5) == dt.date(2026, 12, 25)  # Sat → next Fri


def test_publish_waits_for_the_end_of_publicity_and_handled_objections(scored, at):
    w = scored
    admin = w.users.admin
    close(w)
    services.propose(w.track, by=admin)
    services.approve(w.track, by=admin, note="常委会")
    track = services.open_publicity(w.track, by=admin, start=dt.date(2026, 12, 14))
    objection = services.record_objection(track, by=admin, content="反映材料存在夸大", received_on=dt.date(2026, 12, 15),
                                          entry=w.entries[0])
    with pytest.raises(services.JudgingError, match="公示期"):
        services.publish(track, by=admin, today=dt.date(2026, 12, 18))
    with pytest.raises(services.JudgingError, match="异议"):
        services.publish(track, by=admin, today=dt.date(2026, 12, 19))
    services.handle_objection(objection, by=admin, outcome="rejected", handling="经核实，材料属实，维持原评审结果")
    track = services.update_track(track, {"award_amount": 50000}, by=admin, expected_version=JudgingTrack.objects.get(pk=track.pk).version)
    services.publish(track, by=admin, today=dt.date(2026, 12, 19))
    awards = list(Award.objects.order_by("place"))
    assert [(a.entry_id, a.place, a.amount) for a in awards] == [(w.entries[0].pk, 1, 50000), (w.entries[1].pk, 2, 50000)]
    actions = list(AuditEntry.objects.filter(object_id=str(track.pk), action__in=[
        "propose", "approve", "publicity", "publish"]).order_by("id").values_list("action", flat=True))
    assert actions == ["propose", "approve", "publicity", "publish"]


def test_a_tie_at_the_cut_off_blocks_the_proposal_until_the_committee_votes(world, at):
    w = world
    at(*SCORING_DAY)
    entries = [make_entry(w.campaign, CollegeFactory(parent=w.school)) for _ in range(3)]
    j = make_judge("single")
    track = open_track(brand_track(w, [j], award_count=1, tie_break=["vote"]), w.users.admin)
    for e in entries[:2]:
        score(track, j, e, 10, 10, 10, 10, 10)
    score(track, j, entries[2], 5, 5, 5, 5, 5)
    services.close_scoring(track, by=w.users.admin)
    with pytest.raises(services.JudgingError, match="并列"):
        services.propose(track, by=w.users.admin)
    services.record_vote(track, entries[1], 7, by=w.users.admin)
    services.record_vote(track, entries[0], 4, by=w.users.admin)
    track = services.propose(track, by=w.users.admin)
    assert [p["entry"] for p in track.proposal] == [entries[1].pk]
    assert AuditEntry.objects.filter(action="vote").count() == 2


def test_second_round_shortlist_and_weighted_final(world, at):
    w = world
    at(*SCORING_DAY)
    entries = [make_entry(w.campaign, CollegeFactory(parent=w.school)) for _ in range(3)]
    judges = [make_judge("r1"), make_judge("r2")]
    track = open_track(brand_track(w, judges, second_round=True, shortlist_size=2, round1_weight=60, round2_weight=40,
                                   aggregation="mean"), w.users.admin)
    for j in judges:
        score(track, j, entries[0], 15, 25, 30, 20, 10)  # 100
        score(track, j, entries[1], 12, 20, 24, 16, 8)  # 80
        score(track, j, entries[2], 6, 10, 12, 8, 4)  # 40
    track = services.close_scoring(track, by=w.users.admin)
    assert track.stage == Stage.ROUND2
    assert set(track.shortlist.values_list("pk", flat=True)) == {entries[0].pk, entries[1].pk}
    r2 = Assignment.objects.filter(track=track, round=Round.DEFENCE)
    assert r2.count() == 4
    with pytest.raises(services.JudgingError):  # round 1 is closed
        score(track, judges[0], entries[0], 1, 1, 1, 1, 1)
    for a in r2:
        values = (10, 20, 10) if a.entry_id == entries[0].pk else (30, 40, 30)  # 40 vs 100 on the round-2 rubric
        services.save_score(a, points_for(track, *values, round_=2), by=a.judge, expected_version=a.version)
    rows = queries.ranking(track)["rows"]
    r = {row["entry"].pk: row["r"] for row in rows}
    assert r[entries[0].pk].final == pytest.approx(0.6 * 100 + 0.4 * 40)  # 76
    assert r[entries[1].pk].final == pytest.approx(0.6 * 80 + 0.4 * 100)  # 88
    assert [row["entry"].pk for row in rows] == [entries[1].pk, entries[0].pk, entries[2].pk]
    assert services.close_scoring(track, by=w.users.admin).stage == Stage.CLOSED
