"""Login and logout: the local form (django-axes protected) and 统一身份认证 (CAS, organizations/cas.py)."""

from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django_cas_ng.utils import get_service_url
from django_cas_ng.views import clean_sessions

from . import cas, roles

CAS_ONLY_MESSAGE = "本平台已启用学校统一身份认证，请点击“统一身份认证登录”。本地账号密码登录仅供组织部管理员使用。"


def local_login_restricted():
    return cas.enabled() and settings.CAS_LOCAL_LOGIN_ADMIN_ONLY


class PortalAuthenticationForm(AuthenticationForm):
    """The local form. With CAS_LOCAL_LOGIN_ADMIN_ONLY only 组织部管理员 (and technical superusers) pass."""

    cas_only = False

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if local_login_restricted() and not (user.is_superuser or roles.is_admin(user)):
            self.cas_only = True
            raise forms.ValidationError(CAS_ONLY_MESSAGE, code="cas_only")


class PortalLoginView(auth_views.LoginView):
    form_class = PortalAuthenticationForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        wants_local = self.request.GET.get("local") == "1" or self.request.POST.get("local") == "1"
        ctx.update(
            cas_enabled=cas.enabled(),
            show_local_form=not local_login_restricted() or wants_local,
            local_only_for_admins=local_login_restricted(),
        )
        return ctx


def _safe_next(request):
    target = request.GET.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return reverse(settings.LOGIN_REDIRECT_URL)


def problem(request, reason, identity=None, status=403):
    """The Chinese page for a CAS login that did not give a portal session."""
    ctx = {"reason": reason, "identity": identity, "contact": settings.CAS_HELP_CONTACT,
           "local_only_for_admins": local_login_restricted(),
           "retry_url": reverse("cas_login") + "?" + urlencode({"next": _safe_next(request)})}
    if reason in {"unmatched", "no_employee_id", "inactive"}:
        ctx["cas_logout_url"] = cas.client(request).get_logout_url(request.build_absolute_uri(reverse("login")))
    return render(request, "registration/cas_problem.html", ctx, status=status)


@method_decorator(csrf_exempt, name="dispatch")  # the CAS server's single sign-out POST carries no token
class CASLoginView(View):
    """GET without ticket: off to the CAS server. GET with ticket: validate, match by 工号, log in.

    POST: a single sign-out request from the CAS server (ends the portal session of that ticket)."""

    def dispatch(self, request, *args, **kwargs):
        if not cas.enabled():
            raise Http404("本平台未启用统一身份认证")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        next_page = _safe_next(request)
        if request.user.is_authenticated:
            return redirect(next_page)
        service = get_service_url(request, next_page)
        ticket = request.GET.get("ticket", "")
        try:
            if not ticket:
                cas.check_reachable(request)
                return redirect(cas.client(request, service).get_login_url())
            if len(ticket) > 1024:
                return problem(request, "invalid_ticket")
            user = cas.PortalCASBackend().authenticate(request, ticket=ticket, service=service)
        except cas.CASUnavailable:
            return problem(request, "unavailable", status=503)
        if user is None:
            outcome = getattr(request, "cas_outcome", None) or cas.Outcome("invalid_ticket")
            return problem(request, outcome.reason, outcome.identity)
        auth_login(request, user, backend=cas.BACKEND)
        cas.remember_ticket(request, ticket)
        return redirect(next_page)

    def post(self, request):
        if not request.POST.get("logoutRequest"):
            return HttpResponseBadRequest("缺少 logoutRequest", content_type="text/plain; charset=utf-8")
        clean_sessions(cas.client(request), request)
        return HttpResponse("ok", content_type="text/plain")


class PortalLogoutView(auth_views.LogoutView):
    """POST only. A session that came through CAS also ends the CAS session (CAS_LOGOUT_COMPLETELY)."""

    def post(self, request, *args, **kwargs):
        via_cas = cas.enabled() and cas.forget_ticket(request)
        if via_cas and settings.CAS_LOGOUT_COMPLETELY:
            auth_logout(request)
            back = request.build_absolute_uri(reverse("login"))
            if settings.CAS_ROOT_PROXIED_AS:
                back = settings.CAS_ROOT_PROXIED_AS.rstrip("/") + reverse("login")
            return redirect(cas.client(request).get_logout_url(back))
        return super().post(request, *args, **kwargs)
