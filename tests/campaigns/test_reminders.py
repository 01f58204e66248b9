"""Deadline reminders: who gets what, when, exactly once.

The 2026 campaign's design deadline is 2026-05-15 23:59:59 (Shanghai); default offsets 7/3/1/0
at 09:00, so the sends are May 8, 12, 14 and 15 at 09:00."""

import datetime as dt

import pytest
from django.core import mail
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from campaigns import obligations, reminders
from campaigns.models import SHANGHAI, DeadlineKind, Notification, ReminderLog, ReminderStatus
from campaigns.services import grant_extension
from organizations.models import Role

from ..factories import UserFactory, give_role
from .fake_obligations import FakeObligations, FlakySMTPBackend


@pytest.fixture
def owed(world):
    """college A owes 附件1; branch A1 owes its 附件2 row; college B and its branches owe nothing."""
    fake = FakeObligations()
    fake.owe(world.college_a, "form1", "填写本单位\"一院一品牌\"申报表（附件1）", role=Role.COLLEGE_SECRETARY)
    fake.owe(world.branch_a1, "form2row", "填写本支部\"一支部一特色\"信息（附件2）")
    with obligations.only(fake):
        yield fake


def sent_to():
    return sorted(addr for m in mail.outbox for addr in m.to)


def run(at, *args):
    at(*args)
    return reminders.run_due()


def test_reminders_go_at_each_offset_to_exactly_those_who_owe(world, owed, at, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run(at, 2026, 5, 8, 8, 59)
    assert mail.outbox == []  # before the 7-day send time

    expected = sorted([world.users.college.email, world.users.branch.email])
    for day, slot in [(8, 7), (12, 3), (14, 1), (15, 0)]:
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            run(at, 2026, 5, day, 9, 0)
        assert sent_to() == expected, slot
        assert set(ReminderLog.objects.filter(offset_days=slot).values_list("status", flat=True)) == {ReminderStatus.SENT}
        # a second run at the same moment (retry, second beat, late run) sends nothing more
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            run(at, 2026, 5, day, 9, 3)
        assert mail.outbox == [], slot
    assert ReminderLog.objects.filter(recipient=world.users.branch_b).count() == 0
    assert Notification.objects.filter(user=world.users.branch).count() == 4


def test_mail_names_exactly_what_is_missing_and_links_to_it(world, owed, at, django_capture_on_commit_callbacks, settings):
    owed.owe(world.branch_a1, "outcome", "上传创建成果佐证")
    owed.complete("outcome")
    with django_capture_on_commit_callbacks(execute=True):
        run(at, 2026, 5, 12, 9, 0)
    (msg,) = [m for m in mail.outbox if m.to == [world.users.branch.email]]
    assert "附件1、附件2 上报" in msg.subject and "5月15日" in msg.subject and "还剩3天" in msg.subject
    assert "填写本支部\"一支部一特色\"信息（附件2）" in msg.body
    assert f"{settings.SITE_URL}/forms/form2row/{world.branch_a1.pk}/" in msg.body
    assert "甲一支部" in msg.body
    assert "上传创建成果佐证" not in msg.body  # done items are not listed
    assert "填写本单位" not in msg.body  # the college's item goes to the college secretary only
    note = Notification.objects.get(user=world.users.branch)
    assert note.title == msg.subject and note.url == f"/forms/form2row/{world.branch_a1.pk}/" and note.read_at is None


def test_org_with_extension_is_reminded_against_its_own_date(world, owed, at, django_capture_on_commit_callbacks):
    owed.owe(world.college_b, "form1", "填写附件1", role=Role.COLLEGE_SECRETARY)
    owed.owe(world.branch_b1, "form2row", "填写附件2本支部信息")
    deadline = world.campaign.deadlines.get(kind=DeadlineKind.DESIGN)
    grant_extension(deadline, world.college_b, dt.datetime(2026, 5, 22, 18, 0, tzinfo=SHANGHAI), "书记出差",
                    by=world.users.admin)

    with django_capture_on_commit_callbacks(execute=True):
        run(at, 2026, 5, 14, 9, 0)  # d1 for the base date; for May 22 the d7 send is May 15 09:00
    assert world.users.college_b.email not in sent_to() and world.users.branch_b.email not in sent_to()

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        run(at, 2026, 5, 15, 9, 0)
    by_addr = {m.to[0]: m for m in mail.outbox}
    assert set(by_addr) == {world.users.college.email, world.users.branch.email,
                            world.users.college_b.email, world.users.branch_b.email}
    assert "今天截止" in by_addr[world.users.college.email].subject
    assert "5月22日 18:00" in by_addr[world.users.college_b.email].subject  # the branch inherits it too
    assert "5月22日 18:00" in by_addr[world.users.branch_b.email].subject

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        run(at, 2026, 5, 16, 0, 10)  # base deadline passed: no before-reminders, B still has time
    assert world.users.college_b.email not in sent_to()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        run(at, 2026, 5, 22, 9, 0)
    assert sorted(sent_to()) == sorted([world.users.college_b.email, world.users.branch_b.email])
    assert all("今天截止" in m.subject for m in mail.outbox)


def test_orgs_that_are_done_get_nothing(world, owed, at, django_capture_on_commit_callbacks):
    owed.complete("form1")
    owed.complete("form2row")
    with django_capture_on_commit_callbacks(execute=True):
        run(at, 2026, 5, 12, 9, 0)
    assert mail.outbox == [] and not ReminderLog.objects.exists() and not Notification.objects.exists()


def test_a_reminder_whose_items_were_done_before_sending_is_cancelled(world, owed, at, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        run(at, 2026, 5, 12, 9, 0)  # recorded, but the worker never got to send
    owed.complete("form2row")
    with django_capture_on_commit_callbacks(execute=True):
        run(at, 2026, 5, 12, 9, 10)
    assert sent_to() == [world.users.college.email]
    assert ReminderLog.objects.get(recipient=world.users.branch, offset_days=3).status == ReminderStatus.CANCELLED


def test_catch_up_after_downtime_sends_the_latest_missed_offset_once(world, owed, at, django_capture_on_commit_callbacks):
    # The worker was down from before May 8 until May 14 10:00: d7 and d3 were missed.
    with django_capture_on_commit_callbacks(execute=True):
        run(at, 2026, 5, 14, 10, 0)
    assert sent_to() == sorted([world.users.college.email, world.users.branch.email])
    assert all("还剩1天" in m.subject for m in mail.outbox)
    rows = ReminderLog.objects.filter(recipient=world.users.branch)
    assert {r.slot: r.status for r in rows} == {
        "d1@202605152359": ReminderStatus.SENT, "d3@202605152359": ReminderStatus.SKIPPED,
        "d7@202605152359": ReminderStatus.SKIPPED,
    }
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        run(at, 2026, 5, 14, 10, 5)
    assert mail.outbox == []


def test_a_missed_run_is_caught_up_late_rather_than_skipped(world, owed, at, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run(at, 2026, 5, 8, 9, 0)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        run(at, 2026, 5, 13, 16, 30)  # the May 12 09:00 run never happened; d1 is not due yet
    assert len(mail.outbox) == 2 and all("还剩2天" in m.subject for m in mail.outbox)
    assert ReminderLog.objects.filter(offset_days=3, status=ReminderStatus.SENT).count() == 2


def test_nothing_is_sent_after_the_deadline_except_one_overdue_summary(world, owed, at, django_capture_on_commit_callbacks):
    second_admin = give_role(UserFactory(username="admin2"), Role.ADMIN)
    with django_capture_on_commit_callbacks(execute=True):
        run(at, 2026, 5, 16, 0, 5)
    assert sent_to() == sorted([world.users.admin.email, second_admin.email])
    msg = mail.outbox[0]
    assert msg.subject.startswith("【逾期汇总】附件1、附件2 上报")
    assert "甲学院党委" in msg.body and "甲一支部" in msg.body and "填写本支部" in msg.body
    assert "乙" not in msg.body
    mail.outbox.clear()
    for hour in (1, 9, 23):
        with django_capture_on_commit_callbacks(execute=True):
            run(at, 2026, 5, 17, hour, 0)
    assert mail.outbox == []


def test_overdue_summary_leaves_out_orgs_whose_extension_has_not_run_out(world, owed, at, django_capture_on_commit_callbacks):
    deadline = world.campaign.deadlines.get(kind=DeadlineKind.DESIGN)
    grant_extension(deadline, world.college_a, dt.datetime(2026, 5, 22, 18, 0, tzinfo=SHANGHAI), "原因",
                    by=world.users.admin)
    owed.owe(world.branch_b2, "form2row", "填写附件2本支部信息")
    give_role(UserFactory(username="branch_b2"), Role.BRANCH_SECRETARY, world.branch_b2)
    with django_capture_on_commit_callbacks(execute=True):
        run(at, 2026, 5, 16, 0, 5)
    (msg,) = [m for m in mail.outbox if m.to == [world.users.admin.email]]
    assert "乙二支部" in msg.body and "甲一支部" not in msg.body and "另有 2 项已批准延期" in msg.body
    # when the extension runs out too, 组织部 hears about those who missed it, once
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        run(at, 2026, 5, 22, 18, 5)
        run(at, 2026, 5, 22, 18, 10)
    (msg,) = [m for m in mail.outbox if m.to == [world.users.admin.email]]
    assert msg.subject.startswith("【逾期汇总】附件1、附件2 上报（延期）")
    assert "甲一支部" in msg.body and "甲学院党委" in msg.body and "乙二支部" not in msg.body
    assert "5月22日 18:00" in msg.body


def test_judges_with_unscored_assignments_are_reminded_before_the_judging_deadline(world, owed, at, django_capture_on_commit_callbacks):
    other_judge = give_role(UserFactory(username="judge2"), Role.JUDGE)
    owed.owe_user(world.users.judge, "score-17", "为\"甲学院党委·匠心铸魂\"评分", kind=DeadlineKind.JUDGING)
    with django_capture_on_commit_callbacks(execute=True):
        run(at, 2026, 12, 7, 9, 0)  # judging deadline Dec 10: d3
    (msg,) = [m for m in mail.outbox if m.to == [world.users.judge.email]]
    assert "评审打分" in msg.subject and "还剩3天" in msg.subject and "匠心铸魂" in msg.body
    # everyone else who got mail is 组织部 with overdue summaries of the earlier deadlines
    assert {m.to[0] for m in mail.outbox} == {world.users.judge.email, world.users.admin.email}
    assert not ReminderLog.objects.filter(recipient=other_judge).exists()


def test_mail_is_sent_only_after_the_transaction_commits(world, owed, at, django_capture_on_commit_callbacks):
    at(2026, 5, 12, 9, 0)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            reminders.run_due()
            assert mail.outbox == []  # recorded, not sent: the transaction is still open
    assert len(callbacks) == 1 and len(mail.outbox) == 2

    class Rollback(Exception):
        pass

    mail.outbox.clear()
    ReminderLog.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(Rollback), transaction.atomic():
            reminders.run_due()
            raise Rollback
    assert mail.outbox == [] and callbacks == [] and not ReminderLog.objects.exists()


def test_crash_between_record_and_send_is_recovered_once(world, owed, at, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):  # the process died before delivering
        run(at, 2026, 5, 12, 9, 0)
    assert mail.outbox == [] and ReminderLog.objects.filter(status=ReminderStatus.QUEUED).count() == 2
    assert Notification.objects.count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        run(at, 2026, 5, 12, 9, 5)
    assert sent_to() == sorted([world.users.college.email, world.users.branch.email])
    with django_capture_on_commit_callbacks(execute=True):
        run(at, 2026, 5, 12, 9, 10)
        run(at, 2026, 5, 13, 9, 10)
    assert len(mail.outbox) == 2 and Notification.objects.count() == 2


def test_crash_while_sending_waits_for_the_lease_then_retries_once(world, owed, at, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        run(at, 2026, 5, 12, 9, 0)
    # a worker claimed the rows and died before finishing
    ReminderLog.objects.filter(status=ReminderStatus.QUEUED).update(status=ReminderStatus.SENDING,
                               lease_until=dt.datetime(2026, 5, 12, 9, 10, tzinfo=SHANGHAI))
    with django_capture_on_commit_callbacks(execute=True):
        run(at, 2026, 5, 12, 9, 5)
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        run(at, 2026, 5, 12, 9, 15)
        run(at, 2026, 5, 12, 9, 20)
    assert len(mail.outbox) == 2
    assert set(ReminderLog.objects.filter(offset_days=3).values_list("status", flat=True)) == {ReminderStatus.SENT}


def test_delivering_the_same_ids_twice_sends_once(world, owed, at, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        ids = run(at, 2026, 5, 12, 9, 0).ids
    first = reminders.deliver(ids)
    second = reminders.deliver(ids)
    assert (first.sent, second.sent) == (2, 0) and len(mail.outbox) == 2


@override_settings(EMAIL_BACKEND="tests.campaigns.fake_obligations.FlakySMTPBackend")
def test_smtp_errors_are_retried_with_backoff(world, owed, at, django_capture_on_commit_callbacks):
    FlakySMTPBackend.failures, FlakySMTPBackend.calls = 3, 0  # first three sends fail
    with django_capture_on_commit_callbacks(execute=True):
        run(at, 2026, 5, 12, 9, 0)
    first, second = ReminderLog.objects.filter(offset_days=3).order_by("id")
    for row in (first, second):
        assert (row.status, row.attempts) == (ReminderStatus.QUEUED, 1) and "SMTPServerDisconnected" in row.error
        assert row.next_attempt_at == dt.datetime(2026, 5, 12, 9, 1, tzinfo=SHANGHAI)  # 60 s backoff
    with django_capture_on_commit_callbacks(execute=True):
        run(at, 2026, 5, 12, 9, 0, 30)  # before the backoff: nothing is tried
    assert FlakySMTPBackend.calls == 2
    with django_capture_on_commit_callbacks(execute=True):
        run(at, 2026, 5, 12, 9, 2)  # the first fails again (backoff 300 s), the second goes out
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.attempts) == (ReminderStatus.QUEUED, 2)
    assert (second.status, second.attempts, second.error) == (ReminderStatus.SENT, 2, "")
    with django_capture_on_commit_callbacks(execute=True):
        run(at, 2026, 5, 12, 9, 6)
    first.refresh_from_db()
    assert first.status == ReminderStatus.QUEUED
    with django_capture_on_commit_callbacks(execute=True):
        run(at, 2026, 5, 12, 9, 8)
    first.refresh_from_db()
    assert (first.status, first.attempts) == (ReminderStatus.SENT, 3)
    assert len(mail.outbox) == 2


@override_settings(EMAIL_BACKEND="tests.campaigns.fake_obligations.FlakySMTPBackend")
def test_a_reminder_is_marked_failed_after_the_last_attempt(world, owed, at, django_capture_on_commit_callbacks):
    FlakySMTPBackend.failures, FlakySMTPBackend.calls = 10**6, 0
    with django_capture_on_commit_callbacks(execute=True):
        run(at, 2026, 5, 12, 9, 0)
        for hour in range(10, 20):
            run(at, 2026, 5, 12, hour, 0)
    rows = ReminderLog.objects.filter(offset_days=3)
    assert {(r.status, r.attempts) for r in rows} == {(ReminderStatus.FAILED, reminders.MAX_ATTEMPTS)}
    assert mail.outbox == []


def test_offsets_and_texts_come_from_the_campaign_settings(world, owed, at, django_capture_on_commit_callbacks):
    rs = reminders.settings_for(world.campaign)
    rs.offsets = [10, 0]
    rs.send_time = dt.time(8, 30)
    rs.subject_template = "请尽快完成：{{ deadline_label }}"
    rs.body_template = "{% for item in items %}[{{ item.label }}]{% endfor %}"
    rs.save()
    with django_capture_on_commit_callbacks(execute=True):
        run(at, 2026, 5, 5, 8, 29)
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        run(at, 2026, 5, 5, 8, 30)  # 10 days before at 08:30
    assert len(mail.outbox) == 2
    msg = next(m for m in mail.outbox if m.to == [world.users.branch.email])
    assert msg.subject == "请尽快完成：附件1、附件2 上报"
    assert msg.body == "[填写本支部\"一支部一特色\"信息（附件2）]"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        run(at, 2026, 5, 8, 9, 0)  # 7 days before: no longer an offset
        run(at, 2026, 5, 14, 9, 0)
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        run(at, 2026, 5, 15, 8, 30)
    assert len(mail.outbox) == 2


def test_disabled_reminders_send_nothing_automatically(world, owed, at, django_capture_on_commit_callbacks):
    rs = reminders.settings_for(world.campaign)
    rs.enabled = False
    rs.save()
    with django_capture_on_commit_callbacks(execute=True):
        run(at, 2026, 5, 12, 9, 0)
        run(at, 2026, 5, 16, 9, 0)
    assert mail.outbox == []


def test_account_without_email_still_gets_the_portal_notification(world, owed, at, django_capture_on_commit_callbacks):
    world.users.branch.email = ""
    world.users.branch.save()
    with django_capture_on_commit_callbacks(execute=True):
        run(at, 2026, 5, 12, 9, 0)
    assert sent_to() == [world.users.college.email]
    row = ReminderLog.objects.get(recipient=world.users.branch, offset_days=3)
    assert row.status == ReminderStatus.SENT and "仅发送站内通知" in row.error
    assert Notification.objects.filter(user=world.users.branch).count() == 1


def test_the_beat_schedule_is_installed_and_names_a_real_task(db):
    from django_celery_beat.models import PeriodicTask

    from brandcampaign.celery import app

    task = PeriodicTask.objects.get(task="campaigns.tasks.send_due_reminders")
    assert task.enabled and task.interval.every == 5 and task.interval.period == "minutes"
    app.loader.import_default_modules()
    assert task.task in app.tasks


def test_management_command_runs_the_due_task_once(world, owed, at, django_capture_on_commit_callbacks):
    from io import StringIO

    from django.core.management import call_command

    at(2026, 5, 12, 9, 0)
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_due_reminders", stdout=out)
        call_command("send_due_reminders", stdout=out)
    assert "'queued': 2" in out.getvalue() and "'queued': 0" in out.getvalue()
    assert len(mail.outbox) == 2


def test_the_celery_task_runs_the_same_logic(world, owed, at, django_capture_on_commit_callbacks):
    from campaigns.tasks import send_due_reminders

    at(2026, 5, 12, 9, 0)
    with django_capture_on_commit_callbacks(execute=True):
        send_due_reminders.delay()
        send_due_reminders.delay()
    assert len(mail.outbox) == 2


@override_settings(EMAIL_BACKEND="tests.campaigns.fake_obligations.FlakySMTPBackend")
def test_an_early_duplicate_delivery_does_not_cut_the_backoff_short(world, owed, at, django_capture_on_commit_callbacks):
    FlakySMTPBackend.failures, FlakySMTPBackend.calls = 2, 0
    with django_capture_on_commit_callbacks(execute=True):
        ids = run(at, 2026, 5, 12, 9, 0).ids
    assert ReminderLog.objects.filter(pk__in=ids, status=ReminderStatus.QUEUED, attempts=1).count() == 2
    at(2026, 5, 12, 9, 0, 20)
    assert reminders.deliver(ids).sent == 0 and FlakySMTPBackend.calls == 2  # still backing off
    at(2026, 5, 12, 9, 1, 0)
    assert reminders.deliver(ids).sent == 2


@override_settings(EMAIL_BACKEND="tests.campaigns.fake_obligations.FlakySMTPBackend")
def test_the_delivery_task_asks_celery_to_retry_only_the_failed_rows_with_backoff(
        world, owed, at, django_capture_on_commit_callbacks, monkeypatch):
    from celery.exceptions import Retry

    from campaigns.tasks import deliver_reminders

    FlakySMTPBackend.failures, FlakySMTPBackend.calls = 1, 0
    with django_capture_on_commit_callbacks(execute=False):
        ids = run(at, 2026, 5, 12, 9, 0).ids
    calls = []

    def fake_retry(**kwargs):
        calls.append(kwargs)
        return Retry()

    monkeypatch.setattr(deliver_reminders, "retry", fake_retry)
    deliver_reminders.push_request(is_eager=False, retries=0)  # as in a real worker
    try:
        with pytest.raises(Retry):
            deliver_reminders.run(ids)
    finally:
        deliver_reminders.pop_request()
    assert calls == [{"args": [[min(ids)]], "countdown": reminders.backoff(1)}]
    assert len(mail.outbox) == 1


def test_a_postponed_deadline_gets_fresh_reminders_against_the_new_date(world, owed, at, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run(at, 2026, 5, 12, 9, 0)  # d3 for May 15
    assert len(mail.outbox) == 2
    deadline = world.campaign.deadlines.get(kind=DeadlineKind.DESIGN)
    deadline.due_at = dt.datetime(2026, 5, 20, 23, 59, 59, tzinfo=SHANGHAI)
    deadline.save()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        run(at, 2026, 5, 17, 9, 0)  # d3 for May 20
        run(at, 2026, 5, 17, 9, 5)
    assert len(mail.outbox) == 2 and all("5月20日" in m.subject and "还剩3天" in m.subject for m in mail.outbox)


def test_the_org_contact_is_copied_on_its_reminder(world, owed, at, django_capture_on_commit_callbacks):
    world.branch_a1.contact_email = "lianxiren-a1@example.edu.cn"
    world.branch_a1.save()
    world.college_a.contact_email = world.users.college.email  # the secretary is the contact: no copy
    world.college_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        run(at, 2026, 5, 12, 9, 0)
    by_to = {m.to[0]: m for m in mail.outbox}
    assert by_to[world.users.branch.email].cc == ["lianxiren-a1@example.edu.cn"]
    assert by_to[world.users.college.email].cc == []


def test_the_send_lease_is_sized_to_one_mail_and_renewed_per_mail(world, owed, at, settings,
                                                                  django_capture_on_commit_callbacks, monkeypatch):
    """A killed worker's rows are free again about 2 × EMAIL_TIMEOUT later, not after ten minutes."""
    settings.EMAIL_TIMEOUT = 20
    assert reminders.send_lease() == dt.timedelta(seconds=60)
    settings.EMAIL_TIMEOUT = 45
    assert reminders.send_lease() == dt.timedelta(seconds=90)
    with django_capture_on_commit_callbacks(execute=False):
        ids = run(at, 2026, 5, 12, 9, 0).ids
    seen = []
    real_send = reminders.EmailMessage.send

    def send(self, *a, **k):
        leases = ReminderLog.objects.filter(status=ReminderStatus.SENDING).values_list("lease_until", flat=True)
        seen.append([(lease - timezone.now()).total_seconds() for lease in leases])
        return real_send(self, *a, **k)

    monkeypatch.setattr(reminders.EmailMessage, "send", send)
    assert reminders.deliver(ids).sent == 2
    assert len(seen) == 2 and all(0 < left <= 90 for lease in seen for left in lease)
