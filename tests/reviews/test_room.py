"""The live 现场答辩 room: hidden until every present judge has submitted, reveal, next, absent, unlock,
paper scores entered by 组织部 (audited, marked), and the pages (projector, phones, polling)."""

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from reviews import exports, queries, services
from reviews.models import Assignment, DefenceRoom, Round, RoomState, Stage

from ..factories import CollegeFactory
from ..xlsx_checks import open_both
from .helpers import SCORING_DAY, brand_track, make_entry, make_judge, open_track, points_for, score


def r2(track, *values):
    return points_for(track, *values, round_=2)


@pytest.fixture
def room(world, at):
    """Round 2 with five judges and two finalists (of three); the room is open on the first finalist."""
    w = world
    at(*SCORING_DAY)
    w.entries = [make_entry(w.campaign, CollegeFactory(parent=w.school, name=f"学院{i}党委")) for i in range(3)]
    w.judges = [make_judge(f"j{i}") for i in range(1, 6)]
    w.track = open_track(brand_track(w, w.judges, second_round=True, shortlist_size=2, round1_weight=40,
                                     round2_weight=60), w.users.admin)
    for j in w.judges:
        score(w.track, j, w.entries[0], 12, 20, 24, 16, 8)  # 80
        score(w.track, j, w.entries[1], 15, 25, 30, 20, 5)  # 95
        score(w.track, j, w.entries[2], 5, 5, 5, 5, 5)  # 25: not shortlisted
    w.track = services.close_scoring(w.track, by=w.users.admin)
    assert w.track.stage == Stage.ROUND2
    w.room = services.open_room(w.track, by=w.users.admin)
    return w


def current(w):
    return DefenceRoom.objects.select_related("track").get(track=w.track)


def test_scores_stay_hidden_until_every_present_judge_submits_then_reveal(room, client_for):
    w = room
    first = current(w).entry_id
    assert set(current(w).order) == {w.entries[0].pk, w.entries[1].pk}
    totals = [(20, 30, 20), (25, 35, 25), (28, 38, 28), (15, 25, 15), (22, 32, 22)]  # 70 85 94 55 76
    for j, v in zip(w.judges[:4], totals):
        services.room_score(w.track, j, r2(w.track, *v), by=j)
    assert current(w).state == RoomState.SCORING
    screen = client_for(w.users.admin).get(reverse("reviews:room_screen_live", args=[w.track.pk])).content.decode()
    assert "4</strong> / 5" in screen and "✓ 已提交" in screen
    assert "85" not in screen and "94" not in screen  # never the values before the reveal
    services.room_score(w.track, w.judges[4], r2(w.track, *totals[4]), by=w.judges[4])
    room_ = current(w)
    assert room_.state == RoomState.REVEALED
    board = queries.room_board(room_)
    assert [s["total"] for s in board["scores"]] == [94, 85, 76, 70, 55]
    assert [s["dropped"] for s in board["scores"]] == ["high", "", "", "", "low"]
    assert board["result"] == pytest.approx((85 + 76 + 70) / 3)
    assert [s["label"] for s in board["scores"]] == ["评委1", "评委2", "评委3", "评委4", "评委5"]  # anonymous by default
    assert board["standings"][0]["entry"].pk == first
    assert board["standings"][0]["r"].final == pytest.approx(0.4 * queries.ranking(w.track)["rows"][0]["r"].round1
                                                             + 0.6 * (85 + 76 + 70) / 3)
    assert AuditEntry.objects.filter(action="room_reveal").count() == 1
    # after the reveal a changed score needs 组织部 to unlock
    with pytest.raises(services.JudgingError, match="解锁"):
        services.room_score(w.track, w.judges[0], r2(w.track, 30, 40, 30), by=w.judges[0])
    with pytest.raises(services.JudgingError, match="原因"):
        services.unlock_room(w.track, by=w.users.admin, reason="")
    services.unlock_room(w.track, by=w.users.admin, reason="评委一误填")
    assert current(w).state == RoomState.SCORING
    services.room_score(w.track, w.judges[0], r2(w.track, 25, 35, 25), by=w.judges[0])  # 70 → 85
    assert current(w).state == RoomState.REVEALED  # every score is in again: revealed again
    assert AuditEntry.objects.filter(action="room_unlock", note__contains="评委一误填").exists()
    # next entry
    services.next_entry(w.track, by=w.users.admin)
    room_ = current(w)
    assert room_.state == RoomState.SCORING and room_.entry_id != first and room_.position == 1


def test_absent_judge_is_not_waited_for_and_cannot_score(room):
    w = room
    services.set_absent(w.track, w.judges[4], True, by=w.users.admin)
    with pytest.raises(services.JudgingError, match="缺席"):
        services.room_score(w.track, w.judges[4], r2(w.track, 20, 30, 20), by=w.judges[4])
    for j in w.judges[:4]:
        services.room_score(w.track, j, r2(w.track, 20, 30, 20), by=j)
    board = queries.room_board(current(w))
    assert current(w).state == RoomState.REVEALED and len(board["scores"]) == 4
    assert not board["dropping"]  # four scores: plain mean
    with pytest.raises(services.JudgingError):  # no one may be marked after the reveal
        services.set_absent(w.track, w.judges[0], True, by=w.users.admin)


def test_cannot_mark_every_judge_absent(room):
    w = room
    for j in w.judges[:4]:
        services.set_absent(w.track, j, True, by=w.users.admin)
    with pytest.raises(services.JudgingError, match="至少需要一位"):
        services.set_absent(w.track, w.judges[4], True, by=w.users.admin)


def test_room_refuses_the_wrong_people_and_states(room):
    w = room
    with pytest.raises(services.JudgingError, match="只有本评审的评委"):
        services.room_score(w.track, w.users.judge, r2(w.track, 1, 1, 1), by=w.users.judge)
    with pytest.raises(services.JudgingError, match="每一项"):
        services.room_score(w.track, w.judges[0], {}, by=w.judges[0])
    with pytest.raises(services.JudgingError, match="揭晓后"):
        services.next_entry(w.track, by=w.users.admin)
    with pytest.raises(services.JudgingError, match="只有党委组织部"):
        services.start_timer(w.track, by=w.judges[0])
    with pytest.raises(services.JudgingError, match="已开启"):
        services.open_room(w.track, by=w.users.admin)
    # round-2 scores go through the room while it is open, not through the ordinary score page
    a = Assignment.objects.get(track=w.track, round=Round.DEFENCE, judge=w.judges[0], entry_id=current(w).entry_id)
    with pytest.raises(services.JudgingError, match="答辩室"):
        services.save_score(a, r2(w.track, 1, 1, 1), by=w.judges[0], expected_version=a.version)


def test_paper_score_entered_by_zzb_is_audited_and_marked(room, client_for):
    w = room
    entry_id = current(w).entry_id
    a = Assignment.objects.get(track=w.track, round=Round.DEFENCE, judge=w.judges[2], entry_id=entry_id)
    admin = client_for(w.users.admin)
    url = reverse("reviews:paper_score", args=[w.track.pk, a.pk])
    assert admin.get(url).status_code == 200
    crit = queries.criteria_for(w.track, Round.DEFENCE)
    r = admin.post(url, {"version": a.version, **{f"c_{c.pk}": v for c, v in zip(crit, (20, 30, 20))}})
    assert r.status_code == 302
    a.refresh_from_db()
    assert a.total == 70 and a.entered_by == w.users.admin
    entry = AuditEntry.objects.get(action="paper_score")
    assert entry.actor == w.users.admin and "代录" in entry.note
    # the judge's phone and 组织部's pages say who entered it
    phone = client_for(w.judges[2]).get(reverse("reviews:room_judge", args=[w.track.pk])).content.decode()
    assert "代录" in phone
    for j in (w.judges[0], w.judges[1], w.judges[3], w.judges[4]):
        services.room_score(w.track, j, r2(w.track, 20, 30, 20), by=j)
    assert current(w).state == RoomState.REVEALED
    # after the reveal 组织部 cannot change it either without unlocking
    with pytest.raises(services.JudgingError, match="解锁"):
        services.enter_paper_score(a, r2(w.track, 1, 1, 1), by=w.users.admin)
    rows = list(open_both(exports.matrix_xlsx(w.track))[1].values())[0]
    assert any("由" in str(cell) and "代录" in str(cell) for row in rows for cell in row)
    ranking = admin.get(reverse("reviews:ranking", args=[w.track.pk])).content.decode()
    assert "代录" in ranking
    # a judge may not use the 代录 page; round-1 assignments are not paper-entered
    assert client_for(w.judges[2]).get(url).status_code == 403
    r1 = Assignment.objects.filter(track=w.track, round=Round.MATERIALS).first()
    assert admin.get(reverse("reviews:paper_score", args=[w.track.pk, r1.pk])).status_code == 404


def test_phone_resumes_from_the_server_and_polls_only_on_change(room, client_for):
    w = room
    phone = client_for(w.judges[0])
    page = phone.get(reverse("reviews:room_judge", args=[w.track.pk]))
    assert page.status_code == 200 and "提交评分" in page.content.decode()
    key = page.context["key"]
    poll = reverse("reviews:room_poll", args=[w.track.pk])
    assert phone.get(poll, {"seen": key}).status_code == 204
    services.room_score(w.track, w.judges[1], r2(w.track, 20, 30, 20), by=w.judges[1])
    assert phone.get(poll, {"seen": key}).status_code == 204  # another judge's score does not reload this phone
    crit = queries.criteria_for(w.track, Round.DEFENCE)
    r = phone.post(reverse("reviews:room_judge", args=[w.track.pk]), {f"c_{c.pk}": v for c, v in zip(crit, (21, 31, 21))})
    assert r.status_code == 302
    again = phone.get(reverse("reviews:room_judge", args=[w.track.pk])).content.decode()
    assert "已提交：73 分" in again and 'value="21"' in again  # a reload shows what the server holds
    changed = phone.get(poll, {"seen": key})
    assert changed.status_code == 200 and changed["HX-Refresh"] == "true"
    bad = phone.post(reverse("reviews:room_judge", args=[w.track.pk]), {f"c_{crit[0].pk}": "999"})
    assert bad.status_code == 200 and "须在 0–" in bad.content.decode()


def test_control_and_screen_pages(room, client_for):
    w = room
    admin = client_for(w.users.admin)
    page = admin.get(reverse("reviews:room", args=[w.track.pk])).content.decode()
    assert "开始汇报计时" in page and "打开投屏页面" in page
    admin.post(reverse("reviews:room_action", args=[w.track.pk, "timer"]))
    assert current(w).timer_started_at is not None
    screen = admin.get(reverse("reviews:room_screen", args=[w.track.pk])).content.decode()
    assert 'data-remaining="480"' in screen and "<script>" not in screen.replace("<script src", "")
    admin.post(reverse("reviews:room_action", args=[w.track.pk, "absent"]), {"judge": w.judges[0].pk})
    assert current(w).absent == [w.judges[0].pk]
    r = admin.post(reverse("reviews:room_action", args=[w.track.pk, "absent"]), {"judge": "x"})
    assert r.status_code == 302 and current(w).absent == [w.judges[0].pk]
    assert admin.post(reverse("reviews:room_action", args=[w.track.pk, "nope"])).status_code == 404
