"""Reads of the notify app: which robots a notice goes to, and the delivery log."""

from django.db.models import Count, Max, Q

from organizations.models import Level, Organization

from .models import Delivery, DeliveryStatus, Robot


def college_of(org_ids):
    """{org id: its 院级 org id} (a 院级 org is its own; a branch's is its parent)."""
    result = {}
    for pk, level, parent_id in Organization.objects.filter(pk__in=set(org_ids)).values_list("pk", "level", "parent_id"):
        if level == Level.COLLEGE:
            result[pk] = pk
        elif level == Level.BRANCH and parent_id:
            result[pk] = parent_id
    return result


def any_enabled_robot():
    return Robot.objects.filter(enabled=True).exists()


def enabled_robots(*, college_ids=(), roles=()):
    """The enabled robots of these 院级 orgs and of these roles."""
    if not college_ids and not roles:
        return []
    scope = Q(organization_id__in=set(college_ids)) | Q(role__in=set(roles))
    return list(Robot.objects.filter(scope, enabled=True).select_related("organization"))


def robots():
    """The robots for the channels page, with their failed count and last successful send."""
    return (
        Robot.objects.select_related("organization")
        .annotate(failed_count=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.FAILED)),
                  last_sent_at=Max("deliveries__sent_at"))
        .order_by("platform", "organization__sort_order", "role", "id")
    )


def deliveries(params):
    qs = Delivery.objects.select_related("robot", "user")
    if params.get("channel"):
        qs = qs.filter(channel=params["channel"])
    if params.get("status"):
        qs = qs.filter(status=params["status"])
    if params.get("robot", "").isdigit():
        qs = qs.filter(robot_id=int(params["robot"]))
    if params.get("q"):
        q = params["q"].strip()[:50]
        qs = qs.filter(Q(title__icontains=q) | Q(user__full_name__icontains=q) | Q(robot__name__icontains=q)
                       | Q(address__icontains=q))
    return qs.order_by("-created_at", "-id")
