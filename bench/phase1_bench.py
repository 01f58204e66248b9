"""Phase 1 speed: PDF render (cold and cached) and page render/queries with 10x the usual branches.

Run: .venv/bin/python bench/phase1_bench.py   (prints numbers; asserts nothing)"""

import statistics
import time

from _setup import setup

setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from campaigns.services import create_campaign  # noqa: E402
from organizations.models import Organization, RoleAssignment, User  # noqa: E402
from submissions import pdf  # noqa: E402
from submissions.models import Form1, Form2, Form2Row  # noqa: E402

LONG = "围绕中心工作抓好党建重点任务落实，在思路、内容、形式及载体上寻求突破点和创新点。" * 8


def build(n_colleges=250, branches_per_college=8, big_college_branches=60):
    year = timezone.localdate().year + 1
    campaign = create_campaign(year)
    school = Organization.objects.create(name="校党委", code="S", level="school", org_type="school_committee")
    colleges = Organization.objects.bulk_create([
        Organization(name=f"第{i}学院党委", code=f"C{i}", level="college", org_type="college_committee", parent=school,
                     sort_order=i) for i in range(n_colleges)])
    branches = []
    for c in colleges:
        n = big_college_branches if c.code == "C0" else branches_per_college
        branches += [Organization(name=f"{c.name}第{j}支部", code=f"{c.code}-{j}", level="branch", org_type="teacher",
                                  parent=c, sort_order=j) for j in range(n)]
    Organization.objects.bulk_create(branches)
    big = colleges[0]
    form2 = Form2.objects.create(campaign=campaign, organization=big, filler_name="李老师")
    Form2Row.objects.bulk_create([Form2Row(form=form2, branch=b, feature_name=f"特色{b.code}", feature_intro=LONG[:200],
                                           carriers=LONG[:150], expected_results=LONG[:100], phone="13800000000")
                                  for b in Organization.objects.filter(parent=big)])
    form1 = Form1.objects.create(campaign=campaign, organization=big, brand_name="匠心铸魂", slogan="口号",
                                 foundation=LONG, connotation=LONG, goals=LONG, measures="\n".join(["举措"] * 8),
                                 schedule="\n".join(f"{m}月 任务" for m in range(5, 12)), expected_results=LONG, guarantees=LONG)
    admin = User.objects.create(username="bench_admin")
    RoleAssignment.objects.create(user=admin, role="admin")
    sec = User.objects.create(username="bench_sec")
    RoleAssignment.objects.create(user=sec, role="college_secretary", organization=big)
    return campaign, big, form1, form2, admin, sec


def timed(fn, repeat=5):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return times


def page(client, url, label):
    client.get(url)  # warm caches (sessions, content types) so the count is the steady state
    counted = []

    def counter(execute, sql, params, many, context):
        counted.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        t = time.perf_counter()
        response = client.get(url)
        first = time.perf_counter() - t
    assert response.status_code == 200, (url, response.status_code)
    times = timed(lambda: client.get(url))
    print(f"{label:42s} queries={len(counted):3d}  first={first*1000:7.1f} ms  median={statistics.median(times)*1000:7.1f} ms")


def main(save_pdf=None):
    campaign, big, form1, form2, admin, sec = build()
    if save_pdf:
        with open(save_pdf, "wb") as fh:
            fh.write(pdf.form_pdf("form2", form2, use_cache=False))
        return
    print(f"data: {Organization.objects.filter(level='college').count()} 院级 orgs, "
          f"{Organization.objects.filter(level='branch').count()} branches; summary page college has "
          f"{Form2Row.objects.count()} rows")
    cold = timed(lambda: pdf.form_pdf("form1", form1, use_cache=False), repeat=5)
    print(f"附件1 PDF render (no cache):  median {statistics.median(cold)*1000:.0f} ms, max {max(cold)*1000:.0f} ms")
    pdf.form_pdf("form1", form1)
    warm = timed(lambda: pdf.form_pdf("form1", form1), repeat=20)
    print(f"附件1 PDF (cached):           median {statistics.median(warm)*1000:.1f} ms")
    cold2 = timed(lambda: pdf.form_pdf("form2", form2, use_cache=False), repeat=3)
    print(f"附件2 PDF, {Form2Row.objects.count()} rows (no cache): median {statistics.median(cold2)*1000:.0f} ms")
    c_admin, c_sec = Client(), Client()
    c_admin.force_login(admin)
    c_sec.force_login(sec)
    page(c_sec, reverse("submissions:form1", args=[campaign.pk, big.pk]), "附件1 form page")
    page(c_sec, reverse("submissions:form2", args=[campaign.pk, big.pk]), f"附件2 summary page ({Form2Row.objects.count()} rows)")
    page(c_admin, reverse("submissions:progress") + f"?campaign={campaign.pk}", "组织部 progress table (250 orgs)")


if __name__ == "__main__":
    import sys

    main(save_pdf=sys.argv[1] if len(sys.argv) > 1 else None)
