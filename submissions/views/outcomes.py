from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView
from rules.contrib.views import PermissionRequiredMixin

from campaigns.models import Campaign
from core.concurrency import StaleEdit
from organizations import roles
from organizations.models import Organization

from .. import policy, queries, services
from ..forms import OutcomeForm
from ..models import Outcome
from .common import CurrentCampaignView
from .uploading import CappedUploadMixin, run_upload


class OutcomeListView(PermissionRequiredMixin, TemplateView):
    """An org's phase-2 outcomes over time (a college sees its branches' too), with a form to record one."""

    permission_required = "submissions.view_outcomes"
    template_name = "submissions/outcomes.html"

    def get_permission_object(self):
        if not hasattr(self, "_org"):
            self._org = get_object_or_404(Organization.objects.select_related("parent"), pk=self.kwargs["org"],
                                          level__in=["college", "branch"])
        return self._org

    def get_context_data(self, form=None, **kwargs):
        ctx = super().get_context_data(**kwargs)
        campaign = get_object_or_404(Campaign, pk=self.kwargs["campaign"])
        org = self.get_permission_object()
        new = services.new_outcome(campaign, org)
        ctx.update(campaign=campaign, org=org, outcomes=queries.outcomes_of(campaign, org),
                   can_add=policy.OUTCOME.allows("add", self.request.user, new),
                   form=form or OutcomeForm(), window_open=policy.outcome_window(new, timezone.now()) is None)
        return ctx

    def post(self, request, *args, **kwargs):
        org = self.get_permission_object()
        if not request.user.has_perm("submissions.add_outcome", org):
            raise PermissionDenied("您不能为该党组织记录成果。")
        campaign = get_object_or_404(Campaign, pk=self.kwargs["campaign"])
        form = OutcomeForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            outcome = services.create_outcome(campaign, org, data, by=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(request, "成果已记录，可继续上传附件和照片。")
        return redirect("submissions:outcome", outcome.pk)


class OutcomeView(PermissionRequiredMixin, TemplateView):
    permission_required = "submissions.view_outcome"
    template_name = "submissions/outcome.html"

    def get_permission_object(self):
        if not hasattr(self, "_outcome"):
            self._outcome = get_object_or_404(
                Outcome.objects.select_related("campaign", "organization", "organization__parent").prefetch_related("attachments"),
                pk=self.kwargs["pk"])
        return self._outcome

    def get_context_data(self, form=None, **kwargs):
        ctx = super().get_context_data(**kwargs)
        o = self.get_permission_object()
        can_edit = policy.OUTCOME.allows("edit", self.request.user, o)
        ctx.update(outcome=o, org=o.organization, campaign=o.campaign, can_edit=can_edit,
                   form=form or OutcomeForm(instance=o))
        return ctx

    def post(self, request, *args, **kwargs):
        o = self.get_permission_object()
        if not request.user.has_perm("submissions.edit_outcome", o):
            raise PermissionDenied("您不能修改该成果。")
        form = OutcomeForm(request.POST, instance=o)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            services.update_outcome(o, data, by=request.user, expected_version=form.cleaned_data.get("version"))
        except StaleEdit as exc:
            form.add_error(None, str(exc))
            return self.render_to_response(self.get_context_data(form=form), status=409)
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(request, "已保存。")
        return redirect(request.path)


class OutcomeFileView(CappedUploadMixin, PermissionRequiredMixin, View):
    permission_required = "submissions.edit_outcome"

    def purpose_for(self, request, **kwargs):
        return "video" if request.GET.get("purpose") == "video" else "evidence"

    def get_permission_object(self):
        if not hasattr(self, "_outcome"):
            self._outcome = get_object_or_404(Outcome.objects.select_related("campaign", "organization"), pk=self.kwargs["pk"])
        return self._outcome

    def post(self, request, pk):
        o = self.get_permission_object()

        def action():
            att, warnings = services.add_outcome_file(o, self.uploaded_file(request), by=request.user,
                                                      caption=request.POST.get("caption", ""))
            return {"uuid": str(att.uuid), "name": att.original_name, "size": att.size, "warnings": warnings}

        return run_upload(self, request, action, "附件已上传。", reverse("submissions:outcome", args=[pk]))


class OutcomesOverviewView(PermissionRequiredMixin, TemplateView):
    """组织部: each 院级 org's outcomes per month."""

    permission_required = "submissions.view_progress"
    template_name = "submissions/outcomes_overview.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        campaign = get_object_or_404(Campaign, pk=self.kwargs["campaign"])
        months, lines = queries.outcomes_overview(campaign)
        ctx.update(campaign=campaign, months=months, lines=lines)
        return ctx


class MyOutcomesRedirectView(CurrentCampaignView):
    def go(self, request, campaign):
        orgs = sorted(roles.college_ids(request.user)) or sorted(roles.branch_ids(request.user))
        if not orgs:
            raise PermissionDenied("您不是院(处)级党组织或党支部书记。")
        return redirect("submissions:outcomes", campaign.pk, orgs[0])
