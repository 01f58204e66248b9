"""Showcase benchmarks (numbers, not assertions).

    .venv/bin/python bench/showcase_bench.py [--pages 100] [--skip-list] [--repeats 3] [--profile out.prof]

1. The public list page with 10 years × (25 brands + 25 branches) published items:
   queries per request and render time (median of 20 requests, Django test client).
2. A ~100-page 成果汇编 booklet (one chapter per 院级 org, photos, QR codes): the time of the
   Celery task body (showcase.booklet.generate), which runs in a worker, never in a web request:
   wall seconds and CPU seconds (process_time) of each of --repeats runs, and the load average.
   --profile writes a cProfile of the last run (read it with `python -m pstats`).

Uses a throw-away SQLite database and media folder; touches nothing else."""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TMP = tempfile.mkdtemp(prefix="showcase-bench-")
os.environ["DATABASE_URL"] = f"sqlite:///{TMP}/bench.sqlite3"
os.environ["MEDIA_ROOT"] = f"{TMP}/media"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "brandcampaign.settings_test")
os.environ["DJANGO_TESTING"] = "1"

import django  # noqa: E402

django.setup()
from django.conf import settings  # noqa: E402

settings.MEDIA_ROOT = f"{TMP}/media"
settings.ALLOWED_HOSTS = ["*"]

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402


def build_world(years=10, colleges=25):
    from campaigns.services import create_campaign
    from organizations.models import Level, Organization
    from showcase.models import ShowcaseItem

    school = Organization.objects.create(name="中共测试大学委员会", code="S", level=Level.SCHOOL, org_type="school_committee")
    cols, brs = [], []
    for i in range(colleges):
        c = Organization.objects.create(name=f"第{i + 1}学院党委", code=f"C{i}", level=Level.COLLEGE,
                                        org_type="college_committee", parent=school, sort_order=i)
        cols.append(c)
        brs.append(Organization.objects.create(name=f"第{i + 1}学院教工党支部", code=f"C{i}-B", level=Level.BRANCH,
                                               org_type="teacher", parent=c))
    rows = []
    for year in range(2027 - years, 2027):
        campaign = create_campaign(year)
        for i, (c, b) in enumerate(zip(cols, brs)):
            for org, kind in ((c, "brand"), (b, "branch")):
                text = f"以党建为引领，推动{org.name}各项事业高质量发展。" * 6
                rows.append(ShowcaseItem(campaign=campaign, year=year, organization=org, college=c, kind=kind,
                                         org_name=org.name, org_type=org.org_type, title=f"品牌{year}{i}",
                                         slogan="党建引领 发展先行", connotation=text, measures="举措一\n举措二\n举措三",
                                         overview=text * 3, search_text=text, is_published=True,
                                         award="brand_top10" if kind == "brand" and i < 10 else ""))
    ShowcaseItem.objects.bulk_create(rows)
    return campaign


def bench_list():
    client = Client()
    for params in ({}, {"q": "第7学院"}, {"year": "2020", "award": "any"}, {"page": "5"}):
        client.get("/showcase/", params)  # warm up
        times = []
        for _ in range(20):
            with CaptureQueriesContext(connection) as ctx:
                t0 = time.perf_counter()
                r = client.get("/showcase/", params)
                times.append((time.perf_counter() - t0) * 1000)
            assert r.status_code == 200
        print(f"  list {params or '(no filter)'}: median {statistics.median(times):.1f} ms, "
              f"p95 {sorted(times)[18]:.1f} ms, {len(ctx.captured_queries)} queries")


def bench_booklet(campaign, target_pages, repeats=1, profile=None):
    import io

    from django.core.files.base import ContentFile
    from PIL import Image

    from organizations.models import Organization, User
    from showcase import booklet as booklet_mod
    from showcase.models import Booklet, ItemOutcome, ShowcaseItem
    from submissions.models import Attachment

    def jpeg(color):
        buf = io.BytesIO()
        Image.new("RGB", (800, 600), color).save(buf, "JPEG", quality=80)
        return buf.getvalue()

    user = User.objects.create(username="bench")
    items = list(ShowcaseItem.objects.filter(campaign=campaign).select_related("college").order_by("college__sort_order", "-kind"))
    org = Organization.objects.get(code="C0")
    for k, item in enumerate(items):  # three distinct 800×600 photos per item
        photos = []
        for n in range(3):
            a = Attachment(organization=org, kind="jpeg", original_name=f"{k}-{n}.jpg", size=1,
                           caption=f"活动照片{n + 1}")
            a.file.save(f"p{k}-{n}.jpg", ContentFile(jpeg((40 + k * 4 % 200, 20 + 60 * n, 30))), save=False)
            a.save()
            photos.append(a)
        item.photos.set(photos)
        ItemOutcome.objects.create(item=item, outcome_type="case", title=f"{item.title}典型案例",
                                   body="组建党员攻关突击队，深入一线解决难题，形成可复制的经验。" * 12)
    # pick as many items as it takes to reach ~target_pages (measured on a first, small sample)
    n = max(4, min(len(items), 12))
    sample = Booklet.objects.create(campaign=campaign, title="样本", created_by=user)
    sample.items.set(items[:n])
    booklet_mod.generate(sample.pk)
    sample.refresh_from_db()
    per_item = (sample.page_count - 2) / n
    count = min(len(items), max(1, round((target_pages - 2) / per_item)))
    for run in range(1, repeats + 1):
        b = Booklet.objects.create(campaign=campaign, title=f"{campaign.year}年度党建特色品牌创建成果汇编", created_by=user)
        b.items.set(items[:count])
        prof = None
        if profile and run == repeats:
            import cProfile

            prof = cProfile.Profile()
        load = os.getloadavg()[0]
        t0, c0 = time.perf_counter(), time.process_time()
        if prof:
            prof.enable()
        booklet_mod.generate(b.pk)
        if prof:
            prof.disable()
            prof.dump_stats(profile)
        elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
        b.refresh_from_db()
        size = b.file.size / 1024 / 1024
        print(f"  booklet run {run}: {b.page_count} pages, {count} items, "
              f"{len({i.college_id for i in items[:count]})} chapters, {elapsed:.2f} s wall, {cpu:.2f} s CPU, "
              f"{size:.1f} MB (status {b.status}; load average {load:.1f}{', profiled' if prof else ''})")
    print(f"  booklet file: {b.file.path}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--skip-booklet", action="store_true")
    parser.add_argument("--skip-list", action="store_true")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--profile", help="write a cProfile of the last booklet run to this file")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    t0 = time.perf_counter()
    campaign = build_world()
    from showcase.models import ShowcaseItem

    print(f"showcase bench ({os.cpu_count()} CPUs, SQLite) — data: {ShowcaseItem.objects.count()} published items "
          f"over 10 years, built in {time.perf_counter() - t0:.1f} s")
    if not args.skip_list:
        bench_list()
    if not args.skip_booklet:
        bench_booklet(campaign, args.pages, args.repeats, args.profile)


if __name__ == "__main__":
    import logging

    logging.disable(logging.INFO)
    main()
