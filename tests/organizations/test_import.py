"""Spreadsheet import of the org tree and accounts: template, preview, apply, round-trip, bad files."""

import io
import os
import re
import struct
import zipfile
import zlib

import openpyxl
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditEntry
from organizations import importing
from organizations.exports import org_tree_workbook
from organizations.importing import ACCOUNT_COLUMNS, ORG_COLUMNS, apply_import, plan_import, read_workbook
from organizations.models import Organization, RoleAssignment, User

ORG_HEADERS = [c.header for c in ORG_COLUMNS]


@pytest.fixture(autouse=True)
def own_media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")

ACCOUNT_HEADERS = [c.header for c in ACCOUNT_COLUMNS]


def org_row(code, name, org_type, parent="", **extra):
    row = {"编码": code, "名称": name, "类型": org_type, "上级编码": parent}
    row.update(extra)
    return row


def make_xlsx(orgs=None, accounts=None, *, title=True, org_headers=None, hook=None):
    """An import file built with plain openpyxl, as a user's Excel would save it."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for sheet, headers, rows in (("党组织", org_headers or ORG_HEADERS, orgs), ("账号", ACCOUNT_HEADERS, accounts)):
        if rows is None:
            continue
        ws = wb.create_sheet(sheet)
        if title:
            ws.append([f"{sheet}导入"])
        ws.append(headers)
        for r in rows:
            ws.append([r.get(h) for h in headers])
    if hook:
        hook(wb)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


NEW_TREE = [
    org_row("C", "丙学院党委", "学院党委", "SCHOOL", 书记姓名="赵六", 联系人手机="13900000000", 联系人邮箱="c@example.edu.cn"),
    org_row("C-1", "丙一教工党支部", "教工党支部", "C", 教工党员数=12, 预备党员数=1, 是否双带头人="是"),
    org_row("C-2", "丙二本科生党支部", "本科生", "C", 学生党员数=40),
    org_row("A-1", "甲一支部（更名）", "教工党支部", "A", 教工党员数=10, 学生党员数=20),
]
NEW_ACCOUNTS = [
    {"用户名": "zhao6", "姓名": "赵六", "邮箱": "zhao6@example.edu.cn", "手机": "13900000000", "角色": "院级党组织书记/联系人", "所属党组织编码": "C"},
    {"用户名": "zhao6", "姓名": "赵六", "邮箱": "zhao6@example.edu.cn", "手机": "13900000000", "角色": "评审专家", "所属党组织编码": "C"},
    {"用户名": "qian7", "姓名": "钱七", "角色": "支部书记", "所属党组织编码": "C-1"},
    {"用户名": "branch_a1", "姓名": "甲一书记", "邮箱": "branch_a1@example.edu.cn", "角色": "支部书记", "所属党组织编码": "A-1"},
]


def snapshot_db():
    return (
        list(Organization.objects.order_by("code").values()),
        list(User.objects.order_by("username").values("username", "password", "full_name", "email", "phone", "is_active")),
        list(RoleAssignment.objects.order_by("pk").values()),
        AuditEntry.objects.count(),
    )


def stored_imports():
    folder = os.path.join(settings.MEDIA_ROOT, "imports")
    return sorted(os.listdir(folder)) if os.path.isdir(folder) else []


def upload(client, data, name="名单.xlsx", deactivate_absent=False):
    payload = {"file": SimpleUploadedFile(name, data, content_type="application/octet-stream")}
    if deactivate_absent:
        payload["deactivate_absent"] = "on"
    return client.post(reverse("organizations:import"), payload)


def token_of(response):
    assert response.status_code == 302, response.content.decode()[:2000]
    return re.search(r"/import/([0-9a-f]+)/", response["Location"]).group(1)


def preview_and_apply(client, data, **kw):
    token = token_of(upload(client, data, **kw))
    body = client.get(reverse("organizations:import_preview", args=[token])).content.decode()
    digest = re.search(r'name="digest" value="([0-9a-f]+)"', body).group(1)
    response = client.post(reverse("organizations:import_apply", args=[token]), {"digest": digest})
    return token, response


# ---------------------------------------------------------------- template and export


def test_template_download_has_the_import_headers(world, client_for):
    response = client_for(world.users.admin).get(reverse("organizations:import_template"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["党组织", "账号", "填写说明"]
    assert [c.value for c in wb["党组织"][2]] == ORG_HEADERS
    assert [c.value for c in wb["账号"][2]] == ACCOUNT_HEADERS
    assert wb["党组织"].freeze_panes == "A3"
    assert wb["党组织"].max_row == 2  # no sample rows that would be imported by accident
    # the empty template itself is a valid, empty import
    plan = plan_import(read_workbook(response.content))
    assert not plan.errors and not plan.has_changes


def test_export_has_title_headers_rows_and_formats(world, client_for):
    response = client_for(world.users.admin).get(reverse("organizations:export"))
    assert response.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    ws = wb["党组织"]
    assert "导出时间" in ws["A1"].value and "北京时间" in ws["A1"].value
    assert not ws.merged_cells.ranges
    assert [c.value for c in ws[2]] == ORG_HEADERS
    assert ws.freeze_panes == "A3"
    assert ws.auto_filter.ref == "A2:R9"  # header + 7 orgs
    assert ws.column_dimensions["B"].width >= 20
    rows = {r[0]: r for r in ws.iter_rows(min_row=3, values_only=True)}
    assert set(rows) == {"SCHOOL", "A", "A-1", "A-2", "B", "B-1", "B-2"}
    assert rows["A-1"][3:6] == ("党支部", "教工党支部", "A")
    assert rows["A-1"][16:] == ("否", "是")
    assert ws["A3"].value == "SCHOOL" and ws["A4"].value == "A" and ws["A5"].value == "A-1"  # tree order
    accounts = wb["账号"]
    assert [c.value for c in accounts[2]] == ACCOUNT_HEADERS
    account_rows = list(accounts.iter_rows(min_row=3, values_only=True))
    assert ("branch_a1", "支部书记", "A-1") in {(r[0], r[4], r[5]) for r in account_rows}
    assert ("norole", None, None) in {(r[0], r[4], r[5]) for r in account_rows}


# ---------------------------------------------------------------- preview and apply


def test_preview_lists_creates_and_changes(world, client_for):
    c = client_for(world.users.admin)
    token = token_of(upload(c, make_xlsx(NEW_TREE, NEW_ACCOUNTS)))
    plan = plan_import(read_workbook(make_xlsx(NEW_TREE, NEW_ACCOUNTS)))
    assert not plan.errors
    assert [x.code for x in plan.org_creates] == ["C", "C-1", "C-2"]
    assert [(x.code, [(d.label, d.old, d.new) for d in x.diffs]) for x in plan.org_updates] == [
        ("A-1", [("名称", "甲一支部", "甲一支部（更名）")])
    ]
    assert [x.username for x in plan.account_creates] == ["zhao6", "qian7"]
    assert [(x.username, sorted(x.data)) for x in plan.account_updates] == [("branch_a1", ["full_name"])]
    assert sorted((r.username, r.role, r.org_code) for r in plan.roles) == [
        ("qian7", "branch_secretary", "C-1"), ("zhao6", "college_secretary", "C"), ("zhao6", "judge", "C"),
    ]
    assert plan.org_deactivations == []
    body = c.get(reverse("organizations:import_preview", args=[token])).content.decode()
    assert "新建党组织（3）" in body and "丙学院党委" in body
    assert "甲一支部（更名）" in body and "新建账号（2）" in body
    assert 'data-testid="apply-form"' in body
    # nothing was written by uploading and previewing
    assert not Organization.objects.filter(code="C").exists() and not User.objects.filter(username="zhao6").exists()


def test_apply_creates_orgs_accounts_roles_and_audit_entries(world, client_for):
    c = client_for(world.users.admin)
    token, response = preview_and_apply(c, make_xlsx(NEW_TREE, NEW_ACCOUNTS))
    assert response.status_code == 302 and response["Location"].endswith(f"/import/{token}/result/")
    college = Organization.objects.get(code="C")
    assert college.parent == world.school and college.level == "college" and college.contact_phone == "13900000000"
    branch = Organization.objects.get(code="C-1")
    assert branch.parent == college and branch.dual_leader and branch.members_staff == 12
    assert Organization.objects.get(code="C-2").org_type == "undergraduate"
    assert Organization.objects.get(code="A-1").name == "甲一支部（更名）"
    zhao = User.objects.get(username="zhao6")
    assert not zhao.has_usable_password()
    assert set(zhao.role_assignments.values_list("role", "organization__code")) == {("college_secretary", "C"), ("judge", "C")}
    assert User.objects.get(username="branch_a1").full_name == "甲一书记"
    entries = AuditEntry.objects.filter(note__startswith="批量导入")
    assert entries.filter(action="create", content_type__model="organization").count() == 3
    assert entries.filter(action="update", content_type__model="organization").count() == 1
    assert entries.filter(action="create", content_type__model="user").count() == 2
    assert entries.filter(action="update", content_type__model="user").count() == 1
    assert entries.filter(action="create", content_type__model="roleassignment").count() == 3
    assert all(e.actor == world.users.admin for e in entries)
    assert not any("password" in e.changes for e in entries)
    assert stored_imports() == []  # the uploaded file is removed after apply
    body = c.get(response["Location"]).content.decode()
    assert body.count("/accounts/activate/") == 2


def test_reimporting_the_same_file_changes_nothing(world, client_for):
    c = client_for(world.users.admin)
    data = make_xlsx(NEW_TREE, NEW_ACCOUNTS)
    preview_and_apply(c, data)
    before = snapshot_db()
    plan = plan_import(read_workbook(data))
    assert not plan.errors and not plan.has_changes
    assert plan.unchanged_orgs == 4 and plan.unchanged_accounts == 3
    token = token_of(upload(c, data))
    body = c.get(reverse("organizations:import_preview", args=[token])).content.decode()
    assert "无需导入" in body and 'data-testid="apply-form"' not in body
    assert snapshot_db() == before


@pytest.mark.parametrize("deactivate_absent", [False, True])
def test_round_trip_export_then_import_changes_nothing(world, client_for, deactivate_absent):
    from organizations.services import deactivate_organization, update_organization

    update_organization(world.branch_a1, {"secretary_phone": "010-88886666", "contact_email": "a1@example.edu.cn",
                                          "dual_leader": True, "members_probationary": 3, "short_name": "甲一"},
                        by=world.users.admin, expected_version=1)
    deactivate_organization(world.branch_b2, by=world.users.admin)
    RoleAssignment.objects.filter(user=world.users.judge).update(is_active=False)
    User.objects.filter(username="college_a").update(phone="13812345678")
    before = snapshot_db()
    export = client_for(world.users.admin).get(reverse("organizations:export")).content
    plan = plan_import(read_workbook(export), deactivate_absent=deactivate_absent)
    assert plan.errors == []
    assert not plan.has_changes, (plan.orgs, plan.accounts, plan.roles)
    assert plan.unchanged_orgs == 7
    assert snapshot_db() == before


def test_round_trip_after_a_big_import(world, client_for):
    """Export what an import created, import it again: still nothing to do."""
    c = client_for(world.users.admin)
    preview_and_apply(c, make_xlsx(NEW_TREE, NEW_ACCOUNTS))
    plan = plan_import(read_workbook(org_tree_workbook()), deactivate_absent=True)
    assert not plan.errors and not plan.has_changes


def test_orgs_missing_from_the_file_are_deactivated_only_when_asked(world, client_for):
    c = client_for(world.users.admin)
    rows = [org_row("SCHOOL", world.school.name, "校党委"), org_row("A", "甲学院党委", "学院党委", "SCHOOL"),
            org_row("A-1", "甲一支部", "教工党支部", "A", 教工党员数=10, 学生党员数=20),
            org_row("A-2", "甲二支部", "教工党支部", "A", 教工党员数=10, 学生党员数=20)]
    rows = [dict(r, 教工党员数=r.get("教工党员数", 10), 学生党员数=r.get("学生党员数", 20)) for r in rows]
    data = make_xlsx(rows)
    assert not plan_import(read_workbook(data)).has_changes
    plan = plan_import(read_workbook(data), deactivate_absent=True)
    assert [x.code for x in plan.org_deactivations] == ["B", "B-1", "B-2"]
    preview_and_apply(c, data, deactivate_absent=True)
    assert set(Organization.objects.filter(is_active=False).values_list("code", flat=True)) == {"B", "B-1", "B-2"}
    assert Organization.objects.count() == 7  # never deleted
    assert AuditEntry.objects.filter(action="deactivate").count() == 3


def test_an_is_active_no_row_deactivates_and_keeps_history(world):
    rows = [org_row("B-2", "乙二支部", "教工党支部", "B", 教工党员数=10, 学生党员数=20, 是否有效="否")]
    plan = plan_import(read_workbook(make_xlsx(rows)))
    assert [x.code for x in plan.org_deactivations] == ["B-2"]
    apply_import(read_workbook(make_xlsx(rows)), by=world.users.admin, expected_digest=plan.digest())
    assert Organization.objects.get(code="B-2").is_active is False


def test_accounts_only_file_is_accepted(world):
    data = make_xlsx(None, [{"用户名": "solo", "姓名": "单独", "角色": "评审专家"}])
    plan = plan_import(read_workbook(data))
    assert not plan.errors and [a.username for a in plan.account_creates] == ["solo"]


# ---------------------------------------------------------------- row errors


@pytest.mark.parametrize(
    "orgs,accounts,expected",
    [
        ([org_row("X1", "新支部", "教工党支部", "NOPE")], None, ("党组织", 3, "上级编码“NOPE”不存在")),
        ([org_row("X1", "新支部", "教工党支部", "A"), org_row("X1", "又一个", "教工党支部", "A")], None, ("党组织", 4, "编码“X1”与第 3 行重复")),
        ([org_row("X1", "新支部", "宇宙党支部", "A")], None, ("党组织", 3, "未知的类型“宇宙党支部”")),
        ([org_row("X1", "新支部", "教工党支部", "A", 书记电话="call me")], None, ("党组织", 3, "书记电话“call me”格式不正确")),
        ([org_row("X1", "新支部", "教工党支部", "A", 联系人邮箱="not-an-email")], None, ("党组织", 3, "联系人邮箱“not-an-email”格式不正确")),
        ([org_row("X1", "新支部", "教工党支部", "SCHOOL")], None, ("党组织", 3, "党支部的上级必须是院(处)级党组织")),
        ([org_row("X1", "新支部", "教工党支部", "A", 层级="院(处)级党组织")], None, ("党组织", 3, "不匹配")),
        ([org_row("X1", "", "教工党支部", "A")], None, ("党组织", 3, "名称不能为空")),
        ([org_row("X 1", "新支部", "教工党支部", "A")], None, ("党组织", 3, "只能包含字母")),
        ([org_row("X1", "新支部", "教工党支部", "A", 教工党员数="十二")], None, ("党组织", 3, "应为不小于 0 的整数")),
        ([org_row("A", "甲学院党委", "教工党支部", "A")], None, ("党组织", 3, "导入不能修改层级")),
        (None, [{"用户名": "u1", "手机": "abc", "角色": "评审专家"}], ("账号", 3, "手机“abc”格式不正确")),
        (None, [{"用户名": "u1", "邮箱": "u1@", "角色": "评审专家"}], ("账号", 3, "邮箱“u1@”格式不正确")),
        (None, [{"用户名": "u1", "角色": "总书记"}], ("账号", 3, "未知的角色“总书记”")),
        (None, [{"用户名": "u1", "角色": "支部书记"}], ("账号", 3, "必须填写所属党组织编码")),
        (None, [{"用户名": "u1", "角色": "支部书记", "所属党组织编码": "A"}], ("账号", 3, "必须绑定党支部")),
        (None, [{"用户名": "u1", "角色": "支部书记", "所属党组织编码": "ZZZ"}], ("账号", 3, "所属党组织编码“ZZZ”不存在")),
        (None, [{"用户名": "u1", "姓名": "甲", "角色": "评审专家"}, {"用户名": "u1", "姓名": "乙", "角色": "组织部管理员"}],
         ("账号", 4, "在第 3 行的姓名不同")),
        (None, [{"用户名": "u1", "角色": "评审专家"}, {"用户名": "u1", "角色": "评审专家"}], ("账号", 4, "与第 3 行重复")),
    ],
    ids=["missing-parent", "duplicate-code", "unknown-type", "bad-phone", "bad-email", "parent-wrong-level",
         "type-level-mismatch", "empty-name", "bad-code", "bad-count", "level-change", "account-bad-phone",
         "account-bad-email", "unknown-role", "role-needs-org", "role-wrong-org-level", "role-unknown-org",
         "inconsistent-user", "duplicate-role"],
)
def test_row_errors_are_reported_in_chinese_and_nothing_changes(world, client_for, orgs, accounts, expected):
    c = client_for(world.users.admin)
    before = snapshot_db()
    data = make_xlsx(orgs, accounts)
    plan = plan_import(read_workbook(data))
    sheet, row, text = expected
    assert any(e.sheet == sheet and e.row == row and text in e.message for e in plan.errors), plan.errors
    token = token_of(upload(c, data))
    body = c.get(reverse("organizations:import_preview", args=[token])).content.decode()
    assert text in body and f"第 {row} 行" in body
    assert 'data-testid="apply-form"' not in body
    # even a forged apply with the previewed digest is refused
    response = c.post(reverse("organizations:import_apply", args=[token]), {"digest": plan.digest()}, follow=True)
    assert "未做任何修改" in response.content.decode()
    assert snapshot_db() == before


# ---------------------------------------------------------------- bad files


def _png():
    raw = b"\x00\xff\x00\x00" * 4
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def _exe():
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"This program cannot be run in DOS mode." + b"\x00" * 512


def _plain_zip():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("readme.txt", "hello")
    return buf.getvalue()


def _zip_bomb():
    """A valid-looking xlsx with one 60 MB member of zeros that compresses to ~60 KB."""
    buf = io.BytesIO()
    base = make_xlsx([org_row("X1", "新支部", "教工党支部", "A")])
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            zf.writestr(info, src.read(info))
        with zf.open("xl/media/padding.bin", "w", force_zip64=True) as fh:
            block = b"\x00" * (1024 * 1024)
            for _ in range(60):
                fh.write(block)
    return buf.getvalue()


def _zip_bomb_many_members():
    """Each member stays under the per-member ratio check (< 1 MB); together they unpack to 60 MB."""
    buf = io.BytesIO()
    base = make_xlsx([org_row("X1", "新支部", "教工党支部", "A")])
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            zf.writestr(info, src.read(info))
        for i in range(60):
            zf.writestr(f"xl/media/pad{i}.bin", b"\x00" * 1_000_000)
    return buf.getvalue()


def _too_many_rows(n):
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("党组织")
    ws.append(ORG_HEADERS)
    for i in range(n):
        ws.append([f"X{i}", f"支部{i}", "党支部", "教工党支部", "A"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _with_formula(wb):
    wb["党组织"]["M3"] = "=1+1"


def _with_merge(wb):
    wb["党组织"].merge_cells("B3:C3")


def _with_doctype(data):
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "xl/workbook.xml":
                doctype = b'<!DOCTYPE x [<!ENTITY a "aaaa">]>'
                body = body.replace(b"?>", b"?>" + doctype, 1) if body.startswith(b"<?xml") else doctype + body
            zf.writestr(info, body)
    return buf.getvalue()


ONE_ROW = [org_row("X1", "新支部", "教工党支部", "A")]

BAD_FILES = [
    ("png", lambda: _png(), "不是有效的 Excel"),
    ("exe-renamed", lambda: _exe(), "不是有效的 Excel"),
    ("xls-ole", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "旧版 Excel"),
    ("truncated-zip", lambda: make_xlsx(ONE_ROW)[:300], "不是有效的 Excel"),
    ("zip-not-xlsx", lambda: _plain_zip(), "缺少工作簿结构"),
    ("wrong-columns", lambda: make_xlsx(ONE_ROW, org_headers=["编码", "名称", "电话", "地址"]), "缺少列：简称"),
    ("no-known-sheet", lambda: make_xlsx(None, None, hook=lambda wb: wb.create_sheet("Sheet1")), "没有名为“党组织”或“账号”的工作表"),
    ("too-many-rows", lambda: _too_many_rows(importing.MAX_DATA_ROWS + 1), "行数超过上限"),
    ("100k-rows", lambda: _too_many_rows(100_000), "行数超过上限"),
    ("formula", lambda: make_xlsx(ONE_ROW, hook=_with_formula), "包含公式"),
    ("merged-cells", lambda: make_xlsx(ONE_ROW, hook=_with_merge), "包含合并单元格"),
    ("zip-bomb", lambda: _zip_bomb(), "异常庞大（疑似压缩炸弹）"),
    ("zip-bomb-many-members", lambda: _zip_bomb_many_members(), "解压后超过 50 MB"),
    ("doctype", lambda: _with_doctype(make_xlsx(ONE_ROW)), "DOCTYPE"),
    ("too-big", lambda: b"PK\x03\x04" + os.urandom(importing.MAX_UPLOAD_BYTES + 10), "文件过大"),
]


@pytest.mark.parametrize("make,message", [pytest.param(m, msg, id=i) for i, m, msg in BAD_FILES])
def test_bad_files_get_a_clear_error_and_change_nothing(world, client_for, make, message):
    c = client_for(world.users.admin)
    before = snapshot_db()
    data = make()
    response = upload(c, data)
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body, re.findall(r'invalid-feedback[^>]*>(.*?)<', body, re.S)
    assert snapshot_db() == before
    assert stored_imports() == []
    assert not c.session.get("org_imports")


def test_a_file_is_recognised_by_content_not_by_name(world, client_for):
    c = client_for(world.users.admin)
    assert token_of(upload(c, make_xlsx(ONE_ROW), name="名单.dat"))


# ---------------------------------------------------------------- all-or-nothing and staleness


def test_apply_is_all_or_nothing(world, monkeypatch):
    data = make_xlsx(NEW_TREE, NEW_ACCOUNTS)
    plan = plan_import(read_workbook(data))
    before = snapshot_db()
    real_record = importing.audit.record
    calls = []

    def failing_record(*args, **kwargs):
        calls.append(1)
        if len(calls) == 6:  # after orgs were created and accounts started
            raise RuntimeError("disk full")
        return real_record(*args, **kwargs)

    monkeypatch.setattr(importing.audit, "record", failing_record)
    with pytest.raises(RuntimeError):
        apply_import(read_workbook(data), by=world.users.admin, expected_digest=plan.digest())
    assert snapshot_db() == before


def test_apply_refuses_when_data_changed_since_preview(world, client_for):
    from organizations.services import update_organization

    c = client_for(world.users.admin)
    token = token_of(upload(c, make_xlsx(NEW_TREE, NEW_ACCOUNTS)))
    body = c.get(reverse("organizations:import_preview", args=[token])).content.decode()
    digest = re.search(r'name="digest" value="([0-9a-f]+)"', body).group(1)
    # someone edits an org the file also changes, after the preview
    update_organization(world.branch_a1, {"secretary_name": "新书记"}, by=world.users.judge, expected_version=1)
    before = snapshot_db()
    response = c.post(reverse("organizations:import_apply", args=[token]), {"digest": digest}, follow=True)
    assert "数据在预览之后已发生变化" in response.content.decode()
    assert snapshot_db() == before
    # previewing again shows the new state, and that can be applied
    body = c.get(reverse("organizations:import_preview", args=[token])).content.decode()
    assert "新书记" in body
    digest = re.search(r'name="digest" value="([0-9a-f]+)"', body).group(1)
    assert c.post(reverse("organizations:import_apply", args=[token]), {"digest": digest}).status_code == 302
    assert Organization.objects.get(code="A-1").secretary_name == ""


def test_a_preview_belongs_to_the_admin_who_uploaded_it(world, client_for):
    from tests.factories import UserFactory, give_role

    token = token_of(upload(client_for(world.users.admin), make_xlsx(ONE_ROW)))
    other = give_role(UserFactory(username="admin2"), "admin")
    other_client = client_for(other)
    assert other_client.get(reverse("organizations:import_preview", args=[token])).status_code == 404
    assert other_client.post(reverse("organizations:import_apply", args=[token]), {"digest": "x"}).status_code == 404


def test_non_admins_cannot_upload_or_apply(world, client_for):
    for user in (world.users.college, world.users.judge, world.users.norole):
        c = client_for(user)
        assert upload(c, make_xlsx(ONE_ROW)).status_code == 403
        assert c.post(reverse("organizations:import_apply", args=["abc"]), {"digest": "x"}).status_code == 403
    assert stored_imports() == []


# ---------------------------------------------------------------- activation links


def test_activation_link_sets_a_password_once(world, client_for, client):
    admin = client_for(world.users.admin)
    token, response = preview_and_apply(admin, make_xlsx(None, [{"用户名": "newbie", "姓名": "新人", "角色": "评审专家"}]))
    body = admin.get(response["Location"]).content.decode()
    link = re.search(r"http://testserver(/accounts/activate/[^<\s]+)", body).group(1)
    xlsx = admin.get(reverse("organizations:import_links", args=[token]))
    ws = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    # links are made fresh on each request (the token embeds a timestamp), for the same account
    uid_part = link.rsplit("/", 2)[0]
    assert ws["A3"].value == "newbie" and ws["C3"].value.startswith("http://testserver" + uid_part + "/")

    step = client.get(link)
    assert step.status_code == 302  # Django moves the token into the session
    form_url = step["Location"]
    assert "设置密码" in client.get(form_url).content.decode()
    done = client.post(form_url, {"new_password1": "Qiming-2026!", "new_password2": "Qiming-2026!"})
    assert done.status_code == 302 and done["Location"] == reverse("login")
    user = User.objects.get(username="newbie")
    assert user.check_password("Qiming-2026!")
    assert AuditEntry.objects.filter(object_id=str(user.pk), note="通过激活链接设置密码").exists()

    again = client_for(None).get(link, follow=True)
    assert "激活链接无效" in again.content.decode()
    # the result page no longer offers a link for an activated account
    assert "/accounts/activate/" not in admin.get(response["Location"]).content.decode()


def test_activation_link_with_a_bad_token_is_refused(world, client):
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    uid = urlsafe_base64_encode(force_bytes(world.users.norole.pk))
    response = client.get(reverse("activate", kwargs={"uidb64": uid, "token": "abc-123"}))
    assert "激活链接无效" in response.content.decode()
    # a password-reset token (different salt) is not an activation token
    from django.contrib.auth.tokens import default_token_generator

    token = default_token_generator.make_token(world.users.norole)
    response = client.get(reverse("activate", kwargs={"uidb64": uid, "token": token}))
    assert response.status_code == 200 and "激活链接无效" in response.content.decode()


# ---------------------------------------------------------------- housekeeping and scale


def test_a_second_click_on_apply_does_not_import_twice(world, client_for):
    c = client_for(world.users.admin)
    token, first = preview_and_apply(c, make_xlsx(NEW_TREE, NEW_ACCOUNTS))
    before = snapshot_db()
    second = c.post(reverse("organizations:import_apply", args=[token]), {"digest": "whatever"})
    assert second.status_code == 302 and second["Location"] == first["Location"]
    assert snapshot_db() == before


def test_abandoned_uploads_are_purged_after_a_day(world, client_for):
    import time

    c = client_for(world.users.admin)
    old_token = token_of(upload(c, make_xlsx(ONE_ROW)))
    old_path = os.path.join(settings.MEDIA_ROOT, "imports", f"{old_token}.xlsx")
    two_days_ago = time.time() - 2 * 86400
    os.utime(old_path, (two_days_ago, two_days_ago))
    new_token = token_of(upload(c, make_xlsx(ONE_ROW)))
    assert stored_imports() == [f"{new_token}.xlsx"]


def test_planning_uses_a_constant_number_of_queries(world, django_assert_max_num_queries):
    def cells(columns, **values):
        return {col.field: str(values.get(col.field, "")) for col in columns}

    orgs, accounts = [], []
    for c in range(30):
        orgs.append((len(orgs) + 3, cells(ORG_COLUMNS, code=f"K{c}", name=f"学院{c}", org_type="学院党委", parent="SCHOOL")))
        for b in range(10):
            orgs.append((len(orgs) + 3, cells(ORG_COLUMNS, code=f"K{c}-{b}", name=f"支部{c}-{b}", org_type="教工党支部", parent=f"K{c}")))
    for i in range(1200):
        accounts.append((i + 3, cells(ACCOUNT_COLUMNS, username=f"p{i}", full_name=f"人{i}", role="支部书记", org=f"K{i % 30}-{i % 10}")))
    # existing rows too: the world's users and orgs, changed
    accounts.append((2000, cells(ACCOUNT_COLUMNS, username="branch_a1", full_name="改名", role="支部书记", org="A-1")))
    with django_assert_max_num_queries(8):
        plan = plan_import({"党组织": orgs, "账号": accounts})
    assert not plan.errors and len(plan.org_creates) == 330 and len(plan.account_creates) == 1200


def test_export_keeps_codes_and_phones_as_text(world, client_for):
    from organizations.services import update_organization

    update_organization(world.branch_a1, {"secretary_phone": "013800001111"}, by=world.users.admin, expected_version=1)
    ws = openpyxl.load_workbook(io.BytesIO(org_tree_workbook()))["党组织"]
    row = next(r for r in ws.iter_rows(min_row=3) if r[0].value == "A-1")
    assert row[8].value == "013800001111" and row[8].number_format == "@"
    assert row[12].value == 10 and row[12].number_format == "General"


def test_values_django_normalises_on_save_still_reimport_as_no_change(world):
    """User.clean() lower-cases the e-mail domain and NFKC-normalises the username."""
    data = make_xlsx(None, [{"用户名": "ｚｈａｎｇ", "姓名": "张", "邮箱": "Zhang@EXAMPLE.Edu.CN", "角色": "评审专家"}])
    plan = plan_import(read_workbook(data))
    apply_import(read_workbook(data), by=world.users.admin, expected_digest=plan.digest())
    assert User.objects.get(username="zhang").email == "Zhang@example.edu.cn"
    again = plan_import(read_workbook(data))
    assert not again.errors and not again.has_changes


def test_pending_accounts_page_gives_fresh_links_until_activated(world, client_for, client):
    admin = client_for(world.users.admin)
    preview_and_apply(admin, make_xlsx(None, [{"用户名": "late", "姓名": "迟到", "角色": "评审专家"}]))
    body = admin.get(reverse("organizations:pending_activation")).content.decode()
    assert "late" in body and "branch_a1" not in body  # accounts with a password are not listed
    link = re.search(r"http://testserver(/accounts/activate/[^<\s]+)", body).group(1)
    xlsx = admin.get(reverse("organizations:pending_activation") + "?format=xlsx")
    assert openpyxl.load_workbook(io.BytesIO(xlsx.content)).active["A3"].value == "late"
    form_url = client.get(link)["Location"]
    client.post(form_url, {"new_password1": "Qiming-2026!", "new_password2": "Qiming-2026!"})
    assert "late" not in admin.get(reverse("organizations:pending_activation")).content.decode()


def test_a_branch_can_move_to_another_college(world):
    rows = [org_row("A-2", "甲二支部", "教工党支部", "B", 教工党员数=10, 学生党员数=20)]
    plan = plan_import(read_workbook(make_xlsx(rows)))
    assert [(d.label, d.old, d.new) for d in plan.org_updates[0].diffs] == [("上级编码", "A", "B")]
    apply_import(read_workbook(make_xlsx(rows)), by=world.users.admin, expected_digest=plan.digest())
    assert Organization.objects.get(code="A-2").parent == world.college_b
    assert AuditEntry.objects.get(action="update", object_id=str(world.branch_a2.pk)).changes["parent"] == [
        world.college_a.pk, world.college_b.pk]


def test_full_list_option_without_org_rows_is_refused(world):
    data = make_xlsx(None, [{"用户名": "solo", "角色": "评审专家"}])
    plan = plan_import(read_workbook(data), deactivate_absent=True)
    assert plan.errors and "为防止误停用全部党组织" in plan.errors[0].message
    assert not plan.can_apply
