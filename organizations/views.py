import hashlib
import uuid
from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import PasswordResetConfirmView
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse_lazy
from django.utils import timezone
from django.views import View
from django.views.generic import FormView, TemplateView
from rules.contrib.views import PermissionRequiredMixin

from audit import log as audit
from audit.log import field_labels, history_for
from core.concurrency import StaleEdit
from core.params import QueryForm

from . import queries, services
from .forms import ImportUploadForm, OrganizationForm
from .models import Organization, OrgType, Role
from .passwords import SetPasswordForm


class OrgTreeFilterForm(QueryForm):
    type = forms.ChoiceField(choices=OrgType.choices)


class PeopleFilterForm(QueryForm):
    role = forms.ChoiceField(choices=Role.choices)


class OrgTreeView(PermissionRequiredMixin, TemplateView):
    permission_required = "organizations.view_org_tree"
    template_name = "organizations/tree.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        filters = OrgTreeFilterForm(self.request.GET)
        show_inactive = self.request.GET.get("inactive") == "1"
        org_type = filters.get("type")
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
        role = PeopleFilterForm(self.request.GET).get("role")
        if role:
            qs = qs.filter(role_assignments__role=role).distinct()
        ctx.update(people=qs, roles=Role.choices, role=role, locked=queries.locked_usernames())
        return ctx


class EmployeeIdView(PermissionRequiredMixin, View):
    """组织部 sets or clears one account's 工号 from the accounts page (POST only)."""

    permission_required = "organizations.change_account"
    http_method_names = ["post"]

    def post(self, request, pk):
        from django.core.exceptions import ValidationError
        from django.utils.http import url_has_allowed_host_and_scheme

        from .models import User

        account = get_object_or_404(User, pk=pk)
        try:
            account = services.set_employee_id(account, request.POST.get("employee_id", ""), by=request.user,
                                               expected=request.POST.get("was"))
        except ValidationError as exc:
            messages.error(request, f"账号“{account.username}”的工号未修改：{'；'.join(exc.messages)}")
        else:
            if account.employee_id:
                messages.success(request, f"已将账号“{account.username}”的工号设为 {account.employee_id}。")
            else:
                messages.success(request, f"已清除账号“{account.username}”的工号。")
        back = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}) or not back.startswith("/"):
            back = reverse_lazy("organizations:people")
        return redirect(back)


# ---------------------------------------------------------------- spreadsheet import / export


def _xlsx_response(data, filename):
    from urllib.parse import quote

    from .exports import XLSX_CONTENT_TYPE

    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def _stamp():
    return timezone.localtime().strftime("%Y%m%d-%H%M")


class ImportTemplateView(PermissionRequiredMixin, View):
    permission_required = "organizations.import_orgs"

    def get(self, request):
        from .exports import template_workbook

        return _xlsx_response(template_workbook(), "党组织与账号导入模板.xlsx")


class OrgExportView(PermissionRequiredMixin, View):
    permission_required = "organizations.export_orgs"

    def get(self, request):
        from .exports import org_tree_workbook

        return _xlsx_response(org_tree_workbook(), f"党组织与账号-{_stamp()}.xlsx")


SESSION_IMPORTS = "org_imports"
SESSION_RESULTS = "org_import_results"
IMPORT_DIR = "imports"


def _pending(request, token):
    entry = request.session.get(SESSION_IMPORTS, {}).get(token)
    if entry is None:
        raise Http404("导入记录不存在或已过期")
    return entry


def _forget(request, token):
    imports = request.session.get(SESSION_IMPORTS, {})
    entry = imports.pop(token, None)
    request.session[SESSION_IMPORTS] = imports
    if entry:
        default_storage.delete(entry["name"])


def _purge_stale_uploads(max_age=timedelta(days=1)):
    """Delete uploads whose preview was abandoned (the session that knew them is gone or old)."""
    try:
        _, files = default_storage.listdir(IMPORT_DIR)
    except (FileNotFoundError, NotImplementedError):
        return
    cutoff = timezone.now() - max_age
    for name in files:
        path = f"{IMPORT_DIR}/{name}"
        try:
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
        except (FileNotFoundError, NotImplementedError):
            continue


def _load_sheets(entry):
    """The stored upload, checked against the hash taken at upload time, read again."""
    from .importing import ImportFileError, read_workbook

    try:
        with default_storage.open(entry["name"], "rb") as fh:
            data = fh.read()
    except (FileNotFoundError, OSError):
        raise ImportFileError("上传的文件已不存在，请重新上传。") from None
    if hashlib.sha256(data).hexdigest() != entry["sha256"]:
        raise ImportFileError("上传的文件在服务器上被改动过，请重新上传。")
    return read_workbook(data)


class ImportUploadView(PermissionRequiredMixin, FormView):
    permission_required = "organizations.import_orgs"
    template_name = "organizations/import_upload.html"
    form_class = ImportUploadForm

    def form_valid(self, form):
        from .importing import ImportFileError, read_workbook

        upload = form.cleaned_data["file"]
        data = upload.read()
        try:
            read_workbook(data)  # refuse a bad file before anything is stored
        except ImportFileError as exc:
            form.add_error("file", exc.message)
            return self.form_invalid(form)
        _purge_stale_uploads()
        token = uuid.uuid4().hex
        name = default_storage.save(f"{IMPORT_DIR}/{token}.xlsx", ContentFile(data))
        imports = self.request.session.get(SESSION_IMPORTS, {})
        for old in list(imports)[:-4]:  # keep the last few previews of this admin only
            default_storage.delete(imports.pop(old)["name"])
        imports[token] = {
            "name": name,
            "sha256": hashlib.sha256(data).hexdigest(),
            "original": upload.name[:200],
            "deactivate_absent": form.cleaned_data["deactivate_absent"],
            "revoke_absent": form.cleaned_data["revoke_absent"],
        }
        self.request.session[SESSION_IMPORTS] = imports
        return redirect("organizations:import_preview", token=token)


class ImportPreviewView(PermissionRequiredMixin, TemplateView):
    permission_required = "organizations.import_orgs"
    template_name = "organizations/import_preview.html"

    def get_context_data(self, **kwargs):
        from .importing import ImportFileError, plan_import

        ctx = super().get_context_data(**kwargs)
        entry = _pending(self.request, self.kwargs["token"])
        ctx.update(token=self.kwargs["token"], entry=entry)
        try:
            plan = plan_import(_load_sheets(entry), deactivate_absent=entry["deactivate_absent"],
                               revoke_absent=entry.get("revoke_absent", False))
        except ImportFileError as exc:
            ctx["file_error"] = exc.message
            return ctx
        ctx.update(plan=plan, digest=plan.digest())
        return ctx


class ImportApplyView(PermissionRequiredMixin, View):
    permission_required = "organizations.import_orgs"
    http_method_names = ["post"]

    def post(self, request, token):
        from .importing import ImportFileError, PlanChanged, apply_import

        if token in request.session.get(SESSION_RESULTS, {}):
            return redirect("organizations:import_result", token=token)  # a second click on 确认导入
        entry = _pending(request, token)
        try:
            result = apply_import(
                _load_sheets(entry), by=request.user, expected_digest=request.POST.get("digest", ""),
                deactivate_absent=entry["deactivate_absent"], revoke_absent=entry.get("revoke_absent", False),
                note=f"批量导入：{entry['original']}",
            )
        except (ImportFileError, PlanChanged) as exc:
            messages.error(request, exc.message)
            return redirect("organizations:import_preview", token=token)
        _forget(request, token)
        results = request.session.get(SESSION_RESULTS, {})
        results = dict(list(results.items())[-4:])
        results[token] = {
            "original": entry["original"],
            "created_orgs": result.created_orgs, "updated_orgs": result.updated_orgs,
            "deactivated_orgs": result.deactivated_orgs, "created_accounts": result.created_accounts,
            "updated_accounts": result.updated_accounts, "roles_added": result.roles_added,
            "deactivated_accounts": result.deactivated_accounts, "roles_revoked": result.roles_revoked,
        }
        request.session[SESSION_RESULTS] = results
        messages.success(request, "导入完成。")
        return redirect("organizations:import_result", token=token)


class ActivationLinksMixin(PermissionRequiredMixin):
    permission_required = "organizations.import_orgs"

    def links(self, user_ids=None):
        """(username, full name, absolute one-time link) of accounts still without a password.

        Links are computed on request, never stored: a link stops working once its password is set."""
        from .importing import activation_path, pending_activation

        return [
            (u.username, u.full_name, self.request.build_absolute_uri(activation_path(u)))
            for u in pending_activation(user_ids)
        ]


class ImportResultMixin(ActivationLinksMixin):
    def get_result(self):
        result = self.request.session.get(SESSION_RESULTS, {}).get(self.kwargs["token"])
        if result is None:
            raise Http404("导入结果不存在或已过期")
        return result


class ImportResultView(ImportResultMixin, TemplateView):
    template_name = "organizations/import_result.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        result = self.get_result()
        ctx.update(result=result, links=self.links(result["created_accounts"]), token=self.kwargs["token"],
                   link_days=settings.PASSWORD_RESET_TIMEOUT // 86400)
        return ctx


class ImportLinksDownloadView(ImportResultMixin, View):
    def get(self, request, token):
        from .exports import activation_links_workbook

        links = self.links(self.get_result()["created_accounts"])
        return _xlsx_response(activation_links_workbook(links), f"新账号激活链接-{_stamp()}.xlsx")


class PendingActivationView(ActivationLinksMixin, TemplateView):
    """Every account that has not set its password yet, with a fresh link (e.g. the first one expired)."""

    template_name = "organizations/pending_activation.html"

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") == "xlsx":
            from .exports import activation_links_workbook

            return _xlsx_response(activation_links_workbook(self.links()), f"待激活账号-{_stamp()}.xlsx")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(links=self.links(), link_days=settings.PASSWORD_RESET_TIMEOUT // 86400)
        return ctx


class ActivateAccountView(PasswordResetConfirmView):
    """The one-time link a new account gets: set a password, then log in. Reachable without login."""

    template_name = "registration/activate.html"
    form_class = SetPasswordForm
    success_url = reverse_lazy("login")
    post_reset_login = False

    @property
    def token_generator(self):
        from .importing import activation_tokens

        return activation_tokens

    def form_valid(self, form):
        response = super().form_valid(form)
        audit.record(form.user, form.user, "update", {"password": ["未设置", "已设置"]}, note="通过激活链接设置密码")
        messages.success(self.request, "密码已设置，请用新密码登录。该激活链接已失效。")
        return response


# ---------------------------------------------------------------- accounts (组织部)


class AccountMixin(PermissionRequiredMixin):
    permission_required = "organizations.manage_accounts"

    def get_account(self):
        if not hasattr(self, "_account"):
            from .models import User

            self._account = get_object_or_404(User, pk=self.kwargs["pk"])
        return self._account


def _account_history(user, n=30):
    """The account's own audit entries and those of its role assignments, newest first: 3 queries."""
    from audit.log import history_for_many

    from .models import RoleAssignment

    mine = list(history_for(user)[:n])
    ra_ids = list(RoleAssignment.objects.filter(user=user).values_list("pk", flat=True))
    mine += list(history_for_many(RoleAssignment, ra_ids)[:n]) if ra_ids else []
    return sorted(mine, key=lambda e: (e.at, e.pk), reverse=True)[:n]


class AccountCreateView(AccountMixin, FormView):
    template_name = "organizations/account_form.html"

    def get_form_class(self):
        from .forms import AccountForm

        return AccountForm

    def form_valid(self, form):
        try:
            user = services.create_account(form.cleaned_data, by=self.request.user)
        except services.AccountError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        messages.success(self.request, f"已创建账号 {user.username}。请为其分配角色，并生成设置密码链接转交本人。")
        return redirect("organizations:account", pk=user.pk)


class AccountView(AccountMixin, FormView):
    """One account: its details (editable), roles (add / revoke), status, lockout and password link."""

    template_name = "organizations/account.html"

    def get_form_class(self):
        from .forms import AccountForm

        return AccountForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["editing"] = True
        return kwargs

    def get_initial(self):
        u = self.get_account()
        return {"full_name": u.full_name, "email": u.email, "phone": u.phone}

    def get_context_data(self, **kwargs):
        from .forms import RoleForm

        ctx = super().get_context_data(**kwargs)
        u = self.get_account()
        ctx.update(
            account=u, role_form=RoleForm(),
            assignments=u.role_assignments.select_related("organization").order_by("-is_active", "role"),
            locked=u.username in queries.locked_usernames([u.username]),
            never_set=not u.has_usable_password(), entries=_account_history(u), field_labels=field_labels(type(u)),
        )
        return ctx

    def form_valid(self, form):
        try:
            services.update_account(self.get_account(), form.cleaned_data, by=self.request.user)
        except services.AccountError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        messages.success(self.request, "已保存账号信息。")
        return redirect("organizations:account", pk=self.get_account().pk)


class AccountActionView(AccountMixin, View):
    """POST only. Each action is one service call; a refusal becomes a message and changes nothing."""

    http_method_names = ["post"]
    ACTIONS = {"deactivate", "reactivate", "password_link", "password_email", "unlock", "add_role", "revoke_role"}

    def post(self, request, pk, action):
        from django.shortcuts import render

        from .forms import RoleForm
        from .models import RoleAssignment

        if action not in self.ACTIONS:
            raise Http404
        u = self.get_account()
        by = request.user
        try:
            if action == "deactivate":
                services.set_account_active(u, False, by=by, reason=request.POST.get("reason", ""))
                messages.success(request, f"已停用账号 {u.username}：该账号不能再登录，其填报和操作记录保留。")
            elif action == "reactivate":
                services.set_account_active(u, True, by=by)
                messages.success(request, f"已恢复账号 {u.username}。")
            elif action == "password_link":
                path = services.password_link(u, by=by)
                # shown once, in this response only: never stored, never put in a message or the log
                return render(request, "organizations/password_link.html", {
                    "account": u, "link": request.build_absolute_uri(path),
                    "link_days": settings.PASSWORD_RESET_TIMEOUT // 86400,
                })
            elif action == "password_email":
                services.email_password_link(u, by=by)
                messages.success(request, f"设置密码链接已发送到 {u.email}。")
            elif action == "unlock":
                n = services.unlock_account(u, by=by)
                messages.success(request, "已解除锁定，该账号可以立即重新登录。" if n else "该账号当前未被锁定；已清除其登录失败记录。")
            elif action == "add_role":
                form = RoleForm(request.POST)
                if not form.is_valid():
                    messages.error(request, "请选择有效的角色和党组织。")
                else:
                    services.add_role(u, form.cleaned_data["role"], form.cleaned_data["organization"], by=by)
                    messages.success(request, "已添加角色。")
            elif action == "revoke_role":
                ra = get_object_or_404(RoleAssignment, pk=request.POST.get("assignment") if str(request.POST.get("assignment", "")).isdigit() else 0, user=u)
                services.revoke_role(ra, by=by)
                messages.success(request, f"已撤销角色：{ra}。")
        except services.AccountError as exc:
            messages.error(request, "；".join(exc.messages))
        return redirect("organizations:account", pk=u.pk)
