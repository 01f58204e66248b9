"""Password sign-in with Django's model permissions for the 系统管理 site only.

The portal's permissions are rules (organizations/rules.py and each app's rules.py), answered by
rules' ObjectPermissionBackend. Django's ModelBackend is asked only when those say no, and it then
loads the user's and their groups' model permissions (two queries per request, for nothing: only
staff use /sysadmin/, and Django's admin requires is_staff anyway). This backend answers "no model
permissions" for non-staff users without a query; staff and superusers are unchanged.

It also loads the signed-in user of each request through a query compiled once (core.sql), like the
roles read right after it."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from core.sql import PreparedModels

_USER = PreparedModels(lambda pk: get_user_model()._default_manager.filter(pk=pk), "pk")


def _uses_admin_site(user):
    return getattr(user, "is_staff", False) or getattr(user, "is_superuser", False)


class PortalModelBackend(ModelBackend):
    def get_user_permissions(self, user_obj, obj=None):
        return super().get_user_permissions(user_obj, obj) if _uses_admin_site(user_obj) else set()

    def get_group_permissions(self, user_obj, obj=None):
        return super().get_group_permissions(user_obj, obj) if _uses_admin_site(user_obj) else set()

    def get_all_permissions(self, user_obj, obj=None):
        return super().get_all_permissions(user_obj, obj) if _uses_admin_site(user_obj) else set()

    def get_user(self, user_id):
        """ModelBackend.get_user: the user of the session's id, if they may sign in (active), else None."""
        try:
            pk = int(user_id)
        except (TypeError, ValueError):
            return None
        found = _USER.objects(pk=pk)
        return found[0] if found and self.user_can_authenticate(found[0]) else None
