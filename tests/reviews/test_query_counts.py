"""The ranking page keeps a constant number of queries at 60 entries × 15 judges × 6 criteria."""

import pytest
from django.urls import reverse

from reviews.demo import build_scored_track


def test_ranking_page_queries_are_constant_for_60_entries_15_judges_6_criteria(world, client_for,
                                                                              django_assert_max_num_queries):
    track = build_scored_track(world.campaign)
    c = client_for(world.users.admin)
    c.get(reverse("reviews:ranking", args=[track.pk]))  # warm the session/permission caches
    with django_assert_max_num_queries(16):  # the second view: the aggregation from the cache, same queries
        response = c.get(reverse("reviews:ranking", args=[track.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count('data-testid="rank-row"') == 60
    assert "15/15" in body  # every entry: 15 counted judges of 15 assigned


@pytest.mark.parametrize("name", ["reviews:track", "reviews:judges", "reviews:conflicts", "reviews:matrix_xlsx",
                                  "reviews:ranking_xlsx", "reviews:decision"])
def test_admin_pages_queries_are_constant_at_size(world, client_for, django_assert_max_num_queries, name):
    track = build_scored_track(world.campaign)
    c = client_for(world.users.admin)
    with django_assert_max_num_queries(25):
        assert c.get(reverse(name, args=[track.pk])).status_code == 200


def test_judge_queue_queries_are_constant(world, client_for, django_assert_max_num_queries):
    track = build_scored_track(world.campaign)
    c = client_for(track.judges.first())
    with django_assert_max_num_queries(20):
        response = c.get(reverse("reviews:queue"))
    assert response.status_code == 200
    assert response.content.decode().count("bi-check-circle-fill") == 60


def test_scoring_page_queries_are_constant(world, client_for, django_assert_max_num_queries):
    """The judge's scoring page at 60 assignments: position and the prev/next links without loading the queue."""
    from reviews.models import Assignment

    track = build_scored_track(world.campaign)
    judge = track.judges.first()
    mine = list(Assignment.objects.filter(track=track, judge=judge, round=1).order_by(
        "entry__college__sort_order", "entry__rank", "entry__pk"))
    assert len(mine) == 60
    Assignment.objects.filter(pk__in=[a.pk for a in mine[10:]]).update(complete=False)  # the 11th is the next unscored
    c = client_for(judge)
    url = reverse("reviews:score", args=[mine[5].pk])
    c.get(url)  # warm the session/permission caches
    # session, user, the assignment with its entry and facts, roles, declared 回避, rubric, the queue's
    # position, evidence, unread notifications, 查重提示
    with django_assert_max_num_queries(10):
        response = c.get(url)
    body = response.content.decode()
    assert response.status_code == 200 and "第 6 / 60 项" in body
    assert reverse("reviews:score", args=[mine[4].pk]) + '">‹ 上一项' in body
    assert reverse("reviews:score", args=[mine[10].pk]) + '">下一未评项 ›' in body
