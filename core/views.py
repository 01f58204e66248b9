from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.generic import TemplateView
from rules.contrib.views import PermissionRequiredMixin

from organizations.models import Organization, User

from .audit import ACTION_LABELS
from .models import AuditEntry


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


class AuditLogView(PermissionRequiredMixin, TemplateView):
    permission_required = "core.view_audit"
    template_name = "core/audit_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        qs = AuditEntry.objects.select_related("actor", "organization", "content_type")
        params = self.request.GET
        if params.get("org"):
            qs = qs.filter(organization_id=params["org"])
        if params.get("actor"):
            qs = qs.filter(actor_id=params["actor"])
        if params.get("model"):
            qs = qs.filter(content_type_id=params["model"])
        if params.get("action"):
            qs = qs.filter(action=params["action"])
        page = Paginator(qs, 50).get_page(params.get("page"))
        ctx.update(
            page=page,
            entries=page.object_list,
            action_labels=ACTION_LABELS,
            orgs=Organization.objects.filter(level__in=["school", "college"]).only("id", "name"),
            actors=User.objects.filter(auditentry__isnull=False).distinct().only("id", "username", "full_name"),
            models=ContentType.objects.filter(
                pk__in=AuditEntry.objects.values("content_type_id").distinct()
            ),
            params=params,
        )
        return ctx
