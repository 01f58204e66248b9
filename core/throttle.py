"""Per-client-address counters for public forms (the cache, a fixed window from the first hit).

Not a defence against a determined attacker with many addresses: a brake on one visitor (or one
script) sending the same public form again and again. Behind a reverse proxy set AXES_PROXY_COUNT
(the same setting the login lockout uses), else every visitor shares nginx's address."""

from django.conf import settings
from django.core.cache import cache


def client_address(request):
    """The visitor's address: REMOTE_ADDR, or the X-Forwarded-For entry the last trusted proxy added."""
    proxies = getattr(settings, "AXES_IPWARE_PROXY_COUNT", 0) or 0
    if proxies:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies][:64]
    return (request.META.get("REMOTE_ADDR") or "unknown")[:64]


class Throttle:
    """At most `limit` hits per `period` seconds per client address, for one `scope`."""

    def __init__(self, scope, limit, period, message):
        self.scope, self.limit, self.period, self.message = scope, limit, period, message

    def _key(self, request):
        return f"throttle:{self.scope}:{client_address(request)}"

    def exceeded(self, request):
        return (cache.get(self._key(request)) or 0) >= self.limit

    def hit(self, request):
        key = self._key(request)
        if cache.add(key, 1, self.period):
            return
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, self.period)
