"""A real Celery worker process, a real Redis broker, and the e-mail arriving in a mail folder.

Needs Redis (REDIS_TEST_URL, default redis://127.0.0.1:6379/6): skipped when it is not reachable,
except with CI=true, where it fails instead. The worker opens the test database itself, so the
test uses a committed (transactional) database: PostgreSQL or the file-based SQLite test DB."""

import datetime as dt
import email
import email.header
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from brandcampaign.celery import app
from campaigns import obligations, reminders
from campaigns.models import SHANGHAI, ReminderLog, ReminderStatus
from organizations.models import Role

from .fake_obligations import ENV, FakeObligations

REDIS_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/6")
SEPARATOR = b"\n" + b"-" * 79 + b"\n"


def redis_or_skip():
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except Exception as exc:  # noqa: BLE001
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"Redis at {REDIS_URL} is required in CI: {exc}")
        pytest.skip(f"Redis at {REDIS_URL} is not reachable: {exc}")


def database_url():
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        if s["NAME"] == ":memory:" or "mode=memory" in str(s["NAME"]):
            pytest.skip("the test database is in memory; a worker process cannot open it")
        return f"sqlite:///{s['NAME']}"
    if connection.vendor == "postgresql":
        auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
        return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    pytest.skip(f"no worker database URL for {connection.vendor}")


def read_mails(folder):
    messages = []
    for path in sorted(Path(folder).glob("*.log")):
        for chunk in path.read_bytes().split(SEPARATOR):
            if chunk.strip():
                messages.append(email.message_from_bytes(chunk))
    return messages


def subject_of(msg):
    return str(email.header.make_header(email.header.decode_header(msg["Subject"])))


def body_of(msg):
    part = msg.get_payload(decode=True)
    return part.decode(msg.get_content_charset() or "utf-8")


def wait_for(predicate, timeout=60, interval=0.25):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


def fresh_celery_connections():
    """Earlier eager calls in this process built a producer pool (and routing) for the old broker
    settings; drop them so the next publish uses the current configuration."""
    from kombu import pools

    # kombu keeps process-wide connection/producer pools keyed by broker URL: closing one pool but leaving
    # it registered makes the next eager .delay() in this process fail with "Acquire on closed pool".
    pools.reset()
    app._pool = None
    app.__dict__.pop("amqp", None)


@pytest.fixture
def worker(tmp_path):
    """Start `celery -A brandcampaign worker` on a private queue; point this process at Redis."""
    redis_or_skip()
    queue = f"bc-rem-test-{uuid.uuid4().hex[:8]}"
    maildir = tmp_path / "mail"
    maildir.mkdir()
    fake = FakeObligations()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.worker_settings",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": REDIS_URL,
        "CELERY_RESULT_BACKEND": "",
        "REDIS_URL": "",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(maildir),
        "EMAIL_HOST": "",
        "DJANGO_TESTING": "",
    }
    log = tmp_path / "worker.log"
    saved = {k: app.conf[k] for k in ("broker_url", "task_always_eager", "task_default_queue")}
    fresh_celery_connections()
    app.conf.update(broker_url=REDIS_URL, task_always_eager=False, task_default_queue=queue)
    procs = []

    def start(**extra_env):
        env[ENV] = fake.to_env()  # the worker's registry answers what this process's does
        env.update(extra_env)
        with open(log, "ab") as out:
            procs.append(subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "brandcampaign", "worker", "--pool=solo", "-Q", queue,
                 "--loglevel=INFO", "--without-mingle", "--without-gossip", "--without-heartbeat"],
                cwd=settings.BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT,
            ))

    def kill():
        """SIGKILL the running worker (no warm shutdown, no ack, no cleanup), as the OOM killer would."""
        proc = procs[-1]
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)

    handle = type("Worker", (), {"start": staticmethod(start), "kill": staticmethod(kill), "procs": procs,
                                 "fake": fake, "maildir": maildir, "log": log})
    try:
        with obligations.only(fake):
            yield handle
    finally:
        for p in procs:
            p.terminate()
            try:
                p.wait(15)
            except subprocess.TimeoutExpired:
                p.kill()
        app.conf.update(saved)
        fresh_celery_connections()
        try:
            import redis

            redis.Redis.from_url(REDIS_URL).delete(queue)
        except Exception:  # noqa: BLE001
            pass


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_real_worker_delivers_each_reminder_once(world, worker):
    worker.fake.owe(world.college_a, "form1", "填写本单位\"一院一品牌\"申报表（附件1）", role=Role.COLLEGE_SECRETARY)
    worker.fake.owe(world.branch_a1, "form2row", "填写本支部\"一支部一特色\"信息（附件2）")
    worker.start()

    # The beat's run, as of the 3-days-before send time; the delivery goes through Redis.
    now = dt.datetime(2026, 5, 12, 9, 0, tzinfo=SHANGHAI)
    result = reminders.run_due(now)
    assert result.queued == 2

    def delivered():
        return ReminderLog.objects.filter(offset_days=3, status=ReminderStatus.SENT).count() == 2

    assert wait_for(delivered, timeout=90), worker.log.read_text(errors="replace")[-3000:]
    mails = read_mails(worker.maildir)
    assert sorted(m["To"] for m in mails) == sorted([world.users.college.email, world.users.branch.email])
    branch_mail = next(m for m in mails if m["To"] == world.users.branch.email)
    assert "还剩" in subject_of(branch_mail) and "附件1、附件2 上报" in subject_of(branch_mail)
    assert "填写本支部\"一支部一特色\"信息（附件2）" in body_of(branch_mail)

    # A second beat run and a duplicated delivery message change nothing.
    assert reminders.run_due(now).queued == 0
    from campaigns.tasks import deliver_reminders

    deliver_reminders.delay(result.ids)
    time.sleep(3)
    assert len(read_mails(worker.maildir)) == 2


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_batch_sends_every_reminder_exactly_once(world, worker):
    """SIGKILL the worker while it is half-way through a batch, start a new one: the rows it had
    sent stay sent (not mailed again), the rest become sendable once their lease (sized to the
    real send time) runs out and are sent once each. A live batch longer than one lease is never
    taken away from its worker."""
    from organizations.models import Organization

    from tests.factories import UserFactory, give_role

    for code in ("A-2", "B-2"):
        give_role(UserFactory(), Role.BRANCH_SECRETARY, Organization.objects.get(code=code))
    for college in (world.college_a, world.college_b):
        worker.fake.owe(college, "form1", "填写本单位申报表（附件1）", role=Role.COLLEGE_SECRETARY)
    for branch in (world.branch_a1, world.branch_a2, world.branch_b1, world.branch_b2):
        worker.fake.owe(branch, f"form2row-{branch.code}", "填写本支部信息（附件2）", role=Role.BRANCH_SECRETARY)
    send_seconds, email_timeout = 1.5, 2
    lease = dt.timedelta(seconds=2 * email_timeout)  # what the worker computes: 2 × EMAIL_TIMEOUT
    worker_env = {"EMAIL_BACKEND": "tests.campaigns.slow_mail.SlowFileBackend", "SLOW_MAIL_SECONDS": str(send_seconds),
                  "EMAIL_TIMEOUT": str(email_timeout), "REMINDER_LEASE_MIN_SECONDS": "1"}
    worker.start(**worker_env)

    now = dt.datetime(2026, 5, 12, 9, 0, tzinfo=SHANGHAI)
    result = reminders.run_due(now)
    total = result.queued
    assert total == 6  # one per secretary; the batch (6 × 1.5 s) outlives one lease (4 s)

    def count(status):
        return ReminderLog.objects.filter(status=status).count()

    assert wait_for(lambda: count(ReminderStatus.QUEUED) == 0, timeout=90, interval=0.05), \
        worker.log.read_text(errors="replace")[-3000:]  # the worker claimed the batch

    # while the batch is alive, the beat's sweep finds nothing to take away (the lease is renewed per mail)
    def four_sent_meanwhile_sweeping():  # 4 × 1.5 s: longer than one lease
        assert reminders.sweep() == [], "a live batch's rows were re-queued"
        return count(ReminderStatus.SENT) >= 4

    assert wait_for(four_sent_meanwhile_sweeping, timeout=90, interval=0.05), worker.log.read_text(errors="replace")[-3000:]
    worker.kill()  # lands during the 5th mail's send (1.5 s), before it is written
    killed_at = dt.datetime.now(dt.timezone.utc)
    sent_before = set(ReminderLog.objects.filter(status=ReminderStatus.SENT).values_list("recipient__email", flat=True))
    assert 4 <= len(sent_before) < total
    assert len(read_mails(worker.maildir)) == len(sent_before)
    orphaned = ReminderLog.objects.filter(status=ReminderStatus.SENDING)
    assert orphaned.count() == total - len(sent_before)
    # the killed worker's rows are held at most one lease (sized to the real send time) past the kill
    latest = max(orphaned.values_list("lease_until", flat=True))
    assert latest <= killed_at + lease + dt.timedelta(seconds=1)
    assert reminders.sweep() == []  # still leased: nobody may send them yet

    worker.start(**worker_env)
    wait_for(lambda: dt.datetime.now(dt.timezone.utc) > latest, timeout=lease.total_seconds() + 5)
    requeued = reminders.sweep()  # the beat's catch-up, once the lease is over
    assert len(requeued) == total - len(sent_before)

    assert wait_for(lambda: count(ReminderStatus.SENT) == total, timeout=90), \
        worker.log.read_text(errors="replace")[-3000:]
    time.sleep(2 * send_seconds)  # anything sent twice would have arrived by now
    recipients = [m["To"] for m in read_mails(worker.maildir)]
    assert len(recipients) == total and len(set(recipients)) == total, recipients  # none lost, none twice
    assert count(ReminderStatus.SENDING) == 0 and count(ReminderStatus.QUEUED) == 0
