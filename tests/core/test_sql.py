"""core.sql.PreparedQuery: the ORM's SQL compiled once, run with new parameters, same rows as the queryset."""

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from core.sql import PreparedQuery
from organizations.models import Level, Organization


def _children(parent, level):
    return (Organization.objects.filter(parent_id=parent, level=level).order_by("sort_order", "pk")
            .values_list("pk", "name", "is_active"))


CHILDREN = PreparedQuery(lambda parent: _children(parent, Level.BRANCH), "parent")
COUNT = PreparedQuery(lambda parent: Organization.objects.filter(parent_id=parent).values("parent_id")
                      .annotate(n=Count("pk")).values_list("n"), "parent")


@pytest.mark.django_db
def test_rows_are_the_querysets_rows_for_every_parameter(world):
    parents = list(Organization.objects.filter(level=Level.COLLEGE).values_list("pk", flat=True))
    assert len(parents) >= 2
    seen = 0
    for parent in [*parents, 999_999]:
        expected = [(pk, name, bool(active)) for pk, name, active in _children(parent, Level.BRANCH)]
        got = [(pk, name, bool(active)) for pk, name, active in CHILDREN.rows(parent=parent)]
        assert got == expected
        seen += len(got)
        n = Organization.objects.filter(parent_id=parent).count()
        assert COUNT.rows(parent=parent) == ([(n,)] if n else [])
    assert seen > 0  # some parent has branches: the comparison was not between empty lists


@pytest.mark.django_db
def test_a_prepared_query_is_in_djangos_query_log(world):
    college = Organization.objects.filter(level=Level.COLLEGE).first()
    CHILDREN.rows(parent=college.pk)  # compiled
    with CaptureQueriesContext(connection) as queries:
        CHILDREN.rows(parent=college.pk)
    assert len(queries) == 1 and str(college.pk) in queries[0]["sql"]


@pytest.mark.django_db
def test_constants_of_the_query_stay_and_parameters_must_reach_the_sql():
    # the level is a constant of the query (a string param), the parent a parameter
    assert [name for name, _ in CHILDREN._compile(connection)[1]].count("parent") == 1
    ignored = PreparedQuery(lambda parent: Organization.objects.values_list("pk"), "parent")
    with pytest.raises(ValueError, match="parent"):
        ignored.rows(parent=1)
    as_list = PreparedQuery(lambda parent: Organization.objects.filter(pk__in=[parent, parent + 1]).values_list("pk"),
                            "parent")
    with pytest.raises(ValueError, match="parent"):
        as_list.rows(parent=1)


def _same_instances(got, expected):
    """Same models, same loaded fields and values, same deferred fields, same cached related objects (recursively)."""
    assert type(got) is type(expected)
    assert got.get_deferred_fields() == expected.get_deferred_fields()
    for field in type(got)._meta.concrete_fields:
        if field.attname not in expected.get_deferred_fields():
            assert getattr(got, field.attname) == getattr(expected, field.attname), field.attname
    cached = {f.name for f in type(got)._meta.fields if f.is_relation and f.is_cached(expected)}
    assert {f.name for f in type(got)._meta.fields if f.is_relation and f.is_cached(got)} == cached
    for name in cached:
        a, b = getattr(got, name), getattr(expected, name)
        assert (a is None) == (b is None), name
        if b is not None:
            _same_instances(a, b)
    assert got._state.adding is False and got._state.db == expected._state.db


@pytest.mark.django_db
def test_prepared_models_are_the_querysets_instances_for_the_role_read(world):
    """organizations.roles' read: every user of the demo world (roles with and without an org, orgs with and
    without a parent), the same instances as the queryset's, in the same order."""
    from organizations import roles
    from organizations.models import User

    compared = 0
    for user in User.objects.all():
        got = roles._ROLES.objects(user=user.pk)
        expected = list(roles._roles_of(user.pk))
        assert len(got) == len(expected)
        for a, b in zip(got, expected):
            _same_instances(a, b)
            compared += 1
    assert compared >= 5
    assert roles._ROLES.objects(user=10**30) == []  # an id out of any column's range: no rows, no error


@pytest.mark.django_db
def test_prepared_models_are_the_querysets_instances_for_the_scoring_page(world, at):
    """The scoring page's assignment (nine joins, only(), an Exists and a Subquery annotation): with and without
    the entry's files, before and after a sheet is submitted."""
    from django.utils import timezone

    from reviews.models import Assignment, ScoreSheet
    from reviews import queries
    from submissions.models import Attachment

    from ..factories import CollegeFactory
    from ..reviews.helpers import SCORING_DAY, brand_track, make_entry, make_judge, open_track

    at(*SCORING_DAY)
    video = Attachment.objects.create(organization=world.college_a, kind="video", original_name="v.mp4", size=1,
                                      sha256="0" * 64, duration_seconds=61.5)
    make_entry(world.campaign, world.college_a, video=video)
    make_entry(world.campaign, CollegeFactory(parent=world.school))
    j = make_judge("jx")
    track = open_track(brand_track(world, [world.users.judge, j]), world.users.admin)
    ScoreSheet.objects.create(track=track, judge=j, round=1, submitted_at=timezone.now())
    track.judges.remove(world.users.judge)
    build = queries._SCORE_PAGE_ASSIGNMENT.build
    seen = set()
    for a in Assignment.objects.filter(track=track):
        (got,), expected = queries._SCORE_PAGE_ASSIGNMENT.objects(pk=a.pk), build(a.pk).get()
        _same_instances(got, expected)
        facts = (got.judge_on_track, got.sheet_submitted_at)
        assert facts == (expected.judge_on_track, expected.sheet_submitted_at)
        assert type(got.judge_on_track) is bool  # converted as the ORM converts (SQLite gives 0/1)
        seen.add((got.judge_on_track, got.sheet_submitted_at is not None, got.entry.video_id is not None))
    # both answers of each fact, and entries with and without a video, were compared
    assert all({fact[i] for fact in seen} == {True, False} for i in range(3)), seen
    assert queries._SCORE_PAGE_ASSIGNMENT.objects(pk=10**30) == []
