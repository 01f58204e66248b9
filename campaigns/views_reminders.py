"""Reminder pages for 组织部 and the notification list for everyone."""

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import FormView, TemplateView
from rules.contrib.views import PermissionRequiredMixin

from core.concurrency import StaleEdit
from core.params import QueryForm, SearchField, id_choice

from . import reminders, services
from .forms import ManualReminderForm, ReminderSettingsForm
from .models import SHANGHAI, Deadline, Notification, ReminderLog, ReminderStatus
from .views import CampaignMixin

PREVIEW_LIMIT = 200


class RemindersView(CampaignMixin, PermissionRequiredMixin, TemplateView):
    """Overview: the schedule, and a preview of what the next run will send."""

    permission_required = "campaigns.manage_reminders"
    template_name = "campaigns/reminders/overview.html"

    def preview_time(self):
        raw = self.request.GET.get("at", "")
        try:
            naive = dt.datetime.strptime(raw, "%Y-%m-%dT%H:%M")
        except ValueError:
            return timezone.now(), False
        return naive.replace(tzinfo=SHANGHAI), True

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        campaign = self.get_campaign()
        rsettings = reminders.settings_for(campaign)
        at, custom = self.preview_time()
        planned = reminders.plan_due(campaign, at) + reminders.plan_overdue(campaign, at)
        counts = dict.fromkeys(ReminderStatus.values, 0)
        for status in ReminderLog.objects.filter(deadline__campaign=campaign).values_list("status", flat=True):
            counts[status] += 1
        ctx.update(
            campaign=campaign,
            rsettings=rsettings,
            schedule=reminders.schedule(campaign, rsettings),
            planned=planned[:PREVIEW_LIMIT],
            planned_count=len(planned),
            preview_at=timezone.localtime(at, SHANGHAI),
            custom_time=custom,
            status_counts=[(ReminderStatus(s).label, s, n) for s, n in counts.items()],
        )
        return ctx


class ReminderLogFilterForm(QueryForm):
    status = forms.ChoiceField(choices=ReminderStatus.choices)
    deadline = id_choice(Deadline.objects.none())
    q = SearchField()

    def __init__(self, data, *, campaign):
        super().__init__(data)
        self.fields["deadline"].queryset = campaign.deadlines.all()


class ReminderLogView(CampaignMixin, PermissionRequiredMixin, TemplateView):
    permission_required = "campaigns.manage_reminders"
    template_name = "campaigns/reminders/log.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        campaign = self.get_campaign()
        qs = ReminderLog.objects.filter(deadline__campaign=campaign).select_related("recipient", "deadline")
        params = self.request.GET
        filters = ReminderLogFilterForm(params, campaign=campaign)
        if filters.get("status"):
            qs = qs.filter(status=filters.get("status"))
        if filters.get("deadline"):
            qs = qs.filter(deadline=filters.get("deadline"))
        if filters.get("q"):
            q = filters.get("q")
            qs = qs.filter(recipient__full_name__icontains=q) | qs.filter(organizations__icontains=q)
        page = Paginator(qs.order_by("-created_at", "-id"), 50).get_page(params.get("page"))
        ctx.update(campaign=campaign, page=page, rows=page.object_list, statuses=ReminderStatus.choices,
                   deadlines=campaign.deadlines.all(), params=params)
        return ctx


class ReminderSettingsView(CampaignMixin, PermissionRequiredMixin, FormView):
    permission_required = "campaigns.manage_reminders"
    template_name = "campaigns/reminders/settings.html"
    form_class = ReminderSettingsForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = reminders.settings_for(self.get_campaign())
        return kwargs

    def form_valid(self, form):
        try:
            services.update_reminder_settings(
                form.instance if form.instance.pk else reminders.settings_for(self.get_campaign()),
                form.settings_data(), by=self.request.user, expected_version=form.cleaned_data["version"],
            )
        except StaleEdit as exc:
            form.add_error(None, str(exc))
            return self.form_invalid(form)
        messages.success(self.request, "已保存提醒设置。")
        return redirect("campaigns:reminders", pk=self.get_campaign().pk)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["campaign"] = self.get_campaign()
        return ctx


class ManualReminderView(CampaignMixin, PermissionRequiredMixin, FormView):
    permission_required = "campaigns.manage_reminders"
    template_name = "campaigns/reminders/manual.html"
    form_class = ManualReminderForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["campaign"] = self.get_campaign()
        return kwargs

    def form_valid(self, form):
        n = services.send_manual_reminder(
            self.get_campaign(), form.cleaned_data["deadline"], list(form.cleaned_data["organizations"]),
            by=self.request.user, note=form.cleaned_data["note"].strip(),
        )
        if n:
            messages.success(self.request, f"已向 {n} 人发送提醒（邮件与站内通知）。")
        else:
            messages.info(self.request, "所选党组织在该截止事项下没有未完成的事项，未发送提醒。")
        return redirect("campaigns:reminder_log", pk=self.get_campaign().pk)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["campaign"] = self.get_campaign()
        return ctx


class NotificationListView(LoginRequiredMixin, TemplateView):
    template_name = "campaigns/notifications.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        qs = Notification.objects.filter(user=self.request.user).select_related("notice").only(
            "id", "title", "body", "url", "created_at", "read_at", "notice", "notice__actor_label", "notice__comment"
        )
        if self.request.GET.get("unread"):
            qs = qs.filter(read_at__isnull=True)
        page = Paginator(qs, 30).get_page(self.request.GET.get("page"))
        ctx.update(page=page, notifications=page.object_list, unread_only=bool(self.request.GET.get("unread")))
        return ctx


class NotificationOpenView(LoginRequiredMixin, View):
    """Mark one of your notifications read and follow its link."""

    def get(self, request, pk):
        notification = get_object_or_404(Notification, pk=pk, user=request.user)
        services.mark_notification_read(notification)
        url = notification.url or ""
        if not url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
            url = ""
        return redirect(url or "campaigns:notifications")


class NotificationReadView(LoginRequiredMixin, View):
    def post(self, request, pk):
        services.mark_notification_read(get_object_or_404(Notification, pk=pk, user=request.user))
        return redirect("campaigns:notifications")


class NotificationReadAllView(LoginRequiredMixin, View):
    def post(self, request):
        n = services.mark_all_notifications_read(request.user)
        messages.success(request, f"已将 {n} 条通知标为已读。")
        return redirect("campaigns:notifications")


class CurrentRemindersView(PermissionRequiredMixin, View):
    """The navigation bar's 「截止提醒」: the current campaign's reminder page."""

    permission_required = "campaigns.manage_reminders"

    def get(self, request):
        from .queries import current_campaign

        campaign = current_campaign()
        if campaign is None:
            return redirect("campaigns:list")
        return redirect("campaigns:reminders", pk=campaign.pk)
