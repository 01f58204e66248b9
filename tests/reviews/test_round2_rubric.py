"""现场答辩 (round 2) has its own rubric and weights; the final ranking combines both rounds."""

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from reviews import queries, services
from reviews.aggregation import MEAN, Score, rank
from reviews.models import Assignment, Criterion, Round, Stage

from ..factories import CollegeFactory
from .helpers import SCORING_DAY, brand_track, make_entry, make_judge, open_track, points_for, score


def test_weights_40_60_with_a_round2_rubric_of_other_full_marks():
    """Hand-worked: round 1 out of 100, round 2 out of 50. Entry 1: 80 and 45/50 (= 90/100) → 0.4·80 + 0.6·90 = 86;
    entry 2: 95 and 30/50 (= 60) → 0.4·95 + 0.6·60 = 74. Round 1 alone would put entry 2 first."""
    scores = [Score(1, 1, 80), Score(2, 1, 95), Score(1, 1, 45, round=2), Score(2, 1, 30, round=2)]
    res = {r.entry_id: r for r in rank([1, 2], scores, rule=MEAN, weights=(40, 60), max_total=100, round2_max=50)}
    assert res[1].final == pytest.approx(86)
    assert res[2].final == pytest.approx(74)
    assert res[1].place == 1 and res[2].place == 2
    assert res[1].round2 == pytest.approx(45)  # shown on its own scale


@pytest.fixture
def two_rounds(world, at):
    w = world
    at(*SCORING_DAY)
    w.entries = [make_entry(w.campaign, CollegeFactory(parent=w.school)) for _ in range(2)]
    w.judges = [make_judge("r1"), make_judge("r2")]
    w.track = open_track(brand_track(w, w.judges, second_round=True, shortlist_size=2, round1_weight=40,
                                     round2_weight=60, aggregation="mean"), w.users.admin)
    return w


def test_a_new_track_has_a_default_round2_rubric(two_rounds):
    r2 = queries.criteria_for(two_rounds.track, Round.DEFENCE)
    assert [c.code for c in r2] == ["d_presentation", "d_effect", "d_answers"]
    assert sum(c.max_points for c in r2) == 100
    assert all(c.round == Round.MATERIALS for c in queries.criteria_for(two_rounds.track))


def test_round2_rubric_is_editable_until_round2_starts_then_frozen(two_rounds):
    w = two_rounds
    admin = w.users.admin
    rows = [{"code": "show", "name": "展示", "max_points": 20}, {"code": "qa", "name": "问答", "max_points": 30}]
    with pytest.raises(services.JudgingError, match="评分标准已冻结"):  # round 1's is frozen since scoring opened
        services.save_rubric(w.track, rows, by=admin, expected_version=w.track.version)
    track = services.save_rubric(w.track, rows, by=admin, expected_version=w.track.version, round_=Round.DEFENCE)
    assert [(c.code, c.max_points) for c in queries.criteria_for(track, Round.DEFENCE)] == [("show", 20), ("qa", 30)]
    assert len(queries.criteria_for(track)) == 5  # round 1 untouched
    assert AuditEntry.objects.filter(action="rubric_update", note="现场答辩评分标准").exists()
    for j in w.judges:
        score(track, j, w.entries[0], 12, 20, 24, 16, 8)  # 80
        score(track, j, w.entries[1], 15, 25, 30, 20, 5)  # 95
    track = services.close_scoring(track, by=admin)
    assert track.stage == Stage.ROUND2
    with pytest.raises(services.JudgingError, match="答辩评分标准已冻结"):
        services.save_rubric(track, rows, by=admin, expected_version=track.version, round_=Round.DEFENCE)
    # round 2 is scored on its own rubric: round-1 criteria ids are not part of it
    a = Assignment.objects.get(track=track, round=Round.DEFENCE, judge=w.judges[0], entry=w.entries[0])
    a = services.save_score(a, points_for(track, 15, 25, 30, 20, 10), by=w.judges[0], expected_version=a.version)
    assert not a.complete and a.total is None
    for a in Assignment.objects.filter(track=track, round=Round.DEFENCE):
        values = (18, 27) if a.entry_id == w.entries[0].pk else (10, 20)  # 45/50 vs 30/50
        services.save_score(a, points_for(track, *values, round_=2), by=a.judge, expected_version=a.version)
    rows = queries.ranking(track)["rows"]
    final = {row["entry"].pk: row["r"].final for row in rows}
    assert final[w.entries[0].pk] == pytest.approx(0.4 * 80 + 0.6 * 90)  # 86
    assert final[w.entries[1].pk] == pytest.approx(0.4 * 95 + 0.6 * 60)  # 74
    assert [row["entry"].pk for row in rows] == [w.entries[0].pk, w.entries[1].pk]


def test_a_track_without_round2_criteria_keeps_scoring_round2_on_the_round1_rubric(two_rounds):
    w = two_rounds
    Criterion.objects.filter(track=w.track, round=Round.DEFENCE).delete()  # as migrated from before round 2 had one
    assert queries.criteria_for(w.track, Round.DEFENCE) == queries.criteria_for(w.track)


def test_round2_rubric_editor_page(two_rounds, client_for):
    w = two_rounds
    admin = client_for(w.users.admin)
    page = admin.get(reverse("reviews:rubric", args=[w.track.pk]) + "?round=2")
    assert page.status_code == 200 and "汇报展示" in page.content.decode() and 'name="round" value="2"' in page.content.decode()
    data = {"version": w.track.version, "round": "2", "c-TOTAL_FORMS": "1", "c-INITIAL_FORMS": "0",
            "c-0-code": "qa", "c-0-name": "答辩问答", "c-0-max_points": "50"}
    assert admin.post(reverse("reviews:rubric", args=[w.track.pk]), data).status_code == 302
    assert [c.name for c in queries.criteria_for(w.track, Round.DEFENCE)] == ["答辩问答"]
    # a crafted round value is ignored (round 1, frozen): a message, never a 500
    bad = admin.get(reverse("reviews:rubric", args=[w.track.pk]) + "?round=9")
    assert bad.status_code == 200 and "品牌定位" in bad.content.decode()


def test_a_round2_scoring_page_shows_and_saves_the_round2_rubric(two_rounds, client_for):
    """The judge's scoring page of a 现场答辩 assignment asks the round-2 criteria (it used to show round 1's,
    whose values the save then ignored)."""
    w = two_rounds
    for j in w.judges:
        score(w.track, j, w.entries[0], 12, 20, 24, 16, 8)
        score(w.track, j, w.entries[1], 15, 25, 30, 20, 5)
    track = services.close_scoring(w.track, by=w.users.admin)
    a = Assignment.objects.get(track=track, round=Round.DEFENCE, judge=w.judges[0], entry=w.entries[0])
    judge = client_for(w.judges[0])
    page = judge.get(reverse("reviews:score", args=[a.pk])).content.decode()
    r2 = queries.criteria_for(track, Round.DEFENCE)
    assert all(f'name="c_{c.pk}"' in page for c in r2)
    assert not any(f'name="c_{c.pk}"' in page for c in queries.criteria_for(track))
    data = {"version": a.version, "action": "save", **{f"c_{c.pk}": c.max_points // 2 for c in r2}}
    assert judge.post(reverse("reviews:score", args=[a.pk]), data).status_code == 302
    a.refresh_from_db()
    assert a.complete and a.total == sum(c.max_points // 2 for c in r2)


def test_the_scoring_pages_criteria_rows_are_criteria_for(two_rounds):
    """criteria_rows (the scoring page's one prepared query) gives criteria_for's rubric in its order, for round 1,
    round 2 with its own rubric, and round 2 falling back to round 1's when it has none."""
    t = two_rounds.track

    def same(round_):
        return ([tuple(r) for r in queries.criteria_rows(t, round_)]
                == [(c.pk, c.name, c.description, c.max_points) for c in queries.criteria_for(t, round_)])

    assert same(Round.MATERIALS) and same(Round.DEFENCE)
    assert queries.criteria_rows(t, Round.DEFENCE) != queries.criteria_rows(t, Round.MATERIALS)
    first = Criterion.objects.filter(track=t, round=Round.MATERIALS).order_by("sort_order").first()
    Criterion.objects.filter(pk=first.pk).update(sort_order=999)  # the order is the rubric's, not the ids'
    assert same(Round.MATERIALS) and queries.criteria_rows(t)[-1].pk == first.pk
    Criterion.objects.filter(track=t, round=Round.DEFENCE).delete()
    assert same(Round.DEFENCE)
    assert [r.pk for r in queries.criteria_rows(t, Round.DEFENCE)] == [r.pk for r in queries.criteria_rows(t)]
