"""Permission-checked file responses. The view decides who may see a file; who sends the bytes
is a setting (FILE_DELIVERY, docs/operations.md):

- "python" (the embedded default): Django streams the file, with HTTP Range so videos seek;
- "nginx": an empty response with X-Accel-Redirect (django-sendfile2); nginx sends the bytes
  from its `internal` location (deploy/nginx.conf), Range included, and no gunicorn worker is held;
- "s3": a 302 to a signed URL of the object storage, valid FILE_URL_EXPIRY seconds.
"""

import mimetypes
import re
from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, HttpResponse, HttpResponseRedirect, StreamingHttpResponse

RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")
CHUNK = 64 * 1024
_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def safe_filename(name):
    """A download name without path separators, control or reserved characters (keeps Chinese)."""
    name = _UNSAFE_NAME.sub("-", name).strip(" .-")
    return name or "download"


def content_disposition(filename, as_attachment=False):
    """RFC 6266 header: an ASCII fallback name and the real (Chinese) name RFC 5987-encoded.

    "2026年度-机械工程学院党委-附件1.pdf" → inline; filename="2026-1.pdf"; filename*=UTF-8''2026%E5…"""
    filename = safe_filename(filename)
    stem, dot, ext = filename.rpartition(".")
    ascii_stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", stem if dot else filename).strip("-") or "download"
    fallback = f"{ascii_stem}.{ext}" if dot and ext.isascii() else ascii_stem
    disposition = "attachment" if as_attachment else "inline"
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _iter_range(fh, start, length):
    fh.seek(start)
    remaining = length
    try:
        while remaining > 0:
            data = fh.read(min(CHUNK, remaining))
            if not data:
                break
            remaining -= len(data)
            yield data
    finally:
        fh.close()


def _disposition(filename, as_attachment):
    return content_disposition(filename, as_attachment) if filename else ("attachment" if as_attachment else "inline")


def _accel_response(request, field_file, content_type, filename, as_attachment):
    from django_sendfile import sendfile

    response = sendfile(request, field_file.path, attachment=as_attachment, attachment_filename=filename or None,
                        mimetype=content_type)
    response["Content-Disposition"] = _disposition(filename, as_attachment)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


def _signed_redirect(field_file, content_type, filename, as_attachment):
    params = {"ResponseContentType": content_type,
              "ResponseContentDisposition": _disposition(filename, as_attachment)}
    url = field_file.storage.url(field_file.name, parameters=params, expire=settings.FILE_URL_EXPIRY)
    response = HttpResponseRedirect(url)
    response["Cache-Control"] = "private, no-store"
    return response


def file_response(request, field_file, content_type=None, filename=None, as_attachment=False):
    """The response for a file the view has already checked the user may see."""
    content_type = content_type or mimetypes.guess_type(filename or field_file.name)[0] or "application/octet-stream"
    return ranged_file_response(request, field_file, content_type, filename=filename, as_attachment=as_attachment)


def ranged_file_response(request, field_file, content_type, filename=None, as_attachment=False):
    mode = settings.FILE_DELIVERY
    if mode == "nginx":
        return _accel_response(request, field_file, content_type, filename, as_attachment)
    if mode == "s3":
        return _signed_redirect(field_file, content_type, filename, as_attachment)
    size = field_file.size
    range_header = request.headers.get("Range", "")
    match = RANGE_RE.match(range_header.strip()) if range_header else None
    if match and (match.group(1) or match.group(2)):
        first, last = match.group(1), match.group(2)
        if first == "":
            start, end = max(size - int(last), 0), size - 1
        else:
            start = int(first)
            end = min(int(last), size - 1) if last else size - 1
        if start >= size or start > end:
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            return response
        length = end - start + 1
        response = StreamingHttpResponse(_iter_range(field_file.open("rb"), start, length), status=206,
                                         content_type=content_type)
        response["Content-Length"] = str(length)
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    else:
        response = FileResponse(field_file.open("rb"), content_type=content_type, as_attachment=as_attachment,
                                filename=filename or "")
    response["Accept-Ranges"] = "bytes"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    if filename:
        response["Content-Disposition"] = content_disposition(filename, as_attachment)
    return response
