"""统一身份认证 (CAS) single sign-on beside the local accounts, on top of django-cas-ng.

Off unless ``settings.CAS_SERVER_URL`` is set. A CAS login is matched to a portal account by
工号 (``User.employee_id``): the CAS attribute named by ``CAS_EMPLOYEE_ID_ATTRIBUTE``, or the
CAS user name when that setting is empty. Roles always come from the portal; nothing CAS sends
changes a role, a group or a staff/superuser flag. An unmatched 工号 gets no account unless
``CAS_CREATE_USERS`` is set, and then one without any role.
"""

import logging
from dataclasses import dataclass
from xml.etree.ElementTree import ParseError

import requests
from django.conf import settings
from django.db import IntegrityError, transaction
from django_cas_ng.models import SESSION_KEY_MAXLENGTH, SessionTicket
from django_cas_ng.utils import get_cas_client

from audit import log as audit

from .backends import PortalModelBackend
from .models import User, employee_id_validator

log = logging.getLogger(__name__)

BACKEND = "organizations.cas.PortalCASBackend"


def enabled():
    return bool(settings.CAS_SERVER_URL)


class CASUnavailable(Exception):
    """The CAS server could not be reached, or answered something that is not CAS."""


class _TimeoutSession(requests.Session):
    def request(self, *args, **kwargs):
        kwargs.setdefault("timeout", settings.CAS_TIMEOUT)
        return super().request(*args, **kwargs)


def http_session():
    """The HTTP session django-cas-ng validates tickets with: never waits longer than CAS_TIMEOUT."""
    return _TimeoutSession()


def client(request, service_url=None):
    return get_cas_client(service_url=service_url, request=request)


def check_reachable(request):
    """Raise CASUnavailable unless the CAS server answers (a status below 500) within CAS_TIMEOUT.

    Asked before sending the browser there, so that a CAS outage gives the portal's own Chinese
    page instead of the browser's "无法访问此网站"."""
    try:
        response = http_session().get(client(request).get_login_url(), allow_redirects=False,
                                      verify=settings.CAS_VERIFY_SSL_CERTIFICATE)
    except requests.RequestException as exc:
        log.warning("CAS server %s unreachable: %s", settings.CAS_SERVER_URL, exc)
        raise CASUnavailable(str(exc)) from exc
    if response.status_code >= 500:  # e.g. the campus proxy in front of a CAS server that is down
        log.warning("CAS server %s answers HTTP %s", settings.CAS_SERVER_URL, response.status_code)
        raise CASUnavailable(f"HTTP {response.status_code}")


@dataclass
class Identity:
    """Who the CAS server says the person is."""

    cas_user: str
    employee_id: str
    display_name: str


@dataclass
class Outcome:
    """Why a valid-looking CAS login did not give a portal session (for the page the user sees)."""

    reason: str  # invalid_ticket | no_employee_id | unmatched | inactive
    identity: Identity | None = None


def _first(value):
    if isinstance(value, (list, tuple)):
        value = value[0] if value else ""
    return "" if value is None else str(value).strip()


def identity_from(cas_user, attributes):
    attributes = attributes or {}
    name_attr = settings.CAS_DISPLAY_NAME_ATTRIBUTE
    id_attr = settings.CAS_EMPLOYEE_ID_ATTRIBUTE
    employee_id = _first(attributes.get(id_attr)) if id_attr else _first(cas_user)
    return Identity(cas_user=_first(cas_user), employee_id=employee_id[:64],
                    display_name=_first(attributes.get(name_attr))[:30] if name_attr else "")


def _new_username(identity):
    base = f"cas-{identity.employee_id}"[:150]
    username, n = base, 1
    while User.objects.filter(username=username).exists():
        n += 1
        username = f"{base[:140]}-{n}"
    return username


@transaction.atomic
def create_account(identity):
    """CAS_CREATE_USERS: a new account for an unmatched 工号, with no role and no usable password."""
    user = User(username=_new_username(identity), employee_id=identity.employee_id, full_name=identity.display_name)
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    audit.record(None, user, "create", audit.diff({}, audit.snapshot(user, fields=["username", "full_name", "employee_id"])),
                 note=f"统一身份认证首次登录自动创建（CAS 用户 {identity.cas_user}），未分配角色")
    return user


def account_for(identity):
    """The portal account of this 工号 (created without roles if CAS_CREATE_USERS), or an Outcome."""
    try:
        employee_id_validator(identity.employee_id)
    except Exception:  # empty, or not a 工号 this portal can store
        return Outcome("no_employee_id", identity)
    user = User.objects.filter(employee_id=identity.employee_id).first()
    if user is None and settings.CAS_CREATE_USERS:
        try:
            user = create_account(identity)
        except IntegrityError:  # a concurrent first login of the same person created it
            user = User.objects.filter(employee_id=identity.employee_id).first()
    if user is None:
        return Outcome("unmatched", identity)
    if not user.is_active:
        return Outcome("inactive", identity)
    return user


class PortalCASBackend(PortalModelBackend):
    """Validates a service ticket with the CAS server and returns the matched portal account.

    The reason of a refusal is left on ``request.cas_outcome``. Connection problems raise
    CASUnavailable (the caller shows a page; nobody is logged in)."""

    def authenticate(self, request, ticket=None, service=None):
        if not (enabled() and ticket and service):
            return None
        try:
            cas_user, attributes, _pgtiou = client(request, service).verify_ticket(ticket)
        except (requests.RequestException, ParseError) as exc:
            log.warning("CAS ticket validation failed at %s: %s", settings.CAS_SERVER_URL, exc)
            raise CASUnavailable(str(exc)) from exc
        if not cas_user:  # refused by the CAS server: unknown, already used, expired, other service
            request.cas_outcome = Outcome("invalid_ticket")
            return None
        found = account_for(identity_from(cas_user, attributes))
        if isinstance(found, Outcome):
            request.cas_outcome = found
            return None
        return found


def remember_ticket(request, ticket):
    """Tie the CAS ticket to this portal session, so a single sign-out request can end it."""
    if not request.session.session_key:
        request.session.save()
    SessionTicket.objects.update_or_create(session_key=request.session.session_key[:SESSION_KEY_MAXLENGTH], defaults={"ticket": ticket})


def forget_ticket(request):
    """True if this session had come through CAS (its ticket record is removed)."""
    key = request.session.session_key
    if not key:
        return False
    deleted, _ = SessionTicket.objects.filter(session_key=key[:SESSION_KEY_MAXLENGTH]).delete()
    return bool(deleted)


class CasFormActionMiddleware:
    """With 统一身份认证 on, pages may send a form (退出登录) that redirects to the CAS server: the CSP's
    form-action (otherwise 'self' only) must allow the CAS server's origin, or the browser aborts the logout."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        server = getattr(settings, "CAS_SERVER_URL", None)
        if server:
            from urllib.parse import urlsplit

            parts = urlsplit(server)
            update = dict(getattr(response, "_csp_update", None) or {})
            update["form-action"] = [*update.get("form-action", []), f"{parts.scheme}://{parts.netloc}"]
            response._csp_update = update
        return response
