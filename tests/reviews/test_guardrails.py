"""Judging guard rails: the minimum of valid scores (with 组织部's recorded override), late entries assigned
automatically, one scoring deadline per track."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import AuditEntry
from campaigns.models import Notification
from reviews import policy, queries, services
from reviews.models import Assignment, JudgingTrack, ScoreSheet, Stage
from submissions import services as sub_services
from submissions.models import Entry, EntryState

from ..factories import CollegeFactory
from .helpers import SCORING_DAY, brand_track, make_entry, make_judge, open_track, score


# ---------------------------------------------------------------- minimum valid scores


@pytest.fixture
def short(world, at):
    """Three judges on two entries; 丙 gets three scores, 丁 only one (the others abstain / leave it)."""
    w = world
    at(*SCORING_DAY)
    w.e1 = make_entry(w.campaign, CollegeFactory(parent=w.school, name="丙学院党委"), title="丙品牌")
    w.e2 = make_entry(w.campaign, CollegeFactory(parent=w.school, name="丁学院党委"), title="丁品牌")
    w.judges = [make_judge(f"g{i}") for i in range(3)]
    w.track = open_track(brand_track(w, w.judges, award_count=1), w.users.admin)
    for j in w.judges:
        score(w.track, j, w.e1, 15, 25, 30, 20, 10)
    score(w.track, w.judges[0], w.e2, 10, 20, 20, 15, 5)
    a = Assignment.objects.get(track=w.track, judge=w.judges[1], entry=w.e2)
    services.save_score(a, {}, by=w.judges[1], expected_version=a.version, abstain=True, abstain_reason="与项目有合作")
    return w


def fresh(track):
    return JudgingTrack.objects.get(pk=track.pk)


def test_close_is_refused_naming_the_entries_short_of_valid_scores(short):
    w = short
    assert queries.required_scores(w.track) == 3
    with pytest.raises(services.JudgingError) as exc:
        services.close_scoring(w.track, by=w.users.admin)
    msg = str(exc.value.messages[0])
    assert "丁学院党委（材料评审 1/3）" in msg and "丙学院党委" not in msg and "最少 3 份" in msg
    assert fresh(w.track).stage == Stage.SCORING


def test_override_records_who_why_and_which_entries_then_close_and_propose_go_ahead(short):
    w = short
    with pytest.raises(services.JudgingError, match="原因"):
        services.override_min_scores(w.track, by=w.users.admin, reason="  ")
    with pytest.raises(services.JudgingError, match=policy.ADMIN_ONLY):
        services.override_min_scores(w.track, by=w.judges[0], reason="想结束")
    t = services.override_min_scores(w.track, by=w.users.admin, reason="两位评委回避，经委员会同意")
    [record] = t.score_overrides
    assert record["reason"] == "两位评委回避，经委员会同意" and record["by"] == "admin"
    assert record["entries"] == [{"entry": w.e2.pk, "name": "丁学院党委", "round": 1, "valid": 1, "required": 3}]
    entry = AuditEntry.objects.filter(action="score_override").get()
    assert entry.note == "两位评委回避，经委员会同意" and "丁学院党委（材料评审 1/3）" in str(entry.changes)
    # nothing left to override
    with pytest.raises(services.JudgingError, match="无需记录"):
        services.override_min_scores(t, by=w.users.admin, reason="再来一次")
    services.close_scoring(t, by=w.users.admin)
    t = services.propose(fresh(t), by=w.users.admin)
    assert t.stage == Stage.PROPOSED


def test_override_covers_only_what_was_short_then(short):
    """A score withdrawn after the override (fewer valid scores than recorded) needs a new reason."""
    w = short
    services.override_min_scores(w.track, by=w.users.admin, reason="按现有评分")
    services.close_scoring(w.track, by=w.users.admin)
    t = fresh(w.track)
    assert policy.TRACK.allows("propose", w.users.admin, t)
    services.declare_conflict(t, w.judges[0], w.e2, "评委为项目指导教师", by=w.users.admin)  # 丁 now 0/3
    t = fresh(t)
    why = policy.TRACK.reason("propose", w.users.admin, t)
    assert "丁学院党委（材料评审 0/3）" in why
    with pytest.raises(services.JudgingError, match="丁学院党委"):
        services.propose(t, by=w.users.admin)


def test_minimum_is_capped_by_judges_per_entry_and_validated(world, at):
    at(*SCORING_DAY)
    judges = [make_judge(f"h{i}") for i in range(4)]
    t = brand_track(world, judges, judges_per_entry=2)
    assert t.min_valid_scores == 3 and queries.required_scores(t) == 2
    with pytest.raises(services.JudgingError, match="至少为 1"):
        services.update_track(t, {"min_valid_scores": 0}, by=world.users.admin, expected_version=t.version)
    t = services.update_track(t, {"min_valid_scores": 1}, by=world.users.admin, expected_version=t.version)
    assert queries.required_scores(t) == 1


def test_zero_scores_are_never_enough(world, at):
    """The bug in the issue: an entry at 0/0 valid scores went through 结束评分 without a word."""
    w = world
    at(*SCORING_DAY)
    e = make_entry(w.campaign, CollegeFactory(parent=w.school, name="戊学院党委"))
    j = make_judge("z1")
    t = open_track(brand_track(w, [j]), w.users.admin)
    Assignment.objects.filter(entry=e).delete()  # never assigned
    with pytest.raises(services.JudgingError, match="戊学院党委（材料评审 0/1）"):
        services.close_scoring(t, by=w.users.admin)


def test_pages_show_the_refusal_and_the_override(short, client_for):
    w = short
    admin = client_for(w.users.admin)
    page = admin.get(reverse("reviews:track", args=[w.track.pk])).content.decode()
    assert 'data-testid="score-shortfall"' in page and "丁学院党委（材料评审 1/3）" in page
    assert reverse("reviews:action", args=[w.track.pk, "close"]) in page  # the button stays, the refusal explains
    r = admin.post(reverse("reviews:action", args=[w.track.pk, "close"]), follow=True)
    assert r.status_code == 200 and "丁学院党委（材料评审 1/3）" in r.content.decode()
    assert fresh(w.track).stage == Stage.SCORING
    # bad input: a Chinese error, no 500, nothing recorded
    r = admin.post(reverse("reviews:action", args=[w.track.pk, "override"]), {"reason": ""}, follow=True)
    assert r.status_code == 200 and "请填写在有效评分不足的情况下继续的原因" in r.content.decode()
    r = admin.post(reverse("reviews:action", args=[w.track.pk, "override"]), {"reason": "长" * 600}, follow=True)
    assert r.status_code == 200 and "不能超过 500 字" in r.content.decode()
    assert fresh(w.track).score_overrides == []
    # a judge cannot
    assert client_for(w.judges[0]).post(reverse("reviews:action", args=[w.track.pk, "override"]),
                                        {"reason": "x"}).status_code == 403
    admin.post(reverse("reviews:action", args=[w.track.pk, "override"]), {"reason": "经评审委员会同意", "next": "decision"})
    admin.post(reverse("reviews:action", args=[w.track.pk, "close"]))
    assert fresh(w.track).stage == Stage.CLOSED
    decision = admin.get(reverse("reviews:decision", args=[w.track.pk])).content.decode()
    assert 'data-testid="score-overrides"' in decision and "经评审委员会同意" in decision
    assert "丁学院党委（材料评审 1/3）" in decision
    ranking = admin.get(reverse("reviews:ranking", args=[w.track.pk])).content.decode()
    assert "经评审委员会同意" in ranking
    book = load_workbook(io.BytesIO(admin.get(reverse("reviews:ranking_xlsx", args=[w.track.pk])).content))
    assert book.sheetnames == ["排名", "有效评分不足说明"]
    note = list(book["有效评分不足说明"].iter_rows(min_row=3, values_only=True))
    assert note[0][3] == "经评审委员会同意" and "丁学院党委（材料评审 1/3）" in note[0][4]


# ---------------------------------------------------------------- late entries


@pytest.fixture
def late(world, at, monkeypatch):
    """Scoring under way, 2 judges per entry over 4 judges (one conflicted with 庚学院), then 庚 is submitted late."""
    import submissions.policy

    monkeypatch.setattr(submissions.policy, "entry_missing", lambda entry: [])  # the files are not the point here
    w = world
    at(*SCORING_DAY)
    w.geng = CollegeFactory(parent=w.school, name="庚学院党委")
    w.entries = [make_entry(w.campaign, CollegeFactory(parent=w.school, name=f"{n}学院党委")) for n in "丙丁戊"]
    w.judges = [make_judge("k0"), make_judge("k1"), make_judge("k2"), make_judge("k3", home=w.geng)]
    w.track = open_track(brand_track(w, w.judges, judges_per_entry=2), w.users.admin)
    w.late_entry = make_entry(w.campaign, w.geng, title="庚品牌")
    Entry.objects.filter(pk=w.late_entry.pk).update(state=EntryState.SUBMITTED)
    return w


def loads(track):
    out = {}
    for j in Assignment.objects.filter(track=track, round=1).values_list("judge__username", flat=True):
        out[j] = out.get(j, 0) + 1
    return out


def test_an_entry_passing_after_assignment_gets_balanced_conflict_free_judges_who_are_told(late):
    w = late
    before = loads(w.track)
    assert sum(before.values()) == 6
    Notification.objects.all().delete()
    sub_services.pass_entry(Entry.objects.get(pk=w.late_entry.pk), by=w.users.admin)
    got = list(Assignment.objects.filter(track=w.track, entry=w.late_entry).values_list("judge__username", flat=True))
    assert len(got) == 2 and "k3" not in got  # k3's home is 庚学院: conflicted
    lowest = sorted((n, j) for j, n in before.items() if j != "k3")[:2]
    assert sorted(got) == sorted(j for _n, j in lowest)
    told = set(Notification.objects.values_list("user__username", flat=True))
    assert told == set(got)
    assert "新的十佳党建品牌材料评审任务" in Notification.objects.first().title
    assert AuditEntry.objects.filter(action="assign", object_id__in=[
        str(pk) for pk in Assignment.objects.filter(entry=w.late_entry).values_list("pk", flat=True)]).count() == 2
    note = AuditEntry.objects.get(action="assign_late").note
    assert "庚学院党委”形式审查通过后自动分配评委 2 位" in note


def test_judges_with_a_submitted_sheet_come_last(late):
    w = late
    for j in w.judges[:2]:
        ScoreSheet.objects.create(track=w.track, judge=j, round=1, submitted_at=w.track.opens_at)
    sub_services.pass_entry(Entry.objects.get(pk=w.late_entry.pk), by=w.users.admin)
    got = set(Assignment.objects.filter(entry=w.late_entry).values_list("judge__username", flat=True))
    assert got == {"k2", "k0"} or got == {"k2", "k1"}
    assert "需解锁" in AuditEntry.objects.get(action="assign_late").note


def test_nothing_is_assigned_before_the_first_assignment_or_after_round_one(late):
    w = late
    JudgingTrack.objects.filter(pk=w.track.pk).update(stage=Stage.CLOSED)
    sub_services.pass_entry(Entry.objects.get(pk=w.late_entry.pk), by=w.users.admin)
    assert not Assignment.objects.filter(entry=w.late_entry).exists()


def test_the_formal_check_page_assigns_the_late_entry(late, client_for):
    w = late
    r = client_for(w.users.admin).post(reverse("submissions:entry_check", args=[w.late_entry.pk]),
                                       {"decision": "pass", "comment": ""})
    assert r.status_code == 302
    assert Assignment.objects.filter(entry=w.late_entry).count() == 2
    judge = Assignment.objects.filter(entry=w.late_entry).first().judge
    queue = client_for(judge).get(reverse("reviews:queue")).content.decode()
    assert "庚学院党委" in queue


# ---------------------------------------------------------------- one scoring deadline


@pytest.fixture
def two_tracks(world, at):
    """Both tracks scoring; one judge with an unscored entry in the 党建品牌 track."""
    from submissions.models import Track

    w = world
    at(*SCORING_DAY)
    w.e1 = make_entry(w.campaign, CollegeFactory(parent=w.school, name="辛学院党委"))
    w.j = make_judge("d1")
    w.track = open_track(brand_track(w, [w.j]), w.users.admin)
    w.branch_track = services.create_track(w.campaign, Track.BRANCH, by=w.users.admin)
    return w


def test_moving_the_campaign_deadline_moves_the_tracks_the_judge_page_and_the_reminder(two_tracks, at, client_for,
                                                                                        django_capture_on_commit_callbacks):
    import datetime as dt

    from django.core import mail

    from campaigns import reminders
    from campaigns.models import SHANGHAI, DeadlineKind
    from campaigns.services import update_campaign

    w = two_tracks
    new = dt.datetime(2026, 12, 5, 18, 0, tzinfo=SHANGHAI)
    c = w.campaign
    deadlines = {d.kind: d.due_at for d in c.deadlines.all()}
    update_campaign(c, {}, by=w.users.admin, expected_version=c.version, deadlines={**deadlines, DeadlineKind.JUDGING: new})
    assert fresh(w.track).closes_at == new and fresh(w.branch_track).closes_at == new
    assert AuditEntry.objects.filter(action="track_update", note__contains="评审打分").count() == 2
    queue = client_for(w.j).get(reverse("reviews:queue")).content.decode()
    assert "截止 2026年12月5日 18:00" in queue
    a = Assignment.objects.get(track=w.track, judge=w.j)
    page = client_for(w.j).get(reverse("reviews:score", args=[a.pk])).content.decode()
    assert "评审截止 2026年12月5日 18:00" in page
    mail.outbox.clear()
    at(2026, 12, 2, 9, 30)  # 3 days before the new date (the old one, Dec 10, would be 7 days out: d7 on Dec 3)
    with django_capture_on_commit_callbacks(execute=True):
        reminders.run_due()
    # (the beat also delivers the queued "new task" notice e-mail of the assignment: only the reminder counts here)
    (msg,) = [m for m in mail.outbox if m.to == [w.j.email] and m.subject.startswith("【提醒】")]
    assert "截止时间为 2026年12月5日 18:00" in msg.body
    # and the scoring window closes then
    at(2026, 12, 5, 18, 1)
    assert "已超过评审截止时间（2026年12月05日 18:00）" in policy.ASSIGNMENT.reason("score", w.j, a)


def test_the_track_settings_move_the_campaign_deadline_and_the_other_track(two_tracks, client_for):
    import datetime as dt

    from campaigns.models import SHANGHAI, Deadline, DeadlineKind

    w = two_tracks
    t = fresh(w.track)
    s = {"version": t.version, "opens_at": "2026-11-10T23:59", "closes_at": "2026-12-08T17:00", "aggregation": t.aggregation,
         "disagree_sd": "8", "judges_per_entry": 0, "min_valid_scores": 3, "shortlist_size": 15, "round1_weight": 60,
         "round2_weight": 40, "award_count": 10, "award_amount": "0", "tie_break_1": t.tie_break[0]}
    r = client_for(w.users.admin).post(reverse("reviews:settings", args=[t.pk]), s)
    assert r.status_code == 302, r.content.decode()[:2000]
    new = dt.datetime(2026, 12, 8, 17, 0, tzinfo=SHANGHAI)
    assert Deadline.objects.get(campaign=w.campaign, kind=DeadlineKind.JUDGING).due_at == new
    assert fresh(w.branch_track).closes_at == new


def test_a_deadline_before_a_track_opens_is_refused_in_chinese(two_tracks):
    import datetime as dt

    from campaigns.models import SHANGHAI, Deadline, DeadlineKind
    from campaigns.services import move_deadline

    w = two_tracks
    before = fresh(w.track).closes_at
    with pytest.raises(services.JudgingError, match="必须晚于评审开始时间"):
        move_deadline(w.campaign, DeadlineKind.JUDGING, dt.datetime(2026, 11, 1, tzinfo=SHANGHAI), by=w.users.admin)
    assert fresh(w.track).closes_at == before
    assert Deadline.objects.get(campaign=w.campaign, kind=DeadlineKind.JUDGING).due_at == before


def _campaign_form(c, campaign, **changes):
    form = c.get(reverse("campaigns:edit", args=[campaign.pk])).context["form"]
    data = {k: (v.strftime("%Y-%m-%d") if hasattr(v, "strftime") and not hasattr(v, "hour") else v)
            for k, v in form.initial.items() if k in form.fields}
    data.update(version=campaign.version, due_design="2026-05-15T23:59", due_review="2026-11-10T23:59", **changes)
    return data


def test_the_campaign_page_moves_the_tracks_and_refuses_a_date_before_they_open(two_tracks, client_for):
    import datetime as dt

    from campaigns.models import SHANGHAI

    w = two_tracks
    c = client_for(w.users.admin)
    url = reverse("campaigns:edit", args=[w.campaign.pk])
    r = c.post(url, _campaign_form(c, w.campaign, due_judging="2026-11-01T12:00"))
    assert r.status_code == 200 and "必须晚于评审开始时间" in r.content.decode()
    w.campaign.refresh_from_db()
    r = c.post(url, _campaign_form(c, w.campaign, due_judging="2026-12-06T12:00"))
    assert r.status_code == 302
    assert fresh(w.track).closes_at == dt.datetime(2026, 12, 6, 12, 0, tzinfo=SHANGHAI)
    queue = client_for(w.j).get(reverse("reviews:queue")).content.decode()
    assert "截止 2026年12月6日 12:00" in queue


def test_assigning_tells_each_judge_once_without_naming_the_entries(world, at):
    at(*SCORING_DAY)
    e = make_entry(world.campaign, CollegeFactory(parent=world.school, name="壬学院党委"))
    make_entry(world.campaign, CollegeFactory(parent=world.school, name="癸学院党委"))
    j1, j2 = make_judge("n1"), make_judge("n2")
    services.assign(brand_track(world, [j1, j2]), by=world.users.admin)
    notes = list(Notification.objects.order_by("user__username").values_list("user__username", "title", "body"))
    assert [(u, t) for u, t, _b in notes] == [("n1", "您有 2 个新的十佳党建品牌材料评审任务"),
                                              ("n2", "您有 2 个新的十佳党建品牌材料评审任务")]
    assert all(str(e.organization) not in b for _u, _t, b in notes)


def test_round_two_needs_its_own_valid_scores_for_the_shortlist(world, at):
    from .helpers import points_for

    w = world
    at(*SCORING_DAY)
    entries = [make_entry(w.campaign, CollegeFactory(parent=w.school, name=f"{n}学院党委")) for n in "子丑寅"]
    judges = [make_judge(f"r{i}") for i in range(3)]
    t = open_track(brand_track(w, judges, second_round=True, shortlist_size=2, award_count=1), w.users.admin)
    for j in judges:
        for e in entries:
            score(t, j, e, 15, 25, 30, 20, 10)
    t = services.close_scoring(t, by=w.users.admin)
    assert t.stage == Stage.ROUND2
    shortlisted = list(t.shortlist.all())
    # the entry left off the shortlist needs no round-2 score; one shortlisted entry gets all three
    for j in judges:
        a = Assignment.objects.get(track=t, judge=j, entry=shortlisted[0], round=2)
        services.save_score(a, points_for(t, 15, 25, 30, 20, 10), by=j, expected_version=a.version)
    with pytest.raises(services.JudgingError) as exc:
        services.close_scoring(fresh(t), by=w.users.admin)
    msg = exc.value.messages[0]
    assert f"{shortlisted[1].organization}（现场答辩 0/3）" in msg and "材料评审" not in msg
    services.override_min_scores(fresh(t), by=w.users.admin, reason="答辩当天一项目缺席")
    t = services.close_scoring(fresh(t), by=w.users.admin)
    assert t.stage == Stage.CLOSED
    assert policy.TRACK.allows("propose", w.users.admin, fresh(t))


def test_the_approver_sees_the_override_with_the_proposed_list(short, client_for):
    from organizations.models import Role

    from ..factories import UserFactory, give_role

    w = short
    services.override_min_scores(w.track, by=w.users.admin, reason="经评审委员会同意按现有评分")
    services.close_scoring(fresh(w.track), by=w.users.admin)
    services.propose(fresh(w.track), by=w.users.admin)
    leader = give_role(UserFactory(username="leader"), Role.APPROVER)
    page = client_for(leader).get(reverse("reviews:approval", args=[w.track.pk])).content.decode()
    assert 'data-testid="awaiting"' in page and "经评审委员会同意按现有评分" in page
    assert "丁学院党委（材料评审 1/3）" in page and "记录原因并允许继续" not in page
