"""The public list: Chinese search, filters, constant query count; the 经验案例库."""

import re

from django.urls import reverse

from campaigns.services import create_campaign
from showcase import services

from ..factories import BranchFactory, CollegeFactory
from .conftest import branch_sources, brand_sources


def titles(response):
    return re.findall(r'<h2>([^<]+?)(?: <span class="sc-badge">|</h2>)', response.content.decode())


def publish_all(world):
    for item in (world.item_a, world.item_a1):
        services.publish(item, by=world.users.admin)


def test_list_shows_only_published_items(picked, client_for):
    r = client_for(None).get(reverse("showcase:list"))
    assert r.status_code == 200
    assert titles(r) == ["青春领航"]


def test_chinese_search_matches_name_slogan_connotation_and_case(picked, client_for):
    publish_all(picked)
    anon = client_for(None)
    get = lambda q: sorted(titles(anon.get(reverse("showcase:list"), {"q": q})))  # noqa: E731
    assert get("红色") == ["红色引擎"]                     # name
    assert get("青春向党") == ["青春领航"]                  # slogan
    assert get("志愿服务") == ["青春领航"]                  # 内涵
    assert get("攻关突击队") == ["红色引擎"]                # the typical case's text
    assert get("先锋岗") == ["实验室先锋岗"]
    assert get("甲学院") == ["红色引擎"]                    # org name
    assert get("党建 引擎") == ["红色引擎"]                 # all words must match
    assert get("不存在的词") == []


def test_filters_by_year_org_type_award_and_kind(picked, client_for, django_capture_on_commit_callbacks):
    publish_all(picked)
    c2025 = create_campaign(2025)
    old = CollegeFactory(name="丙离退休党委", code="C", parent=picked.school, org_type="retired_committee")
    brand_sources(c2025, old, "银发先锋", photo=False, logo=False)
    services.publish(services.pick(c2025, old, "brand", by=picked.users.admin), by=picked.users.admin)
    anon = client_for(None)
    get = lambda **p: sorted(titles(anon.get(reverse("showcase:list"), p)))  # noqa: E731
    assert get(year="2025") == ["银发先锋"]
    assert get(year="2026") == ["实验室先锋岗", "红色引擎", "青春领航"]
    assert get(org_type="retired_committee") == ["银发先锋"]
    assert get(org_type="teacher") == ["实验室先锋岗"]
    assert get(award="brand_top10") == ["青春领航"]
    assert get(award="any") == ["青春领航"]
    assert get(kind="branch") == ["实验室先锋岗"]
    assert get(year="2026", kind="brand", q="青春") == ["青春领航"]


def test_htmx_request_returns_only_the_results(picked, client_for):
    r = client_for(None).get(reverse("showcase:list"), {"q": "青春"}, HTTP_HX_REQUEST="true")
    body = r.content.decode()
    assert "青春领航" in body and "<html" not in body


def test_list_query_count_is_constant_with_ten_years(world, client_for, django_assert_max_num_queries):
    """10 years × (25 brands + 25 branches) published: the page's queries don't grow with rows."""
    from showcase.models import ShowcaseItem

    colleges = [CollegeFactory(parent=world.school) for _ in range(25)]
    branches = [BranchFactory(parent=c) for c in colleges]
    rows = []
    for year in range(2017, 2027):
        campaign = world.campaign if year == 2026 else create_campaign(year)
        for i, (c, b) in enumerate(zip(colleges, branches)):
            for org, kind in ((c, "brand"), (b, "branch")):
                rows.append(ShowcaseItem(campaign=campaign, year=year, organization=org, college=c, kind=kind,
                                         org_name=org.name, org_type=org.org_type, title=f"品牌{year}-{i}-{kind}",
                                         connotation="内涵" * 30, search_text=f"品牌{year} 内涵", is_published=True,
                                         award="brand_top10" if kind == "brand" and i < 10 else ""))
    ShowcaseItem.objects.bulk_create(rows)
    anon = client_for(None)
    for params in ({}, {"q": "品牌2020"}, {"year": "2019", "award": "any"}, {"page": "3"}):
        with django_assert_max_num_queries(6):
            r = anon.get(reverse("showcase:list"), params)
        assert r.status_code == 200
    assert "共 500 项" in anon.get(reverse("showcase:list")).content.decode()


def test_library_searches_cases_across_years(picked, client_for):
    publish_all(picked)
    anon = client_for(None)
    body = anon.get(reverse("showcase:library"), {"q": "突击队"}).content.decode()
    assert "党建引领科研攻关典型案例" in body and "共 1 篇" in body
    assert "共 0 篇" in anon.get(reverse("showcase:library"), {"q": "突击队", "year": "2020"}).content.decode()
    # an unpublished item's cases are not in the library
    services.unpublish(picked.item_a, by=picked.users.admin)
    assert "共 0 篇" in anon.get(reverse("showcase:library"), {"q": "突击队"}).content.decode()


def test_branch_row_source(world):
    row = branch_sources(world.campaign, world.branch_b1, "社区课堂", intro="走进社区开展党课")
    item = services.pick(world.campaign, world.branch_b1, "branch", by=world.users.admin)
    assert item.title == "社区课堂" and item.connotation == "走进社区开展党课" and item.form2_row == row
    assert item.measure_list() == ["党员先锋岗", "结对帮扶"]


def test_library_and_detail_query_counts_are_constant(picked, client_for, django_assert_max_num_queries):
    from showcase.models import ItemOutcome

    publish_all(picked)
    item = picked.item_a
    ItemOutcome.objects.bulk_create([ItemOutcome(item=item, outcome_type="case", title=f"案例{i}", body="正文")
                                     for i in range(100)])
    anon = client_for(None)
    with django_assert_max_num_queries(6):
        assert anon.get(reverse("showcase:library")).status_code == 200
    with django_assert_max_num_queries(8):
        body = anon.get(reverse("showcase:detail", args=[item.pk])).content.decode()
    assert body.count('class="sc-case"') == 101  # 100 + the fixture's typical case
