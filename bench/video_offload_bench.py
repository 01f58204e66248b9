"""Twenty people watch a 200 MB micro-video while another user loads a page: how long does the page take?

Run: .venv/bin/python bench/video_offload_bench.py [viewers] [seconds]     (prints numbers, asserts nothing)

Three set-ups, each on a fresh gunicorn (SQLite, demo data) on 127.0.0.1:8125:
  A. before: gunicorn sync workers ×3, Django streams the file (FILE_DELIVERY=python), no nginx;
  B. gunicorn gthread ×2 workers × 8 threads (gunicorn.conf.py), Django streams, no nginx;
  C. nginx (deploy/nginx.conf via scripts/nginx_conf.py, :8124) in front of B, FILE_DELIVERY=nginx:
     Django checks the permission and answers X-Accel-Redirect, nginx sends the bytes.
Each viewer asks `Range: bytes=0-` like a browser's <video> and reads at ~4 MB/s (a player
buffering ahead) for the whole measuring window; meanwhile the other user (college2) loads the
home page every 0.5 s (10 s timeout). Latency of that page: p50 / p95 / max, and timeouts."""

import http.client
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from scripts.nginx_conf import Nginx  # noqa: E402

PY = sys.executable
APP_PORT, NGINX_PORT = 8125, 8124
VIDEO_MB = 200
VIEWER_RATE = 4 * 1024 * 1024  # bytes/s per viewer
PAGE_TIMEOUT = 10


def login(port, username):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    c.request("GET", "/accounts/login/")
    r = c.getresponse()
    body = r.read().decode()
    csrf = re.search(r"csrftoken=([^;]+)", r.getheader("Set-Cookie")).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
    form = f"csrfmiddlewaretoken={token}&username={username}&password=demo12345&next=/"
    c.request("POST", "/accounts/login/", body=form, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={csrf}",
        "Referer": f"http://127.0.0.1:{port}/"})
    r = c.getresponse()
    r.read()
    cookies = "; ".join(m.split(";")[0] for m in r.headers.get_all("Set-Cookie"))
    return re.search(r"sessionid=[^;]+", cookies).group(0)


def wait_up(port, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/healthz")
            if c.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing answers on {port}")


def viewer(port, path, cookie, until, stats):
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        c.request("GET", path, headers={"Cookie": cookie, "Range": "bytes=0-"})
        r = c.getresponse()
        stats["status"].append(r.status)
        got, started = 0, time.monotonic()
        while time.monotonic() < until:
            chunk = r.read(256 * 1024)
            if not chunk:
                break
            got += len(chunk)
            ahead = got / VIEWER_RATE - (time.monotonic() - started)
            if ahead > 0:
                time.sleep(min(ahead, max(until - time.monotonic(), 0)))
        stats["bytes"].append(got)
        c.close()
    except OSError as exc:
        stats["errors"].append(repr(exc))


def page_loads(port, cookie, until, latencies, timeouts):
    while time.monotonic() < until:
        t = time.perf_counter()
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=PAGE_TIMEOUT)
            c.request("GET", "/", headers={"Cookie": cookie})
            r = c.getresponse()
            r.read()
            if r.status != 200:
                timeouts.append(f"HTTP {r.status}")
            else:
                latencies.append(time.perf_counter() - t)
            c.close()
        except OSError:
            timeouts.append("timeout")
        time.sleep(max(0.5 - (time.perf_counter() - t), 0))


def measure(port, video_path, viewers, seconds):
    cookie_viewer, cookie_other = login(port, "college1"), login(port, "college2")
    baseline = []
    page_loads(port, cookie_other, time.monotonic() + 3, baseline, [])
    stats = {"status": [], "bytes": [], "errors": []}
    until = time.monotonic() + seconds
    threads = [threading.Thread(target=viewer, args=(port, video_path, cookie_viewer, until, stats))
               for _ in range(viewers)]
    for th in threads:
        th.start()
    time.sleep(1)  # the viewers are connected
    latencies, timeouts = [], []
    page_loads(port, cookie_other, until, latencies, timeouts)
    for th in threads:
        th.join(seconds + 30)
    return baseline, latencies, timeouts, stats


def fmt(values):
    if not values:
        return "no page answered"
    v = sorted(values)
    p95 = v[min(len(v) - 1, int(len(v) * 0.95))]
    return f"p50 {statistics.median(v) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, max {v[-1] * 1000:.0f} ms (n={len(v)})"


def main(viewers=20, seconds=15):
    work = Path(tempfile.mkdtemp(prefix="video-bench-"))
    media = work / "media"
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{work}/db.sqlite3", MEDIA_ROOT=str(media), DEBUG="1",
               DJANGO_SETTINGS_MODULE="brandcampaign.settings", ALLOWED_HOSTS="127.0.0.1,localhost")
    for k in ("REDIS_URL", "CELERY_BROKER_URL", "DJANGO_TESTING"):
        env.pop(k, None)
    t = time.perf_counter()
    subprocess.run([PY, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([PY, "manage.py", "seed_demo", "--phase", "3", "-v0"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    code = (f"import os;from submissions.models import Attachment;from organizations.models import Organization;"
            f"o=Organization.objects.get(code='JX');os.makedirs('{media}/attachments',exist_ok=True);"
            f"f=open('{media}/attachments/bench-video.mp4','wb');f.truncate({VIDEO_MB}*1024*1024);f.close();"
            f"a=Attachment.objects.create(organization=o,kind='mp4',original_name='微视频.mp4',"
            f"size={VIDEO_MB}*1024*1024,file='attachments/bench-video.mp4');print(a.uuid)")
    uuid = subprocess.run([PY, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, check=True, capture_output=True,
                          text=True).stdout.strip().splitlines()[-1]
    path = f"/submissions/files/{uuid}/"
    print(f"set-up {time.perf_counter() - t:.0f} s; {viewers} viewers × {seconds} s of a {VIDEO_MB} MB video "
          f"at {VIEWER_RATE / 2**20:.0f} MB/s each; another user loads / every 0.5 s")
    setups = [
        ("A. gunicorn sync ×3, Django streams (before)", {"FILE_DELIVERY": "python"},
         ["--worker-class", "sync", "--workers", "3"], False),
        ("B. gunicorn gthread 2×8, Django streams", {"FILE_DELIVERY": "python"},
         ["--workers", "2", "--threads", "8"], False),
        ("C. nginx + X-Accel-Redirect, gunicorn gthread 2×8", {"FILE_DELIVERY": "nginx"},
         ["--workers", "2", "--threads", "8"], True),
    ]
    try:
        for label, extra_env, args, with_nginx in setups:
            server = subprocess.Popen(
                [str(ROOT / ".venv/bin/gunicorn"), "brandcampaign.wsgi:application", "-c", "gunicorn.conf.py",
                 "--bind", f"127.0.0.1:{APP_PORT}", "--timeout", "120", *args],
                cwd=ROOT, env={**env, **extra_env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                start_new_session=True)
            nginx = None
            try:
                wait_up(APP_PORT)
                port = APP_PORT
                if with_nginx:
                    nginx = Nginx(NGINX_PORT, f"127.0.0.1:{APP_PORT}", media, work / "nginx").start()
                    port = NGINX_PORT
                assert path  # the attachment view: permission checked by Django in every set-up
                baseline, latencies, timeouts, stats = measure(port, path, viewers, seconds)
                served = sum(stats["bytes"]) / 2**20
                print(f"\n{label}")
                print(f"  page alone:          {fmt(baseline)}")
                print(f"  page with viewers:   {fmt(latencies)}; failed/timed out (>{PAGE_TIMEOUT} s): {len(timeouts)}")
                print(f"  viewers: HTTP {sorted(set(stats['status']))}, {len(stats['bytes'])} streaming, "
                      f"{served:.0f} MB sent ({served / seconds:.0f} MB/s), errors {len(stats['errors'])}")
            finally:
                if nginx:
                    nginx.stop()
                os.killpg(server.pid, signal.SIGTERM)
                try:
                    server.wait(30)
                except subprocess.TimeoutExpired:
                    os.killpg(server.pid, signal.SIGKILL)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
