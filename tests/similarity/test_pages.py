"""组织部's pages, the threshold, the bulk button, the 形式审查 flag and the judge's notice."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from similarity import services
from similarity.models import CampaignSetting, Match, Run, RunStatus, Text

from ..reviews.helpers import SCORING_DAY, brand_track, make_judge, open_track
from .helpers import TEXT_A, TEXT_B, entry, paragraph, plant


@pytest.fixture
def copied(world):
    """College B's entry copies one paragraph of college A's; both checked."""
    para = paragraph(TEXT_A)
    a = entry(world.campaign, world.college_a, TEXT_A, state="passed")
    b = entry(world.campaign, world.college_b, plant(TEXT_B, para), state="passed")
    services.check_campaign(world.campaign)
    return a, b, para


def _text(obj):
    return Text.objects.get(kind="entry", object_id=obj.pk)


def test_only_zzb_sees_the_comparison_pages(world, client_for, copied):
    a, b, _ = copied
    m = Match.objects.get(text=_text(b))
    urls = [reverse("similarity:campaign", args=[world.campaign.pk]), reverse("similarity:text", args=[_text(b).pk]),
            reverse("similarity:compare", args=[m.pk])]
    for url in urls:
        assert client_for(world.users.admin).get(url).status_code == 200
        # neither the copier nor the copied college, nor a judge, may see it
        for user in (world.users.college, world.users.college_b, world.users.judge, world.users.branch):
            assert client_for(user).get(url).status_code == 403


def test_compare_page_highlights_the_copied_sentences_side_by_side_with_the_same_numbers(world, client_for, copied):
    a, b, para = copied
    m = Match.objects.get(text=_text(b))
    html = client_for(world.users.admin).get(reverse("similarity:compare", args=[m.pk])).content.decode()
    left = html.split('data-testid="left"')[1].split('data-testid="right"')[0]
    right = html.split('data-testid="right"')[1]
    marked_left = re.findall(r'<mark id="a(\d+)"><sup>\d+</sup>([^<]*)</mark>', left)
    marked_right = re.findall(r'<mark id="b(\d+)"><sup>\d+</sup>([^<]*)</mark>', right)
    assert "".join(t for _n, t in marked_left) == para
    assert [n for n, _ in marked_left] == [n for n, _ in marked_right]
    assert dict(marked_left) == dict(marked_right)  # the copy is verbatim: each pair reads the same
    assert f"{m.percent:.1f}%" in html


def test_text_page_lists_the_most_similar_others_with_percent(world, client_for, copied):
    a, b, _ = copied
    html = client_for(world.users.admin).get(reverse("similarity:text", args=[_text(b).pk])).content.decode()
    assert _text(a).label in html and reverse("similarity:compare", args=[Match.objects.get(text=_text(b)).pk]) in html


def test_threshold_is_set_by_zzb_audited_and_bad_input_changes_nothing(world, client_for):
    url = reverse("similarity:threshold", args=[world.campaign.pk])
    admin = client_for(world.users.admin)
    r = admin.post(url, {"threshold": "15"}, follow=True)
    assert "查重提示阈值已设为 15%" in r.content.decode()
    assert CampaignSetting.objects.get(campaign=world.campaign).threshold == 15
    assert AuditEntry.objects.filter(action="update", changes__threshold=[30, 15]).exists()
    for bad in ("0", "101", "abc", "<script>", ""):
        r = admin.post(url, {"threshold": bad}, follow=True)
        assert r.status_code == 200 and "1 到 100 之间的整数" in r.content.decode()
    assert CampaignSetting.objects.get(campaign=world.campaign).threshold == 15
    assert client_for(world.users.college).post(url, {"threshold": "5"}).status_code == 403
    assert CampaignSetting.objects.get(campaign=world.campaign).threshold == 15


def test_the_bulk_button_runs_the_year_and_refuses_a_second_run_while_one_is_going(world, client_for,
                                                                                  django_capture_on_commit_callbacks):
    entry(world.campaign, world.college_a, TEXT_A)
    entry(world.campaign, world.college_b, TEXT_A)
    url = reverse("similarity:run", args=[world.campaign.pk])
    admin = client_for(world.users.admin)
    with django_capture_on_commit_callbacks(execute=True):
        r = admin.post(url, follow=True)
    assert "已发起本年度材料查重" in r.content.decode()
    run = Run.objects.get()
    assert run.status == RunStatus.DONE and (run.texts, run.pairs) == (2, 1) and run.requested_by == world.users.admin
    page = admin.get(reverse("similarity:campaign", args=[world.campaign.pk])).content.decode()
    assert "已完成" in page and "100.0%" in page
    Run.objects.create(campaign=world.campaign, status=RunStatus.RUNNING)
    r = admin.post(url, follow=True)
    assert "正在进行" in r.content.decode() and Run.objects.count() == 2
    # a run lost by a restarted worker does not block the button for ever
    Run.objects.filter(status=RunStatus.RUNNING).update(created_at=timezone.now() - timedelta(hours=3))
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(url)
    assert Run.objects.filter(status=RunStatus.FAILED, error__contains="超时").count() == 1
    assert Run.objects.filter(status=RunStatus.DONE).count() == 2
    assert client_for(world.users.college).post(url).status_code == 403


def test_formal_check_list_flags_entries_at_or_above_the_threshold(world, client_for, copied):
    a, b, _ = copied
    url = reverse("submissions:formal_check", args=[world.campaign.pk])
    admin = client_for(world.users.admin)
    pct = Match.objects.get(text=_text(b)).percent
    services.set_threshold(world.campaign, int(pct) + 1, by=world.users.admin)
    assert 'data-testid="similarity-flag"' not in admin.get(url).content.decode()
    services.set_threshold(world.campaign, max(1, int(pct)), by=world.users.admin)
    html = admin.get(url).content.decode()
    rows = {m.group(1): m.group(2) for m in re.finditer(r'<tr data-entry="(\d+)">(.*?)</tr>', html, re.S)}
    assert "similarity-flag" in rows[str(b.pk)] and "similarity-flag" in rows[str(a.pk)]
    assert reverse("similarity:text", args=[_text(b).pk]) in rows[str(b.pk)]


def _judge_page(world, client_for, at, copied, blind):
    a, b, _ = copied
    judge = make_judge("simjudge")
    track = brand_track(world, [judge], blind=blind)
    track = open_track(track, world.users.admin)
    at(*SCORING_DAY)
    assignment = track.assignments.get(entry=b)
    return client_for(judge).get(reverse("reviews:score", args=[assignment.pk])).content.decode()


def test_judge_sees_the_flag_but_not_the_other_entry_when_blind(world, client_for, at, copied):
    services.set_threshold(world.campaign, 1, by=world.users.admin)
    html = _judge_page(world, client_for, at, copied, blind=True)
    notice = html.split('data-testid="similarity-notice"')[1].split("</div>")[0]
    assert "查重提示" in notice and "不显示对方材料" in notice
    assert world.college_a.name not in notice


def test_judge_sees_the_most_similar_material_when_not_blind(world, client_for, at, copied):
    services.set_threshold(world.campaign, 1, by=world.users.admin)
    html = _judge_page(world, client_for, at, copied, blind=False)
    notice = html.split('data-testid="similarity-notice"')[1].split("</div>")[0]
    assert world.college_a.name in notice


def test_judge_sees_no_notice_below_the_threshold(world, client_for, at, copied):
    html = _judge_page(world, client_for, at, copied, blind=False)
    assert "similarity-notice" not in html


def _queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_similarity_and_formal_check_pages_query_counts_do_not_grow_with_10x_texts(world, client_for):
    from similarity import textgen

    from ..factories import CollegeFactory

    admin = client_for(world.users.admin)
    pages = [reverse("similarity:campaign", args=[world.campaign.pk]),
             reverse("submissions:formal_check", args=[world.campaign.pk])]

    def add(n, seed):
        for i in range(n):
            entry(world.campaign, CollegeFactory(parent=world.school), textgen.text(seed + i, 600) + paragraph(TEXT_A))
        services.check_campaign(world.campaign)

    add(3, 9000)
    admin.get(pages[0])
    small = [_queries(admin, url) for url in pages]
    add(27, 9100)
    large = [_queries(admin, url) for url in pages]
    assert large == small
    assert admin.get(pages[0]).content.decode().count("data-text=") == 30
    assert Match.objects.filter(text__campaign=world.campaign).count() == 30 * 29


def test_support_staff_see_settings_and_runs_in_the_admin(world, client):
    from organizations.models import User

    root = User.objects.create_superuser("root", "root@example.edu.cn", "pw-123456")
    client.force_login(root)
    services.set_threshold(world.campaign, 25, by=world.users.admin)
    Run.objects.create(campaign=world.campaign, status=RunStatus.DONE, texts=3)
    assert "25" in client.get(reverse("admin:similarity_campaignsetting_changelist")).content.decode()
    assert client.get(reverse("admin:similarity_run_changelist")).status_code == 200
    assert client.get(reverse("admin:similarity_run_add")).status_code == 403
