"""Aggregation and ranking on hand-worked examples (pure functions, no database)."""

import pytest

from reviews.aggregation import MEAN, TRIMMED, Score, normalised, rank, stability


def S(entry, judge, total, round_=1, **points):
    return Score(entry, judge, total, points, round_)


def by_entry(results):
    return {r.entry_id: r for r in results}


def test_trimmed_mean_with_five_judges_drops_one_highest_and_one_lowest():
    # 60, 70, 80, 90, 100 → drop 60 and 100 → (70+80+90)/3 = 80; the plain mean is also 80, so skew it:
    scores = [S(1, j, t) for j, t in enumerate([50, 70, 80, 90, 100])]
    r = by_entry(rank([1], scores, rule=TRIMMED))[1]
    assert r.final == pytest.approx(80.0)  # (70+80+90)/3
    assert by_entry(rank([1], scores, rule=MEAN))[1].final == pytest.approx(78.0)  # 390/5


def test_trimmed_mean_with_four_judges_is_the_plain_mean():
    scores = [S(1, j, t) for j, t in enumerate([50, 70, 80, 100])]
    assert by_entry(rank([1], scores, rule=TRIMMED))[1].final == pytest.approx(75.0)


def test_abstentions_are_not_counted_as_zero():
    # entry 1 scored by two judges only (the third abstained: no Score at all)
    scores = [S(1, 1, 80), S(1, 2, 90), S(2, 1, 85), S(2, 2, 85), S(2, 3, 85)]
    res = by_entry(rank([1, 2], scores, rule=MEAN))
    assert res[1].final == pytest.approx(85.0)
    assert res[1].n_judges == 2
    assert res[2].n_judges == 3


def test_spread_and_disagreement_flag():
    scores = [S(1, 1, 60), S(1, 2, 90), S(2, 1, 80), S(2, 2, 82)]
    res = by_entry(rank([1, 2], scores, rule=MEAN, disagree_sd=8))
    assert res[1].sd == pytest.approx(15.0)  # population sd of 60, 90
    assert res[1].disagree is True
    assert res[2].sd == pytest.approx(1.0)
    assert res[2].disagree is False


def test_zscore_normalisation_removes_a_harsh_judges_offset():
    # judge 2 scores everything 20 lower but in the same order: after normalisation both judges agree
    scores = [S(1, 1, 90), S(2, 1, 80), S(3, 1, 70), S(1, 2, 70), S(2, 2, 60), S(3, 2, 50)]
    norm = {(s.entry_id, s.judge_id): s.total for s in normalised(scores, 100)}
    assert norm[(1, 1)] == pytest.approx(norm[(1, 2)])
    assert norm[(3, 1)] == pytest.approx(norm[(3, 2)])
    # the pool mean (70) and sd are kept: entry 2 is the judges' middle → pool mean
    assert norm[(2, 1)] == pytest.approx(70.0)


def test_zscore_normalisation_changes_the_order_when_judges_differ_in_harshness():
    # judge 1 (lenient) scored only entry 1 and 3; judge 2 (harsh) scored only entry 2 and 3
    scores = [S(1, 1, 95), S(3, 1, 90), S(2, 2, 80), S(3, 2, 60)]
    raw = [r.entry_id for r in rank([1, 2, 3], scores, rule=MEAN)]
    norm = [r.entry_id for r in rank([1, 2, 3], scores, rule=MEAN, normalise=True)]
    assert raw == [1, 2, 3]  # 95, 80, 75
    assert norm[-1] == 3  # 3 is each judge's weakest entry
    assert set(norm[:2]) == {1, 2}


def test_normalised_values_stay_within_the_points_range():
    scores = [S(1, 1, 100), S(2, 1, 0), S(3, 1, 0), S(1, 2, 50), S(2, 2, 49), S(3, 2, 48)]
    for s in normalised(scores, 100):
        assert 0 <= s.total <= 100


def test_tie_on_final_score_broken_by_named_criterion():
    scores = [S(1, 1, 80, effect=20), S(2, 1, 80, effect=25)]
    res = rank([1, 2], scores, rule=MEAN, tie_break=["criterion:effect"])
    assert [r.entry_id for r in res] == [2, 1]
    assert [r.place for r in res] == [1, 2]
    assert not any(r.tied for r in res)


def test_tie_break_chain_falls_through_to_top_scores_then_committee_vote():
    # entries 1 and 2 tie on mean (85) and on the criterion; entry 1 is judge 1's top, entry 2 judge 2's top
    scores = [S(1, 1, 90, effect=25), S(2, 1, 80, effect=25), S(1, 2, 80, effect=25), S(2, 2, 90, effect=25),
              S(3, 1, 70, effect=20), S(3, 2, 70, effect=20)]
    chain = ["criterion:effect", "top_scores", "vote"]
    tied = rank([1, 2, 3], scores, rule=MEAN, tie_break=chain)
    assert [(r.entry_id, r.place, r.tied) for r in tied] == [(1, 1, True), (2, 1, True), (3, 3, False)]
    voted = rank([1, 2, 3], scores, rule=MEAN, tie_break=chain, votes={2: 5, 1: 3})
    assert [(r.entry_id, r.place, r.tied) for r in voted] == [(2, 1, False), (1, 2, False), (3, 3, False)]


def test_top_scores_breaks_a_tie():
    scores = [S(1, 1, 90), S(2, 1, 80), S(1, 2, 80), S(2, 2, 85), S(1, 3, 80), S(2, 3, 85)]
    # means: entry 1 = 250/3, entry 2 = 250/3; top of judge 1 → 1; judges 2, 3 → 2
    res = rank([1, 2], scores, rule=MEAN, tie_break=["top_scores"])
    assert [r.entry_id for r in res] == [2, 1]
    assert res[0].top_count == 2


def test_second_round_combines_by_weights_and_finalists_rank_first():
    scores = [S(1, 1, 80), S(2, 1, 90), S(3, 1, 95), S(1, 1, 100, 2), S(2, 1, 70, 2)]
    res = rank([1, 2, 3], scores, rule=MEAN, weights=(60, 40))
    r = by_entry(res)
    assert r[1].final == pytest.approx(0.6 * 80 + 0.4 * 100)  # 88
    assert r[2].final == pytest.approx(0.6 * 90 + 0.4 * 70)  # 82
    assert [x.entry_id for x in res] == [1, 2, 3]  # 3 was not shortlisted: after the finalists


def test_unscored_entries_have_no_place():
    res = rank([1, 2], [S(1, 1, 50)], rule=MEAN)
    assert by_entry(res)[2].place is None
    assert by_entry(res)[2].final is None


def test_stability_shows_a_place_that_does_not_hold_under_other_rules():
    # entry 1: one extreme judge inflates the mean; trimmed mean drops it
    scores = []
    for j in range(5):
        scores.append(S(1, j, 100 if j == 0 else 70))
        scores.append(S(2, j, 74))
        scores.append(S(3, j, 60))
    stab = stability([1, 2, 3], scores, top_n=1)
    assert stab[1]["places"][0] == 1  # mean: (100+4*70)/5 = 76 > 74
    assert stab[1]["places"][1] == 2  # trimmed: 70 < 74
    assert stab[1]["holds"] is False
    assert stab[3]["never"] is True
