"""Redis goes away and comes back: no 500, a fast /healthz, a worker that waits, a booklet that starts.

Run: .venv/bin/python bench/broker_outage_bench.py [outage_seconds]   (needs redis-server; prints numbers)

A private redis-server on 127.0.0.1:8129 (not the shared one), a real Celery worker on it and a
SQLite copy of the phase-4 demo. Redis is shut down for `outage_seconds` (default 30) while:
- /healthz is timed (Django test client, in-process);
- 组织部 starts a booklet (the real view): the answer, its time, and what the row says;
- the worker is watched: it must still be running when Redis returns (it retries forever).
Then Redis starts again and the sweeper (beat's job, every 60 s; called here every 2 s) sends the
waiting booklet: time from "Redis is back" to "booklet done"."""

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PORT = 8129
REDIS_URL = f"redis://127.0.0.1:{PORT}/0"
work = Path(tempfile.mkdtemp(prefix="broker-bench-"))
ENV = {"DJANGO_SETTINGS_MODULE": "brandcampaign.settings", "DEBUG": "1", "DATABASE_URL": f"sqlite:///{work}/db.sqlite3",
       "MEDIA_ROOT": str(work / "media"), "CELERY_BROKER_URL": REDIS_URL, "REDIS_URL": "", "CELERY_RESULT_BACKEND": "",
       "ALLOWED_HOSTS": "testserver,127.0.0.1"}
os.environ.update(ENV)
os.environ.pop("DJANGO_TESTING", None)

import django  # noqa: E402

django.setup()
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402


def start_redis():
    return subprocess.Popen(["redis-server", "--port", str(PORT), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                             "--dir", str(work)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)


def wait(predicate, timeout, step=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


def redis_ping():
    import redis

    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.3).ping()
    except Exception:  # noqa: BLE001
        return False


def main(outage=30):
    if not shutil.which("redis-server"):
        sys.exit("redis-server needed")
    call_command("migrate", verbosity=0)
    call_command("seed_demo", phase=4, force=True, verbosity=0)
    from campaigns.models import Campaign
    from core import ops
    from organizations.models import User
    from showcase.models import Booklet, ShowcaseItem

    redis_proc = start_redis()
    assert wait(redis_ping, 10)
    worker = subprocess.Popen([sys.executable, "-m", "celery", "-A", "brandcampaign", "worker", "--concurrency=1",
                               "--loglevel=WARNING", "--without-mingle", "--without-gossip"], cwd=ROOT,
                              env={**os.environ, **ENV}, stdout=open(work / "worker.log", "ab"), stderr=subprocess.STDOUT)
    try:
        time.sleep(5)
        campaign = Campaign.objects.order_by("-year").first()
        items = [str(pk) for pk in ShowcaseItem.objects.published().filter(campaign=campaign).values_list("pk", flat=True)]
        client = Client()
        client.force_login(User.objects.get(username="zzb_admin"))
        client.get("/healthz")  # warm-up (URLconf, first connection)
        t = time.perf_counter()
        client.get("/healthz")
        print(f"healthz with Redis up: {(time.perf_counter() - t) * 1000:.0f} ms")

        redis_proc.terminate()
        redis_proc.wait()
        down_at = time.monotonic()
        print(f"Redis stopped; outage of {outage} s")
        times = []
        for _ in range(5):
            t = time.perf_counter()
            body = client.get("/healthz").json()
            times.append(time.perf_counter() - t)
        print(f"healthz with Redis down: max {max(times) * 1000:.0f} ms over 5 calls -> broker {body['broker']!r}, "
              f"worker {body.get('worker')!r}")
        t = time.perf_counter()
        r = client.post("/showcase/manage/booklets/", {"year": str(campaign.year), "items": items, "title": "停机时生成"})
        took = time.perf_counter() - t
        b = Booklet.objects.order_by("-pk").first()
        print(f"start a booklet with Redis down: HTTP {r.status_code} in {took * 1000:.0f} ms; row: {b.status}, "
              f"broker_waiting={b.broker_waiting}, note {b.progress_note!r}")
        wait(lambda: False, max(0, outage - (time.monotonic() - down_at)), step=1)
        alive = worker.poll() is None
        print(f"after {time.monotonic() - down_at:.0f} s without Redis the worker is {'still running' if alive else 'GONE'}")

        redis_proc = start_redis()
        wait(redis_ping, 10)
        back_at = time.monotonic()

        def done():
            b.refresh_from_db()
            if b.status in ("done", "failed"):
                return True
            ops.sweep(files=False)
            return False

        wait(done, 300, step=2)
        print(f"Redis back: booklet {b.status} {time.monotonic() - back_at:.1f} s later ({b.page_count} pages, "
              f"attempts {b.attempts}); with beat the catch-up runs within 60 s")
    finally:
        worker.terminate()
        try:
            worker.wait(20)
        except subprocess.TimeoutExpired:
            worker.kill()
        redis_proc.terminate()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 30)
