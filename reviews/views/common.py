from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from rules.contrib.views import PermissionRequiredMixin

from core.concurrency import StaleEdit

from ..models import JudgingTrack


class TrackMixin(PermissionRequiredMixin):
    """Resolves /t/<pk>/ and uses the track as the permission object."""

    def get_track(self):
        if not hasattr(self, "_track"):
            self._track = get_object_or_404(JudgingTrack.objects.select_related("campaign"), pk=self.kwargs["pk"])
        return self._track

    def get_permission_object(self):
        return self.get_track()


def run(request, fn, *args, success="", **kwargs):
    """Call a service; turn refusals into messages. Returns the result or None."""
    try:
        result = fn(*args, **kwargs)
    except StaleEdit as exc:
        messages.error(request, str(exc))
        return None
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return None
    if success:
        messages.success(request, success)
    return result if result is not None else True
