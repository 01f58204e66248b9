"""The reminder pages for 组织部 and the notification list with its navbar badge."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from campaigns import obligations, reminders
from campaigns.models import DeadlineKind, Notification, ReminderLog, ReminderSettings, ReminderStatus
from audit.models import AuditEntry
from organizations.models import Role

from .fake_obligations import FakeObligations


@pytest.fixture
def owed(world):
    fake = FakeObligations()
    fake.owe(world.college_a, "form1", "填写附件1", role=Role.COLLEGE_SECRETARY)
    fake.owe(world.branch_a1, "form2row", "填写附件2本支部信息")
    fake.owe(world.branch_b1, "form2row", "填写附件2本支部信息")
    with obligations.only(fake):
        yield fake


def test_navbar_shows_the_unread_count_and_the_list_marks_read(world, client_for):
    user = world.users.branch
    n1 = Notification.objects.create(user=user, title="【提醒】甲", url="/somewhere/")
    Notification.objects.create(user=user, title="【提醒】乙")
    Notification.objects.create(user=world.users.college, title="别人的通知")
    c = client_for(user)
    page = c.get(reverse("campaigns:notifications")).content.decode()
    assert 'data-testid="unread-count">2<' in page
    assert "【提醒】甲" in page and "别人的通知" not in page

    response = c.get(reverse("campaigns:notification_open", args=[n1.pk]))
    assert response.status_code == 302 and response["Location"] == "/somewhere/"
    n1.refresh_from_db()
    assert n1.read_at is not None
    assert 'data-testid="unread-count">1<' in c.get(reverse("home")).content.decode()

    c.post(reverse("campaigns:notifications_read_all"))
    page = c.get(reverse("campaigns:notifications")).content.decode()
    assert 'data-testid="unread-count"' not in page
    assert Notification.objects.filter(user=world.users.college, read_at__isnull=True).count() == 1


def test_marking_read_one_notification_and_not_someone_elses(world, client_for):
    mine = Notification.objects.create(user=world.users.branch, title="甲")
    theirs = Notification.objects.create(user=world.users.college, title="乙")
    c = client_for(world.users.branch)
    assert c.post(reverse("campaigns:notification_read", args=[mine.pk])).status_code == 302
    assert c.post(reverse("campaigns:notification_read", args=[theirs.pk])).status_code == 404
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.read_at is not None and theirs.read_at is None


def test_open_does_not_redirect_off_site(world, client_for):
    n = Notification.objects.create(user=world.users.branch, title="甲", url="https://evil.example/")
    response = client_for(world.users.branch).get(reverse("campaigns:notification_open", args=[n.pk]))
    assert response["Location"] == reverse("campaigns:notifications")


def test_preview_shows_what_the_next_run_will_send_without_sending(world, owed, at, client_for):
    at(2026, 5, 12, 9, 30)
    c = client_for(world.users.admin)
    page = c.get(reverse("campaigns:reminders", args=[world.campaign.pk]))
    assert page.status_code == 200
    assert [p.recipient for p in page.context["planned"]] == sorted(
        [world.users.college, world.users.branch, world.users.branch_b], key=lambda u: u.pk)
    assert "填写附件2本支部信息" in page.content.decode()
    assert mail.outbox == [] and not ReminderLog.objects.exists()
    # a chosen moment: before the first offset nothing is due
    page = c.get(reverse("campaigns:reminders", args=[world.campaign.pk]), {"at": "2026-05-01T09:00"})
    assert page.context["planned_count"] == 0
    # after a run, the preview no longer lists what was sent
    reminders.run_due()
    assert c.get(reverse("campaigns:reminders", args=[world.campaign.pk])).context["planned_count"] == 0


def test_admin_sends_a_manual_reminder_to_chosen_orgs(world, owed, at, client_for, django_capture_on_commit_callbacks):
    at(2026, 5, 2, 10, 0)
    deadline = world.campaign.deadlines.get(kind=DeadlineKind.DESIGN)
    c = client_for(world.users.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = c.post(reverse("campaigns:reminder_manual", args=[world.campaign.pk]), {
            "deadline": deadline.pk, "organizations": [world.college_a.pk], "note": "请抓紧！"})
    assert response.status_code == 302
    # the college and its branch A1 owe something; college B's branch is not chosen
    assert sorted(m.to[0] for m in mail.outbox) == sorted([world.users.college.email, world.users.branch.email])
    assert all(m.body.startswith("请抓紧！") for m in mail.outbox)
    assert set(ReminderLog.objects.values_list("kind", "status")) == {("manual", ReminderStatus.SENT)}
    assert AuditEntry.objects.filter(action="manual_reminder", actor=world.users.admin).exists()
    # a second manual reminder is a new batch: it is sent again, on purpose
    with django_capture_on_commit_callbacks(execute=True):
        c.post(reverse("campaigns:reminder_manual", args=[world.campaign.pk]), {
            "deadline": deadline.pk, "organizations": [world.branch_b1.pk]})
    assert mail.outbox[-1].to == [world.users.branch_b.email] and len(mail.outbox) == 3
    log = c.get(reverse("campaigns:reminder_log", args=[world.campaign.pk])).content.decode()
    assert log.count("已发送") >= 3 and "甲一支部" in log


def test_manual_reminder_to_orgs_that_owe_nothing_sends_nothing(world, owed, client_for):
    deadline = world.campaign.deadlines.get(kind=DeadlineKind.DESIGN)
    c = client_for(world.users.admin)
    c.post(reverse("campaigns:reminder_manual", args=[world.campaign.pk]),
           {"deadline": deadline.pk, "organizations": [world.branch_b2.pk]})
    assert mail.outbox == [] and not ReminderLog.objects.exists()


def test_admin_edits_offsets_and_mail_text(world, client_for):
    c = client_for(world.users.admin)
    url = reverse("campaigns:reminder_settings", args=[world.campaign.pk])
    assert c.get(url).status_code == 200
    response = c.post(url, {"enabled": "on", "offsets_text": "5，2,0", "send_time": "08:00", "version": 1,
                            "subject_template": "截止提醒：{{ deadline_label }}", "body_template": "{{ recipient_name }} 您好"})
    assert response.status_code == 302
    rs = ReminderSettings.objects.get(campaign=world.campaign)
    assert rs.offsets == [5, 2, 0] and rs.send_time == dt.time(8, 0) and rs.version == 2
    assert rs.subject_template == "截止提醒：{{ deadline_label }}"
    assert AuditEntry.objects.filter(action="update", note="修改提醒设置").exists()
    # a stale form (version 1 again) is refused
    response = c.post(url, {"enabled": "on", "offsets_text": "1", "send_time": "08:00", "version": 1,
                            "subject_template": "x", "body_template": "y"})
    assert response.status_code == 200 and "其他人已修改" in response.content.decode()


@pytest.mark.parametrize("field,value,message", [
    ("offsets_text", "7,abc", "整数"),
    ("offsets_text", "90", "0–60"),
    ("subject_template", "{% for x in %}", "语法错误"),
    ("body_template", "{{ items|nosuchfilter }}", "语法错误"),
])
def test_invalid_settings_are_refused(world, client_for, field, value, message):
    c = client_for(world.users.admin)
    data = {"enabled": "on", "offsets_text": "7,3,1,0", "send_time": "09:00", "version": 1,
            "subject_template": "标题", "body_template": "正文"}
    data[field] = value
    response = c.post(reverse("campaigns:reminder_settings", args=[world.campaign.pk]), data)
    assert response.status_code == 200 and message in response.content.decode()
    assert reminders.settings_for(world.campaign).version == 1


def test_non_admins_cannot_send_manual_reminders(world, owed, client_for):
    deadline = world.campaign.deadlines.get(kind=DeadlineKind.DESIGN)
    for user in (world.users.college, world.users.judge, world.users.branch):
        response = client_for(user).post(reverse("campaigns:reminder_manual", args=[world.campaign.pk]),
                                         {"deadline": deadline.pk, "organizations": [world.college_a.pk]})
        assert response.status_code == 403
    assert not ReminderLog.objects.exists()


def test_reminder_log_lists_rows_with_constant_queries(world, owed, at, client_for, django_assert_max_num_queries):
    from ..factories import BranchFactory, UserFactory, give_role

    for i in range(60):  # 10x a page's usual handful of rows
        branch = BranchFactory(parent=world.college_b)
        give_role(UserFactory(), Role.BRANCH_SECRETARY, branch)
        owed.owe(branch, "form2row", "填写附件2本支部信息")
    at(2026, 5, 12, 9, 0)
    reminders.run_due()
    c = client_for(world.users.admin)
    url = reverse("campaigns:reminder_log", args=[world.campaign.pk])
    with django_assert_max_num_queries(25):
        page = c.get(url)
    assert len(page.context["rows"]) == 50 and ReminderLog.objects.count() > 100
    page = c.get(url, {"status": "skipped"})
    assert {r.status for r in page.context["rows"]} == {ReminderStatus.SKIPPED}
    with django_assert_max_num_queries(25):
        c.get(reverse("campaigns:reminders", args=[world.campaign.pk]))


def test_navbar_link_leads_admins_to_the_current_campaigns_reminders(world, client_for):
    c = client_for(world.users.admin)
    assert reverse("campaigns:reminders_current") in c.get(reverse("home")).content.decode()
    response = c.get(reverse("campaigns:reminders_current"))
    assert response["Location"] == reverse("campaigns:reminders", args=[world.campaign.pk])
    assert reverse("campaigns:reminders_current") not in client_for(world.users.college).get(reverse("home")).content.decode()
