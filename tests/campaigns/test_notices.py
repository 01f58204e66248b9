"""Notices of changes (campaigns.notices): each event tells exactly the right people once, in the portal and
by e-mail, names who did it, quotes the comment, links to the page; opt-out stops only the e-mail; a
retried or repeated dispatch sends nothing twice; a broker outage never fails the change."""

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.urls import reverse

from audit.models import AuditEntry
from campaigns import notices
from campaigns.models import Notification, NoticeLog, NoticeStatus
from core.policy import REGISTRY
from organizations.models import Role
from reviews import services as js
from reviews.models import Assignment, Objection, ScoreSheet
from submissions import services
from submissions.models import Entry, Form1, FormState, Track

from ..factories import CollegeFactory, UserFactory, give_role
from ..reviews.helpers import SCORING_DAY, brand_track, make_entry, make_judge, open_track, score
from ..submissions.helpers import FORM1_COMPLETE, ROW_COMPLETE


@pytest.fixture
def phase1(at):
    at(2026, 5, 8, 10, 0)


def run(django_capture_on_commit_callbacks, fn, *args, **kwargs):
    """Call a service the way a request does: commit, then the after-commit delivery runs."""
    with django_capture_on_commit_callbacks(execute=True):
        return fn(*args, **kwargs)


def told(user):
    return list(Notification.objects.filter(user=user))


def mails_to(user):
    return [m for m in mail.outbox if user.email in m.to]


def assert_told_once(user, *, title, actor, comment=None, client_for=None):
    """One in-portal notice and one e-mail to `user`, naming the actor, quoting the comment, with a link that works."""
    got = told(user)
    assert len(got) == 1, [n.title for n in got]
    n = got[0]
    assert title in n.title
    assert actor in n.body and actor in n.notice.actor_label
    if comment:
        assert f"意见：{comment}" in n.body and n.notice.comment == comment
    assert n.url.startswith("/")
    mails = mails_to(user)
    assert len(mails) == 1 and title in mails[0].subject and actor in mails[0].body
    assert notices.portal_url(n.url) in mails[0].body
    if comment:
        assert comment in mails[0].body
    if client_for is not None:
        c = client_for(user)
        opened = c.get(reverse("campaigns:notification_open", args=[n.pk]))
        assert opened.status_code == 302 and opened.url == n.url
        assert c.get(n.url, follow=True).status_code == 200
    return n


def nobody_else(*users):
    """Only `users` got a notice (and only their mail went out)."""
    ids = {u.pk for u in users}
    assert set(Notification.objects.filter(notice__isnull=False).values_list("user_id", flat=True)) == ids
    addresses = {u.email for u in users}
    assert {a for m in mail.outbox for a in m.to} == addresses


# ---------------------------------------------------------------- every change is covered


def test_every_policy_action_either_notifies_or_is_declared_quiet():
    covered = notices.covered_policy_actions()
    actions = {f"{name}.{action}" for name, policy in REGISTRY.items() for action in policy}
    undecided = sorted(actions - covered - set(notices.QUIET))
    assert not undecided, f"policy actions with no notice registration and not declared quiet: {undecided}"
    assert not covered & set(notices.QUIET), "an action cannot both notify and be quiet"
    assert covered | set(notices.QUIET) <= actions, "a registration names a policy action that does not exist"
    for reg in notices.registrations():
        assert reg.kind in notices.KINDS
    for name in ("row.return", "form1.return", "form1.accept", "form1.reopen", "form2.return", "form2.accept",
                 "form2.reopen", "entry.pass", "entry.return", "entry.recommend", "entry.withdraw", "track.assign",
                 "track.add_assignment", "sheet.unlock", "track.publicity", "track.objection", "objection.handle",
                 "track.publish"):
        assert name in covered


# ---------------------------------------------------------------- 附件2 rows and forms


def submitted_row(world, branch, user):
    row = services.save_row(world.campaign, branch, ROW_COMPLETE, by=user, expected_version=0)
    return services.submit_row(row, by=user)


def test_a_returned_row_tells_its_branch_with_the_college_and_the_comment(world, phase1, client_for,
                                                                            django_capture_on_commit_callbacks):
    w = world
    give_role(UserFactory(username="branch_a2"), Role.BRANCH_SECRETARY, w.branch_a2)
    row = run(django_capture_on_commit_callbacks, submitted_row, w, w.branch_a1, w.users.branch)
    submitted_row(w, w.branch_a2, w.users.college)
    Notification.objects.all().delete()
    mail.outbox.clear()
    w.users.college.full_name = "王院长"
    w.users.college.save()
    run(django_capture_on_commit_callbacks, services.return_row, row, "简介请再具体些", by=w.users.college)
    n = assert_told_once(w.users.branch, title="甲一支部的“一支部一特色”信息已被院级党组织退回修改",
                         actor="甲学院党委（院级党组织）· 王院长", comment="简介请再具体些", client_for=client_for)
    assert n.url == reverse("submissions:row", args=[w.campaign.pk, w.branch_a1.pk])
    nobody_else(w.users.branch)  # not the other branch of the college, not the other college
    home = client_for(w.users.branch).get("/").content.decode()
    assert "院级党组织（甲学院党委）意见：简介请再具体些" in home and "组织部意见" not in home


def test_a_submitted_row_tells_the_college_not_the_other_college(world, phase1, django_capture_on_commit_callbacks):
    w = world
    row = run(django_capture_on_commit_callbacks, services.save_row, w.campaign, w.branch_a1, ROW_COMPLETE,
              by=w.users.branch, expected_version=0)
    assert not Notification.objects.exists() and not mail.outbox  # a draft concerns nobody else
    run(django_capture_on_commit_callbacks, services.submit_row, row, by=w.users.branch)
    assert_told_once(w.users.college, title="甲一支部报送了“一支部一特色”信息", actor="甲一支部（党支部）")
    nobody_else(w.users.college)


def test_form1_return_accept_and_reopen_tell_the_college_as_zzb(world, phase1, client_for,
                                                                  django_capture_on_commit_callbacks):
    w = world
    form = services.save_form1(w.campaign, w.college_a, FORM1_COMPLETE, by=w.users.college, expected_version=0)
    run(django_capture_on_commit_callbacks, services.submit_form1, form, by=w.users.college)
    assert_told_once(w.users.admin, title="甲学院党委提交了“一院一品牌”申报表（附件1）", actor="甲学院党委（院级党组织）")
    Notification.objects.all().delete()
    mail.outbox.clear()
    w.users.admin.full_name = "组织部李老师"
    w.users.admin.save()
    run(django_capture_on_commit_callbacks, services.return_form, form, "请补充进度安排", by=w.users.admin)
    assert_told_once(w.users.college, title="甲学院党委的“一院一品牌”申报表（附件1）已被党委组织部退回修改",
                     actor="党委组织部 · 组织部李老师", comment="请补充进度安排", client_for=client_for)
    nobody_else(w.users.college)
    form = Form1.objects.get(pk=form.pk)
    services.submit_form1(form, by=w.users.college)
    for fn, title in ((services.accept_form, "已通过党委组织部审核"), (services.reopen_form, "已由党委组织部重新开放编辑")):
        Notification.objects.all().delete()
        mail.outbox.clear()
        run(django_capture_on_commit_callbacks, fn, Form1.objects.get(pk=form.pk), by=w.users.admin, comment="好")
        assert_told_once(w.users.college, title=title, actor="党委组织部", comment="好")
        nobody_else(w.users.college)
    assert Form1.objects.get(pk=form.pk).state == FormState.DRAFT


def test_form2_returned_by_zzb_tells_the_college(world, phase1, django_capture_on_commit_callbacks):
    w = world
    submitted_row(w, w.branch_a1, w.users.branch)
    services.skip_row(w.campaign, w.branch_a2, "支部换届", by=w.users.college)
    form2 = services.get_form2(w.campaign, w.college_a)
    type(form2).objects.filter(pk=form2.pk).update(filler_name="李老师")
    services.submit_form2(form2, by=w.users.college)
    Notification.objects.all().delete()
    mail.outbox.clear()
    run(django_capture_on_commit_callbacks, services.return_form, services.get_form2(w.campaign, w.college_a),
        "请核对支部数量", by=w.users.admin)
    assert_told_once(w.users.college, title="汇总表（附件2）已被党委组织部退回修改", actor="党委组织部",
                     comment="请核对支部数量")
    nobody_else(w.users.college)
    services.submit_form2(services.get_form2(w.campaign, w.college_a), by=w.users.college)
    Notification.objects.all().delete()
    mail.outbox.clear()
    run(django_capture_on_commit_callbacks, services.accept_form, services.get_form2(w.campaign, w.college_a),
        by=w.users.admin)
    assert_told_once(w.users.college, title="汇总表（附件2）已通过党委组织部审核", actor="党委组织部")
    assert_told_once(w.users.branch, title="甲一支部的“一支部一特色”信息已随本院汇总表通过党委组织部审核", actor="党委组织部")
    nobody_else(w.users.college, w.users.branch)  # not branch_b1 of the other college


def test_a_skipped_branch_is_told_with_the_reason(world, phase1, django_capture_on_commit_callbacks):
    w = world
    run(django_capture_on_commit_callbacks, services.skip_row, w.campaign, w.branch_a1, "支部换届中", by=w.users.college)
    assert_told_once(w.users.branch, title="本年度不参加", actor="甲学院党委（院级党组织）", comment="支部换届中")
    nobody_else(w.users.branch)


# ---------------------------------------------------------------- 十佳 entries


@pytest.fixture
def phase3(at):
    at(2026, 11, 3, 10, 0)


def test_recommendation_and_withdrawal_tell_the_branch(world, phase3, client_for, django_capture_on_commit_callbacks):
    w = world
    entry = run(django_capture_on_commit_callbacks, services.recommend_branch, w.campaign, w.branch_a1, 1,
                by=w.users.college)
    assert_told_once(w.users.branch, title="甲一支部已被院级党组织推荐参加“十佳特色支部”评比（推荐排序 1）",
                     actor="甲学院党委（院级党组织）", client_for=client_for)
    nobody_else(w.users.branch)
    Notification.objects.all().delete()
    mail.outbox.clear()
    run(django_capture_on_commit_callbacks, services.withdraw_entry, entry, by=w.users.college)
    assert_told_once(w.users.branch, title="院级党组织已撤回对甲一支部", actor="甲学院党委（院级党组织）")
    nobody_else(w.users.branch)


def submitted_entry(world, org, track=Track.BRAND):
    college = org if track == Track.BRAND else org.parent
    return Entry.objects.create(campaign=world.campaign, track=track, organization=org, college=college,
                                state="submitted", rank=1 if track == Track.BRANCH else None)


def test_formal_check_pass_and_return_tell_the_entry_s_people(world, phase3, monkeypatch,
                                                              django_capture_on_commit_callbacks):
    w = world
    monkeypatch.setattr("submissions.policy.entry_missing", lambda entry: [])
    branch_entry = submitted_entry(w, w.branch_a1, Track.BRANCH)
    run(django_capture_on_commit_callbacks, services.return_entry, branch_entry, "缺少视频", by=w.users.admin)
    for user in (w.users.college, w.users.branch):
        assert_told_once(user, title="甲一支部的十佳特色支部申报在形式审查中被退回修改", actor="党委组织部", comment="缺少视频")
    nobody_else(w.users.college, w.users.branch)
    Notification.objects.all().delete()
    mail.outbox.clear()
    brand = submitted_entry(w, w.college_b)
    run(django_capture_on_commit_callbacks, services.pass_entry, brand, by=w.users.admin)
    assert_told_once(w.users.college_b, title="乙学院党委的十佳党建品牌申报已通过形式审查", actor="党委组织部")
    nobody_else(w.users.college_b)


# ---------------------------------------------------------------- judging


@pytest.fixture
def judging(world, at):
    w = world
    at(*SCORING_DAY)
    w.entries = [make_entry(w.campaign, w.college_b), make_entry(w.campaign, CollegeFactory(parent=w.school, name="丙学院党委"))]
    w.judges = [make_judge("jx1"), make_judge("jx2"), make_judge("jx3")]
    w.track = brand_track(w, w.judges, award_count=1, judges_per_entry=2)
    return w


def test_assignment_tells_each_judge_how_many_new_tasks_once(judging, client_for, django_capture_on_commit_callbacks):
    w = judging
    run(django_capture_on_commit_callbacks, js.assign, w.track, by=w.users.admin)
    counts = {j.pk: Assignment.objects.filter(track=w.track, judge=j).count() for j in w.judges}
    for judge in w.judges:
        if counts[judge.pk]:
            assert_told_once(judge, title=f"您有 {counts[judge.pk]} 个新的十佳党建品牌材料评审任务", actor="党委组织部",
                             client_for=client_for)
            assert "乙学院" not in told(judge)[0].body and "丙学院" not in mails_to(judge)[0].body  # stays blind
        else:
            assert not told(judge)
    nobody_else(*[j for j in w.judges if counts[j.pk]])
    Notification.objects.all().delete()
    mail.outbox.clear()
    run(django_capture_on_commit_callbacks, js.assign, w.track, by=w.users.admin)  # nothing new: nobody told
    assert not Notification.objects.exists() and not mail.outbox
    # a late single assignment (the path the auto-assignment of late entries takes) tells that judge only
    late = make_entry(w.campaign, CollegeFactory(parent=w.school, name="丁学院党委"))
    run(django_capture_on_commit_callbacks, js.add_assignment, w.track, w.judges[0], late, by=w.users.admin)
    assert_told_once(w.judges[0], title="您有 1 个新的十佳党建品牌材料评审任务", actor="党委组织部")
    nobody_else(w.judges[0])


def judging_assign_fn():
    return js.assign


def test_an_unlocked_sheet_tells_its_judge_with_the_reason(judging, django_capture_on_commit_callbacks):
    w = judging
    track = open_track(w.track, w.users.admin)
    judge = w.judges[0]
    for a in Assignment.objects.filter(track=track, judge=judge):
        score(track, judge, a.entry, 10, 20, 20, 15, 5)
    js.submit_sheet(track, judge, by=judge)
    Notification.objects.all().delete()
    mail.outbox.clear()
    sheet = ScoreSheet.objects.get(track=track, judge=judge)
    run(django_capture_on_commit_callbacks, js.unlock_sheet, sheet, by=w.users.admin, reason="第2项分数录入有误")
    assert_told_once(judge, title="您提交的十佳党建品牌评分表已被党委组织部解锁", actor="党委组织部",
                     comment="第2项分数录入有误")
    nobody_else(judge)


def test_the_round_two_shortlist_tells_each_judge_of_their_defence_tasks(world, at, django_capture_on_commit_callbacks):
    w = world
    at(*SCORING_DAY)
    entries = [make_entry(w.campaign, CollegeFactory(parent=w.school)) for _ in range(3)]
    judges = [make_judge("r1"), make_judge("r2")]
    track = open_track(brand_track(w, judges, second_round=True, shortlist_size=2, round1_weight=60,
                                   round2_weight=40, aggregation="mean"), w.users.admin)
    for j in judges:
        for entry, values in zip(entries, [(15, 25, 30, 20, 10), (12, 20, 24, 16, 8), (6, 10, 12, 8, 4)]):
            score(track, j, entry, *values)
    Notification.objects.all().delete()
    mail.outbox.clear()
    track = run(django_capture_on_commit_callbacks, js.close_scoring, track, by=w.users.admin)
    for judge in judges:
        assert_told_once(judge, title="您有 2 个新的十佳党建品牌现场答辩任务", actor="党委组织部")
    nobody_else(*judges)
    mail.outbox.clear()
    track = js.override_min_scores(track, by=w.users.admin, reason="测试：第二轮不打分")  # the guard rail, recorded
    run(django_capture_on_commit_callbacks, js.close_scoring, track, by=w.users.admin)  # round 2 ends: no new tasks
    assert not mail.outbox


@pytest.fixture
def proposed(judging, at):
    w = judging
    track = open_track(w.track, w.users.admin)
    for a in Assignment.objects.filter(track=track):
        score(track, a.judge, a.entry, *((15, 25, 30, 20, 10) if a.entry == w.entries[0] else (5, 10, 10, 10, 5)))
    js.close_scoring(track, by=w.users.admin)
    w.approver = give_role(UserFactory(username="leader"), Role.APPROVER)
    Notification.objects.all().delete()
    mail.outbox.clear()
    return w


def test_the_decision_steps_tell_the_approver_zzb_and_the_participants(proposed, at, client_for,
                                                                         django_capture_on_commit_callbacks):
    w = proposed
    second_admin = give_role(UserFactory(username="admin2"), Role.ADMIN)
    track = run(django_capture_on_commit_callbacks, js.propose, w.track, by=w.users.admin)
    assert_told_once(w.approver, title="十佳党建品牌拟表彰名单（1 项）待您审定", actor="党委组织部")
    assert not told(w.users.admin)  # nobody is told about their own change
    nobody_else(w.approver)
    Notification.objects.all().delete()
    mail.outbox.clear()
    track = run(django_capture_on_commit_callbacks, js.approve_online, track, by=w.approver, comment="同意")
    assert_told_once(w.users.admin, title="拟表彰名单已由校领导在线审定", actor="校领导", comment="同意")
    Notification.objects.all().delete()
    mail.outbox.clear()
    track = run(django_capture_on_commit_callbacks, js.open_publicity, track, by=w.users.admin,
                start=dt.date(2026, 12, 14))
    winner_college = w.users.college_b  # 乙学院党委 is entries[0]
    assert_told_once(winner_college, title="乙学院党委已列入十佳党建品牌拟表彰名单，现予公示", actor="党委组织部",
                     client_for=client_for)
    assert "公示期：2026年12月14日" in told(winner_college)[0].body
    assert not told(w.users.college) and not told(w.users.branch)  # 甲学院 has no entry in this track
    Notification.objects.all().delete()
    mail.outbox.clear()
    objection = run(django_capture_on_commit_callbacks, js.record_objection, track, by=w.users.admin,
                    content="反映材料存在夸大", received_on=dt.date(2026, 12, 15), entry=w.entries[0])
    assert_told_once(second_admin, title="收到十佳党建品牌公示异议（涉及：乙学院党委）", actor="党委组织部",
                     comment="反映材料存在夸大")
    nobody_else(second_admin)
    Notification.objects.all().delete()
    mail.outbox.clear()
    run(django_capture_on_commit_callbacks, js.handle_objection, objection, by=w.users.admin, handling="经核实属实",
        outcome="upheld")
    assert not Notification.objects.exists() and not mail.outbox  # a letter recorded by 组织部: no one to answer online
    Notification.objects.all().delete()
    at(2026, 12, 21, 10, 0)
    run(django_capture_on_commit_callbacks, js.publish, track, by=w.users.admin)
    assert_told_once(winner_college, title="乙学院党委获评十佳党建品牌（第 1 名），评审结果已公布", actor="党委组织部")


def test_an_objector_who_left_an_e_mail_gets_the_answer(proposed, django_capture_on_commit_callbacks):
    """The online objection (publicity helper) records who objected; the answer goes to that address or account."""
    w = proposed
    track = js.propose(w.track, by=w.users.admin)
    track = js.approve_online(track, by=w.approver)
    track = js.open_publicity(track, by=w.users.admin, start=dt.date(2026, 12, 14))
    o = Objection.objects.create(track=track, content="材料夸大", received_on=dt.date(2026, 12, 15))
    o.email, o.name = "objector@example.com", "赵同学"  # the fields an online objection carries
    entry = AuditEntry.objects.create(action="objection_handled", content_type=ContentType.objects.get_for_model(o), object_id=str(o.pk),
                                      object_repr="x", actor=w.users.admin, note="")
    o.handling = "经核实，材料属实，维持原结果"
    Notification.objects.all().delete()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        ids = notices.dispatch(entry, o)
        assert notices.dispatch(entry, o) == []  # a second dispatch inserts nothing
    assert len(ids) == 1 and not Notification.objects.exists()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["objector@example.com"]
    assert "赵同学同志" in mail.outbox[0].body and "经核实，材料属实，维持原结果" in mail.outbox[0].body
    # an anonymous online objection is "received" by every 组织部 account, labelled as filed online
    online = Objection.objects.create(track=track, content="另有异议", received_on=dt.date(2026, 12, 16))
    online.name, online.email = "钱老师", "qian@example.com"
    received = AuditEntry.objects.create(action="objection", content_type=ContentType.objects.get_for_model(o), object_id=str(online.pk),
                                         object_repr="x", actor=None)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        notices.dispatch(received, online)
    n = assert_told_once(w.users.admin, title="收到十佳党建品牌公示异议", actor="公示异议人（网上提交） · 钱老师",
                         comment="另有异议")
    assert n


# ---------------------------------------------------------------- exactly once, opt-out, outages


def test_a_double_dispatch_and_a_retried_delivery_send_nothing_twice(world, phase1, django_capture_on_commit_callbacks):
    w = world
    row = submitted_row(w, w.branch_a1, w.users.branch)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=False):
        services.return_row(row, "再具体些", by=w.users.college)
    entry = AuditEntry.objects.filter(action="return").latest("id")
    ids = list(NoticeLog.objects.filter(event=notices.event_key(entry)).values_list("id", flat=True))
    assert len(ids) == 1
    assert notices.dispatch(entry, row) == []  # the same event again: nothing inserted
    assert notices.deliver(ids).sent == 1
    assert notices.deliver(ids).sent == 0  # a retried task finds the row sent
    from campaigns.tasks import deliver_notices

    deliver_notices.apply(args=[ids])
    assert notices.sweep() == []
    assert len(mail.outbox) == 1 and Notification.objects.filter(user=w.users.branch, notice__isnull=False).count() == 1


def test_opting_out_stops_the_e_mail_but_not_the_portal_notice(world, phase1, client_for,
                                                               django_capture_on_commit_callbacks):
    w = world
    row = submitted_row(w, w.branch_a1, w.users.branch)
    c = client_for(w.users.branch)
    page = c.get(reverse("campaigns:notice_settings")).content.decode()
    assert "本支部信息的审核结果" in page and 'name="email_row_review"' in page
    post = {f"email_{code}": "on" for code in notices.KINDS if code != "row_review"}
    assert c.post(reverse("campaigns:notice_settings"), post).status_code == 302
    assert notices.email_off([w.users.branch.pk], "row_review") == {w.users.branch.pk}
    assert AuditEntry.objects.filter(actor=w.users.branch, note="通知设置").count() == 1
    mail.outbox.clear()
    run(django_capture_on_commit_callbacks, services.return_row, row, "再具体些", by=w.users.college)
    assert len(told(w.users.branch)) == 1 and not mails_to(w.users.branch)
    assert NoticeLog.objects.get(recipient=w.users.branch, kind="row_review").status == NoticeStatus.CANCELLED
    page = c.get(reverse("campaigns:notifications")).content.decode()
    assert "再具体些" in page and "甲学院党委（院级党组织）" in page
    # the other kinds still mail
    form = services.save_form1(w.campaign, w.college_a, FORM1_COMPLETE, by=w.users.college, expected_version=0)
    run(django_capture_on_commit_callbacks, services.submit_form1, form, by=w.users.college)
    assert mails_to(w.users.admin)


def test_a_broker_outage_never_fails_the_change_and_the_sweep_sends_later(world, phase1, broker_down, client_for,
                                                                          django_capture_on_commit_callbacks):
    w = world
    row = submitted_row(w, w.branch_a1, w.users.branch)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):  # the after-commit send meets the dead broker
        response = client_for(w.users.college).post(
            reverse("submissions:row_return", args=[w.campaign.pk, w.branch_a1.pk]), {"comment": "请补充载体"})
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.state == "returned"
    assert len(told(w.users.branch)) == 1 and not mail.outbox  # in the portal at once; the e-mail waits
    assert NoticeLog.objects.get(recipient=w.users.branch).status == NoticeStatus.QUEUED
    broker_down.restore()
    from django.utils import timezone

    assert notices.sweep(timezone.now() + dt.timedelta(minutes=5))
    assert len(mails_to(w.users.branch)) == 1


def test_a_failing_notice_never_undoes_the_change(world, phase1, monkeypatch, django_capture_on_commit_callbacks):
    w = world
    row = submitted_row(w, w.branch_a1, w.users.branch)
    Notification.objects.all().delete()

    def broken(*args, **kwargs):
        raise RuntimeError("通知模板错误")

    monkeypatch.setattr(notices, "dispatch", broken)
    run(django_capture_on_commit_callbacks, services.return_row, row, "再具体些", by=w.users.college)
    row.refresh_from_db()
    assert row.state == "returned" and not Notification.objects.exists()


def test_smtp_errors_are_retried_with_the_reminders_backoff(world, phase1, at, settings,
                                                           django_capture_on_commit_callbacks):
    from campaigns import reminders

    from .fake_obligations import FlakySMTPBackend

    settings.EMAIL_BACKEND = "tests.campaigns.fake_obligations.FlakySMTPBackend"
    FlakySMTPBackend.failures, FlakySMTPBackend.calls = 1, 0
    row = submitted_row(w := world, w.branch_a1, w.users.branch)
    NoticeLog.objects.all().delete()
    run(django_capture_on_commit_callbacks, services.return_row, row, "再具体些", by=w.users.college)
    notice = NoticeLog.objects.get(recipient=w.users.branch)
    assert notice.status == NoticeStatus.QUEUED and notice.attempts == 1 and "SMTP" in notice.error
    assert notices.deliver([notice.pk]).sent == 0  # still backing off
    assert reminders.backoff(1) == 60
    at(2026, 5, 8, 10, 1, 1)
    assert notices.sweep() == [notice.pk]
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.SENT and notice.attempts == 2
