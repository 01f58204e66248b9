from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render


def healthz(request):
    """Liveness/readiness: 200 when the database answers. The broker and the Celery worker's
    heartbeat are reported too (never a reason for 503: the portal works without them, jobs wait).
    Answers within about a second whatever the broker does (short socket timeouts)."""
    from . import ops

    status = {"database": "ok", "broker": "not configured (tasks run in-process)"}
    code = 200
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - report, do not crash
        status["database"] = f"error: {exc.__class__.__name__}"
        code = 503
    if settings.CELERY_BROKER_URL:
        status["broker"] = broker_status(settings.CELERY_BROKER_URL)
        status["worker"] = ops.worker_status() if status["broker"] == "ok" else "unknown (broker unreachable)"
    status["status"] = "ok" if code == 200 else "error"
    return JsonResponse(status, status=code)


def broker_status(url, timeout=0.5):
    """"ok" or "error: …" within `timeout` seconds (Redis: one PING; others: one connect)."""
    try:
        if url.startswith(("redis://", "rediss://")):
            import redis

            client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
            try:
                client.ping()
            finally:
                client.close()
        else:
            from kombu import Connection

            with Connection(url, connect_timeout=timeout) as conn:
                conn.ensure_connection(max_retries=0, timeout=timeout)
        return "ok"
    except Exception as exc:  # noqa: BLE001
        return f"error: {exc.__class__.__name__}"


def csrf_failure(request, reason=""):
    return render(request, "core/csrf_failure.html", status=403)
