"""Who holds which role where: read once per request and cached on the user."""

from core.sql import PreparedModels

from .models import Role, RoleAssignment

_CACHE_ATTR = "_portal_roles"
# Every request reads the roles; what it asks of their orgs is the tree (name, code, level, parent, order).
# The contact, head-count and bookkeeping columns are left out of that read (half of its 52 columns);
# a page that reads one of them from a role's org pays one query for it.
_ORG_DETAIL = ("secretary_name", "secretary_title", "secretary_phone", "contact_name", "contact_phone",
               "contact_email", "members_staff", "members_student", "members_retired", "members_probationary",
               "dual_leader", "version", "created_at", "updated_at")
_NOT_READ = (*(f"organization__{f}" for f in _ORG_DETAIL), *(f"organization__parent__{f}" for f in _ORG_DETAIL))


def assignments(user):
    """The user's active role assignments (with their orgs), cached on the user object."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = _ROLES.objects(user=user.pk)
        setattr(user, _CACHE_ATTR, cached)
    return cached


def _roles_of(user):
    return (RoleAssignment.objects.active().filter(user_id=user)
            .select_related("organization", "organization__parent")
            .defer(*_NOT_READ)
            .order_by("role", "organization__sort_order"))


# compiled once per process (core.sql): the ORM's compilation was 0.8 ms of every request
_ROLES = PreparedModels(_roles_of, "user")


def forget(user):
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def has_role(user, role):
    return any(a.role == role for a in assignments(user))


def orgs_for(user, role):
    return [a.organization for a in assignments(user) if a.role == role and a.organization_id]


def org_ids_for(user, role):
    return {a.organization_id for a in assignments(user) if a.role == role and a.organization_id}


def college_ids(user):
    return org_ids_for(user, Role.COLLEGE_SECRETARY)


def branch_ids(user):
    return org_ids_for(user, Role.BRANCH_SECRETARY)


def is_admin(user):
    return has_role(user, Role.ADMIN)


def role_labels(user):
    seen = []
    for a in assignments(user):
        label = str(a)
        if label not in seen:
            seen.append(label)
    return seen
