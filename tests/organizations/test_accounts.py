"""组织部 manage accounts in the portal: create, edit, deactivate, roles, password links, unlock. All audited."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from audit.models import AuditEntry
from organizations import services
from organizations.models import Role, RoleAssignment, User


def can_log_in(username, password):
    return Client().post(reverse("login"), {"username": username, "password": password}).status_code == 302


def act(c, user, action, data=None, **kw):
    return c.post(reverse("organizations:account_action", args=[user.pk, action]), data or {}, **kw)


def test_admin_creates_an_account_gives_it_a_role_and_a_link_that_works_once(world, client_for, settings):
    c = client_for(world.users.admin)
    response = c.post(reverse("organizations:account_create"),
                      {"username": "newsec", "full_name": "新书记", "email": "new@example.edu.cn", "phone": ""})
    user = User.objects.get(username="newsec")
    assert response["Location"] == reverse("organizations:account", args=[user.pk])
    assert not user.has_usable_password()
    act(c, user, "add_role", {"role": Role.BRANCH_SECRETARY, "organization": world.branch_a2.pk})
    assert RoleAssignment.objects.filter(user=user, role=Role.BRANCH_SECRETARY, organization=world.branch_a2,
                                         is_active=True).exists()
    page = act(c, user, "password_link").content.decode()
    link = re.search(r'data-testid="reset-link"[^>]*|value="(http[^"]+)"', page)
    url = re.search(r'value="(http://testserver[^"]+)"', page).group(1)
    assert "只显示这一次" in page
    anon = Client()
    path = url.replace("http://testserver", "")
    form_page = anon.get(path, follow=True)
    set_url = form_page.redirect_chain[-1][0] if form_page.redirect_chain else path
    anon.post(set_url, {"new_password1": "Neu-Pass-2026", "new_password2": "Neu-Pass-2026"})
    assert can_log_in("newsec", "Neu-Pass-2026")
    assert "激活链接无效" in Client().get(path, follow=True).content.decode()  # one time only
    actions = set(AuditEntry.objects.filter(object_id=str(user.pk)).values_list("action", flat=True))
    assert {"create", "password_reset"} <= actions
    assert link is not None


def test_a_password_reset_link_for_an_existing_password_voids_after_use(world, client_for):
    c = client_for(world.users.admin)
    u = world.users.branch
    page = act(c, u, "password_link").content.decode()
    path = re.search(r'value="http://testserver([^"]+)"', page).group(1)
    anon = Client()
    r = anon.get(path, follow=True)
    anon.post(r.redirect_chain[-1][0], {"new_password1": "Anders-2026!", "new_password2": "Anders-2026!"})
    assert can_log_in(u.username, "Anders-2026!")
    assert not can_log_in(u.username, "pw-123456")
    # the link is not in the audit log or any stored message
    assert not AuditEntry.objects.filter(changes__icontains=path.split("/")[-2]).exists()


def test_emailing_the_link_sends_it_to_the_registered_address(world, client_for, django_capture_on_commit_callbacks):
    c = client_for(world.users.admin)
    u = world.users.college
    u.email = "college@example.edu.cn"
    u.save()
    with django_capture_on_commit_callbacks(execute=True):
        act(c, u, "password_email")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["college@example.edu.cn"]
    assert "/accounts/activate/" in mail.outbox[0].body
    u.email = ""
    u.save()
    response = act(c, u, "password_email", follow=True)
    assert "没有登记邮箱" in response.content.decode() and len(mail.outbox) == 1


def test_edit_deactivate_and_reactivate_are_audited(world, client_for):
    c = client_for(world.users.admin)
    u = world.users.branch
    c.post(reverse("organizations:account", args=[u.pk]), {"full_name": "李支书", "email": "bad-email", "phone": ""})
    assert User.objects.get(pk=u.pk).full_name != "李支书"  # invalid e-mail: nothing saved
    c.post(reverse("organizations:account", args=[u.pk]), {"full_name": "李支书", "email": "li@example.edu.cn", "phone": ""})
    assert User.objects.get(pk=u.pk).full_name == "李支书"
    act(c, u, "deactivate", {"reason": "调离"})
    assert not User.objects.get(pk=u.pk).is_active
    assert not can_log_in(u.username, "pw-123456")
    act(c, u, "reactivate")
    assert User.objects.get(pk=u.pk).is_active
    actions = list(AuditEntry.objects.filter(object_id=str(u.pk)).order_by("id").values_list("action", flat=True))
    assert actions[-3:] == ["update", "deactivate", "update"]
    assert AuditEntry.objects.get(object_id=str(u.pk), action="deactivate").note == "调离"


def test_an_admin_cannot_lock_themself_out(world, client_for):
    admin = world.users.admin
    c = client_for(admin)
    assert "不能停用您本人" in act(c, admin, "deactivate", follow=True).content.decode()
    ra = admin.role_assignments.get(role=Role.ADMIN)
    act(c, admin, "revoke_role", {"assignment": ra.pk})
    assert RoleAssignment.objects.get(pk=ra.pk).is_active and User.objects.get(pk=admin.pk).is_active


def test_roles_are_added_with_the_level_rule_and_revoked(world, client_for):
    c = client_for(world.users.admin)
    u = world.users.norole
    response = act(c, u, "add_role", {"role": Role.COLLEGE_SECRETARY, "organization": world.branch_a1.pk}, follow=True)
    assert "必须绑定一个院(处)级党组织" in response.content.decode()
    act(c, u, "add_role", {"role": Role.COLLEGE_SECRETARY, "organization": world.college_b.pk})
    ra = RoleAssignment.objects.get(user=u, role=Role.COLLEGE_SECRETARY)
    assert client_for(u).get(reverse("submissions:form1", args=[world.campaign.pk, world.college_b.pk])).status_code == 200
    act(c, u, "revoke_role", {"assignment": ra.pk})
    assert not RoleAssignment.objects.get(pk=ra.pk).is_active
    assert client_for(u).get(reverse("submissions:form1", args=[world.campaign.pk, world.college_b.pk])).status_code == 403
    act(c, u, "add_role", {"role": Role.COLLEGE_SECRETARY, "organization": world.college_b.pk})  # reactivated
    assert RoleAssignment.objects.get(pk=ra.pk).is_active and RoleAssignment.objects.filter(user=u).count() == 1
    assert list(AuditEntry.objects.filter(object_id=str(ra.pk)).order_by("id").values_list("action", flat=True)) == [
        "create", "revoke_role", "update"]
    page = c.get(reverse("organizations:account", args=[u.pk])).content.decode()
    assert "撤销角色" in page  # the role history is on the account page


def test_unlock_lifts_an_axes_lockout(world, client_for):
    anon = Client()
    for _ in range(5):
        anon.post(reverse("login"), {"username": "branch_a1", "password": "wrong"})
    locked = anon.post(reverse("login"), {"username": "branch_a1", "password": "pw-123456"})
    assert locked.status_code == 429 and "党委组织部" in locked.content.decode()
    admin = client_for(world.users.admin)
    assert "已锁定" in admin.get(reverse("organizations:people")).content.decode()
    assert 'data-testid="locked-badge"' in admin.get(reverse("organizations:account", args=[world.users.branch.pk])).content.decode()
    act(admin, world.users.branch, "unlock")
    response = anon.post(reverse("login"), {"username": "branch_a1", "password": "pw-123456"})
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="unlock", object_id=str(world.users.branch.pk)).exists()


def test_login_and_lock_pages_name_the_contact(world, client, settings):
    settings.PORTAL_CONTACT = "党委组织部组织科（电话 0516-83590000）"
    html = client.get(reverse("login")).content.decode()
    assert "0516-83590000" in html and "一次性设置密码链接" in html


def test_only_admins_manage_accounts_and_bad_input_changes_nothing(world, client_for):
    u = world.users.branch
    for user in (world.users.college, world.users.judge, world.users.branch):
        assert act(client_for(user), u, "deactivate").status_code == 403
    with pytest.raises(services.AccountError):
        services.set_account_active(u, False, by=world.users.college)
    c = client_for(world.users.admin)
    assert act(c, u, "explode").status_code == 404
    assert act(c, u, "revoke_role", {"assignment": "x"}).status_code == 404
    response = c.post(reverse("organizations:account_create"), {"username": "branch_a1"})
    assert "已存在" in response.content.decode()
    response = c.post(reverse("organizations:account_create"), {"username": "<script>"})
    assert User.objects.filter(username="<script>").count() == 0 and response.status_code == 200
    assert User.objects.get(pk=u.pk).is_active


def test_people_page_queries_are_constant(world, client_for, django_assert_max_num_queries):
    from ..factories import UserFactory, give_role

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = client_for(world.users.admin)
    with CaptureQueriesContext(connection) as few:
        assert c.get(reverse("organizations:people")).status_code == 200
    for i in range(100):  # 10x the accounts
        give_role(UserFactory(username=f"bulk{i}"), Role.BRANCH_SECRETARY, world.branch_b2)
    with CaptureQueriesContext(connection) as many:
        assert c.get(reverse("organizations:people")).status_code == 200
    assert len(many) == len(few)
