"""Model permissions (Django's admin site) are read for staff only; the portal's rules are unchanged."""

from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from organizations.models import User


def _perm(codename):
    return Permission.objects.get(codename=codename)


def test_non_staff_user_has_no_model_permissions_and_costs_no_query(world):
    user = User.objects.get(pk=world.users.college.pk)
    user.user_permissions.add(_perm("view_user"))  # granted by mistake in /sysadmin/: still no effect
    with CaptureQueriesContext(connection) as ctx:
        assert not user.has_perm("organizations.view_user")
        assert not user.has_perm("organizations.no_such_rule")
    assert ctx.captured_queries == []


def test_staff_keep_their_model_permissions_for_the_admin_site(world):
    user = User.objects.get(pk=world.users.college.pk)
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.user_permissions.add(_perm("view_user"))
    user = User.objects.get(pk=user.pk)
    assert user.has_perm("organizations.view_user")


def test_portal_rules_still_answer_for_non_staff(world):
    admin = User.objects.get(pk=world.users.admin.pk)
    assert admin.has_perm("campaigns.manage_campaign")
    assert not User.objects.get(pk=world.users.college.pk).has_perm("campaigns.manage_campaign")


def test_the_request_user_is_loaded_as_the_orm_loads_them_and_only_if_active(world, client):
    """PortalModelBackend.get_user (a prepared query): the same user with every field as User.objects.get; an
    inactive, deleted or junk id gives no user, and such a session is signed out on its next request."""
    from organizations.backends import PortalModelBackend

    backend = PortalModelBackend()
    for expected in User.objects.all():
        got = backend.get_user(str(expected.pk))
        if not expected.is_active:
            assert got is None
            continue
        assert type(got) is User and got._state.adding is False
        assert {f.attname: getattr(got, f.attname) for f in User._meta.concrete_fields} == {
            f.attname: getattr(expected, f.attname) for f in User._meta.concrete_fields}
    for junk in (None, "", "abc", "1.5", str(10**30), "999999"):
        assert backend.get_user(junk) is None
    user = User.objects.get(pk=world.users.college.pk)
    client.force_login(user)
    assert client.get("/").wsgi_request.user.pk == user.pk
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert not client.get("/").wsgi_request.user.is_authenticated
