"""Exports and dashboard speed with 10x the usual data.

Run: .venv/bin/python bench/exports_bench.py   (prints numbers; asserts nothing)

1. 10x data (250 院级 orgs, 2,000 branches with full 附件2 rows, entries, outcomes): the dashboard's
   query count and render time, and every export's rows and seconds.
2. 5,000 branches: the 附件2 汇总表 is then 10,000 data rows (combined sheet + one sheet per org), built
   the way a user gets it: as a background ExportJob (dashboard.services.run_job) with progress.
3. The writer against the library bare: the exact rows of that workbook (captured, 251 sheets) written
   (a) through core.xlsx (the portal's one writer: styles, sanitising, Beijing time, cut mark) and
   (b) by XlsxWriter bare (constant_memory, write_row, no formats), each in a fresh child process, so that
   time and peak memory (ru_maxrss over the child's base, and tracemalloc's traced peak) belong to that
   writer alone. The ratio portal/bare is the price of the facade (goal: <= 1.3x, memory flat).
4. Constant memory: core.xlsx streaming 10,000 and 50,000 synthetic rows from a generator: peak traced.
"""

import datetime as dt
import io
import json
import os
import pickle
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc

if len(sys.argv) > 1 and sys.argv[1] == "--child":  # a writer run alone in its own process (no Django)
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    import xlsxwriter  # noqa: F401

    from core import xlsx as _xlsx  # noqa: F401


    def _child(mode, path, traced):
        with open(path, "rb") as fh:
            sheets = pickle.load(fh)
        if traced:
            tracemalloc.start()
        base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        t0, c0 = time.perf_counter(), time.process_time()
        out = (_write_portal if mode == "portal" else _write_bare)(sheets)
        secs, cpu = time.perf_counter() - t0, time.process_time() - c0
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        traced_peak = tracemalloc.get_traced_memory()[1] / 2**20 if traced else None
        print(json.dumps({"seconds": secs, "cpu": cpu, "base_rss_mb": base, "peak_rss_mb": peak,
                          "traced_peak_mb": traced_peak,
                          "kib": len(out) // 1024, "rows": sum(len(rows) for _n, _t, _c, rows in sheets)}))

    def _write_portal(sheets):
        wb = _xlsx.Workbook()
        for name, title, columns, rows in sheets:
            wb.add_sheet(name, title, columns, rows)
        return wb.to_bytes()

    def _write_bare(sheets):
        buf = io.BytesIO()
        wb = xlsxwriter.Workbook(buf, {"constant_memory": True, "remove_timezone": True,
                                       "default_date_format": "yyyy-mm-dd hh:mm"})
        for name, title, columns, rows in sheets:
            ws = wb.add_worksheet(name)
            ws.write_row(0, 0, [title])
            ws.write_row(1, 0, [c.header for c in columns])
            for r, row in enumerate(rows, start=2):
                ws.write_row(r, 0, row)
        wb.close()
        return buf.getvalue()

    _child(sys.argv[2], sys.argv[3], sys.argv[4] == "traced")
    sys.exit(0)

from _setup import setup  # noqa: E402

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
    job_seconds = form2_as_job(filters, admin, n, len(colleges))
    sheets_path = capture_form2_rows(filters)
    compare_writers(sheets_path, job_seconds)
    constant_memory()


def form2_as_job(filters, admin, n, n_colleges):
    """The 10,000-row 附件2 workbook as the user gets it: an ExportJob run by the task, with progress."""
    from django.conf import settings

    from dashboard import services
    from dashboard.models import ExportJob

    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="bench-media-")
    walls, cpus = [], []
    for _ in range(3):
        job = ExportJob.objects.create(kind="form2", params=filters.as_params(), created_by=admin,
                                       rows_total=n)
        updates = []

        def counter(execute, sql, params, many, context):
            if sql.startswith("UPDATE") and "dashboard_exportjob" in sql:
                updates.append(1)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            t, c = time.perf_counter(), time.process_time()
            services.run_job(job.pk)
            walls.append(time.perf_counter() - t)
            cpus.append(time.process_time() - c)
        job.refresh_from_db()
    print(f"export form2 as ExportJob: {n} data rows ({n_colleges + 1} sheets)  status={job.status} "
          f"progress={job.progress}% rows_done={job.rows_done}  {len(updates)} progress updates  "
          f"median {statistics.median(walls):.2f} s wall ({statistics.median(cpus):.2f} s CPU)  "
          f"{job.file.size // 1024} KiB")
    return statistics.median(cpus)


def capture_form2_rows(filters):
    """The exact (sheet name, title, columns, rows) core.xlsx receives for the 10,000-row workbook, pickled."""
    from django.utils.functional import Promise

    from core import xlsx

    captured = []
    original = xlsx.Workbook.add_sheet

    def add_sheet(self, name, title, columns, rows, **kw):
        rows = [[str(v) if isinstance(v, Promise) else v for v in row] for row in rows]
        captured.append((xlsx.legal_sheet_name(name, self.names), title, list(columns), rows))
        return original(self, name, title, columns, rows, **kw)

    xlsx.Workbook.add_sheet = add_sheet
    try:
        exports.form2_workbook(filters)
    finally:
        xlsx.Workbook.add_sheet = original
    fd, path = tempfile.mkstemp(prefix="bench-form2-", suffix=".pickle")
    with os.fdopen(fd, "wb") as fh:
        pickle.dump(captured, fh)
    return path


def child(mode, path, traced):
    res = subprocess.run([sys.executable, __file__, "--child", mode, path, "traced" if traced else "plain"],
                         check=True, capture_output=True, text=True)
    return json.loads(res.stdout)


def compare_writers(path, job_cpu, repeats=3):
    runs = {"portal": [], "bare": []}
    traced = {}
    for _ in range(repeats):
        for mode in runs:  # interleaved, so drift on the shared machine hits both
            runs[mode].append(child(mode, path, traced=False))
    for mode in runs:
        traced[mode] = child(mode, path, traced=True)["traced_peak_mb"]
    wall = {m: statistics.median(r["seconds"] for r in rs) for m, rs in runs.items()}
    cpu = {m: statistics.median(r["cpu"] for r in rs) for m, rs in runs.items()}
    rss = {m: max(r["peak_rss_mb"] for r in rs) for m, rs in runs.items()}
    base = runs["bare"][0]["base_rss_mb"]
    rows = runs["portal"][0]["rows"]
    print(f"writers on the captured rows (child process base RSS {base:.0f} MB: interpreter + library + the rows):")
    for mode, label in (("bare", "XlsxWriter bare (constant_memory, write_row)"),
                        ("portal", "core.xlsx (the portal's writer)")):
        print(f"  {label:45s} {rows} rows  median {cpu[mode]:.2f} s CPU ({wall[mode]:.2f} s wall)  "
              f"peak RSS {rss[mode]:.0f} MB  writer's traced peak {traced[mode]:.1f} MB  {runs[mode][0]['kib']} KiB")
    print(f"ratio core.xlsx / bare: CPU {cpu['portal'] / cpu['bare']:.2f}x  wall {wall['portal'] / wall['bare']:.2f}x  "
          f"peak RSS {rss['portal'] / rss['bare']:.2f}x  traced peak {traced['portal'] / traced['bare']:.2f}x  "
          f"(whole ExportJob incl. queries and progress: {job_cpu / cpu['bare']:.2f}x the bare writer's CPU)")
    os.unlink(path)


def constant_memory():
    from core import xlsx

    now = timezone.now()
    row = [1, "第1学院党委", "草稿", "第1学院党委第1党支部", "教工党支部", "王书记", "是", 40, 2, "红色工匠",
           LONG[:200], LONG[:150], LONG[:100], "13800000000", "", "已报院级", now]
    for n in (10_000, 30_000):
        tracemalloc.start()
        t = time.perf_counter()
        wb = xlsx.Workbook()
        wb.add_sheet("汇总", "bench", exports.COMBINED_COLUMNS, ([i] + row[1:] for i in range(n)))
        out = wb.to_bytes()
        secs = time.perf_counter() - t
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        print(f"core.xlsx streaming {n:6d} rows x {len(row)} columns from a generator: {secs:.2f} s wall under tracemalloc  "
              f"traced peak {peak:.1f} MB  of which the finished file {len(out) / 2**20:.1f} MB")
        del out
    import openpyxl

    wb = xlsx.Workbook()
    wb.add_sheet("汇总", "bench", exports.COMBINED_COLUMNS, ([i] + row[1:] for i in range(10_000)))
    out = wb.to_bytes()
    t = time.perf_counter()
    ws = openpyxl.load_workbook(io.BytesIO(out), read_only=True).active
    n_read = sum(1 for _ in ws.iter_rows(min_row=3))
    print(f"(check: openpyxl read back {n_read} data rows in {time.perf_counter() - t:.2f} s)")


if __name__ == "__main__":
    main()
