"""Import benchmark: 300 orgs + 1,000 accounts. Prints timings; not part of `make test`.

    .venv/bin/python bench/import_bench.py

Runs in-process against a throw-away test database: SQLite by default, PostgreSQL with
DATABASE_URL=postgres://... (brandcampaign.settings_test)."""

import io
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "brandcampaign.settings_test")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402


def build_file(n_colleges=25, branches_per_college=11, n_accounts=1000):
    import openpyxl

    from organizations.importing import ACCOUNT_COLUMNS, ORG_COLUMNS

    wb = openpyxl.Workbook(write_only=True)
    orgs = wb.create_sheet("党组织")
    orgs.append(["党组织导入（基准测试）"])
    orgs.append([c.header for c in ORG_COLUMNS])
    orgs.append(["SCHOOL", "中共测试大学委员会", "校党委", "校党委", "校党委", ""] + [""] * 6 + [0, 0, 0, 0, "否", "是"])
    branch_codes, college_codes = [], []
    types = ["教工党支部", "本科生党支部", "研究生党支部", "师生联合党支部"]
    for c in range(n_colleges):
        code = f"C{c:02d}"
        college_codes.append(code)
        orgs.append([code, f"第{c}学院党委", f"{c}院", "院(处)级党组织", "学院党委", "SCHOOL", f"书记{c}", "党委书记",
                     f"0731-8888{c:04d}", f"联系人{c}", f"139{c:08d}", f"c{c}@example.edu.cn", 50, 300, 5, 20, "否", "是"])
        for b in range(branches_per_college):
            bcode = f"{code}-B{b:02d}"
            branch_codes.append(bcode)
            orgs.append([bcode, f"第{c}学院第{b}党支部", "", "党支部", types[b % 4], code, f"支书{c}-{b}", "支部书记",
                         f"138{c:04d}{b:04d}", "", "", "", 10, 20, 0, 3, "是" if b % 4 == 0 else "否", "是"])
    accounts = wb.create_sheet("账号")
    accounts.append(["账号导入（基准测试）"])
    accounts.append([c.header for c in ACCOUNT_COLUMNS])
    for i in range(n_accounts):
        if i < len(branch_codes):
            role, org = "支部书记", branch_codes[i]
        elif i < len(branch_codes) + len(college_codes):
            role, org = "院级党组织书记/联系人", college_codes[i - len(branch_codes)]
        else:
            role, org = "评审专家", college_codes[i % len(college_codes)]
        accounts.append([f"u{i:04d}", f"用户{i}", f"u{i}@example.edu.cn", f"137{i:08d}", role, org])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue(), 1 + n_colleges * (1 + branches_per_college), n_accounts


def timed(label, fn, results):
    with CaptureQueriesContext(connection) as queries:
        t0 = time.perf_counter()
        value = fn()
        elapsed = time.perf_counter() - t0
    results.append((label, elapsed, len(queries)))
    return value


def http_preview(admin, data, results):
    """Upload + preview page through the real views (what the admin waits for)."""
    import re

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(admin)
    response = timed("HTTP upload (checks the file)", lambda: client.post(
        reverse("organizations:import"), {"file": SimpleUploadedFile("bench.xlsx", data)}), results)
    token = re.search(r"/import/([0-9a-f]+)/", response["Location"]).group(1)
    page = timed("HTTP preview page (read + plan + render)", lambda: client.get(
        reverse("organizations:import_preview", args=[token])), results)
    assert page.status_code == 200 and "新建账号（1000）" in page.content.decode()
    print(f"preview page: {len(page.content) / 1024:.0f} KB of HTML")


def main():

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from organizations.importing import apply_import, plan_import, read_workbook
        from organizations.exports import org_tree_workbook
        from organizations.models import Organization, Role, RoleAssignment, User

        admin = User.objects.create(username="bench_admin")
        RoleAssignment.objects.create(user=admin, role=Role.ADMIN)
        data, n_orgs, n_accounts = build_file()
        print(f"database: {connection.vendor}; file: {n_orgs} orgs + {n_accounts} accounts, {len(data) / 1024:.0f} KB")
        results = []
        http_preview(admin, data, results)
        sheets = timed("read + check file", lambda: read_workbook(data), results)
        plan = timed("plan (dry run) on empty db", lambda: plan_import(sheets), results)
        assert not plan.errors, plan.errors[:5]
        print(f"plan: {len(plan.org_creates)} org creates, {len(plan.account_creates)} account creates, {len(plan.roles)} roles")
        timed("apply (create everything)", lambda: apply_import(sheets, by=admin, expected_digest=plan.digest()), results)
        assert Organization.objects.count() == n_orgs and User.objects.count() == n_accounts + 1
        again = timed("preview again (read + plan, no-op)", lambda: plan_import(read_workbook(data)), results)
        assert not again.has_changes
        export = timed("export org tree + accounts", org_tree_workbook, results)
        trip = timed("round trip: read + plan the export", lambda: plan_import(read_workbook(export), deactivate_absent=True), results)
        assert not trip.has_changes and not trip.errors
        print(f"{'step':40s} {'seconds':>8s} {'queries':>8s}")
        for label, elapsed, n in results:
            print(f"{label:40s} {elapsed:8.2f} {n:8d}")
        print(f"admin waits for upload + preview page: {results[0][1] + results[1][1]:.2f} s")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
