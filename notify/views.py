"""组织部's pages: the group robots (add, edit, send a test message) and the delivery log."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.views import View
from django.views.generic import FormView, TemplateView
from rules.contrib.views import PermissionRequiredMixin

from core.concurrency import StaleEdit

from . import crypto, platforms, queries, services
from .forms import RobotForm
from .models import Channel, Delivery, DeliveryStatus, Robot


class ChannelsView(PermissionRequiredMixin, TemplateView):
    permission_required = "notify.manage_channels"
    template_name = "notify/channels.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        try:
            crypto.encrypt("check")
            key_problem = ""
        except crypto.KeyMissing as exc:
            key_problem = str(exc)
        corp = settings.WECOM_CORP_ID
        ctx.update(
            robots=list(queries.robots()),
            key_problem=key_problem,
            key_from_env=bool(settings.NOTIFY_ENCRYPTION_KEY),
            wecom_app=platforms.wecom_app_configured(),
            wecom_corp=(corp[:4] + "…" + corp[-2:]) if len(corp) > 8 else ("已设置" if corp else ""),
            wecom_agent=settings.WECOM_AGENT_ID,
            wecom_userid_field=settings.WECOM_USERID_FIELD,
            my_userid=services.wecom_userid(self.request.user),
        )
        return ctx


class RobotFormMixin(PermissionRequiredMixin):
    permission_required = "notify.manage_channels"
    template_name = "notify/robot_form.html"
    form_class = RobotForm
    robot = None

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["robot"] = self.robot
        return kwargs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["robot"] = self.robot
        return ctx


class RobotCreateView(RobotFormMixin, FormView):
    def form_valid(self, form):
        try:
            robot = services.create_robot(form.robot_data(), by=self.request.user)
        except crypto.KeyMissing as exc:
            form.add_error(None, str(exc))
            return self.form_invalid(form)
        messages.success(self.request, f"已添加群机器人「{robot.name}」。建议点击“发送测试消息”确认群里能收到。")
        return redirect("notify:channels")


class RobotEditView(RobotFormMixin, FormView):
    def dispatch(self, request, *args, **kwargs):
        self.robot = get_object_or_404(Robot, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            services.update_robot(self.robot, form.robot_data(), by=self.request.user,
                                  expected_version=form.cleaned_data.get("version") or 0)
        except (StaleEdit, crypto.KeyMissing) as exc:
            form.add_error(None, str(exc))
            return self.form_invalid(form)
        messages.success(self.request, f"已保存群机器人「{self.robot.name}」。")
        return redirect("notify:channels")


def _report(request, row, what):
    if row is None:
        messages.error(request, "未能记录测试消息。")
    elif row.status == DeliveryStatus.SENT:
        messages.success(request, f"测试消息已发送到{what}，请在企业微信/钉钉中查看。")
    elif row.status == DeliveryStatus.CANCELLED:
        messages.warning(request, f"未发送：{row.error}")
    else:
        messages.error(request, f"测试消息发送失败：{row.error}")


class RobotTestView(PermissionRequiredMixin, View):
    permission_required = "notify.manage_channels"

    def post(self, request, pk):
        robot = get_object_or_404(Robot, pk=pk)
        _report(request, services.send_test(robot, by=request.user), f"「{robot.name}」")
        return redirect("notify:channels")


class AppTestView(PermissionRequiredMixin, View):
    permission_required = "notify.manage_channels"

    def post(self, request):
        if not platforms.wecom_app_configured():
            messages.error(request, "服务器未配置企业微信应用（WECOM_CORP_ID / WECOM_AGENT_ID / WECOM_APP_SECRET）。")
            return redirect("notify:channels")
        _report(request, services.send_app_test(by=request.user), "您的企业微信")
        return redirect("notify:channels")


class DeliveryLogView(PermissionRequiredMixin, TemplateView):
    permission_required = "notify.view_deliveries"
    template_name = "notify/deliveries.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        params = self.request.GET
        clean = {
            "channel": params.get("channel") if params.get("channel") in Channel.values else "",
            "status": params.get("status") if params.get("status") in DeliveryStatus.values else "",
            "robot": params.get("robot", "") if params.get("robot", "").isdigit() else "",
            "q": params.get("q", "")[:50],
        }
        page = Paginator(queries.deliveries(clean), 50).get_page(params.get("page"))
        ctx.update(page=page, rows=page.object_list, params=clean, channels=Channel.choices,
                   statuses=DeliveryStatus.choices, robots=Robot.objects.order_by("name"))
        return ctx


class DeliveryRetryView(PermissionRequiredMixin, View):
    permission_required = "notify.manage_channels"

    def post(self, request, pk):
        row = get_object_or_404(Delivery, pk=pk)
        if services.retry_delivery(row, by=request.user):
            messages.success(request, "已重新排队发送。")
        else:
            messages.info(request, "只有“发送失败”的记录可以重新发送。")
        return redirect("notify:deliveries")
