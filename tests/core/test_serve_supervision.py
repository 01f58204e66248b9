"""`make serve` (scripts/serve.sh) keeps the web up when the Celery worker or beat dies: they are
restarted, gunicorn is never stopped by them; SIGTERM still stops everything."""

import json
import os
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PORT = 8121
REDIS_URL = os.environ.get("OPS_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
pytestmark = pytest.mark.celery_worker


def redis_up():
    try:
        import redis

        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except Exception:  # noqa: BLE001
        return False


def healthz():
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=2) as r:
            return json.loads(r.read())
    except OSError:
        return None


def wait_for(predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.3)
    return predicate()


def pids(pgid, pattern):
    out = subprocess.run(["pgrep", "-g", str(pgid), "-f", pattern], capture_output=True, text=True).stdout
    return sorted(int(p) for p in out.split())


def main_pid(pgid, pattern):
    """The process of `pattern` whose parent is not itself a `pattern` process (worker: not a pool child)."""
    found = pids(pgid, pattern)
    for pid in found:
        ppid = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        if ppid not in found:
            return pid
    return None


@pytest.fixture
def serving(tmp_path):
    if not redis_up():
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis not reachable at {REDIS_URL}")
        pytest.skip(f"Redis not reachable at {REDIS_URL}")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_", "PYTEST_"))}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3", REDIS_URL=REDIS_URL, BIND=f"127.0.0.1:{PORT}",
               WEB_CONCURRENCY="1", CELERY_CONCURRENCY="1", SECRET_KEY="serve-supervision-test-" + "x" * 40,
               MEDIA_ROOT=str(tmp_path / "media"), GUNICORN_CMD_ARGS="--log-level warning")
    log = open(tmp_path / "serve.log", "wb")
    proc = subprocess.Popen(["bash", "scripts/serve.sh"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        up = wait_for(lambda: (h := healthz()) and h.get("broker") == "ok" and h, 180)
        assert up, (tmp_path / "serve.log").read_text()[-3000:]
        yield proc, tmp_path / "serve.log"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(40)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        log.close()


def test_killed_worker_and_beat_are_restarted_and_the_web_keeps_answering(serving):
    proc, log = serving
    worker = wait_for(lambda: main_pid(proc.pid, "celery -A brandcampaign worker"), 60)
    beat = wait_for(lambda: main_pid(proc.pid, "celery -A brandcampaign beat"), 60)
    assert worker and beat
    assert wait_for(lambda: (healthz() or {}).get("worker", {}).get("status") == "ok", 60), healthz()

    os.kill(worker, signal.SIGKILL)  # a crash (OOM killer, segfault)
    os.kill(beat, signal.SIGKILL)
    answers = [healthz() is not None for _ in range(10) if time.sleep(0.3) is None]
    assert all(answers) and proc.poll() is None  # gunicorn never went away
    new_worker = wait_for(lambda: (p := main_pid(proc.pid, "celery -A brandcampaign worker")) != worker and p, 60)
    new_beat = wait_for(lambda: (p := main_pid(proc.pid, "celery -A brandcampaign beat")) != beat and p, 60)
    assert new_worker and new_beat, log.read_text()[-3000:]
    text = log.read_text()
    assert "celery worker exited (status 137); restarting" in text and "celery beat exited" in text
    assert wait_for(lambda: (healthz() or {}).get("worker", {}).get("status") == "ok", 60)

    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(40)
    assert wait_for(lambda: not pids(proc.pid, "celery|gunicorn"), 20)
