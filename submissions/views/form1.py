from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.views import View
from django.views.generic import TemplateView

from core.concurrency import StaleEdit

from .. import completeness, policy, services
from ..forms import Form1Form
from ..models import BrandChoice, Form1, StandardKind
from .common import CampaignOrgMixin


class Form1View(CampaignOrgMixin, TemplateView):
    """附件1: edit (college secretary, while open) or read (admin, approver, or after submission)."""

    permission_required = "submissions.view_form"
    template_name = "submissions/form1.html"

    def setup_form(self, data=None, files=None):
        campaign, org = self.get_campaign(), self.get_org()
        self.form_obj = services.get_form1(campaign, org)
        self.five_items = completeness.standard_items(StandardKind.FIVE)
        self.actions = policy.FORM1.actions(self.request.user, self.form_obj)
        self.can_edit = self.actions["save"]
        return Form1Form(data, files, instance=self.form_obj, five_items=self.five_items)

    def get_context_data(self, form=None, **kwargs):
        ctx = super().get_context_data(**kwargs)
        if form is None:
            form = self.setup_form()
        campaign, org = self.get_campaign(), self.get_org()
        ctx.update(
            campaign=campaign, org=org, f=self.form_obj, form=form, can_edit=self.can_edit, actions=self.actions,
            missing=completeness.form1_missing(self.form_obj, self.five_items),
            five_items=[(i, (self.form_obj.self_assessment or {}).get(i.code, "")) for i in self.five_items],
            due=services.design_due(campaign, org), kind="form1",
            **self._brand_context(campaign, org),
            window_error=self._window_error(),
            read_sections=[
                (Form1._meta.get_field(n).verbose_name, getattr(self.form_obj, n))
                for n in ("foundation", "honours", "connotation", "goals", "measures", "schedule", "expected_results", "guarantees")
            ],
        )
        return ctx

    def _brand_context(self, campaign, org):
        """The 继续培育/新创品牌 panel and the "沿用上一年度" notice."""
        f = self.form_obj
        continued = f.previous if f.previous_id else None
        offer = self.actions["choose_brand"]
        candidate = services.previous_form1(campaign, org) if offer or continued is None else continued
        return dict(
            brand_choices=BrandChoice, previous_form1=continued or candidate, can_choose_brand=offer,
            carried_fields=services.carried_form1_fields(f, continued) if f.is_editable_state else [],
        )

    def _window_error(self):
        return policy.FORM1.window_reason("save", self.request.user, self.form_obj) or ""

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm("submissions.edit_form", self.get_org()):
            raise PermissionDenied("只有本院(处)级党组织书记/联系人可以填写附件1。")
        form = self.setup_form(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, "有内容不符合要求，请按红色提示修改。您填写的内容没有丢失。")
            return self.render_to_response(self.get_context_data(form=form))
        action = request.POST.get("action", "save")
        try:
            saved = services.save_form1(
                self.get_campaign(), self.get_org(), form.model_data(), by=request.user,
                expected_version=form.cleaned_data.get("version"), logo=form.cleaned_data.get("logo_upload"),
            )
        except StaleEdit as exc:
            form.add_error(None, str(exc))
            return self.render_to_response(self.get_context_data(form=form), status=409)
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.render_to_response(self.get_context_data(form=form))
        if action == "submit":
            try:
                services.submit_form1(saved, by=request.user)
            except ValidationError as exc:
                messages.warning(request, "草稿已保存，但还不能提交：" + "；".join(exc.messages))
                return redirect(request.path)
            messages.success(request, "附件1 已提交，等待组织部审核。提交后内容为只读，如需修改请联系组织部退回。")
        else:
            messages.success(request, "草稿已保存。")
        return redirect(request.path)


class BrandChoiceView(CampaignOrgMixin, View):
    """POST: the org's choice for this year's brand, 继续培育 (上一年度品牌) or 新创品牌 (services.choose_brand)."""

    permission_required = "submissions.edit_form"

    def post(self, request, *args, **kwargs):
        campaign, org = self.get_campaign(), self.get_org()
        choice = request.POST.get("choice", "")
        try:
            services.choose_brand(campaign, org, choice, by=request.user, expected_version=request.POST.get("version"))
        except StaleEdit as exc:
            messages.error(request, str(exc))
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            if choice == BrandChoice.CONTINUE:
                messages.success(request, "已选择“继续培育”：已沿用上一年度附件1 的内容（您已填写的内容未被覆盖），"
                                          "各支部的“一支部一特色”信息也已沿用上一年度，请根据本年度情况修改。")
            else:
                messages.success(request, "已选择“新创品牌”，请填写新品牌的申报内容。")
        return redirect("submissions:form1", campaign.pk, org.pk)
