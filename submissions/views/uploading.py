"""Upload endpoints: the size cap is enforced while the body streams in, before it is all read."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from core.middleware import refuse_upload

from ..uploads import PURPOSES, CappedUploadHandler, size_error


def wants_json(request):
    return request.headers.get("X-Requested-With") == "XMLHttpRequest" or "application/json" in request.headers.get("Accept", "")


class CappedUploadMixin:
    """Install the capped handler before anything reads request.POST.

    CsrfViewMiddleware would read the body first, so the view is csrf_exempt at the middleware
    and the CSRF check runs inside, after the handlers are in place (Django's documented pattern)."""

    def purpose_for(self, request, **kwargs):
        raise NotImplementedError

    def refuse_before_body(self, request):
        """Session and permission are checked from the URL and cookies alone, before a byte of
        the body is read: a user who may not upload here gets 403 with nothing stored."""
        if not request.user.is_authenticated:
            return refuse_upload(request, "您尚未登录或登录已过期，请重新登录后再上传（文件未保存）。", 401)
        has_permission = getattr(self, "has_permission", None)
        if has_permission is not None and not has_permission():
            return refuse_upload(request, "您没有在此处上传文件的权限（文件未保存）。", 403)
        return None

    @method_decorator(csrf_exempt)
    def dispatch(self, request, *args, **kwargs):
        if request.method == "POST":
            refused = self.refuse_before_body(request)
            if refused is not None:
                return refused
            purpose = self.purpose_for(request, **kwargs)
            max_bytes = PURPOSES[purpose][1]
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > max_bytes + 64 * 1024:
                return self.upload_error(request, size_error(purpose), status=413)
            handler = CappedUploadHandler(request, max_bytes)
            request.upload_handlers = [handler] + list(request.upload_handlers)
            self._cap_handler, self._purpose = handler, purpose
        return csrf_protect(super().dispatch)(request, *args, **kwargs)

    def upload_too_large(self):
        return getattr(self, "_cap_handler", None) is not None and self._cap_handler.too_large

    def upload_error(self, request, message, status=400):
        if wants_json(request):
            return JsonResponse({"ok": False, "error": message}, status=status)
        messages.error(request, message)
        return redirect(request.META.get("HTTP_REFERER") or "/")

    def uploaded_file(self, request):
        f = request.FILES.get("file")
        if self.upload_too_large():
            raise ValidationError(size_error(self._purpose))
        if f is None:
            raise ValidationError("请选择要上传的文件。")
        return f


def run_upload(view, request, action, success_message, redirect_to):
    """Call action() -> dict; answer JSON or redirect with a message; errors change nothing."""
    try:
        payload = action()
    except PermissionDenied:
        raise
    except ValidationError as exc:
        return view.upload_error(request, "；".join(exc.messages), status=413 if view.upload_too_large() else 400)
    if wants_json(request):
        return JsonResponse({"ok": True, **payload})
    messages.success(request, success_message)
    for w in payload.get("warnings", []):
        messages.warning(request, w)
    return redirect(redirect_to)
