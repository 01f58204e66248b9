from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render


def healthz(request):
    """Liveness/readiness: 200 when the database answers; broker status reported too."""
    status = {"database": "ok", "broker": "not configured (tasks run in-process)"}
    code = 200
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - report, do not crash
        status["database"] = f"error: {exc.__class__.__name__}"
        code = 503
    broker = settings.CELERY_BROKER_URL
    if broker:
        try:
            from celery import current_app as app

            with app.connection_for_write() as conn:
                conn.ensure_connection(max_retries=1, timeout=2)
            status["broker"] = "ok"
        except Exception as exc:  # noqa: BLE001
            status["broker"] = f"error: {exc.__class__.__name__}"
    status["status"] = "ok" if code == 200 else "error"
    return JsonResponse(status, status=code)


def csrf_failure(request, reason=""):
    return render(request, "core/csrf_failure.html", status=403)
