"""工号 on the account: set by 组织部 on the accounts page and through the spreadsheet import/export."""

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from organizations.importing import plan_import, read_workbook
from organizations.models import User

from ..factories import UserFactory, give_role
from .test_import import make_xlsx, preview_and_apply


@pytest.fixture(autouse=True)
def own_media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def set_id(client, user, value, next_url=None):
    data = {"employee_id": value}
    if next_url is not None:
        data["next"] = next_url
    return client.post(reverse("organizations:set_employee_id", args=[user.pk]), data, follow=True)


def test_admin_sets_and_clears_an_employee_id_on_the_accounts_page(world, client_for):
    c = client_for(world.users.admin)
    response = set_id(c, world.users.college, " 20230001 ", next_url=reverse("organizations:people") + "?role=college_secretary")
    body = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("organizations:people") + "?role=college_secretary"
    assert "已将账号“college_a”的工号设为 20230001" in body
    assert 'value="20230001"' in body
    world.users.college.refresh_from_db()
    assert world.users.college.employee_id == "20230001"
    entry = AuditEntry.objects.filter(object_id=str(world.users.college.pk), action="update").latest("pk")
    assert entry.changes == {"employee_id": ["", "20230001"]} and entry.actor == world.users.admin

    response = set_id(c, world.users.college, "")
    assert "已清除账号“college_a”的工号" in response.content.decode()
    world.users.college.refresh_from_db()
    assert world.users.college.employee_id == ""


@pytest.mark.parametrize("value,message", [
    ("<script>alert(1)</script>", "工号只能包含字母、数字、下划线和连字符"),
    ("1" * 33, "工号只能包含字母、数字、下划线和连字符，最多 32 位"),
])
def test_a_bad_employee_id_gets_a_chinese_message_and_changes_nothing(world, client_for, value, message):
    response = set_id(client_for(world.users.admin), world.users.branch, value)
    body = response.content.decode()
    assert response.status_code == 200
    assert message in body and "<script>alert(1)</script>" not in body
    world.users.branch.refresh_from_db()
    assert world.users.branch.employee_id == ""


def test_one_employee_id_cannot_belong_to_two_accounts(world, client_for):
    c = client_for(world.users.admin)
    set_id(c, world.users.college, "20230001")
    response = set_id(c, world.users.branch, "20230001")
    assert "工号“20230001”已属于账号“college_a”" in response.content.decode()
    world.users.branch.refresh_from_db()
    assert world.users.branch.employee_id == ""


def test_a_stale_edit_is_refused_and_keeps_the_newer_value(world, client_for):
    c = client_for(world.users.admin)
    User.objects.filter(pk=world.users.branch.pk).update(employee_id="111")  # saved by another admin meanwhile
    response = c.post(reverse("organizations:set_employee_id", args=[world.users.branch.pk]),
                      {"employee_id": "222", "was": ""}, follow=True)
    assert "该账号的工号刚被他人修改为“111”，请核对后再保存" in response.content.decode()
    world.users.branch.refresh_from_db()
    assert world.users.branch.employee_id == "111"


def test_an_offsite_next_url_is_ignored(world, client_for):
    response = set_id(client_for(world.users.admin), world.users.branch, "7", next_url="https://evil.example.com/")
    assert response.redirect_chain[-1][0] == reverse("organizations:people")


def test_only_zzb_admin_can_set_an_employee_id(world, client_for):
    for user in (world.users.college, world.users.judge, world.users.norole):
        response = client_for(user).post(reverse("organizations:set_employee_id", args=[world.users.branch.pk]),
                                         {"employee_id": "666"})
        assert response.status_code == 403
    world.users.branch.refresh_from_db()
    assert world.users.branch.employee_id == ""


def test_accounts_page_queries_do_not_grow_with_accounts(world, client_for, django_assert_max_num_queries):
    c = client_for(world.users.admin)
    c.get(reverse("organizations:people"))
    for i in range(70):  # 10x the world's accounts
        give_role(UserFactory(employee_id=f"E{i:04d}"), "judge", world.college_a)
    with django_assert_max_num_queries(12):
        response = c.get(reverse("organizations:people"))
    assert response.content.decode().count('name="employee_id"') == User.objects.count()


# ---------------------------------------------------------------- spreadsheet import / export


def test_import_sets_employee_ids_and_the_export_round_trips(world, client_for):
    c = client_for(world.users.admin)
    data = make_xlsx(None, [
        {"用户名": "college_a", "姓名": world.users.college.full_name, "邮箱": world.users.college.email,
         "角色": "院级党组织书记/联系人", "所属党组织编码": "A", "工号": "20230001"},
        {"用户名": "newcomer", "姓名": "新人", "角色": "评审专家", "工号": "0099"},
    ])
    plan = plan_import(read_workbook(data))
    assert not plan.errors
    assert [(d.label, d.old, d.new) for d in plan.account_updates[0].diffs] == [("工号", "", "20230001")]
    preview_and_apply(c, data)
    assert User.objects.get(username="college_a").employee_id == "20230001"
    assert User.objects.get(username="newcomer").employee_id == "0099"  # kept as text: leading zeros stay

    export = c.get(reverse("organizations:export")).content
    sheets = read_workbook(export)
    assert {cells["username"]: cells["employee_id"] for _, cells in sheets["账号"]}["newcomer"] == "0099"
    plan = plan_import(sheets, deactivate_absent=True)
    assert not plan.errors and not plan.has_changes


def test_a_file_without_the_employee_id_column_leaves_employee_ids_alone(world):
    User.objects.filter(pk=world.users.college.pk).update(employee_id="20230001")
    data = make_xlsx(None, [{"用户名": "college_a", "姓名": "新名字", "邮箱": world.users.college.email,
                              "角色": "院级党组织书记/联系人", "所属党组织编码": "A"}])
    # the test helper writes every header; drop the 工号 column as an old template would have it
    import io

    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb["账号"]
    ws.delete_cols([c.value for c in ws[2]].index("工号") + 1)
    buf = io.BytesIO()
    wb.save(buf)
    plan = plan_import(read_workbook(buf.getvalue()))
    assert not plan.errors
    assert [d.field for d in plan.account_updates[0].diffs] == ["full_name"]


@pytest.mark.parametrize("rows,expected", [
    ([{"用户名": "u1", "角色": "评审专家", "工号": "20230001"}], (3, "工号“20230001”已属于账号“college_a”")),
    ([{"用户名": "u1", "角色": "评审专家", "工号": "77"}, {"用户名": "u2", "角色": "评审专家", "工号": "77"}],
     (4, "工号“77”与第 3 行的账号“u1”重复")),
    ([{"用户名": "u1", "角色": "评审专家", "工号": "7 7"}], (3, "工号“7 7”只能包含字母")),
], ids=["held-by-another-account", "twice-in-file", "bad-format"])
def test_import_refuses_conflicting_or_bad_employee_ids(world, rows, expected):
    User.objects.filter(pk=world.users.college.pk).update(employee_id="20230001")
    plan = plan_import(read_workbook(make_xlsx(None, rows)))
    assert [(e.row, e.column) for e in plan.errors] == [(expected[0], "工号")]
    assert expected[1] in plan.errors[0].message


def test_the_same_account_on_several_rows_may_repeat_its_employee_id(world):
    rows = [{"用户名": "u1", "角色": "评审专家", "工号": "77"}, {"用户名": "u1", "角色": "组织部管理员", "工号": "77"}]
    plan = plan_import(read_workbook(make_xlsx(None, rows)))
    assert not plan.errors and plan.account_creates[0].data["employee_id"] == "77"


def test_template_has_the_employee_id_column_and_explains_it(db):
    import io

    import openpyxl

    from organizations.exports import template_workbook

    wb = openpyxl.load_workbook(io.BytesIO(template_workbook()))
    assert "工号" in [c.value for c in wb["账号"][2]]
    notes = {row[0]: row[1] for row in wb["填写说明"].iter_rows(values_only=True)}
    assert "按工号找到对应账号" in notes["账号 · 工号"]
