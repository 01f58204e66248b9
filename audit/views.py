from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.views.generic import TemplateView
from rules.contrib.views import PermissionRequiredMixin

from .log import ACTION_LABELS
from .models import AuditEntry


# The org filter lists the FK's target (organizations sits above this app and is not imported).
Organization = AuditEntry._meta.get_field("organization").related_model


class AuditLogView(PermissionRequiredMixin, TemplateView):
    permission_required = "audit.view_audit"
    template_name = "audit/audit_list.html"

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
            actors=get_user_model().objects.filter(auditentry__isnull=False).distinct().only("id", "username", "full_name"),
            models=ContentType.objects.filter(
                pk__in=AuditEntry.objects.values("content_type_id").distinct()
            ),
            params=params,
        )
        return ctx
