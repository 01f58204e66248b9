import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.urls import reverse

from campaigns.models import SHANGHAI, DeadlineKind
from campaigns.services import grant_extension
from audit.log import history_for
from submissions import services
from submissions.models import Entry, EntryState

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name="材料.pdf"):
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


@pytest.fixture
def phase3(at):
    at(2026, 11, 3, 10, 0)


def complete(entry, user, video=None):
    entry = services.save_entry(entry, {
        "title": "匠心铸魂", "leader": "王书记", "members": 120, "started_on": dt.date(2025, 9, 1),
        "overview": "背景做法成效经验" * 20, "negative_list_declared": True, "college_opinion": "同意推荐",
    }, by=user, expected_version=entry.version)
    for slot in ("summary_report", "experience_doc", "case_doc"):
        services.set_entry_file(entry, slot, upload=pdf(f"{slot}.pdf"), by=user)
    if video is not None:
        services.set_entry_file(entry, "video", attachment=video, by=user)
    return Entry.objects.get(pk=entry.pk)


def test_at_most_two_branch_recommendations_with_distinct_ranks(world, phase3):
    u = world.users.college
    services.recommend_branch(world.campaign, world.branch_a1, 1, by=u)
    with pytest.raises(services.WorkflowError, match="排序 1 已被占用"):
        services.recommend_branch(world.campaign, world.branch_a2, 1, by=u)
    services.recommend_branch(world.campaign, world.branch_a2, 2, by=u)
    from ..factories import BranchFactory

    third = BranchFactory(parent=world.college_a, code="A-3")
    with pytest.raises(services.WorkflowError, match="最多推荐 2 个"):
        services.recommend_branch(world.campaign, third, 1, by=u)
    assert Entry.objects.filter(track="branch", college=world.college_a).count() == 2


def test_database_refuses_a_duplicate_rank_even_if_a_service_is_bypassed(world):
    Entry.objects.create(campaign=world.campaign, track="branch", organization=world.branch_a1, college=world.college_a, rank=1)
    with pytest.raises(IntegrityError):
        Entry.objects.create(campaign=world.campaign, track="branch", organization=world.branch_a2,
                             college=world.college_a, rank=1)


def test_recommendation_through_the_page_and_other_college_refused(world, client_for, phase3):
    url = reverse("submissions:entries", args=[world.campaign.pk, world.college_a.pk])
    c = client_for(world.users.college)
    c.post(url, {"action": "recommend", "branch": world.branch_a1.pk, "rank": 1})
    assert Entry.objects.get().organization == world.branch_a1
    other = client_for(world.users.college_b)
    assert other.post(url, {"action": "recommend", "branch": world.branch_a2.pk, "rank": 2}).status_code == 403
    # a college cannot recommend another college's branch
    c.post(url, {"action": "recommend", "branch": world.branch_b1.pk, "rank": 2})
    assert Entry.objects.count() == 1


def test_entry_submits_only_when_complete_and_formal_check_round_trip(world, client_for, phase3):
    u = world.users.college
    entry = services.start_brand_entry(world.campaign, world.college_a, by=u)
    with pytest.raises(services.WorkflowError, match="微视频"):
        services.submit_entry(entry, by=u)
    entry = complete(entry, u)
    assert services.entry_missing(entry) == ["示范点建设微视频（1个）"]
    from submissions.models import Attachment

    video = Attachment.objects.create(organization=world.college_a, kind="mp4", original_name="v.mp4", size=10,
                                      file="attachments/v.mp4")
    from submissions.models import Outcome

    outcome = Outcome.objects.create(campaign=world.campaign, organization=world.college_a, outcome_type="demonstration",
                                     title="示范点", date=dt.date(2026, 9, 1))
    outcome.attachments.add(video)
    services.set_entry_file(entry, "video", attachment=video, by=u)
    entry = services.submit_entry(Entry.objects.get(pk=entry.pk), by=u)
    assert entry.state == EntryState.SUBMITTED
    admin = client_for(world.users.admin)
    check = reverse("submissions:entry_check", args=[entry.pk])
    admin.post(check, {"decision": "return", "comment": "视频需补充字幕"})
    entry.refresh_from_db()
    assert entry.state == EntryState.RETURNED
    home = client_for(u).get(reverse("home")).content.decode()
    assert "视频需补充字幕" in home
    entry = services.submit_entry(entry, by=u)
    admin.post(check, {"decision": "pass", "comment": ""})
    entry.refresh_from_db()
    assert entry.state == EntryState.PASSED
    assert [e.action for e in history_for(entry)][:3] == ["accept", "submit", "return"]


def test_only_own_outcome_files_can_be_reused(world, phase3):
    from submissions.models import Attachment, Outcome

    entry = services.start_brand_entry(world.campaign, world.college_a, by=world.users.college)
    foreign = Attachment.objects.create(organization=world.college_b, kind="pdf", original_name="b.pdf", size=10,
                                        file="attachments/b.pdf")
    o = Outcome.objects.create(campaign=world.campaign, organization=world.college_b, outcome_type="case", title="乙",
                               date=dt.date(2026, 9, 1))
    o.attachments.add(foreign)
    with pytest.raises(services.WorkflowError, match="本单位"):
        services.set_entry_file(entry, "case_doc", attachment=foreign, by=world.users.college)
    # a branch's outcome may be used in its college's brand entry
    own = Attachment.objects.create(organization=world.branch_a1, kind="pdf", original_name="a.pdf", size=10,
                                    file="attachments/a.pdf")
    o2 = Outcome.objects.create(campaign=world.campaign, organization=world.branch_a1, outcome_type="case", title="甲",
                                date=dt.date(2026, 9, 1))
    o2.attachments.add(own)
    services.set_entry_file(entry, "case_doc", attachment=own, by=world.users.college)
    assert Entry.objects.get(pk=entry.pk).case_doc == own


def test_review_deadline_with_extension(world, at):
    at(2026, 11, 11, 9, 0)
    with pytest.raises(services.WorkflowError, match="截止"):
        services.start_brand_entry(world.campaign, world.college_b, by=world.users.college_b)
    d = world.campaign.deadlines.get(kind=DeadlineKind.REVIEW)
    grant_extension(d, world.college_b, dt.datetime(2026, 11, 13, 18, 0, tzinfo=SHANGHAI), "原因", by=world.users.admin)
    assert services.start_brand_entry(world.campaign, world.college_b, by=world.users.college_b).pk


def test_branch_secretary_edits_own_recommended_entry_only(world, client_for, phase3):
    entry = services.recommend_branch(world.campaign, world.branch_a1, 1, by=world.users.college)
    other = services.recommend_branch(world.campaign, world.branch_a2, 2, by=world.users.college)
    c = client_for(world.users.branch)
    assert c.get(reverse("submissions:entry", args=[entry.pk])).status_code == 200
    assert c.get(reverse("submissions:entry", args=[other.pk])).status_code == 403
    response = c.post(reverse("submissions:entry", args=[entry.pk]), {"title": "支部特色", "version": entry.version,
                                                                      "action": "save"})
    assert response.status_code == 302
    assert Entry.objects.get(pk=entry.pk).title == "支部特色"


def test_outcome_recording_and_overview(world, client_for, at):
    at(2026, 7, 1, 9, 0)
    c = client_for(world.users.branch)
    url = reverse("submissions:outcomes", args=[world.campaign.pk, world.branch_a1.pk])
    response = c.post(url, {"outcome_type": "activity", "title": "七一主题党日", "date": "2026-07-01", "description": "重温入党誓词"})
    assert response.status_code == 302
    overview = client_for(world.users.admin).get(reverse("submissions:outcomes_overview", args=[world.campaign.pk]))
    line = next(x for x in overview.context["lines"] if x["org"] == world.college_a)
    assert line["total"] == 1 and line["months"][overview.context["months"].index(7)] == 1
    # the college's own outcomes count for it too (not for the school above it)
    college = client_for(world.users.college)
    college.post(reverse("submissions:outcomes", args=[world.campaign.pk, world.college_a.pk]),
                 {"outcome_type": "system", "title": "学院制度", "date": "2026-07-02", "description": ""})
    overview = client_for(world.users.admin).get(reverse("submissions:outcomes_overview", args=[world.campaign.pk]))
    line = next(x for x in overview.context["lines"] if x["org"] == world.college_a)
    assert line["total"] == 2
    college_view = client_for(world.users.college).get(reverse("submissions:outcomes", args=[world.campaign.pk, world.college_a.pk]))
    assert "七一主题党日" in college_view.content.decode()
    assert client_for(world.users.branch_b).get(url).status_code == 403


def test_formal_check_page_lists_missing_items_with_constant_queries(world, client_for, phase3, django_assert_max_num_queries):
    from organizations.models import Role

    from ..factories import BranchFactory, CollegeFactory, UserFactory, give_role

    for i in range(40):
        college = CollegeFactory(parent=world.school)
        secretary = give_role(UserFactory(), Role.COLLEGE_SECRETARY, college)
        services.start_brand_entry(world.campaign, college, by=secretary)
        b = BranchFactory(parent=college)
        services.recommend_branch(world.campaign, b, 1, by=secretary)
    c = client_for(world.users.admin)
    with django_assert_max_num_queries(15):
        response = c.get(reverse("submissions:formal_check", args=[world.campaign.pk]))
    body = response.content.decode()
    assert body.count("data-entry=") == 80
    assert "创建总结报告" in body


def test_entry_page_queries_constant(world, client_for, phase3, django_assert_max_num_queries):
    entry = services.start_brand_entry(world.campaign, world.college_a, by=world.users.college)
    for i in range(30):
        services.add_evidence(entry, pdf(f"证据{i}.pdf"), f"说明{i}", by=world.users.college)
    c = client_for(world.users.college)
    with django_assert_max_num_queries(25):
        assert c.get(reverse("submissions:entry", args=[entry.pk])).status_code == 200
