from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views import View
from django.views.generic import FormView, TemplateView
from rules.contrib.views import PermissionRequiredMixin

from audit.log import history_for
from core.concurrency import StaleEdit
from organizations import roles

from . import obligations, services
from .forms import CampaignForm, ExtensionForm
from .models import Campaign, DeadlineExtension, Phase
from .queries import current_campaign, days_left


class HomeView(LoginRequiredMixin, TemplateView):
    template_name = "campaigns/home.html"

    def get_template_names(self):
        if not roles.assignments(self.request.user):
            return ["campaigns/no_role.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        campaign = current_campaign()
        today = timezone.localdate()
        phase = campaign.phase_on(today) if campaign else None
        steps = []
        if campaign:
            for p, start, end in campaign.phase_windows():
                steps.append(
                    {
                        "phase": p,
                        "start": start,
                        "end": end,
                        "state": "current" if p == phase else ("past" if phase and p < phase else "future"),
                    }
                )
        todos = obligations.for_user(campaign, self.request.user)
        ctx.update(
            campaign=campaign,
            phase=Phase(phase) if phase else None,
            steps=steps,
            todos=todos,
            open_todos=[t for t in todos if not t.done],
            assignments=roles.assignments(self.request.user),
            today=today,
        )
        return ctx


class CampaignListView(PermissionRequiredMixin, TemplateView):
    permission_required = "campaigns.manage_campaign"
    template_name = "campaigns/list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["campaigns"] = Campaign.objects.prefetch_related("deadlines")
        ctx["current"] = current_campaign()
        return ctx

    def post(self, request):
        year = request.POST.get("year", "")
        if not (year.isdecimal() and len(year) == 4) or not (2000 <= int(year) <= 2100):
            messages.error(request, "请输入有效的年度（例如 2027）。")
        elif Campaign.objects.filter(year=int(year)).exists():
            messages.error(request, f"{year} 年度活动已存在。")
        else:
            try:
                c = services.create_campaign(int(year), by=request.user)
            except ValidationError as exc:  # the same year created meanwhile (a double click)
                messages.error(request, "；".join(exc.messages))
                return redirect("campaigns:list")
            messages.success(request, f"已创建{c.title}，日期与截止时间为默认值，可在下方修改。")
            return redirect("campaigns:detail", pk=c.pk)
        return redirect("campaigns:list")


class CampaignMixin:
    def get_campaign(self):
        if not hasattr(self, "_campaign"):
            self._campaign = get_object_or_404(Campaign, pk=self.kwargs["pk"])
        return self._campaign


class CampaignDetailView(CampaignMixin, PermissionRequiredMixin, FormView):
    permission_required = "campaigns.manage_campaign"
    template_name = "campaigns/detail.html"
    form_class = ExtensionForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["campaign"] = self.get_campaign()
        return kwargs

    def form_valid(self, form):
        try:
            services.grant_extension(
                form.cleaned_data["deadline"],
                form.cleaned_data["organization"],
                form.cleaned_data["due_at"],
                form.cleaned_data["reason"],
                by=self.request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        messages.success(self.request, f"已为 {form.cleaned_data['organization']} 批准延期。")
        return redirect("campaigns:detail", pk=self.get_campaign().pk)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        c = self.get_campaign()
        ctx.update(
            campaign=c,
            deadlines=[(d, days_left(d.due_at)) for d in c.deadlines.all()],
            extensions=DeadlineExtension.objects.filter(deadline__campaign=c).select_related(
                "deadline", "organization", "granted_by"
            ),
            phase=c.current_phase,
            entries=history_for(c)[:20],
        )
        return ctx


class CampaignEditView(CampaignMixin, PermissionRequiredMixin, FormView):
    permission_required = "campaigns.manage_campaign"
    template_name = "campaigns/edit.html"
    form_class = CampaignForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.get_campaign()
        return kwargs

    def form_valid(self, form):
        data = {k: form.cleaned_data[k] for k in CampaignForm.Meta.fields}
        try:
            services.update_campaign(
                self.get_campaign(), data, by=self.request.user,
                expected_version=form.cleaned_data["version"], deadlines=form.deadlines(),
            )
        except StaleEdit as exc:
            form.add_error(None, str(exc))
            return self.form_invalid(form)
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        messages.success(self.request, "已保存活动设置。")
        return redirect("campaigns:detail", pk=self.get_campaign().pk)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["campaign"] = self.get_campaign()
        return ctx


class ExtensionRevokeView(PermissionRequiredMixin, View):
    permission_required = "campaigns.manage_campaign"

    def post(self, request, pk, ext_pk):
        ext = get_object_or_404(DeadlineExtension, pk=ext_pk, deadline__campaign_id=pk)
        services.revoke_extension(ext, by=request.user)
        messages.success(request, "已撤销延期。")
        return redirect("campaigns:detail", pk=pk)
