"""Sliding session expiry without a database write on every request.

The portal signs people out after SESSION_IDLE_MINUTES without a request. Django's
SESSION_SAVE_EVERY_REQUEST gives that by saving the session (an UPDATE, and on SQLite the
database's write lock) on every page view, including the 3 s polls of the live room; under load the
two gunicorn workers then queue behind each other's session writes (docs/performance.md).

This middleware renews the session instead when its last renewal is older than
SESSION_RENEW_SECONDS: the expiry moves forward at most that much later than it would have, so the
idle limit is kept to within that many seconds (60 s of 120 minutes by default). A session that is
modified for another reason is saved, and so renewed, by Django as usual."""

import time

from django.conf import settings

RENEWED_KEY = "_renewed_at"


class SessionRenewalMiddleware:
    """Placed right after django.contrib.sessions.middleware.SessionMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.every = getattr(settings, "SESSION_RENEW_SECONDS", 60)

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or response.status_code >= 500:
            return response  # SessionMiddleware does not save on a 5xx either
        try:
            empty = session.is_empty()
        except AttributeError:  # a session backend without is_empty: leave it to Django
            return response
        if not empty:
            now = int(time.time())
            last = session.get(RENEWED_KEY, 0)
            if not isinstance(last, int) or now - last >= self.every or now < last:
                session[RENEWED_KEY] = now  # marks the session modified: SessionMiddleware saves it
        return response
