"""A full-list import can deactivate accounts and revoke roles no longer listed: shown in the preview
first, only when asked, never touching 组织部管理员, all audited."""

import re

from django.urls import reverse

from audit.models import AuditEntry
from organizations.importing import plan_import, read_workbook
from organizations.models import Role, RoleAssignment, User

from .test_import import make_xlsx, token_of

# The world's accounts as a full list, except: college_b is gone, and branch_a1 is no longer 支部书记 of A-1
# but of A-2. admin is missing too (组织部管理员: kept).
FULL_LIST = [
    {"用户名": "judge", "角色": "评审专家", "所属党组织编码": "A"},
    {"用户名": "college_a", "角色": "院级党组织书记/联系人", "所属党组织编码": "A"},
    {"用户名": "branch_a1", "角色": "支部书记", "所属党组织编码": "A-2"},
    {"用户名": "branch_b1", "角色": "支部书记", "所属党组织编码": "B-1"},
    {"用户名": "norole"},
]


def upload(client, data, **options):
    from django.core.files.uploadedfile import SimpleUploadedFile

    payload = {"file": SimpleUploadedFile("名单.xlsx", data), **{k: "on" for k, v in options.items() if v}}
    return client.post(reverse("organizations:import"), payload)


def test_without_the_option_nothing_is_revoked(world):
    plan = plan_import(read_workbook(make_xlsx(None, FULL_LIST)))
    assert not plan.errors and not plan.account_deactivations and not plan.role_revocations


def test_preview_lists_accounts_to_deactivate_and_roles_to_revoke_then_apply_does_it(world, client_for):
    c = client_for(world.users.admin)
    token = token_of(upload(c, make_xlsx(None, FULL_LIST), revoke_absent=True))
    body = c.get(reverse("organizations:import_preview", args=[token])).content.decode()
    assert 'data-testid="revoke-absent-on"' in body
    deactivations = re.search(r'data-testid="account-deactivations".*?</table>', body, re.S).group(0)
    assert "college_b" in deactivations and "admin" not in deactivations
    revocations = re.search(r'data-testid="role-revocations".*?</table>', body, re.S).group(0)
    assert "branch_a1" in revocations and "A-1" in revocations
    assert "组织部管理员" in body  # the warning that admin is kept
    assert User.objects.get(username="college_b").is_active  # preview changes nothing
    digest = re.search(r'name="digest" value="([0-9a-f]+)"', body).group(1)
    c.post(reverse("organizations:import_apply", args=[token]), {"digest": digest})
    assert not User.objects.get(username="college_b").is_active
    assert User.objects.get(username="admin").is_active
    old = RoleAssignment.objects.get(user=world.users.branch, organization=world.branch_a1)
    assert not old.is_active
    assert RoleAssignment.objects.get(user=world.users.branch, organization=world.branch_a2).is_active
    assert AuditEntry.objects.filter(action="revoke_role", object_id=str(old.pk)).exists()
    assert AuditEntry.objects.filter(action="deactivate", object_id=str(world.users.college_b.pk)).exists()
    result = c.get(reverse("organizations:import_result", args=[token])).content.decode()
    assert "停用账号 <strong>1</strong>" in result and "撤销角色 <strong>1</strong>" in result


def test_reimporting_the_full_list_then_changes_nothing(world):
    from organizations.importing import apply_import

    sheets = read_workbook(make_xlsx(None, FULL_LIST))
    plan = plan_import(sheets, revoke_absent=True)
    apply_import(sheets, by=world.users.admin, expected_digest=plan.digest(), revoke_absent=True)
    again = plan_import(sheets, revoke_absent=True)
    assert not again.has_changes


def test_the_option_without_account_rows_is_refused(world):
    plan = plan_import(read_workbook(make_xlsx([], None)), revoke_absent=True)
    assert plan.errors and "没有账号数据" in plan.errors[0].message and not plan.can_apply


def test_revoke_planning_uses_a_constant_number_of_queries(world, django_assert_max_num_queries):
    from ..factories import UserFactory, give_role

    for i in range(200):
        give_role(UserFactory(username=f"old{i}"), Role.BRANCH_SECRETARY, world.branch_b2)
    sheets = read_workbook(make_xlsx(None, FULL_LIST))
    with django_assert_max_num_queries(8):
        plan = plan_import(sheets, revoke_absent=True)
    assert len(plan.account_deactivations) == 201  # 200 old accounts + college_b
