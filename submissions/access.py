"""Who may open an uploaded file.

The owner org's people and 组织部 always may. Higher apps add answers here instead of
this app importing them: reviews registers "a judge assigned to an entry that uses the
file", showcase registers "the file belongs to a published item"."""

from organizations import roles
from organizations.models import Level

_viewers = []


def register_viewer(fn):
    """fn(user, attachment) -> bool. Registered in the higher app's AppConfig.ready()."""
    if fn not in _viewers:
        _viewers.append(fn)
    return fn


def owner_may_view(user, attachment):
    org = attachment.organization
    if roles.is_admin(user):
        return True
    colleges = roles.college_ids(user)
    if org.pk in colleges or org.pk in roles.branch_ids(user):
        return True
    return org.level == Level.BRANCH and org.parent_id in colleges


def can_view(user, attachment):
    if getattr(user, "is_authenticated", False) and owner_may_view(user, attachment):
        return True
    return any(fn(user, attachment) for fn in _viewers)
