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
