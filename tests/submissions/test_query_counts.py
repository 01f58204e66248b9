"""Pages keep a constant number of queries with 10x the usual data."""

import pytest
from django.urls import reverse

from submissions import services

from ..factories import BranchFactory, CollegeFactory
from .helpers import ROW_COMPLETE


@pytest.fixture
def big(world, at):
    at(2026, 5, 8, 10, 0)
    for _ in range(50):  # 50 extra branches under college A (10x a large college)
        b = BranchFactory(parent=world.college_a)
        services.save_row(world.campaign, b, ROW_COMPLETE, by=world.users.college, expected_version=0)
    for _ in range(250):  # 10x the usual number of 院级 orgs
        CollegeFactory(parent=world.school)
    return world


def test_summary_page_queries_are_constant(big, client_for, django_assert_max_num_queries):
    c = client_for(big.users.college)
    url = reverse("submissions:form2", args=[big.campaign.pk, big.college_a.pk])
    with django_assert_max_num_queries(20):
        assert c.get(url).status_code == 200


def test_progress_page_queries_are_constant(big, client_for, django_assert_max_num_queries):
    """252 院级 orgs, 250 of them with a submitted 附件1 and a draft 附件2 (the status read then reads the
    campaign's forms whole instead of an IN list of 252 ids)."""
    from django.utils import timezone

    from organizations.models import Level, Organization
    from submissions.models import Form1, Form2

    colleges = list(Organization.objects.filter(level=Level.COLLEGE, parent=big.school).exclude(
        pk__in=[big.college_a.pk, big.college_b.pk]))
    Form1.objects.bulk_create([Form1(campaign=big.campaign, organization=c, state="submitted", brand_name=f"品牌{i}",
                                     submitted_at=timezone.now()) for i, c in enumerate(colleges)])
    Form2.objects.bulk_create([Form2(campaign=big.campaign, organization=c) for c in colleges])
    c = client_for(big.users.admin)
    c.get(reverse("submissions:progress"))  # warm the session/permission caches
    with django_assert_max_num_queries(15):
        response = c.get(reverse("submissions:progress"))
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count("data-org=") == 252 and body.count("badge-state-submitted") == len(colleges) >= 250
    assert "品牌249" in body


def test_form_pages_queries_are_constant(big, client_for, django_assert_max_num_queries):
    c = client_for(big.users.college)
    with django_assert_max_num_queries(20):
        assert c.get(reverse("submissions:form1", args=[big.campaign.pk, big.college_a.pk])).status_code == 200
    branch = big.college_a.children.last()
    with django_assert_max_num_queries(20):
        assert c.get(reverse("submissions:row", args=[big.campaign.pk, branch.pk])).status_code == 200


def test_form2_history_queries_are_constant(big, client_for, django_assert_max_num_queries):
    c = client_for(big.users.admin)
    url = reverse("submissions:history", args=[big.campaign.pk, "form2", big.college_a.pk])
    with django_assert_max_num_queries(20):
        response = c.get(url)
    assert response.status_code == 200 and response.content.decode().count("<tr>") >= 50


def test_formal_check_list_queries_are_constant(big, client_for, django_assert_max_num_queries):
    """250 十佳 entries, submitted (pass/return buttons on each row) or passed, half with missing items."""
    from organizations.models import Level, Organization
    from submissions.models import Entry

    colleges = list(Organization.objects.filter(level=Level.COLLEGE, parent=big.school))
    Entry.objects.bulk_create([
        Entry(campaign=big.campaign, track="brand", organization=c, college=c, title=f"品牌{i}",
              state="submitted" if i % 3 else "passed", leader="张三" if i % 2 else "", overview="概述" * 10)
        for i, c in enumerate(colleges)])
    c = client_for(big.users.admin)
    url = reverse("submissions:formal_check", args=[big.campaign.pk])
    c.get(url)  # warm the session/permission caches
    with django_assert_max_num_queries(15):
        response = c.get(url)
    body = response.content.decode()
    assert response.status_code == 200 and body.count("data-entry=") == len(colleges) >= 250
    assert body.count('value="pass"') == 0  # every entry lacks its files: nothing can pass
    assert body.count("退回…") == len(colleges)
