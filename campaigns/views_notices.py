"""通知设置: each person chooses e-mail on or off per notice kind (in-portal notices are always on)."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect
from django.views.generic import TemplateView

from . import notices


class NoticeSettingsView(LoginRequiredMixin, TemplateView):
    template_name = "campaigns/notice_settings.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["rows"] = notices.preferences(self.request.user)
        ctx["has_email"] = bool(self.request.user.email)
        return ctx

    def post(self, request):
        wanted = {code: f"email_{code}" in request.POST for code in notices.KINDS}
        changes = notices.set_preferences(request.user, wanted, by=request.user)
        if changes:
            messages.success(request, f"已保存通知设置（{len(changes)} 项有变化）。站内通知始终保留。")
        else:
            messages.info(request, "通知设置没有变化。")
        return redirect("campaigns:notice_settings")
