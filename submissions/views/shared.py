from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView
from rules.contrib.views import PermissionRequiredMixin

from campaigns.models import Campaign
from campaigns.queries import current_campaign
from audit.log import field_labels, history_for, history_for_many
from core.http import file_response
from core.params import QueryForm, id_choice
from organizations import roles
from organizations.models import OrgType

from .. import pdf, queries, render, services
from ..forms import ReviewForm, ScanForm
from ..models import Form2Row, FormState
from ..uploads import size_error
from .common import FORM_MODELS, FORM_TITLES, CurrentCampaignView, FormKindMixin
from .uploading import CappedUploadMixin


def form_url(kind, form):
    return reverse(f"submissions:{kind}", args=[form.campaign_id, form.organization_id])


class ReviewView(FormKindMixin, View):
    """组织部: accept, return (with comment) or reopen a submitted form."""

    permission_required = "submissions.review_form"

    def post(self, request, *args, **kwargs):
        kind, obj = self.get_kind(), self.get_form_object()
        form = ReviewForm(request.POST)
        if not form.is_valid():
            messages.error(request, "审核操作无效，请重试。")
            return redirect(form_url(kind, obj))
        decision, comment = form.cleaned_data["decision"], form.cleaned_data["comment"]
        try:
            if decision == "accept":
                services.accept_form(obj, by=request.user, comment=comment)
                messages.success(request, f"{obj.organization}：{FORM_TITLES[kind]} 已审核通过。")
            elif decision == "return":
                services.return_form(obj, comment, by=request.user)
                messages.success(request, f"{obj.organization}：{FORM_TITLES[kind]} 已退回修改，对方将在首页看到您的意见。")
            else:
                services.reopen_form(obj, by=request.user, comment=comment)
                messages.success(request, f"{obj.organization}：{FORM_TITLES[kind]} 已重新开放编辑。")
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        return redirect(form_url(kind, obj))


class PdfView(FormKindMixin, View):
    permission_required = "submissions.view_form"

    def get(self, request, *args, **kwargs):
        kind = self.get_kind()
        obj = self.get_form_object(required=False)
        if obj is None:
            raise Http404("尚未填写，无法生成 PDF。")
        data = pdf.form_pdf(kind, obj)
        label = "附件1" if kind == "form1" else "附件2"
        return pdf.pdf_response(data, pdf.document_filename(obj.campaign, obj.organization, label))


class ScanUploadView(CappedUploadMixin, FormKindMixin, View):
    """Session, permission and size are checked before the body is stored (CappedUploadMixin)."""

    permission_required = "submissions.edit_form"

    def purpose_for(self, request, **kwargs):
        return "scan"

    def post(self, request, *args, **kwargs):
        kind, obj = self.get_kind(), self.get_form_object()
        if self.upload_too_large():
            messages.error(request, size_error("scan"))
            return redirect(form_url(kind, obj))
        form = ScanForm(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, "请选择要上传的扫描件。")
            return redirect(form_url(kind, obj))
        try:
            services.attach_scan(obj, form.cleaned_data["file"], by=request.user)
            messages.success(request, "盖章扫描件已上传。")
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        return redirect(form_url(kind, obj))


class ScanDownloadView(FormKindMixin, View):
    permission_required = "submissions.view_form"

    def get(self, request, *args, **kwargs):
        obj = self.get_form_object()
        if not obj.scan:
            raise Http404
        return file_response(request, obj.scan, filename=obj.scan_name or "扫描件", as_attachment=True)


class LogoView(FormKindMixin, View):
    permission_required = "submissions.view_form"

    def get(self, request, *args, **kwargs):
        obj = self.get_form_object()
        if self.get_kind() != "form1" or not obj.logo:
            raise Http404
        return file_response(request, obj.logo)


class HistoryView(FormKindMixin, TemplateView):
    permission_required = "submissions.view_form"
    template_name = "submissions/history.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        kind, obj = self.get_kind(), self.get_form_object()
        entries = list(history_for(obj))
        labels = field_labels(FORM_MODELS[kind])
        if kind == "form2":
            row_ids = Form2Row.objects.filter(form=obj).values_list("pk", flat=True)
            entries.extend(history_for_many(Form2Row, list(row_ids)))
            entries.sort(key=lambda e: (e.at, e.id), reverse=True)
            labels.update(field_labels(Form2Row))
        ctx.update(f=obj, kind=kind, title=FORM_TITLES[kind], entries=entries, field_labels=labels,
                   campaign=self.get_campaign(), org=self.get_org())
        return ctx


class ProgressFilterForm(QueryForm):
    campaign = id_choice(Campaign.objects.all())
    type = forms.ChoiceField()
    state = forms.ChoiceField()

    def __init__(self, data, *, org_types, states):
        super().__init__(data)
        self.fields["type"].choices = org_types
        self.fields["state"].choices = states


class ProgressView(PermissionRequiredMixin, TemplateView):
    """组织部: every 院级 org's 附件1/附件2 state; filter by org type and state."""

    permission_required = "submissions.view_progress"
    template_name = "submissions/progress.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        org_types = [c for c in OrgType.choices if c[0] in {"college_committee", "general_branch", "direct_branch", "organ_committee", "retired_committee"}]
        states = [("not_started", "未开始")] + list(FormState.choices)
        filters = ProgressFilterForm(self.request.GET, org_types=org_types, states=states)
        campaign = filters.get("campaign") or current_campaign()
        org_type = filters.get("type")
        state = filters.get("state")
        lines = queries.progress(campaign, org_type=org_type, state=state) if campaign else []
        # the table's rows as HTML built in Python (submissions.render: the same markup as the loop was)
        rows = render.progress_rows(lines, campaign, dict(OrgType.choices))
        summary = {}
        for key in ("form1_state", "form2_state"):
            counts = {}
            for line in lines:
                counts[line[key]] = counts.get(line[key], 0) + 1
            summary[key] = counts
        ctx.update(
            campaign=campaign, campaigns=Campaign.objects.all(), lines=lines, rows=rows, summary=summary,
            org_types=org_types, states=states, org_type=org_type, state=state,
        )
        return ctx


class MyFormRedirectView(CurrentCampaignView):
    """Navigation shortcut: "我的附件1/附件2/本支部特色" for the current campaign."""

    def go(self, request, campaign, kind):
        if kind in {"form1", "form2"}:
            orgs = roles.college_ids(request.user)
            if not orgs:
                raise PermissionDenied("您不是院(处)级党组织书记/联系人。")
            return redirect(f"submissions:{kind}", campaign.pk, sorted(orgs)[0])
        if kind == "row":
            branches = roles.branch_ids(request.user)
            if not branches:
                raise PermissionDenied("您不是党支部书记。")
            return redirect("submissions:row", campaign.pk, sorted(branches)[0])
        raise Http404


class CurrentCampaignRedirectView(CurrentCampaignView):
    """/submissions/current/<name>/ → the same page for the current campaign."""

    target = None

    def go(self, request, campaign):
        return redirect(self.target, campaign.pk)


class StandardsView(PermissionRequiredMixin, TemplateView):
    """组织部 edits the wording of "五个到位" / "七个有力" (reference data; every change audited)."""

    permission_required = "submissions.edit_standards"
    template_name = "submissions/standards.html"

    def get_formset(self, data=None):
        from django.forms import modelformset_factory

        from ..models import StandardItem

        formset_class = modelformset_factory(StandardItem, fields=["name", "description", "sort_order", "is_active"], extra=0)
        return formset_class(data, queryset=StandardItem.objects.order_by("kind", "sort_order"))

    def get_context_data(self, formset=None, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["formset"] = formset or self.get_formset()
        return ctx

    def post(self, request):
        formset = self.get_formset(request.POST)
        if not formset.is_valid():
            messages.error(request, "有内容不符合要求，请修改后再保存。")
            return self.render_to_response(self.get_context_data(formset=formset))
        n = services.save_standards(formset, by=request.user)
        messages.success(request, f"已保存（修改 {n} 项）。")
        return redirect("submissions:standards")
