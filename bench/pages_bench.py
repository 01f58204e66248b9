"""In-process time and SQL queries of the pages 组织部 and judges live in, at the peer harness's data size.

The database is the one the peer harness seeds (`../shared/bench/peers/portal_seed.py`: ~300 十佳
entries over ~300 院级 orgs, 5 judges × 3 per entry, all scored). Without PAGES_DB this script seeds
its own copy first (a few minutes; kept under /tmp/pages-bench for the next run).

    python bench/pages_bench.py                   # every page, median of 9 in-process requests
    PAGES_DB=/tmp/peerbench/portal/portal.sqlite3 python bench/pages_bench.py --repeats 15
    python bench/pages_bench.py --sql score      # also print each SQL statement of the pages matching 'score'
    python bench/pages_bench.py --orm            # the prepared reads (core.sql): ORM vs prepared vs their bare SQL

It prints, per page: status, HTML bytes, SQL queries, median and minimum in-process wall ms and median CPU ms (process_time: steadier on a shared machine; SQLite runs in-process) (Django test Client, DEBUG
off, production settings as the harness runs them). With the harness's bare venv present
(/tmp/peerbench/venv-bare) it also measures the bare Django template + 1 query page in-process on
the same machine, for scale (the harness's "% of bare+1q" is a req/s ratio through gunicorn and wrk,
which adds ~3 ms per request to both sides; see docs/performance.md).
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PEERS = Path(os.environ.get("PEERS_DIR", ROOT.parent / "shared" / "bench" / "peers"))
if not PEERS.exists():
    PEERS = Path("/work/shared/bench/peers")
WORK = Path(os.environ.get("PAGES_WORK", "/tmp/pages-bench"))


def env():
    db = os.environ.get("PAGES_DB") or str(WORK / "portal.sqlite3")
    e = dict(os.environ)
    e.update({
        "DATABASE_URL": f"sqlite:///{db}", "MEDIA_ROOT": str(Path(db).parent / "portal-media"),
        "DJANGO_SETTINGS_MODULE": "brandcampaign.settings", "DJANGO_ENV": "production",
        "SECRET_KEY": "pages-bench-only-not-secret-7f1c2b9e4a6d8c0e2f4a6b8d0c2e4f6a", "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false", "CSRF_COOKIE_SECURE": "false", "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    })
    for k in ("DEBUG", "REDIS_URL", "CELERY_BROKER_URL", "ALLOW_DEMO_SEED"):
        e.pop(k, None)
    return db, e


def bare_ms(repeats):
    py = Path("/tmp/peerbench/venv-bare/bin/python")
    if not py.exists():
        return None
    e = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    e["BAREBENCH_DB"] = str(WORK / "bare.sqlite3")
    WORK.mkdir(parents=True, exist_ok=True)
    out = WORK / "bare.json"
    subprocess.run([str(py), str(PEERS / "bare_prepare.py"), str(out), "--repeats", str(repeats)], cwd=PEERS / "bare",
                   env=e, check=True, stdout=subprocess.DEVNULL)
    import json

    return {t["key"]: t["inproc_ms_median"] for t in json.loads(out.read_text())["targets"]}


def child(args):
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from campaigns.queries import current_campaign
    from organizations.models import User
    from reviews import queries as rq
    from reviews.models import JudgingTrack
    from submissions.models import Track

    campaign = current_campaign()
    brand = JudgingTrack.objects.get(campaign=campaign, track=Track.BRAND)
    judge1 = User.objects.get(username="judge1")
    scored = [a for a in rq.judge_queue(judge1, brand) if a.complete][0]

    def login(username):
        c = Client()
        r = c.post("/accounts/login/", {"username": username, "password": "demo12345"})
        assert r.status_code == 302, (username, r.status_code)
        return c

    admin, judge = login("zzb_admin"), login("judge1")
    pages = [
        ("formal_check", admin, f"/submissions/{campaign.pk}/check/"),
        ("progress", admin, "/submissions/progress/"),
        ("judge_queue", judge, "/reviews/my/"),
        ("score", judge, f"/reviews/a/{scored.pk}/"),
        ("ranking", admin, f"/reviews/t/{brand.pk}/ranking/"),
        ("dashboard", admin, "/dashboard/"),
        ("showcase", Client(), "/showcase/"),
    ]
    if args.orm:
        return orm_cost(judge1, scored)
    if args.only:
        pages = [p for p in pages if args.only in p[0]]
    print(f"{'page':14s} {'status':>6s} {'KB':>6s} {'queries':>7s} {'ms median':>9s} {'ms min':>7s} {'CPU ms':>7s}  path")
    for key, client, path in pages:
        client.get(path)
        sqls = []

        def wrapper(execute, sql, params, many, context):
            sqls.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(wrapper):
            r = client.get(path)
        times, cpus = [], []
        for _ in range(args.repeats):
            t, c = time.perf_counter(), time.process_time()
            client.get(path)
            times.append((time.perf_counter() - t) * 1000)
            cpus.append((time.process_time() - c) * 1000)
        print(f"{key:14s} {r.status_code:>6d} {len(r.content) / 1024:>6.0f} {len(sqls):>7d} "
              f"{statistics.median(times):>9.1f} {min(times):>7.1f} {statistics.median(cpus):>7.1f}  {path}", flush=True)
        if args.sql and args.sql in key:
            for s in sqls:
                print("    ", s[:300])


def orm_cost(judge1, scored):
    """The hot reads of docs/performance.md ("Prepared queries"): through the ORM, prepared (core.sql), and their
    bare SQL through the cursor; median ms of 500 calls each."""
    from django.db import connection

    from organizations import roles
    from reviews import queries as rq

    def median_ms(fn, n=500):
        for _ in range(50):
            fn()
        times = []
        for _ in range(n):
            t = time.perf_counter()
            fn()
            times.append((time.perf_counter() - t) * 1000)
        return statistics.median(times)

    def bare(qs):
        sql, params = qs.query.sql_with_params()

        def run():
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()
        return run

    nav = dict(track=scored.track_id, judge=judge1.pk, round=scored.round)
    reads = [
        ("the user's roles", lambda: list(roles._roles_of(judge1.pk)), lambda: roles._ROLES.objects(user=judge1.pk),
         roles._roles_of(judge1.pk)),
        ("the scoring page's assignment", lambda: rq._SCORE_PAGE_ASSIGNMENT.build(scored.pk).get(),
         lambda: rq._SCORE_PAGE_ASSIGNMENT.objects(pk=scored.pk), rq._SCORE_PAGE_ASSIGNMENT.build(scored.pk)),
        ("the queue position's rows", lambda: list(rq._QUEUE_NAV.build(**nav)), lambda: rq._QUEUE_NAV.rows(**nav),
         rq._QUEUE_NAV.build(**nav)),
    ]
    print(f"{'read':34s} {'ORM ms':>7s} {'prepared ms':>11s} {'bare SQL ms':>11s}")
    for label, orm, prepared, qs in reads:
        print(f"{label:34s} {median_ms(orm):>7.3f} {median_ms(prepared):>11.3f} {median_ms(bare(qs)):>11.3f}",
              flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=9)
    ap.add_argument("--only", default="")
    ap.add_argument("--sql", default="")
    ap.add_argument("--orm", action="store_true", help="time the prepared reads against the ORM and their bare SQL")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return child(args)
    db, e = env()
    if not Path(db).exists():
        Path(db).parent.mkdir(parents=True, exist_ok=True)
        print(f"seeding {db} with the peer harness's portal_seed.py (a few minutes)", flush=True)
        subprocess.run([sys.executable, str(PEERS / "portal_seed.py")], cwd=ROOT, env=e, check=True)
    if not (ROOT / "staticfiles" / "staticfiles.json").exists():
        subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=e, check=True)
    bare = bare_ms(max(args.repeats, 20)) if not (args.only or args.orm) else None
    if bare:
        print(f"bare Django in-process (harness's bare project): template {bare['bare_template']} ms, "
              f"template + 1 query {bare['bare_template_1query']} ms")
    cmd = [sys.executable, __file__, "--child", "--repeats", str(args.repeats), "--only", args.only, "--sql", args.sql,
           *(["--orm"] if args.orm else [])]
    return subprocess.call(cmd, cwd=ROOT, env=e)


if __name__ == "__main__":
    sys.exit(main())
