from .models import Notification


def notifications(request):
    """The unread count for the bell in the navigation bar (one COUNT query, signed-in users only)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": Notification.objects.filter(user=user, read_at__isnull=True).count()}
