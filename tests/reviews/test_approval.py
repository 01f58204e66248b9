"""审定 in the portal: the 校领导 see what awaits them, open the proposed list and approve it or send it
back with a comment; 组织部 can still record a paper 党委会 decision with the minutes attached."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditEntry
from organizations.models import Role
from reviews import services
from reviews.models import ApprovalMethod, JudgingTrack, Stage

from ..factories import CollegeFactory, UserFactory, give_role
from .helpers import SCORING_DAY, brand_track, make_entry, make_judge, open_track, score


@pytest.fixture
def proposed(world, at):
    """3 entries scored by 5 judges, scoring closed and the top 2 proposed; a 校领导 account."""
    w = world
    at(*SCORING_DAY)
    w.leader = give_role(UserFactory(username="leader", full_name="张校长"), Role.APPROVER)
    w.entries = [make_entry(w.campaign, CollegeFactory(parent=w.school, name=f"学院{i}")) for i in range(3)]
    w.judges = [make_judge(f"aj{i}") for i in range(5)]
    w.track = open_track(brand_track(w, w.judges, award_count=2), w.users.admin)
    for j in w.judges:
        for e, base in zip(w.entries, (14, 12, 8)):
            score(w.track, j, e, base, base + 8, base + 12, base + 4, 5)
    services.close_scoring(w.track, by=w.users.admin)
    w.track = services.propose(w.track, by=w.users.admin)
    return w


def fresh(track):
    return JudgingTrack.objects.get(pk=track.pk)


def test_the_leaders_home_lists_the_list_awaiting_approval(proposed, client_for):
    w = proposed
    html = client_for(w.leader).get(reverse("home")).content.decode()
    assert "审定十佳党建品牌拟表彰名单（2 项）" in html
    assert reverse("reviews:approval", args=[w.track.pk]) in html
    index = client_for(w.leader).get(reverse("reviews:index")).content.decode()
    assert 'data-testid="approval-link"' in index


def test_the_approval_page_shows_ranking_spread_stability_and_formal_check(proposed, client_for):
    w = proposed
    response = client_for(w.leader).get(reverse("reviews:approval", args=[w.track.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('data-testid="approval-row"') == 2 and html.count('data-testid="below-row"') == 1
    assert html.index("学院0") < html.index("学院1") < html.index("学院2")
    assert "5/5" in html  # valid scores / assigned
    assert html.count('data-testid="check-passed"') == 3
    assert 'data-testid="approve"' in html and 'data-testid="send-back"' in html


def test_the_leader_approves_online_and_who_and_when_are_recorded(proposed, client_for):
    w = proposed
    c = client_for(w.leader)
    response = c.post(reverse("reviews:approval_decide", args=[w.track.pk, "approve"]),
                      {"comment": "同意", "proposed_at": w.track.proposed_at.isoformat()})
    assert response.status_code == 302
    t = fresh(w.track)
    assert t.stage == Stage.APPROVED and t.approved_by == w.leader and t.approved_at is not None
    assert t.approval_method == ApprovalMethod.ONLINE and t.approval_note == "同意"
    entry = AuditEntry.objects.get(action="approve_online", object_id=str(t.pk))
    assert entry.actor == w.leader and entry.changes["approved_by"] == [None, "leader"]
    # the home to-do is done now, and 组织部's decision page says who approved
    assert "已审定" in c.get(reverse("home")).content.decode()
    decision = client_for(w.users.admin).get(reverse("reviews:decision", args=[t.pk])).content.decode()
    assert "校领导在线审定" in decision and "张校长" in decision


def test_sending_back_needs_a_comment_and_returns_the_list_to_zzb(proposed, client_for):
    w = proposed
    c = client_for(w.leader)
    url = reverse("reviews:approval_decide", args=[w.track.pk, "send_back"])
    c.post(url, {"comment": "   "})
    assert fresh(w.track).stage == Stage.PROPOSED
    c.post(url, {"comment": "请对第2名与第3名复核评分"})
    t = fresh(w.track)
    assert t.stage == Stage.CLOSED and t.proposal == [] and t.returned_by == w.leader
    assert t.return_comment == "请对第2名与第3名复核评分"
    assert AuditEntry.objects.filter(action="send_back", object_id=str(t.pk), actor=w.leader).exists()
    decision = client_for(w.users.admin).get(reverse("reviews:decision", args=[t.pk])).content.decode()
    assert "请对第2名与第3名复核评分" in decision
    # 组织部 proposes again; the leader's home shows it waiting once more
    services.propose(t, by=w.users.admin)
    assert "待审定" in c.get(reverse("home")).content.decode()


def test_a_decision_on_a_list_that_was_proposed_again_is_refused(proposed):
    w = proposed
    seen = w.track.proposed_at.isoformat()
    services.send_back(w.track, by=w.leader, comment="复核")
    services.propose(fresh(w.track), by=w.users.admin, now=w.track.proposed_at.replace(hour=11))
    with pytest.raises(services.JudgingError, match="重新提出"):
        services.approve_online(fresh(w.track), by=w.leader, proposed_at=seen)
    assert fresh(w.track).stage == Stage.PROPOSED


def test_only_the_approver_can_decide_and_only_while_proposed(proposed, client_for):
    w = proposed
    for user in (w.users.admin, w.users.judge, w.users.college):
        assert client_for(user).post(reverse("reviews:approval_decide", args=[w.track.pk, "approve"])).status_code == 403
    with pytest.raises(services.JudgingError):
        services.approve_online(w.track, by=w.users.admin)
    services.approve_online(w.track, by=w.leader)
    with pytest.raises(services.JudgingError, match="没有待审定"):
        services.send_back(fresh(w.track), by=w.leader, comment="晚了")
    assert fresh(w.track).stage == Stage.APPROVED


def test_an_unknown_decision_is_404_and_a_long_comment_is_refused(proposed, client_for):
    w = proposed
    c = client_for(w.leader)
    assert c.post(reverse("reviews:approval_decide", args=[w.track.pk, "delete"])).status_code == 404
    response = c.post(reverse("reviews:approval_decide", args=[w.track.pk, "send_back"]), {"comment": "长" * 501},
                      follow=True)
    assert "不能超过 500 字" in response.content.decode() and fresh(w.track).stage == Stage.PROPOSED


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_zzb_records_a_paper_decision_with_the_minutes(proposed, client_for):
    w = proposed
    c = client_for(w.users.admin)
    url = reverse("reviews:action", args=[w.track.pk, "approve"])
    c.post(url, {"note": "2026年第30次党委常委会", "next": "decision"})  # no minutes: refused
    assert fresh(w.track).stage == Stage.PROPOSED
    c.post(url, {"note": "2026年第30次党委常委会", "minutes": SimpleUploadedFile("纪要.exe", b"MZ\x90\x00" * 10)})
    assert fresh(w.track).stage == Stage.PROPOSED  # not a PDF/image by content
    c.post(url, {"note": "2026年第30次党委常委会", "minutes": SimpleUploadedFile("常委会纪要.pdf", PDF)})
    t = fresh(w.track)
    assert t.stage == Stage.APPROVED and t.approval_method == ApprovalMethod.PAPER and t.approved_by == w.users.admin
    assert t.approval_minutes_name == "常委会纪要.pdf"
    minutes = reverse("reviews:minutes", args=[t.pk])
    for user, status in ((w.users.admin, 200), (w.leader, 200), (w.users.college, 403), (w.users.judge, 403)):
        assert client_for(user).get(minutes).status_code == status
    assert b"".join(client_for(w.leader).get(minutes).streaming_content) == PDF
    assert AuditEntry.objects.get(action="approve", object_id=str(t.pk)).changes["approval_minutes_name"] == [None, "常委会纪要.pdf"]


def test_the_approval_page_is_read_only_for_zzb_and_closed_to_others(proposed, client_for):
    w = proposed
    url = reverse("reviews:approval", args=[w.track.pk])
    admin_html = client_for(w.users.admin).get(url).content.decode()
    assert 'data-testid="approval-row"' in admin_html and 'data-testid="approve"' not in admin_html
    for user in (w.users.college, w.users.judge, w.users.branch, w.users.norole):
        assert client_for(user).get(url).status_code == 403


def test_approval_page_queries_are_constant(proposed, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    w = proposed
    url = reverse("reviews:approval", args=[w.track.pk])
    c = client_for(w.leader)
    c.get(url)
    with CaptureQueriesContext(connection) as few:
        assert c.get(url).status_code == 200
    for i in range(30):  # 10x the entries of the track
        make_entry(w.campaign, CollegeFactory(parent=w.school, name=f"加{i}"))
    with CaptureQueriesContext(connection) as many:
        assert c.get(url).status_code == 200
    assert len(many) == len(few) <= 25
