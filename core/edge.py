"""Guards at the edge of every request.

- `RejectNulMiddleware`: a NUL byte (which PostgreSQL refuses in text, and which no form on the portal
  accepts) in the path, the query string or a url-encoded form body is answered 400 with a Chinese page
  before any view reads it. Multipart bodies are not parsed here (the upload views set their own upload
  handlers); their text fields are stripped of NUL when the view first reads them.
- `DatabaseUnavailableMiddleware` (+ `server_error`, the handler500): with the database down or unreachable
  (OperationalError / InterfaceError), users see a Chinese 503 page rendered without touching the database.
  A database that is up but *busy* (SQLite "database is locked", a PostgreSQL deadlock or serialization
  failure, `core.concurrency.Busy`) is not an outage: the answer is the Chinese refusal "系统繁忙，请稍后重试"
  (409 for a write, 503 + Retry-After for a read), never a 500. Services retry once first
  (`core.versioning.atomic`); a view that keeps the input on a stale save keeps it for Busy too.
"""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError, QueryDict
from django.shortcuts import render
from django.template import loader

logger = logging.getLogger("core.edge")

FORBIDDEN_CHARS = ("\x00",)
DB_DOWN_ERRORS = (OperationalError, InterfaceError)


def _has_forbidden(text):
    return any(ch in text for ch in FORBIDDEN_CHARS)


def _querydict_has_forbidden(qd):
    return any(_has_forbidden(k) or any(_has_forbidden(v) for v in values) for k, values in qd.lists())


class RejectNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        bad = _has_forbidden(request.path_info) or _querydict_has_forbidden(request.GET)
        if not bad and request.method == "POST" and request.content_type == "application/x-www-form-urlencoded":
            bad = _querydict_has_forbidden(request.POST)
        if bad:
            return render(request, "400.html", {"reason": "请求中含有不允许的字符（空字符），请检查后重试。"}, status=400)
        if request.method == "POST" and request.content_type == "multipart/form-data":
            _strip_nul_when_parsed(request)
        return self.get_response(request)


def _strip_nul_when_parsed(request):
    """Multipart bodies are parsed lazily by the view (after it sets its upload handlers); their text
    fields lose any NUL as soon as they are parsed, so a raw request.POST.get("caption") is safe too."""
    load = request._load_post_and_files

    def load_then_strip():
        load()
        post = getattr(request, "_post", None)
        if post is not None and _querydict_has_forbidden(post):
            clean = QueryDict(mutable=True)
            for key, values in post.lists():
                clean.setlist(_strip(key), [_strip(v) for v in values])
            clean._mutable = False
            request._post = clean

    request._load_post_and_files = load_then_strip


def _strip(text):
    for ch in FORBIDDEN_CHARS:
        text = text.replace(ch, "")
    return text


def database_unavailable(request=None):
    """The 503 page. Rendered with no request context: context processors would query the database."""
    response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = "30"
    return response


SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def database_busy(request):
    """The Chinese refusal for a busy database (nothing was saved)."""
    from django.http import JsonResponse
    from django.utils.http import url_has_allowed_host_and_scheme

    from .concurrency import BUSY_MESSAGE
    from .middleware import wants_json

    write = request is not None and request.method not in SAFE_METHODS
    status = 409 if write else 503
    if request is not None and wants_json(request):
        response = JsonResponse({"ok": False, "error": BUSY_MESSAGE}, status=status)
    else:
        back = request.META.get("HTTP_REFERER", "") if request is not None else ""
        if not (back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()})):
            back = ""
        context = {"message": BUSY_MESSAGE, "posted": write, "back": back}
        try:
            response = render(request, "busy.html", context, status=status)
        except Exception:  # noqa: BLE001 - the database may refuse the context processors too
            response = HttpResponse(f"<!doctype html><meta charset='utf-8'><title>系统繁忙</title><h1>系统繁忙，请稍后重试</h1>"
                                    f"<p>{BUSY_MESSAGE}</p>", status=status)
    response["Retry-After"] = "5"
    return response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from .concurrency import is_busy

        if is_busy(exception):
            logger.warning("database busy: %s %s: %s", request.method, request.path, exception)
            return database_busy(request)
        if isinstance(exception, DB_DOWN_ERRORS):
            logger.error("database unavailable: %s %s", request.method, request.path, exc_info=exception)
            return database_unavailable(request)
        return None


def server_error(request):
    """handler500: a database outage that surfaced outside a view (a middleware, the session save) is a 503 too."""
    from .concurrency import is_busy

    exc = sys.exc_info()[1]
    if is_busy(exc):
        return database_busy(request)
    if isinstance(exc, DB_DOWN_ERRORS):
        return database_unavailable(request)
    return HttpResponseServerError(loader.render_to_string("500.html"))


class PermissionsPolicyMiddleware:
    """`Permissions-Policy`: no camera, microphone, location, payment ... for the portal or anything it embeds."""

    def __init__(self, get_response):
        from django.conf import settings

        self.get_response = get_response
        self.value = settings.PERMISSIONS_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        if self.value:
            response.headers.setdefault("Permissions-Policy", self.value)
        return response
