"""Exports and dashboard speed with 10x the usual data.

Run: .venv/bin/python bench/exports_bench.py   (prints numbers; asserts nothing)

1. 10x data (250 院级 orgs, 2,000 branches with full 附件2 rows, entries, outcomes): the dashboard's
   query count and render time, and every export's rows and seconds.
2. 5,000 branches: the 附件2 汇总表 is then 10,000 data rows (combined sheet + one sheet per org).
3. The bare writer: 10,000 rows × the 17 附件2 columns of synthetic data (no database).
"""

import datetime as dt
import io
import statistics
import time

from _setup import setup

setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from campaigns.services import create_campaign  # noqa: E402
from dashboard import exports  # noqa: E402
from dashboard.queries import parse_filters  # noqa: E402
from organizations.models import Organization, RoleAssignment, User  # noqa: E402
from submissions.models import Entry, Form1, Form2, Form2Row, Outcome  # noqa: E402

LONG = "围绕中心工作抓好党建重点任务落实，在思路、内容、形式及载体上寻求突破点和创新点。" * 8


def add_branches(campaign, colleges, per_college, start=0):
    branches = Organization.objects.bulk_create([
        Organization(name=f"{c.name}第{j}党支部", code=f"{c.code}-{j}", level="branch", org_type="teacher", parent=c,
                     sort_order=j, secretary_name="王书记", members_staff=12, members_student=30)
        for c in colleges for j in range(start, start + per_college)], batch_size=2000)
    forms = {f.organization_id: f for f in Form2.objects.filter(campaign=campaign)}
    now = timezone.now()
    Form2Row.objects.bulk_create([
        Form2Row(form=forms[b.parent_id], branch=b, state="submitted", feature_name=f"特色{b.code}",
                 feature_intro=LONG[:200], carriers=LONG[:150], expected_results=LONG[:100], phone="13800000000",
                 submitted_at=now) for b in branches], batch_size=2000)
    return branches


def build(n_colleges=250, per_college=8):
    year = timezone.localdate().year
    campaign = create_campaign(year)
    school = Organization.objects.create(name="校党委", code="S", level="school", org_type="school_committee")
    colleges = Organization.objects.bulk_create([
        Organization(name=f"第{i}学院党委", code=f"C{i}", level="college", org_type="college_committee",
                     parent=school, sort_order=i) for i in range(n_colleges)])
    now = timezone.now()
    Form1.objects.bulk_create([
        Form1(campaign=campaign, organization=c, state="submitted" if i % 3 else "draft", brand_name=f"品牌{i}",
              connotation=LONG, goals=LONG, measures=LONG, expected_results=LONG, submitted_at=now)
        for i, c in enumerate(colleges)])
    Form2.objects.bulk_create([Form2(campaign=campaign, organization=c) for c in colleges])
    branches = add_branches(campaign, colleges, per_college)
    Entry.objects.bulk_create([Entry(campaign=campaign, track="brand", organization=c, college=c, title=f"品牌{c.code}",
                                     overview=LONG) for c in colleges])
    Entry.objects.bulk_create([Entry(campaign=campaign, track="branch", organization=b, college_id=b.parent_id, rank=1,
                                     state="submitted", submitted_at=now) for b in branches[::per_college]])
    Outcome.objects.bulk_create([Outcome(campaign=campaign, organization=b, outcome_type="case", title="案例",
                                         date=dt.date(year, 6 + i % 5, 1)) for i, b in enumerate(branches[::2])])
    admin = User.objects.create(username="bench_admin")
    RoleAssignment.objects.create(user=admin, role="admin")
    return campaign, colleges, admin


def count_queries(fn):
    counted = []

    def counter(execute, sql, params, many, context):
        counted.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        t, c = time.perf_counter(), time.process_time()
        result = fn()
        seconds = Seconds(time.perf_counter() - t, time.process_time() - c)
    return result, len(counted), seconds


class Seconds:
    """Wall-clock and CPU seconds: the machine is shared, so CPU time is the steadier number."""

    def __init__(self, wall, cpu):
        self.wall, self.cpu = wall, cpu

    def __format__(self, spec):
        return f"{self.wall:.2f} s wall ({self.cpu:.2f} s CPU)"


def main():
    campaign, colleges, admin = build()
    print(f"data: {Organization.objects.filter(level='college').count()} 院级 orgs, "
          f"{Organization.objects.filter(level='branch').count()} branches, {Form2Row.objects.count()} 附件2 rows, "
          f"{Entry.objects.count()} entries, {Outcome.objects.count()} outcomes")
    client = Client()
    client.force_login(admin)
    url = reverse("dashboard:index") + f"?campaign={campaign.pk}"
    client.get(url)  # warm session/content-type caches
    response, queries, first = count_queries(lambda: client.get(url))
    assert response.status_code == 200
    walls, cpus = [], []
    for _ in range(5):
        t, c = time.perf_counter(), time.process_time()
        client.get(url)
        walls.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
    print(f"dashboard (250 orgs): queries={queries}  first={first}  median {statistics.median(walls) * 1000:.0f} ms wall "
          f"({statistics.median(cpus) * 1000:.0f} ms CPU)  html={len(response.content) // 1024} KiB")

    filters = parse_filters({"campaign": campaign.pk})
    for kind in exports.KINDS.values():

        def build_it(kind=kind):
            return kind.build(filters, progress=None)

        data, n_queries, seconds = count_queries(build_it)
        print(f"export {kind.key:15s} est. rows={kind.count(filters):5d}  queries={n_queries:2d}  "
              f"{seconds}  {len(data) // 1024} KiB")

    add_branches(campaign, colleges, 12, start=8)  # 20 per org → 5,000 branches → 10,000 rows
    n = exports.form2_count(filters)
    data, n_queries, seconds = count_queries(lambda: exports.form2_workbook(filters))
    print(f"export form2 with {Organization.objects.filter(level='branch').count()} branches: {n} data rows "
          f"({len(colleges) + 1} sheets)  queries={n_queries}  {seconds}  {len(data) // 1024} KiB")

    now = timezone.now()
    row = [1, "第1学院党委", "草稿", "第1学院党委第1党支部", "教工党支部", "王书记", "是", 40, 2, "红色工匠",
           LONG[:200], LONG[:150], LONG[:100], "13800000000", "", "已报院级", now]
    walls, cpus = [], []
    for _ in range(3):
        t, c = time.perf_counter(), time.process_time()
        w = exports.Writer()
        w.sheet("汇总", "bench", exports.COMBINED_COLUMNS, ([i] + row[1:] for i in range(10_000)))
        out = w.save()
        walls.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
    print(f"writer only: 10,000 rows × {len(exports.COMBINED_COLUMNS)} columns  median {statistics.median(walls):.2f} s wall "
          f"({statistics.median(cpus):.2f} s CPU)  {len(out) // 1024} KiB")
    import openpyxl

    t = time.perf_counter()
    ws = openpyxl.load_workbook(io.BytesIO(out), read_only=True).active
    n_read = sum(1 for _ in ws.iter_rows(min_row=3))
    print(f"(check: read back {n_read} data rows in {time.perf_counter() - t:.2f} s)")


if __name__ == "__main__":
    main()
