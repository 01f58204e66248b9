from django.db.models import Count

from core.sql import PreparedQuery

from .models import Notification

# one row (the count) grouped by the user, no row when there is nothing unread
_UNREAD = PreparedQuery(lambda user: Notification.objects.filter(user_id=user, read_at__isnull=True)
                        .values("user_id").annotate(n=Count("pk")).values_list("n"), "user")


def notifications(request):
    """The unread count for the bell in the navigation bar (one COUNT query, compiled once: core.sql; signed-in
    users only)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    rows = _UNREAD.rows(user=user.pk)
    return {"unread_notifications": rows[0][0] if rows else 0}
