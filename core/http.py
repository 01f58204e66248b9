"""File responses with HTTP Range support, so videos can be streamed with seeking."""

import re

from django.http import FileResponse, HttpResponse, StreamingHttpResponse

RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")
CHUNK = 64 * 1024


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


def ranged_file_response(request, field_file, content_type, filename=None, as_attachment=False):
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
    if filename and not as_attachment and "Content-Disposition" not in response:
        from urllib.parse import quote

        response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(filename)}"
    return response
