"""A real Celery worker process on Redis delivers reminders to the local 企业微信/钉钉 receiver,
through rate-limit answers and a 502, exactly once.

Needs Redis (REDIS_TEST_URL, as tests/campaigns/test_reminders_worker.py: skipped when Redis is not
reachable, except with CI=true). The worker opens the test database itself (committed transactions)."""

import datetime as dt
import os
import subprocess
import sys
import time
import uuid

import pytest
from django.conf import settings

from brandcampaign.celery import app
from campaigns import obligations, reminders
from campaigns.models import SHANGHAI, ReminderLog, ReminderStatus
from notify import crypto
from notify.models import Delivery, DeliveryStatus
from organizations.models import Role

from ..campaigns.fake_obligations import ENV, FakeObligations
from ..campaigns.test_reminders_worker import REDIS_URL, database_url, fresh_celery_connections, redis_or_skip, wait_for
from .conftest import make_robot


@pytest.fixture
def notify_worker(tmp_path, receiver, settings):
    redis_or_skip()
    settings.NOTIFY_ENCRYPTION_KEY = key = crypto.generate_key()
    queue = f"bc-notify-test-{uuid.uuid4().hex[:8]}"
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
        "NOTIFY_ENCRYPTION_KEY": key,
        "NOTIFY_WEBHOOK_HOSTS": "127.0.0.1",
        "NOTIFY_BACKOFF_SECONDS": "1,1,1,1,1",
        "NOTIFY_HTTP_TIMEOUT": "2",
        "WECOM_API_BASE": receiver.base,
        "WECOM_CORP_ID": receiver.corp_id,
        "WECOM_AGENT_ID": str(receiver.agent_id),
        "WECOM_APP_SECRET": receiver.corp_secret,
        "TEST_CELERY_QUEUE": queue,
    }
    log = tmp_path / "worker.log"
    saved = {k: app.conf[k] for k in ("broker_url", "task_always_eager", "task_default_queue")}
    fresh_celery_connections()
    app.conf.update(broker_url=REDIS_URL, task_always_eager=False, task_default_queue=queue)
    procs = []

    def start():
        env[ENV] = fake.to_env()
        with open(log, "ab") as out:
            procs.append(subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "brandcampaign", "worker", "--pool=solo", "-Q", queue,
                 "--loglevel=INFO", "--without-mingle", "--without-gossip", "--without-heartbeat"],
                cwd=settings.BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT,
            ))

    handle = type("Worker", (), {"start": staticmethod(start), "fake": fake, "log": log})
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
def test_real_worker_delivers_robot_and_app_notices_once_through_rate_limits(world, receiver, notify_worker):
    notify_worker.fake.owe(world.college_a, "form1", "填写本单位\"一院一品牌\"申报表（附件1）", role=Role.COLLEGE_SECRETARY)
    notify_worker.fake.owe(world.branch_a1, "form2row", "填写本支部\"一支部一特色\"信息（附件2）")
    wecom_key, wecom_url = receiver.wecom_robot()
    ding_token, ding_secret, ding_url = receiver.dingtalk_robot()
    make_robot(world.users.admin, wecom_url, org=world.college_a)
    make_robot(world.users.admin, ding_url, platform="dingtalk", role="branch_secretary", secret=ding_secret)
    receiver.members.update({world.users.college.username, world.users.branch.username})
    receiver.fail(wecom_key, 45009, 45009)  # rate-limited twice
    receiver.fail(ding_token, 130101)  # 钉钉: send too fast once
    receiver.fail("app", "http502")  # the first app message meets a 502
    notify_worker.start()

    now = dt.datetime(2026, 5, 12, 9, 0, tzinfo=SHANGHAI)
    result = reminders.run_due(now)
    assert result.queued == 2

    def done():
        return (Delivery.objects.count() == 4
                and Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 4
                and ReminderLog.objects.filter(offset_days=3, status=ReminderStatus.SENT).count() == 2)

    assert wait_for(done, timeout=120), (
        list(Delivery.objects.values_list("channel", "status", "attempts", "error")),
        notify_worker.log.read_text(errors="replace")[-3000:],
    )
    assert len(receiver.messages_for(wecom_key)) == 1
    assert len(receiver.messages_for(ding_token)) == 1
    assert sorted(p["touser"] for p in receiver.messages_for("app")) == sorted(
        [world.users.college.username, world.users.branch.username])
    assert Delivery.objects.get(robot__platform="wecom").attempts == 3
    text = receiver.messages_for(ding_token)[0]["markdown"]["text"]
    assert "填写本支部\"一支部一特色\"信息（附件2）" in text and "2026年5月15日 23:59" in text

    # A second beat run and duplicated task messages change nothing.
    assert reminders.run_due(now).queued == 0
    from notify.tasks import deliver_notices

    deliver_notices.delay(list(Delivery.objects.values_list("id", flat=True)))
    time.sleep(3)
    assert len(receiver.received) == 4
