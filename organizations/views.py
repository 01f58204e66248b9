from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import FormView, TemplateView
from rules.contrib.views import PermissionRequiredMixin

from core.audit import field_labels, history_for
from core.concurrency import StaleEdit

from . import queries, services
from .forms import OrganizationForm
from .models import Organization, OrgType, Role


class OrgTreeView(PermissionRequiredMixin, TemplateView):
    permission_required = "organizations.view_org_tree"
    template_name = "organizations/tree.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        show_inactive = self.request.GET.get("inactive") == "1"
        org_type = self.request.GET.get("type") or None
        ctx.update(
            colleges=queries.org_tree(active_only=not show_inactive, org_type=org_type),
            show_inactive=show_inactive,
            org_types=OrgType.choices,
            org_type=org_type,
        )
        return ctx


class OrgObjectMixin:
    def get_permission_object(self):
        if not hasattr(self, "_org"):
            self._org = get_object_or_404(Organization.objects.select_related("parent"), pk=self.kwargs["pk"])
        return self._org


class OrgDetailView(OrgObjectMixin, PermissionRequiredMixin, TemplateView):
    permission_required = "organizations.view_organization"
    template_name = "organizations/detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        org = self.get_permission_object()
        ctx.update(
            org=org,
            branches=queries.branches_of(org, active_only=False) if org.level == "college" else [],
            secretaries=queries.secretaries_of(org) if org.level != "school" else [],
            entries=history_for(org)[:20],
            field_labels=field_labels(Organization),
        )
        return ctx


class OrgEditView(OrgObjectMixin, PermissionRequiredMixin, FormView):
    permission_required = "organizations.change_org"
    template_name = "organizations/edit.html"
    form_class = OrganizationForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.get_permission_object()
        return kwargs

    def form_valid(self, form):
        org = self.get_permission_object()
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            services.update_organization(org, data, by=self.request.user, expected_version=form.cleaned_data["version"])
        except StaleEdit as exc:
            form.add_error(None, str(exc))
            return self.form_invalid(form)
        messages.success(self.request, "已保存党组织信息。")
        return redirect("organizations:detail", pk=org.pk)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["org"] = self.get_permission_object()
        return ctx


class PeopleView(PermissionRequiredMixin, TemplateView):
    permission_required = "organizations.view_people"
    template_name = "organizations/people.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        qs = queries.people()
        role = self.request.GET.get("role")
        if role:
            qs = qs.filter(role_assignments__role=role).distinct()
        ctx.update(people=qs, roles=Role.choices, role=role)
        return ctx
