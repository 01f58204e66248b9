from django.db.models import Count, Prefetch, Q

from .models import Level, Organization, Role, RoleAssignment, User


def org_tree(active_only=False, org_type=None):
    """Colleges with their branches prefetched, in display order: 2 queries."""
    branches = Organization.objects.branches().order_by("sort_order", "code")
    colleges = Organization.objects.colleges().order_by("sort_order", "code")
    if active_only:
        branches = branches.active()
        colleges = colleges.active()
    if org_type:
        colleges = colleges.filter(Q(org_type=org_type) | Q(children__org_type=org_type)).distinct()
    return colleges.prefetch_related(Prefetch("children", queryset=branches, to_attr="branch_list"))


def branches_of(college, active_only=True):
    qs = Organization.objects.filter(parent=college, level=Level.BRANCH)
    return qs.active() if active_only else qs


def people():
    return (
        User.objects.order_by("username")
        .prefetch_related(
            Prefetch(
                "role_assignments",
                queryset=RoleAssignment.objects.select_related("organization").order_by("role"),
            )
        )
        .annotate(n_roles=Count("role_assignments"))
    )


def secretaries_of(org):
    role = Role.COLLEGE_SECRETARY if org.level == Level.COLLEGE else Role.BRANCH_SECRETARY
    return User.objects.filter(
        role_assignments__organization=org, role_assignments__role=role, role_assignments__is_active=True, is_active=True
    ).distinct()


def locked_usernames(usernames=None):
    """Usernames django-axes currently locks out (failures at the limit within the cool-off): 1 query."""
    from axes.models import AccessAttempt
    from django.conf import settings
    from django.utils import timezone

    qs = AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT)
    cooloff = getattr(settings, "AXES_COOLOFF_TIME", None)
    if isinstance(cooloff, (int, float)):
        qs = qs.filter(attempt_time__gte=timezone.now() - timezone.timedelta(hours=cooloff))
    if usernames is not None:
        qs = qs.filter(username__in=list(usernames))
    return set(qs.values_list("username", flat=True))
