from django.conf import settings

from organizations import roles


def portal(request):
    user = getattr(request, "user", None)
    return {
        "portal_roles": roles.role_labels(user) if user is not None else [],
        "is_zzb_admin": roles.is_admin(user) if user is not None else False,
        "debug": settings.DEBUG,
    }
