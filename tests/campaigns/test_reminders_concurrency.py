"""Two (or four) beat runs at the same moment, against PostgreSQL: each reminder goes out once."""

import datetime as dt
import threading

import pytest
from django.core import mail
from django.db import connection

from campaigns import obligations, reminders
from campaigns.models import SHANGHAI, Notification, ReminderLog, ReminderStatus
from organizations.models import Role

from ..factories import BranchFactory, UserFactory, give_role
from .fake_obligations import FakeObligations

NOW = dt.datetime(2026, 5, 12, 9, 0, tzinfo=SHANGHAI)


def in_threads(n, target):
    barrier = threading.Barrier(n)
    results, errors = [], []

    def body():
        try:
            barrier.wait()
            results.append(target())
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=body) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    return results


@pytest.fixture
def many_owing(world):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency needs PostgreSQL (SQLite serialises writers; run with DATABASE_URL=postgres://...)")
    fake = FakeObligations()
    users = []
    for i in range(40):
        branch = BranchFactory(parent=world.college_a, name=f"并发测试支部{i}")
        users.append(give_role(UserFactory(), Role.BRANCH_SECRETARY, branch))
        fake.owe(branch, "form2row", "填写附件2本支部信息")
    with obligations.only(fake):
        yield users


@pytest.mark.django_db(transaction=True)
def test_concurrent_due_runs_record_and_send_each_reminder_once(world, many_owing):
    results = in_threads(4, lambda: reminders.run_due(NOW))
    assert sum(r.queued for r in results) == 40  # the rows were split between the runs, none twice
    assert ReminderLog.objects.filter(offset_days=3).count() == 40
    assert Notification.objects.count() == 40
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in many_owing)


@pytest.mark.django_db(transaction=True)
def test_concurrent_deliveries_of_the_same_rows_send_once(world, many_owing, monkeypatch):
    with monkeypatch.context() as m:
        m.setattr(reminders, "enqueue_delivery", lambda ids: None)  # recorded, not yet delivered
        ids = reminders.run_due(NOW).ids
    assert len(ids) == 40 and mail.outbox == []
    results = in_threads(4, lambda: reminders.deliver(ids))
    assert sum(r.sent for r in results) == 40
    assert len(mail.outbox) == 40
    assert set(ReminderLog.objects.filter(offset_days=3).values_list("status", flat=True)) == {ReminderStatus.SENT}
