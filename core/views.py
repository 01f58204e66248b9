from django import forms
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
from .params import QueryForm, id_choice
from .models import AuditEntry


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
            from brandcampaign.celery import app

            with app.connection_for_write() as conn:
                conn.ensure_connection(max_retries=1, timeout=2)
            status["broker"] = "ok"
        except Exception as exc:  # noqa: BLE001
            status["broker"] = f"error: {exc.__class__.__name__}"
    status["status"] = "ok" if code == 200 else "error"
    return JsonResponse(status, status=code)


def csrf_failure(request, reason=""):
    return render(request, "core/csrf_failure.html", status=403)


class AuditFilterForm(QueryForm):
    org = id_choice(Organization.objects.all())
    actor = id_choice(User.objects.all())
    model = id_choice(ContentType.objects.all())
    action = forms.ChoiceField(choices=list(ACTION_LABELS.items()))


class AuditLogView(PermissionRequiredMixin, TemplateView):
    permission_required = "core.view_audit"
    template_name = "core/audit_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        qs = AuditEntry.objects.select_related("actor", "organization", "content_type")
        params = self.request.GET
        filters = AuditFilterForm(params)
        if filters.get("org"):
            qs = qs.filter(organization=filters.get("org"))
        if filters.get("actor"):
            qs = qs.filter(actor=filters.get("actor"))
        if filters.get("model"):
            qs = qs.filter(content_type=filters.get("model"))
        if filters.get("action"):
            qs = qs.filter(action=filters.get("action"))
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
