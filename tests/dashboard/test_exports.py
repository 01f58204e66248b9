"""组织部's spreadsheets: opened with openpyxl and checked for headers, title, rows, formats and filters."""

import datetime as dt
import io
from urllib.parse import unquote

import openpyxl
import pytest
from django.urls import reverse

from dashboard import exports, services
from dashboard.models import ExportJob, ExportStatus
from dashboard.queries import Filters, parse_filters

from ..xlsx_checks import HOSTILE, column_width, needs_unchecked_lengths
from .helpers import LONG_INTRO, export_job, fill


@pytest.fixture(autouse=True)
def own_media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def filled(world, at):
    at(2026, 5, 20, 10, 0)  # after the May 15 deadline; college B's extension runs to May 25
    return fill(world)


def export(client, kind, **params):
    response = client.get(reverse("dashboard:export", args=[kind]), params)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == exports.XLSX_CONTENT_TYPE
    return response, openpyxl.load_workbook(io.BytesIO(response.content))


def headers(ws):
    return [c.value for c in ws[2]]


def data_rows(ws):
    return list(ws.iter_rows(min_row=3, values_only=True))


def assert_layout(ws, columns, n_rows):
    """Title row, Chinese headers, frozen header, auto-filter over header + data, widths, wrapped long text."""
    title = ws["A1"].value
    assert title.startswith("2026 年度") and "导出时间：2026-05-20 10:00（北京时间）" in title
    assert ws["A1"].font.b
    assert headers(ws) == [c.header for c in columns]
    assert ws.freeze_panes == "A3"
    assert ws.auto_filter.ref == f"A2:{openpyxl.utils.get_column_letter(len(columns))}{n_rows + 2}"
    assert not ws.merged_cells.ranges
    for i, col in enumerate(columns, start=1):
        assert abs(column_width(ws, i) - col.width) < 1  # XlsxWriter adds the cell padding
    assert len(data_rows(ws)) == n_rows


def wrapped(ws, header):
    col = headers(ws).index(header) + 1
    cells = [ws.cell(row=r, column=col) for r in range(3, ws.max_row + 1)]
    return [c for c in cells if c.value] and all(c.alignment.wrap_text for c in cells if c.value)


def test_form2_summary_has_combined_sheet_and_one_sheet_per_college(filled, client_for):
    response, wb = export(client_for(filled.users.admin), "form2")
    assert "附件2" in unquote(response["Content-Disposition"])
    assert wb.sheetnames == ["汇总", "甲学院党委", "乙学院党委"]
    combined = wb["汇总"]
    assert_layout(combined, exports.COMBINED_COLUMNS, 4)
    rows = {r[3]: r for r in data_rows(combined)}
    assert set(rows) == {"甲一支部", "甲二支部", "乙一支部", "乙二支部"}
    a1 = dict(zip(headers(combined), rows["甲一支部"]))
    assert a1["院(处)级党组织"] == "甲学院党委" and a1["附件2状态"] == "草稿"
    assert a1["特色名称"] == "红色工匠" and a1["特色简介"] == LONG_INTRO[:200]
    assert a1["支部填报状态"] == "已报院级"
    assert a1["报送时间"] == dt.datetime(2026, 5, 9, 16, 5)  # Shanghai wall-clock time, not UTC 08:05
    assert dict(zip(headers(combined), rows["乙一支部"]))["支部填报状态"] == "未开始"
    assert wrapped(combined, "特色简介")
    a_sheet = wb["甲学院党委"]
    assert_layout(a_sheet, exports.FORM2_COLUMNS, 2)
    assert "填报单位：甲学院党委" in a_sheet["A1"].value and "填报人：李老师" in a_sheet["A1"].value
    assert [r[1] for r in data_rows(a_sheet)] == ["甲一支部", "甲二支部"]
    assert combined.cell(row=3, column=headers(combined).index("报送时间") + 1).number_format == "yyyy-mm-dd hh:mm"


def test_status_export_lists_every_org_and_item_with_effective_deadlines(filled, client_for):
    _, wb = export(client_for(filled.users.admin), "status")
    ws = wb["上报状态"]
    # 2 colleges × 5 items + 4 branch rows + 1 branch entry
    assert_layout(ws, exports.STATUS_COLUMNS, 15)
    rows = [dict(zip(headers(ws), r)) for r in data_rows(ws)]
    by = {(r["党组织"], r["事项"]): r for r in rows}
    form1_a = by[("甲学院党委", "附件1 一院一品牌申报表")]
    assert form1_a["状态"] == "已提交" and form1_a["提交时间"] == dt.datetime(2026, 5, 10, 9, 30)
    assert form1_a["是否逾期"] == "否"
    form2_a = by[("甲学院党委", "附件2 一支部一特色汇总表")]
    assert form2_a["状态"] == "草稿" and form2_a["是否逾期"] == "是"
    assert form2_a["截止时间（含延期）"] == dt.datetime(2026, 5, 15, 23, 59, 59)
    form1_b = by[("乙学院党委", "附件1 一院一品牌申报表")]
    assert form1_b["状态"] == "未开始" and form1_b["是否逾期"] == "否"  # extended to May 25
    assert form1_b["截止时间（含延期）"] == dt.datetime(2026, 5, 25, 18, 0)
    assert by[("乙一支部", "一支部一特色（附件2 本支部行）")]["截止时间（含延期）"] == dt.datetime(2026, 5, 25, 18, 0)
    assert by[("甲一支部", "一支部一特色（附件2 本支部行）")]["状态"] == "已报院级"
    assert by[("甲二支部", "一支部一特色（附件2 本支部行）")]["是否逾期"] == "是"
    assert by[("甲一支部", "十佳特色支部（附件3，推荐第 1 位）")]["状态"] == "形式审查退回"


def test_status_export_applies_type_and_state_filters(filled, client_for):
    filled.college_b.org_type = "general_branch"
    filled.college_b.save()
    c = client_for(filled.users.admin)
    _, wb = export(c, "status", type="general_branch", campaign=filled.campaign.pk)
    ws = wb.active
    assert "类型：党总支" in ws["A1"].value
    assert {r[1] for r in data_rows(ws)} == {"乙学院党委"}
    _, wb = export(c, "status", state="overdue")
    rows = [dict(zip(headers(wb.active), r)) for r in data_rows(wb.active)]
    assert rows and all(r["是否逾期"] == "是" for r in rows)
    assert {r["院(处)级党组织"] for r in rows} == {"甲学院党委"}
    _, wb = export(c, "status", state="submitted")
    assert {(r[3], r[6]) for r in data_rows(wb.active)} == {
        ("甲学院党委", "已提交"), ("甲学院党委", "已提交（待形式审查）"), ("甲一支部", "已报院级")}


def test_form1_brand_list(filled, client_for):
    _, wb = export(client_for(filled.users.admin), "form1")
    ws = wb.active
    assert_layout(ws, exports.FORM1_COLUMNS, 2)
    rows = [dict(zip(headers(ws), r)) for r in data_rows(ws)]
    assert rows[0]["院(处)级党组织"] == "甲学院党委" and rows[0]["品牌名称"] == "匠心铸魂"
    assert rows[0]["状态"] == "已提交" and rows[0]["提交时间"] == dt.datetime(2026, 5, 10, 9, 30)
    assert rows[1]["院(处)级党组织"] == "乙学院党委" and rows[1]["状态"] == "未开始" and rows[1]["品牌名称"] is None
    assert wrapped(ws, "品牌内涵/理念")


def test_form1_brand_list_state_filter_keeps_matching_colleges(filled, client_for):
    _, wb = export(client_for(filled.users.admin), "form1", state="not_started")
    # college A has started everything; college B nothing: only orgs with a cell in that state are kept
    assert [r[1] for r in data_rows(wb.active)] == ["乙学院党委"]
    _, wb = export(client_for(filled.users.admin), "form1", state="accepted")
    assert data_rows(wb.active) == []


def test_entries_export_with_formal_check_result(filled, client_for):
    _, wb = export(client_for(filled.users.admin), "entries")
    ws = wb.active
    assert_layout(ws, exports.ENTRY_COLUMNS, 2)
    rows = [dict(zip(headers(ws), r)) for r in data_rows(ws)]
    assert [r["申报类别"] for r in rows] == ["十佳党建品牌", "十佳特色支部"]
    brand, branch = rows
    assert brand["\"三个一\""] == "3/3" and brand["形式审查结果"] == "待审查"
    assert brand["提交时间"] == dt.datetime(2026, 11, 5, 10, 0)
    assert branch["推荐排序"] == 1 and branch["形式审查结果"] == "退回修改"
    assert branch["形式审查意见"] == "缺少示范点建设微视频，请补充后重新提交。" and branch["\"三个一\""] == "0/3"
    assert wrapped(ws, "形式审查意见")
    _, wb = export(client_for(filled.users.admin), "entries", state="returned")
    assert [r[3] for r in data_rows(wb.active)] == ["甲一支部"]


def test_review_summary_per_college(filled, client_for):
    _, wb = export(client_for(filled.users.admin), "review_summary")
    ws = wb.active
    assert_layout(ws, exports.REVIEW_COLUMNS, 2)
    a, b = [dict(zip(headers(ws), r)) for r in data_rows(ws)]
    assert a["院(处)级党组织"] == "甲学院党委" and a["附件1 品牌名称"] == "匠心铸魂"
    assert a["附件1 提交时间"] == dt.datetime(2026, 5, 10, 9, 30) and a["附件2 支部完成"] == "1/2"
    assert a["创建成果（条）"] == 2  # one of the college's own, one of branch A-1
    assert a["十佳党建品牌 状态"] == "已提交（待形式审查）" and "甲一支部" in a["推荐支部及状态"]
    assert a["按时完成事项"] == "2/4" and "附件2" in a["逾期事项"]
    assert b["附件1 状态"] == "未开始" and b["逾期事项"] is None and b["创建成果（条）"] == 0


def test_unknown_kind_is_404_and_non_admin_is_refused(filled, client_for):
    assert client_for(filled.users.admin).get(reverse("dashboard:export", args=["nope"])).status_code == 404
    assert client_for(filled.users.college).get(reverse("dashboard:export", args=["status"])).status_code == 403


def test_writer_reports_progress_every_few_hundred_rows(monkeypatch):
    monkeypatch.setattr(exports.common, "PROGRESS_EVERY", 3)
    seen = []
    w = exports.Writer(progress=seen.append)
    w.sheet("s", "title", [exports.Col("a")], ([i] for i in range(10)))
    assert seen == [3, 6, 9]
    w.save()
    assert seen[-1] == 10  # the final count is reported on save
    assert w.wb is not None


# ---------------------------------------------------------------- the big-export path (Celery, eager)


def test_big_export_runs_as_a_job_with_progress_and_download(filled, client_for, settings,
                                                             django_capture_on_commit_callbacks):
    settings.EXPORT_ASYNC_ROW_THRESHOLD = 5  # the status export has 15 rows
    c = client_for(filled.users.admin)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = c.get(reverse("dashboard:export", args=["status"]), {"state": "overdue"})
    assert len(callbacks) == 1
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("dashboard:job", args=[job.uuid])
    assert job.kind == "status" and job.params == {"campaign": filled.campaign.pk, "state": "overdue"}
    assert job.status == ExportStatus.DONE and job.progress == 100 and job.rows_total == 15
    assert job.rows_done == 2  # counted, not estimated: overdue on May 20 are A's 附件2 and 甲二支部's row
    assert job.created_by == filled.users.admin and job.file.name.startswith("exports/")
    assert "上报状态" not in job.file.name  # generated storage name; the Chinese name is data
    page = c.get(response["Location"]).content.decode()
    assert 'role="progressbar"' in page and "100%" in page
    status = c.get(reverse("dashboard:job_status", args=[job.uuid])).content.decode()
    assert 'data-status="done"' in status and "hx-get" not in status  # polling stops when done
    assert reverse("dashboard:job_download", args=[job.uuid]) in status
    download = c.get(reverse("dashboard:job_download", args=[job.uuid]))
    assert download.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    rows = data_rows(wb.active)
    assert [(r[3], r[9]) for r in rows] == [("甲学院党委", "是"), ("甲二支部", "是")]  # the filter travelled with the job
    assert "上报状态" in unquote(download["Content-Disposition"])


def test_small_export_does_not_create_a_job(filled, client_for):
    export(client_for(filled.users.admin), "entries")
    assert not ExportJob.objects.exists()


def test_status_endpoint_reports_progress_while_running(filled, client_for):
    job = ExportJob.objects.create(kind="form2", params={}, status=ExportStatus.RUNNING, progress=40, rows_total=5000,
                                   rows_done=2000, created_by=filled.users.admin)
    html = client_for(filled.users.admin).get(reverse("dashboard:job_status", args=[job.uuid])).content.decode()
    assert 'aria-valuenow="40"' in html and "2000 / 约 5000" in html
    assert f'hx-get="{reverse("dashboard:job_status", args=[job.uuid])}"' in html and "every 1s" in html
    assert "job-download" not in html


def test_run_job_is_idempotent_and_records_failures(filled, monkeypatch):
    job = ExportJob.objects.create(kind="entries", params={"campaign": filled.campaign.pk},
                                   created_by=filled.users.admin, rows_total=2)
    services.run_job(job.pk)
    job.refresh_from_db()
    first = job.file.name
    services.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE and job.file.name == first
    broken = ExportJob.objects.create(kind="entries", params={}, created_by=filled.users.admin)

    def boom(*a, **k):
        raise RuntimeError("磁盘已满")

    monkeypatch.setitem(exports.KINDS, "entries", exports.ExportKind("entries", "x", boom, lambda f: 0))
    services.run_job(broken.pk)
    broken.refresh_from_db()
    assert broken.status == ExportStatus.FAILED and "磁盘已满" in broken.error


def test_only_creator_or_admins_can_download(filled, client_for):
    from organizations.models import Role

    from ..factories import UserFactory, give_role

    other_admin = give_role(UserFactory(username="admin2"), Role.ADMIN)
    job = export_job(filled)
    url = reverse("dashboard:job_download", args=[job.uuid])
    assert client_for(other_admin).get(url).status_code == 200
    assert client_for(filled.users.college).get(url).status_code == 403
    # an account that started a job and has since lost the admin role may still fetch its own file
    former = export_job(filled, user=filled.users.judge)
    assert client_for(filled.users.judge).get(reverse("dashboard:job_download", args=[former.uuid])).status_code == 200
    assert client_for(filled.users.judge).get(url).status_code == 403


def test_filters_round_trip_through_job_params(filled):
    f = Filters(filled.campaign, "general_branch", "returned")
    assert parse_filters(f.as_params()) == f
    assert parse_filters({"type": "teacher", "state": "bogus", "campaign": "x"}) == Filters(filled.campaign)


def test_sheet_names_are_valid_and_unique():
    from types import SimpleNamespace as Org

    orgs = [Org(pk=1, short_name="", name="汇总", code="X"), Org(pk=2, short_name="", name="a/b:c[1]", code="Y"),
            Org(pk=3, short_name="", name="很长的名字" * 8, code="Z1"), Org(pk=4, short_name="", name="很长的名字" * 8, code="Z2")]
    names = exports.sheet_names(orgs)
    assert names[1] != "汇总" and names[2] == "abc1"
    assert len(set(names.values())) == 4 and all(len(n) <= 31 for n in names.values())


# ---------------------------------------------------------------- hostile text in every text column

MUST_HOLD = {  # a few of each export's user-text columns, to be sure the data reached the sheet
    "form2": ["党支部名称", "书记姓名", "特色名称", "特色简介", "主要载体/举措", "预期成果", "联系电话", "备注"],
    "status": ["院(处)级党组织", "党组织"],
    "form1": ["院(处)级党组织", "品牌名称", "口号/标语", "书记", "联系人邮箱", "品牌内涵/理念", "组织部审核意见"],
    "entries": ["申报党组织", "申报单位（院级）", "品牌/支部特色名称", "负责人", "形式审查意见"],
    "review_summary": ["院(处)级党组织", "书记", "附件1 品牌名称", "附件1 审核意见", "形式审查意见", "推荐支部及状态"],
}


@pytest.mark.parametrize("kind", list(exports.KINDS))
@needs_unchecked_lengths
def test_every_export_survives_hostile_text_in_every_text_column(filled, client_for, kind):
    from ..xlsx_checks import KINDS, check_hostile, store_hostile, surrogate_on_load

    c = client_for(filled.users.admin)
    reference = None
    for hostile in ["quote"] + [k for k in KINDS if k != "quote"]:
        store_hostile(HOSTILE[hostile])
        response, wb = export(c, kind)
        holding = check_hostile(response.content, hostile)
        if reference is None:  # the quote survives as typed: where it shows is where user text goes
            reference = holding
            first = wb.worksheets[0]
            names = {headers(first)[col - 1] for pos, where, col in holding if pos == 0 and where == "data"}
            assert set(MUST_HOLD[kind]) <= names, set(MUST_HOLD[kind]) - names
            assert kind != "form2" or (1, "title", 1) in holding  # a sheet per college, titled with its name
        else:
            assert holding == reference, (hostile, reference ^ holding)
    disconnect = surrogate_on_load()
    try:
        response, _ = export(c, kind)
    finally:
        disconnect()
    assert check_hostile(response.content, "surrogate")


@needs_unchecked_lengths
def test_hostile_export_keeps_beijing_times_in_both_readers(filled, client_for):
    from ..xlsx_checks import open_both, store_hostile

    store_hostile(HOSTILE["formula"])
    response, _ = export(client_for(filled.users.admin), "form1")
    book, sheets = open_both(response.content)
    ws = book.active
    col = headers(ws).index("提交时间")
    submitted = dt.datetime(2026, 5, 10, 9, 30)  # 01:30 UTC
    assert ws.cell(row=3, column=col + 1).value == submitted and sheets[ws.title][2][col] == submitted
    assert ws.cell(row=3, column=headers(ws).index("品牌名称") + 1).data_type == "s"
