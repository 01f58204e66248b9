"""Refuse an upload from a visitor who is not signed in before its body is read.

Django's CSRF check (and any view) would read the whole multipart body first, writing a 100 MB
file to FILE_UPLOAD_TEMP_DIR before the visitor is sent to the login page. This middleware runs
after the session and user are known (cookies only, no body) and answers at once; per-view
permission checks happen the same way in submissions.views.uploading.CappedUploadMixin."""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse

SMALL_BODY = 64 * 1024  # a login form or a search is far below this
MESSAGE = "您尚未登录或登录已过期，请重新登录后再上传（文件未保存）。"


def is_multipart_upload(request):
    if request.method != "POST" or not request.content_type.startswith("multipart/"):
        return False
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) > SMALL_BODY
    except ValueError:
        return True


def wants_json(request):
    return (request.headers.get("X-Requested-With") == "XMLHttpRequest"
            or "application/json" in request.headers.get("Accept", ""))


def refuse_upload(request, message, status):
    if wants_json(request):
        return JsonResponse({"ok": False, "error": message}, status=status)
    if status == 401:
        return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
    from django.shortcuts import render

    return render(request, "403.html", {"exception": message}, status=status)


class UploadGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if is_multipart_upload(request) and not request.user.is_authenticated:
            return refuse_upload(request, MESSAGE, 401)
        return self.get_response(request)
