"""Render time of the 十佳 ranking page at 60 entries × 15 judges × 6 criteria (900 score rows).

Usage: .venv/bin/python bench/ranking_bench.py [--entries 60 --judges 15 --criteria 6 --runs 10]
Uses a throw-away SQLite file (or DATABASE_URL if set). Prints the query count and timings."""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--entries", type=int, default=60)
    p.add_argument("--judges", type=int, default=15)
    p.add_argument("--criteria", type=int, default=6)
    p.add_argument("--runs", type=int, default=10)
    args = p.parse_args()

    tmp = tempfile.mkdtemp(prefix="ranking-bench-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "brandcampaign.settings_test")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    from campaigns.services import create_campaign
    from organizations.models import Level, Organization, Role, RoleAssignment, User
    from reviews import queries
    from reviews.demo import build_scored_track

    Organization.objects.create(name="校党委", code="SCHOOL", level=Level.SCHOOL, org_type="school_committee")
    admin = User.objects.create(username="bench_admin")
    RoleAssignment.objects.create(user=admin, role=Role.ADMIN)
    campaign = create_campaign(2026)
    t0 = time.perf_counter()
    track = build_scored_track(campaign, n_entries=args.entries, n_judges=args.judges, n_criteria=args.criteria)
    build = time.perf_counter() - t0

    client = Client()
    client.force_login(admin)
    url = reverse("reviews:ranking", args=[track.pk])
    client.get(url)  # warm-up (template compilation, session)
    times = []
    counts = []

    def counter(execute, sql, params, many, context):
        counts[-1] += 1
        return execute(sql, params, many, context)

    for _ in range(args.runs):
        counts.append(0)
        with connection.execute_wrapper(counter):
            t = time.perf_counter()
            r = client.get(url)
            times.append(time.perf_counter() - t)
        assert r.status_code == 200
    t = time.perf_counter()
    queries.ranking(track)
    compute = time.perf_counter() - t
    xlsx_url = reverse("reviews:ranking_xlsx", args=[track.pk])
    t = time.perf_counter()
    client.get(xlsx_url)
    xlsx = time.perf_counter() - t
    print(f"ranking page, {args.entries} entries × {args.judges} judges × {args.criteria} criteria "
          f"({args.entries * args.judges} score rows), DB {connection.vendor}")
    print(f"  data build: {build:.2f}s")
    print(f"  queries per request: {sorted(set(counts))}")
    print(f"  render (full request) over {args.runs} runs: median {statistics.median(times) * 1000:.0f} ms, "
          f"min {min(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms")
    print(f"  of which ranking + stability computation (4 rules): {compute * 1000:.0f} ms")
    print(f"  ranking XLSX export: {xlsx * 1000:.0f} ms")


if __name__ == "__main__":
    main()
