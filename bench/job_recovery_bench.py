"""A booklet whose Celery worker is killed mid-run: how long until it is finished anyway?

Run: .venv/bin/python bench/job_recovery_bench.py      (needs Redis; prints numbers, asserts nothing)

A real worker (prefork, concurrency 1) on Redis db 14 (OPS_BENCH_REDIS_URL) and a SQLite copy of
the phase-4 demo. JOB_HEARTBEAT_SECONDS=5 and JOB_STALE_SECONDS=20 here, to keep the run short
(defaults: 10 s / 60 s, sweeper every 60 s; the printed projection uses those).

1. the pool process is SIGKILLed (OOM killer): reject_on_worker_lost puts the message back at
   once, the redelivered task finds a fresh heartbeat, retries itself once that is stale, claims
   the row and finishes it;
2. the whole worker is SIGKILLed and started again (systemd / serve.sh): the message waits for
   Redis' visibility timeout (1 h), so the sweeper (called here every 5 s, as beat would every
   60 s) sees the stale heartbeat, re-queues it, and the new worker finishes it;
3. both again on the re-queued run: the second stale heartbeat marks it failed in Chinese.
"""

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
REDIS_URL = os.environ.get("OPS_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
QUEUE = f"ops-bench-{os.getpid()}"
work = Path(tempfile.mkdtemp(prefix="job-bench-"))
ENV = {
    "DJANGO_SETTINGS_MODULE": "brandcampaign.settings", "DEBUG": "1", "DATABASE_URL": f"sqlite:///{work}/db.sqlite3",
    "MEDIA_ROOT": str(work / "media"), "CELERY_BROKER_URL": REDIS_URL, "REDIS_URL": "", "CELERY_RESULT_BACKEND": "",
    "JOB_HEARTBEAT_SECONDS": "5", "JOB_STALE_SECONDS": "20", "CELERY_TASK_DEFAULT_QUEUE": QUEUE,
}
os.environ.update(ENV)
os.environ.pop("DJANGO_TESTING", None)

import django  # noqa: E402

django.setup()
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402

settings.CELERY_TASK_DEFAULT_QUEUE = QUEUE


def start_worker():
    env = {**os.environ, **ENV}
    return subprocess.Popen([sys.executable, "-m", "celery", "-A", "brandcampaign", "worker", "-Q", QUEUE,
                             "--concurrency=1", "--loglevel=WARNING", "--without-mingle", "--without-gossip"],
                            cwd=ROOT, env=env, stdout=open(work / "worker.log", "ab"), stderr=subprocess.STDOUT)


def pool_child(worker):
    out = subprocess.run(["pgrep", "-P", str(worker.pid)], capture_output=True, text=True).stdout.split()
    return int(out[0]) if out else None


def wait(predicate, timeout, step=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


def new_booklet(admin, campaign, items):
    from showcase import services

    return services.create_booklet(campaign, items, by=admin, title="恢复测试")


def status(b):
    b.refresh_from_db()
    return b.status


def kill_when_running(b, kill):
    assert wait(lambda: status(b) == "running" and b.progress >= 5, 120), f"never ran: {b.status} {b.error}"
    progress = b.progress
    kill()
    return time.monotonic(), progress


def run_sweeper_until(b, done, timeout):
    from core import ops

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if done():
            return True
        ops.sweep(files=False)
        time.sleep(5)
    return done()


def main():
    from brandcampaign.celery import app

    app.conf.update(task_default_queue=QUEUE, task_always_eager=False, broker_url=REDIS_URL)
    call_command("migrate", verbosity=0)
    call_command("seed_demo", phase=4, force=True, verbosity=0)
    from campaigns.models import Campaign
    from organizations.models import User
    from showcase.models import ShowcaseItem

    campaign = Campaign.objects.order_by("-year").first()
    items = list(ShowcaseItem.objects.published().filter(campaign=campaign))
    admin = User.objects.get(username="zzb_admin")
    print(f"{len(items)} published items; worker log {work / 'worker.log'}")
    worker = start_worker()
    try:
        # 0. baseline
        t = time.monotonic()
        b = new_booklet(admin, campaign, items)
        wait(lambda: status(b) in ("done", "failed"), 300)
        print(f"0. undisturbed booklet: {b.status} in {time.monotonic() - t:.1f} s ({b.page_count} pages)")

        # 1. pool process killed
        b = new_booklet(admin, campaign, items)
        killed_at, progress = kill_when_running(b, lambda: os.kill(pool_child(worker), signal.SIGKILL))
        wait(lambda: status(b) in ("done", "failed"), 300)
        print(f"1. pool process SIGKILLed at {progress}%: {b.status} {time.monotonic() - killed_at:.1f} s later "
              f"(attempts {b.attempts}; redelivered at once, waited for the stale heartbeat)")

        # 2. whole worker killed, restarted 2 s later; the sweeper re-queues
        b = new_booklet(admin, campaign, items)

        def kill_worker():
            worker.kill()
            worker.wait()

        killed_at, progress = kill_when_running(b, kill_worker)
        time.sleep(2)
        worker = start_worker()
        run_sweeper_until(b, lambda: status(b) in ("done", "failed"), 300)
        print(f"2. whole worker SIGKILLed at {progress}% and restarted: {b.status} {time.monotonic() - killed_at:.1f} s "
              f"later (attempts {b.attempts}; via the sweeper)")

        # 3. killed twice: failed visibly
        b = new_booklet(admin, campaign, items)
        kill_when_running(b, kill_worker)
        worker = start_worker()
        from core import ops

        deadline = time.monotonic() + 300
        while not (status(b) == "running" and b.attempts >= 2) and time.monotonic() < deadline:
            ops.sweep(files=False)  # re-queues it once the heartbeat is stale
            wait(lambda: status(b) == "running" and b.attempts >= 2, 5, step=0.1)
        kill_worker()  # the second run dies too
        killed_at = time.monotonic()
        worker = start_worker()
        run_sweeper_until(b, lambda: status(b) in ("done", "failed"), 300)
        print(f"3. killed on both runs: {b.status} {time.monotonic() - killed_at:.1f} s after the second kill; "
              f"the page says: {b.error[:60]}…")
        stale, beat = settings.JOB_STALE_SECONDS, settings.JOB_HEARTBEAT_SECONDS
        print(f"projection with the defaults (heartbeat 10 s, stale 60 s, sweeper every 60 s): case 1 ≈ 70 s + the "
              f"rest of the work; case 2 ≤ 60 s + 60 s + the rest of the work (here: heartbeat {beat} s, stale {stale} s)")
    finally:
        worker.kill()
        try:
            import redis

            redis.Redis.from_url(REDIS_URL).delete(QUEUE)
        except Exception:  # noqa: BLE001
            pass


if __name__ == "__main__":
    main()
