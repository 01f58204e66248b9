"""Deadline-day load test: 100 branch secretaries fill in and submit their 附件2 rows at once.

    python bench/deadline_load.py                                   # the configs below, 90 s each
    python bench/deadline_load.py --configs gthread:3:8 --duration 60 --users 100 --think 3

What it does
  1. Seeds its own PostgreSQL database (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/bc_perf_load,
     recreated each run) with the project's models: a campaign whose 第一阶段 window is open, 25 院级 orgs × 4
     branches, one 支部书记 account per branch, and a signed-in session for each (created in the database,
     as the peer harness does for pretalx: 100 password hashings would measure the login, not the deadline).
  2. Starts gunicorn as `make serve` does (gunicorn.conf.py, production settings, PostgreSQL, Redis at
     REDIS_URL, default redis://127.0.0.1:6379/1, which it flushes) with each worker config in turn.
  3. Drives it with an asyncio HTTP/1.1 client (stdlib only, keep-alive, one connection per user), each user:
     open the row page (read), think, save a draft with a unique token (save), follow the redirect (read),
     now and then open the home page (read); after 3-6 saves, submit (submit) and from then on only read.
     Think time is exponential with mean --think seconds.
  4. Checks afterwards that every acknowledged save (a 302 back to the row page) is in the database: each
     token in the row's audit trail, and each row holding its user's last acknowledged token.
  5. Prints per config: requests, errors (non-2xx/3xx, timeouts, refused saves), p50/p95/p99 per kind,
     the verification result. The load generator runs on the same machine (and its CPUs) as the server.
"""

import argparse
import asyncio
import datetime as dt
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
DB_URL = os.environ.get("LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bc_perf_load")
REDIS_URL = os.environ.get("LOAD_REDIS_URL", "redis://127.0.0.1:6379/1")
CSRF_RE = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
VERSION_RE = re.compile(rb'name="version" value="(\d+)"')


def server_env():
    e = dict(os.environ)
    e.update({
        "DJANGO_SETTINGS_MODULE": "brandcampaign.settings", "DJANGO_ENV": "production", "DATABASE_URL": DB_URL,
        "REDIS_URL": REDIS_URL, "SECRET_KEY": "deadline-load-only-not-secret-5b7d9f1a3c5e7a9b1d3f5a7c9e1b3d5f",
        "SECURE_SSL_REDIRECT": "false", "SESSION_COOKIE_SECURE": "false", "CSRF_COOKIE_SECURE": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost", "MEDIA_ROOT": "/tmp/deadline-load-media",
    })
    for k in ("DEBUG", "CELERY_BROKER_URL", "ALLOW_DEMO_SEED"):
        e.pop(k, None)
    return e


# ------------------------------------------------------------------ seeding (runs in a child process)

def seed(n_colleges, per_college):
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.utils import timezone

    from campaigns.services import create_campaign
    from organizations.models import Organization, RoleAssignment, User

    call_command("migrate", verbosity=0, interactive=False)
    today, day = timezone.localdate(), dt.timedelta(days=1)
    # deadline day: the 第一阶段 (附件1/附件2) closes tonight at 23:59
    campaign = create_campaign(today.year, design_start=today - 30 * day, design_end=today, build_start=today + day,
                               build_end=today + 100 * day, review_start=today + 90 * day, review_end=today + 130 * day,
                               promotion_start=today + 131 * day)
    school = Organization.objects.create(name="校党委", code="S", level="school", org_type="school_committee")
    colleges = Organization.objects.bulk_create([
        Organization(name=f"第{i}学院党委", code=f"C{i}", level="college", org_type="college_committee", parent=school,
                     sort_order=i) for i in range(n_colleges)])
    branches = Organization.objects.bulk_create([
        Organization(name=f"第{i}学院第{j}党支部", code=f"C{i}-{j}", level="branch", org_type="teacher", parent=c,
                     sort_order=j) for i, c in enumerate(colleges) for j in range(per_college)])
    password = make_password("load-test-only")
    users = User.objects.bulk_create([User(username=f"load{k:03d}", password=password, first_name=f"书记{k}")
                                      for k in range(len(branches))])
    RoleAssignment.objects.bulk_create([RoleAssignment(user=u, role="branch_secretary", organization=b)
                                        for u, b in zip(users, branches)])
    backend = "organizations.backends.PortalModelBackend"
    assert backend in settings.AUTHENTICATION_BACKENDS
    for u, b in zip(users, branches):
        s = SessionStore()
        s[SESSION_KEY], s[BACKEND_SESSION_KEY], s[HASH_SESSION_KEY] = str(u.pk), backend, u.get_session_auth_hash()
        s.create()
        print(f"{u.username} {s.session_key} /submissions/{campaign.pk}/row/{b.pk}/", flush=True)


def verify(acks_file):
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.contenttypes.models import ContentType

    from audit.models import AuditEntry
    from submissions.models import Form2Row

    acks = [line.split() for line in Path(acks_file).read_text().splitlines() if line.strip()]
    trail = set()
    for changes in AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(Form2Row)).values_list(
            "changes", flat=True):
        intro = (changes or {}).get("feature_intro")
        if intro:
            trail.add(intro[1])
    rows = {r.branch_id: r.feature_intro for r in Form2Row.objects.all()}
    last = {}
    for branch, token in acks:
        last[int(branch)] = token
    missing_trail = [t for _, t in acks if t not in trail]
    wrong_rows = [b for b, t in last.items() if rows.get(b) != t]
    print(f"verify: {len(acks)} acknowledged saves; {len(acks) - len(missing_trail)} in the audit trail; "
          f"{len(last) - len(wrong_rows)}/{len(last)} rows hold their last acknowledged save; "
          f"{Form2Row.objects.filter(state='submitted').count()} rows submitted", flush=True)
    return 0 if not missing_trail and not wrong_rows else 1


# ------------------------------------------------------------------ a minimal asyncio HTTP/1.1 client

class Http:
    def __init__(self, host, port, cookies):
        self.host, self.port, self.cookies = host, port, dict(cookies)
        self.reader = self.writer = None

    async def request(self, method, path, form=None, timeout=30):
        for attempt in (0, 1):  # a keep-alive connection the server closed: reconnect once
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
            body = urlencode(form).encode() if form is not None else b""
            head = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}", "Connection: keep-alive",
                    "Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items())]
            if form is not None:
                head += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}",
                         f"Origin: http://{self.host}:{self.port}", f"Referer: http://{self.host}:{self.port}{path}"]
            try:
                self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
                await self.writer.drain()
                return await asyncio.wait_for(self._response(), timeout)
            except (ConnectionError, asyncio.IncompleteReadError):
                self.writer.close()
                self.writer = None
                if attempt:
                    raise

    async def _response(self):
        status_line = await self.reader.readuntil(b"\r\n")
        status = int(status_line.split()[1])
        headers = {}
        while True:
            line = await self.reader.readuntil(b"\r\n")
            if line == b"\r\n":
                break
            k, _, v = line.decode("latin-1").partition(":")
            k, v = k.strip().lower(), v.strip()
            if k == "set-cookie":
                name, _, rest = v.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
            headers[k] = v
        if headers.get("transfer-encoding") == "chunked":
            body = b""
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).strip(), 16)
                if size == 0:
                    await self.reader.readuntil(b"\r\n")
                    break
                body += await self.reader.readexactly(size + 2)
        else:
            body = await self.reader.readexactly(int(headers.get("content-length", 0)))
        if headers.get("connection", "").lower() == "close":
            self.writer.close()
            self.writer = None
        return status, headers, body


ROW = {"feature_name": "红色工匠", "carriers": "党员先锋岗", "expected_results": "培养骨干", "phone": "13800000000",
       "remarks": ""}


class Stats:
    def __init__(self):
        self.lat = {}
        self.errors = {}
        self.acks = []

    def add(self, kind, ms):
        self.lat.setdefault(kind, []).append(ms)

    def error(self, why):
        self.errors[why] = self.errors.get(why, 0) + 1


async def user_loop(k, host, port, session, row_path, stats, deadline, think, rng):
    branch = row_path.rstrip("/").rsplit("/", 1)[1]
    http = Http(host, port, {"sessionid": session})
    saves_left, seq = rng.randint(3, 6), 0
    await asyncio.sleep(rng.uniform(0, think * 2))  # users arrive spread out

    async def timed(kind, method, path, form=None, expect=(200,)):
        t = time.perf_counter()
        try:
            status, headers, body = await http.request(method, path, form)
        except asyncio.TimeoutError:
            stats.error(f"{kind}: timeout")
            http.writer = None
            return None
        except OSError as exc:
            stats.error(f"{kind}: {type(exc).__name__}")
            return None
        stats.add(kind, (time.perf_counter() - t) * 1000)
        if status not in expect:
            stats.error(f"{kind}: HTTP {status}")
            return None
        return status, headers, body

    page = await timed("read", "GET", row_path)
    while time.monotonic() < deadline:
        await asyncio.sleep(rng.expovariate(1 / think))
        if time.monotonic() >= deadline:
            break
        if page is None or saves_left < 0 or rng.random() < 0.2:
            page = await timed("read", "GET", rng.choice(["/", row_path]) if saves_left < 0 else row_path)
            if page is not None and not page[2].count(b'name="version"'):
                page = await timed("read", "GET", row_path)
            continue
        body = page[2]
        csrf, version = CSRF_RE.search(body), VERSION_RE.search(body)
        if not csrf or not version:
            stats.error("row page without form")
            Path("/tmp/deadline-load-noform.html").write_bytes(body)
            page = None
            continue
        seq += 1
        token = f"依托实验室开展党员先锋岗-{k}-{seq}-{rng.randrange(10**9)}"
        action = "submit" if saves_left == 0 else "save"
        form = {**ROW, "feature_intro": token, "version": version.group(1).decode(), "action": action,
                "csrfmiddlewaretoken": csrf.group(1).decode()}
        res = await timed(action, "POST", row_path, form, expect=(302,))
        if res is not None:
            if res[1].get("location", "").rstrip("/").endswith(row_path.rstrip("/")):
                stats.acks.append((branch, token))
            else:
                stats.error(f"{action}: redirected to {res[1].get('location')}")
        saves_left -= 1
        page = await timed("read", "GET", row_path)  # the browser follows the redirect


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] if values else float("nan")


async def drive(port, users, duration, think, seed_):
    rng = random.Random(seed_)
    stats = Stats()
    deadline = time.monotonic() + duration
    await asyncio.gather(*[
        user_loop(k, "127.0.0.1", port, s, path, stats, deadline, think, random.Random(rng.random()))
        for k, (_name, s, path) in enumerate(users)])
    return stats


def wait_ready(port, proc, timeout=60):
    import http.client

    t = time.monotonic()
    while time.monotonic() - t < timeout:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited with {proc.returncode}")
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/accounts/login/")
            if c.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit("gunicorn did not answer")


def run_config(config, args, env):
    worker_class, workers, threads = config.split(":")
    subprocess.run(["dropdb", "--if-exists", "-h", "127.0.0.1", "-U", "postgres", DB_URL.rsplit("/", 1)[1]], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", DB_URL.rsplit("/", 1)[1]], check=True)
    subprocess.run(["redis-cli", "-u", REDIS_URL, "flushdb"], check=True, stdout=subprocess.DEVNULL)
    out = subprocess.run([PY, __file__, "--do-seed", str(args.users)], cwd=ROOT, env=env, check=True, capture_output=True,
                         text=True).stdout
    users = [line.split() for line in out.splitlines() if line.startswith("load")]
    gunicorn = Path(PY).with_name("gunicorn")
    proc = subprocess.Popen(
        [str(gunicorn), "brandcampaign.wsgi:application", "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{args.port}",
         "--workers", workers, "--worker-class", worker_class, "--threads", threads, "--timeout", "120"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=open(f"/tmp/deadline-load-{config}.log", "w"),
        start_new_session=True)
    try:
        wait_ready(args.port, proc)
        t = time.monotonic()
        stats = asyncio.run(drive(args.port, users, args.duration, args.think, args.rng))
        wall = time.monotonic() - t
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(30)
    acks = Path(f"/tmp/deadline-load-{config}.acks")
    acks.write_text("".join(f"{b} {t}\n" for b, t in stats.acks))
    ok = subprocess.run([PY, __file__, "--verify", str(acks)], cwd=ROOT, env=env, capture_output=True, text=True)
    n = sum(len(v) for v in stats.lat.values())
    every = [x for v in stats.lat.values() for x in v]
    print(f"\n## {worker_class} workers={workers} threads={threads}: {args.users} users, {args.duration:.0f} s, "
          f"think {args.think} s (exp.)")
    print(f"requests {n} ({n / wall:.1f}/s), errors {sum(stats.errors.values())} {stats.errors or ''}")
    print(f"{'kind':8s} {'n':>6s} {'p50 ms':>8s} {'p95 ms':>8s} {'p99 ms':>8s} {'max ms':>8s}")
    for kind in ("read", "save", "submit"):
        v = stats.lat.get(kind, [])
        if v:
            print(f"{kind:8s} {len(v):>6d} {statistics.median(v):>8.0f} {pct(v, 95):>8.0f} {pct(v, 99):>8.0f} {max(v):>8.0f}")
    print(f"{'all':8s} {n:>6d} {statistics.median(every):>8.0f} {pct(every, 95):>8.0f} {pct(every, 99):>8.0f} "
          f"{max(every):>8.0f}")
    print(ok.stdout.strip() or ok.stderr.strip()[-2000:])
    return {"config": config, "p95": pct(every, 95), "errors": sum(stats.errors.values()), "verified": ok.returncode == 0}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--users", type=int, default=100)
    ap.add_argument("--duration", type=float, default=90)
    ap.add_argument("--think", type=float, default=3.0, help="mean think time between a user's actions, seconds")
    ap.add_argument("--configs", default="gthread:3:8,gthread:2:4,sync:3:1,sync:4:1",
                    help="worker_class:workers:threads, comma-separated")
    ap.add_argument("--port", type=int, default=8761)
    ap.add_argument("--rng", type=int, default=15, help="random seed of the users' behaviour")
    ap.add_argument("--do-seed", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--verify", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.do_seed:
        return seed(args.do_seed // 4, 4)
    if args.verify:
        return verify(args.verify)
    env = server_env()
    results = [run_config(c, args, env) for c in args.configs.split(",")]
    print("\nsummary: " + "; ".join(f"{r['config']} p95 {r['p95']:.0f} ms, {r['errors']} errors, "
                                    f"{'verified' if r['verified'] else 'VERIFY FAILED'}" for r in results))
    return 0 if all(r["verified"] and not r["errors"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
