import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import AuditEntry
from organizations import rules as org_rules  # noqa: F401
from organizations.models import Organization, RoleAssignment

from ..factories import BranchFactory


def test_branch_must_hang_under_a_college(world):
    bad = BranchFactory.build(code="X1", parent=world.school)
    with pytest.raises(ValidationError):
        bad.full_clean()
    wrong_type = BranchFactory.build(code="X2", parent=world.college_a, org_type="college_committee")
    with pytest.raises(ValidationError):
        wrong_type.full_clean()


def test_branch_secretary_role_needs_a_branch(world):
    ra = RoleAssignment(user=world.users.norole, role="branch_secretary", organization=world.college_a)
    with pytest.raises(ValidationError):
        ra.full_clean()


def test_a_person_can_hold_several_roles(world):
    from organizations import roles

    from ..factories import give_role

    give_role(world.users.college, "judge", world.college_a)
    assert roles.has_role(world.users.college, "judge")
    assert roles.has_role(world.users.college, "college_secretary")


def test_college_secretary_sees_own_branches_not_others(world):
    u = world.users.college
    assert u.has_perm("organizations.view_organization", world.branch_a2)
    assert not u.has_perm("organizations.view_organization", world.branch_b1)
    b = world.users.branch
    assert b.has_perm("organizations.view_organization", world.branch_a1)
    assert not b.has_perm("organizations.view_organization", world.branch_a2)


def test_admin_edit_is_audited_and_stale_edit_refused(world, client_for):
    c = client_for(world.users.admin)
    url = reverse("organizations:edit", args=[world.branch_a1.pk])
    data = {"name": "甲一支部（改）", "org_type": "teacher", "sort_order": 1, "members_staff": 12, "members_student": 0,
            "members_retired": 0, "members_probationary": 1, "is_active": "on", "version": 1}
    assert c.post(url, data).status_code == 302
    entry = AuditEntry.objects.get(action="update")
    assert entry.changes["name"] == ["甲一支部", "甲一支部（改）"]
    data["name"] = "来自旧页面"
    response = c.post(url, data)
    assert response.status_code == 200
    assert "其他人已修改" in response.content.decode()
    assert Organization.objects.get(pk=world.branch_a1.pk).name == "甲一支部（改）"


def test_deactivated_org_is_kept(world):
    from organizations.services import deactivate_organization

    deactivate_organization(world.branch_a2, by=world.users.admin)
    assert Organization.objects.filter(pk=world.branch_a2.pk, is_active=False).exists()


def test_audit_page_lists_changes_for_admin(world, client_for):
    from organizations.services import update_organization

    update_organization(world.branch_a1, {"secretary_name": "张三"}, by=world.users.admin, expected_version=1)
    body = client_for(world.users.admin).get(reverse("audit:audit")).content.decode()
    assert "张三" in body and "书记姓名" not in "" and "修改" in body


def test_org_tree_has_constant_queries(world, client_for, django_assert_max_num_queries):
    from ..factories import CollegeFactory

    for i in range(30):
        college = CollegeFactory(parent=world.school)
        for _ in range(8):
            BranchFactory(parent=college)
    c = client_for(world.users.admin)
    with django_assert_max_num_queries(12):
        response = c.get(reverse("organizations:tree"))
    assert response.status_code == 200
