from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from core.concurrency import StaleEdit
from organizations.models import Level

from .. import completeness, policy, queries, services
from ..forms import CommentForm, Form2HeaderForm, RowForm
from ..models import Form2, Form2Row, RowState, StandardKind
from .common import CampaignOrgMixin


def row_url(campaign, branch):
    return reverse("submissions:row", args=[campaign.pk, branch.pk])


def form2_url(campaign, college):
    return reverse("submissions:form2", args=[campaign.pk, college.pk])


class Form2View(CampaignOrgMixin, TemplateView):
    """The 院级 summary page: every branch's row with its state; header; submit."""

    permission_required = "submissions.view_form"
    template_name = "submissions/form2.html"

    def get_context_data(self, header_form=None, **kwargs):
        ctx = super().get_context_data(**kwargs)
        campaign, college = self.get_campaign(), self.get_org()
        form2, lines = queries.branch_rows(campaign, college)
        form2_obj = form2 or Form2(campaign=campaign, organization=college)
        actions = policy.FORM2.actions(self.request.user, form2_obj)
        rows_by_branch = {b.pk: r for b, r in lines if r}
        branches = [b for b, _ in lines]
        ctx.update(
            campaign=campaign, org=college, f=form2_obj, lines=lines, kind="form2", actions=actions,
            header_form=header_form or Form2HeaderForm(instance=form2_obj),
            can_manage=actions["save"],
            blockers=completeness.form2_blockers(form2_obj, branches, rows_by_branch),
            due=services.design_due(campaign, college),
            rows_blocked=bool(completeness.rows_blockers(branches, rows_by_branch)),
            n_ready=sum(1 for _, r in lines if r and r.state in {RowState.SUBMITTED, RowState.SKIPPED}),
            comment_form=CommentForm(),
        )
        return ctx

    def post(self, request, *args, **kwargs):
        campaign, college = self.get_campaign(), self.get_org()
        if not request.user.has_perm("submissions.edit_form", college):
            raise PermissionDenied("只有本院(处)级党组织书记/联系人可以提交汇总表。")
        form2 = Form2.objects.filter(campaign=campaign, organization=college).first()
        if form2 is None:
            why = policy.FORM2.reason("save", request.user, Form2(campaign=campaign, organization=college))
            if why:
                messages.error(request, why)
                return redirect(request.path)
            form2 = services.get_form2(campaign, college)
        header = Form2HeaderForm(request.POST, instance=form2)
        if not header.is_valid():
            return self.render_to_response(self.get_context_data(header_form=header))
        try:
            form2 = services.save_form2_header(
                form2, {k: header.cleaned_data[k].strip() for k in ("filler_name", "filler_phone")},
                by=request.user, expected_version=header.cleaned_data.get("version"),
            )
            if request.POST.get("action") == "submit":
                services.submit_form2(form2, by=request.user)
                messages.success(request, "附件2 汇总表已提交，等待组织部审核。")
            else:
                messages.success(request, "表头已保存。")
        except StaleEdit as exc:
            header.add_error(None, str(exc))
            return self.render_to_response(self.get_context_data(header_form=header), status=409)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        return redirect(request.path)


class RowView(CampaignOrgMixin, TemplateView):
    """One branch's row of 附件2 (the branch secretary, or the 院级 secretary for it)."""

    permission_required = "submissions.view_row"
    template_name = "submissions/row.html"
    org_level = Level.BRANCH
    org_kwarg = "branch"

    def setup_form(self, data=None):
        campaign, branch = self.get_campaign(), self.get_org()
        form2, rows = queries.form2_with_rows(campaign, branch.parent)
        self.form2 = form2
        form2 = form2 or Form2(campaign=campaign, organization=branch.parent)
        self.row = rows.get(branch.pk) or services.new_row(form2, branch)
        self.row.form = form2
        self.seven_items = completeness.standard_items(StandardKind.SEVEN)
        self.by_college = self.request.user.has_perm("submissions.manage_rows", branch)
        self.actions = policy.ROW.actions(self.request.user, self.row)
        self.can_edit = self.actions["save"]
        if not self.can_edit and self.request.user.has_perm("submissions.edit_row", branch):
            self.edit_block = policy.ROW.reason("save", self.request.user, self.row)
        return RowForm(data, instance=self.row, seven_items=self.seven_items)

    def get_context_data(self, form=None, **kwargs):
        ctx = super().get_context_data(**kwargs)
        if form is None:
            form = self.setup_form()
        campaign, branch = self.get_campaign(), self.get_org()
        ctx.update(
            campaign=campaign, org=branch, college=branch.parent, row=self.row, form=form, can_edit=self.can_edit,
            edit_block=getattr(self, "edit_block", ""), by_college=self.by_college,
            missing=completeness.row_missing(self.row), due=services.design_due(campaign, branch), actions=self.actions,
            seven_items=[(i, (self.row.self_assessment or {}).get(i.code, "")) for i in self.seven_items],
            form2=self.form2,
        )
        return ctx

    def post(self, request, *args, **kwargs):
        branch = self.get_org()
        if not request.user.has_perm("submissions.edit_row", branch):
            raise PermissionDenied("您只能填写本支部的信息。")
        form = self.setup_form(request.POST)
        if not form.is_valid():
            messages.error(request, "有内容不符合要求，请按红色提示修改。您填写的内容没有丢失。")
            return self.render_to_response(self.get_context_data(form=form))
        try:
            row = services.save_row(
                self.get_campaign(), branch, form.model_data(), by=request.user,
                expected_version=form.cleaned_data.get("version"),
            )
        except StaleEdit as exc:
            form.add_error(None, str(exc))
            return self.render_to_response(self.get_context_data(form=form), status=409)
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.render_to_response(self.get_context_data(form=form))
        if request.POST.get("action") == "submit":
            try:
                services.submit_row(row, by=request.user)
            except ValidationError as exc:
                messages.warning(request, "草稿已保存，但还不能报送：" + "；".join(exc.messages))
                return redirect(request.path)
            messages.success(request, "已报送院级党组织审核。")
        else:
            messages.success(request, "草稿已保存。")
        return redirect(request.path)


class RowActionView(CampaignOrgMixin, View):
    """院级 actions on a row: return it to the branch, or record why it is not taking part."""

    permission_required = "submissions.manage_rows"
    org_level = Level.BRANCH
    org_kwarg = "branch"
    action = None

    def post(self, request, *args, **kwargs):
        campaign, branch = self.get_campaign(), self.get_org()
        form = CommentForm(request.POST)
        if not form.is_valid():
            messages.error(request, "请填写意见或原因（不超过 500 字）。")
            return redirect(form2_url(campaign, branch.parent))
        comment = form.cleaned_data["comment"]
        try:
            if self.action == "return":
                row = Form2Row.objects.filter(form__campaign=campaign, branch=branch).first()
                if row is None:
                    raise ValidationError("该支部尚未填写，无需退回。")
                services.return_row(row, comment, by=request.user)
                messages.success(request, f"已将 {branch.name} 的信息退回修改。")
            else:
                services.skip_row(campaign, branch, comment, by=request.user)
                messages.success(request, f"已记录 {branch.name} 不参加的原因。")
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        return redirect(form2_url(campaign, branch.parent))
