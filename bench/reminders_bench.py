"""Benchmark: one reminder run that reminds 2,000 people.

    .venv/bin/python bench/reminders_bench.py                 # fresh SQLite file in a temp dir
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bc_rem_bench .venv/bin/python bench/reminders_bench.py

Builds 200 院级 orgs × 10 branches, one secretary each (2,000 people), registers a provider that
says every branch still owes its 附件2 row, then times (no broker: Celery runs the delivery
in-process, mail goes to Django's in-memory backend so SMTP speed is not measured):
  preview  plan_due() only (what the admin preview page computes)
  record   run_due() up to the commit: plan + 2,000 outbox rows + 2,000 notifications
  deliver  what the on-commit delivery tasks then do: claim, re-check, send, mark sent (per row)
  run      record + deliver
  rerun    run_due() again at the same moment (must record and send nothing)
  deliver4 (PostgreSQL only) the next offset's 2,000 rows delivered by 4 threads in parallel
Prints numbers; asserts nothing about speed.
"""

import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "brandcampaign.settings")
os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
os.environ.pop("CELERY_BROKER_URL", None)
os.environ.pop("REDIS_URL", None)
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='bc-bench-')}/bench.sqlite3"
elif os.environ["DATABASE_URL"].startswith("postgres"):
    import psycopg

    base, name = os.environ["DATABASE_URL"].rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')

import django  # noqa: E402

django.setup()

from django.core import mail  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from campaigns import obligations, reminders  # noqa: E402
from campaigns.models import SHANGHAI, Deadline, Notification, ReminderLog  # noqa: E402
from campaigns.obligations import Obligation  # noqa: E402
from campaigns.services import create_campaign  # noqa: E402
from organizations.models import Level, Organization, Role, RoleAssignment, User  # noqa: E402

COLLEGES, BRANCHES = 200, 10
NOW = dt.datetime(2026, 5, 12, 9, 0, tzinfo=SHANGHAI)


def build():
    call_command("migrate", verbosity=0)
    school = Organization.objects.create(name="校党委", code="S", level=Level.SCHOOL, org_type="school_committee")
    colleges = Organization.objects.bulk_create(
        Organization(name=f"第{i}学院党委", code=f"C{i}", level=Level.COLLEGE, org_type="college_committee",
                     parent=school) for i in range(COLLEGES))
    branches = Organization.objects.bulk_create(
        Organization(name=f"第{i}学院第{j}党支部", code=f"C{i}-{j}", level=Level.BRANCH, org_type="teacher",
                     parent=c) for i, c in enumerate(colleges) for j in range(BRANCHES))
    users = User.objects.bulk_create(
        User(username=f"b{n}", full_name=f"书记{n}", email=f"b{n}@example.edu.cn", password="!")
        for n in range(len(branches)))
    RoleAssignment.objects.bulk_create(
        RoleAssignment(user=u, role=Role.BRANCH_SECRETARY, organization=b) for u, b in zip(users, branches))
    User.objects.create(username="zzb", full_name="组织部", email="zzb@example.edu.cn", password="!")
    return create_campaign(2026)


def provider_for(campaign):
    due = Deadline.objects.get(campaign=campaign, kind="design").due_at

    def provider(campaign, user, assignment):
        if assignment.role != Role.BRANCH_SECRETARY:
            return []
        return [Obligation(key="form2row", label="填写本支部\"一支部一特色\"信息（附件2）",
                           organization=assignment.organization, due_at=due, url="/forms/2/",
                           state="未开始", deadline_kind="design")]

    return provider


def timed(label, fn):
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    print(f"{label:8s} {seconds:7.2f} s")
    return result, seconds


def main():
    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
    t0 = time.perf_counter()
    campaign = build()
    print(f"setup    {time.perf_counter() - t0:7.2f} s  ({COLLEGES * BRANCHES} people)")
    with obligations.registered(provider_for(campaign)):
        planned, _ = timed("preview", lambda: reminders.plan_due(campaign, NOW))
        # The same run_due(), split in two: record (plan + outbox rows + notifications, one
        # transaction), then deliver (what the on-commit tasks do, chunk by chunk).
        chunks = []
        real_enqueue = reminders.enqueue_delivery
        reminders.enqueue_delivery = lambda ids: chunks.append(list(ids))
        try:
            result, record_s = timed("record", lambda: reminders.run_due(NOW, campaign=campaign))
        finally:
            reminders.enqueue_delivery = real_enqueue
        ids = [i for chunk in chunks for i in chunk]

        def deliver_all():
            for start in range(0, len(ids), reminders.DELIVERY_CHUNK):
                reminders.deliver(ids[start : start + reminders.DELIVERY_CHUNK])

        _, deliver_s = timed("deliver", deliver_all)
        seconds = record_s + deliver_s
        print(f"run      {seconds:7.2f} s  (record + deliver)")
        sent = len(mail.outbox)
        again, _ = timed("rerun", lambda: reminders.run_due(NOW, campaign=campaign))
        after_rerun = len(mail.outbox)
        notifications = Notification.objects.count()
        if connection.vendor == "postgresql":
            # The next offset (d1), delivered by 4 parallel "workers" (threads, own connections),
            # as `celery worker --concurrency=4` would take the 50-id chunks.
            from concurrent.futures import ThreadPoolExecutor

            chunks.clear()
            reminders.enqueue_delivery = lambda ids: chunks.append(list(ids))
            try:
                timed("record'", lambda: reminders.run_due(NOW + dt.timedelta(days=2), campaign=campaign))
            finally:
                reminders.enqueue_delivery = real_enqueue
            parts = [c[i : i + reminders.DELIVERY_CHUNK] for c in chunks for i in range(0, len(c), reminders.DELIVERY_CHUNK)]

            def deliver_chunk(part):
                try:
                    return reminders.deliver(part).sent
                finally:
                    connection.close()

            def deliver_parallel():
                with ThreadPoolExecutor(4) as pool:
                    return sum(pool.map(deliver_chunk, parts))

            n, par_s = timed("deliver4", deliver_parallel)
            print(f"         {n} sent by 4 parallel deliverers: {n / par_s:.0f} reminders/s")
    print(f"planned={len(planned)} queued={result.queued} mails={sent} "
          f"rows(d3)={ReminderLog.objects.filter(offset_days=3).count()} notifications={notifications} "
          f"rerun_queued={again.queued} mails_after_rerun={after_rerun}")
    print(f"throughput: {sent / seconds:.0f} reminders/s")


if __name__ == "__main__":
    main()
