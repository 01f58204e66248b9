"""gunicorn settings used by `make serve` (scripts/serve.sh) and deploy/systemd/brandcampaign-web.service.
Other options come from GUNICORN_CMD_ARGS or the command line (docs/operations.md).

Worker class gthread (threads per process): gunicorn's `timeout` is then the worker's own
heartbeat to the arbiter, sent by its main loop while threads serve requests, so a 500 MB upload
at 1 MB/s (about 8 minutes) or a long video download is not killed at `timeout`, and one slow
client holds one thread, not a whole worker. Behind nginx (deploy/nginx.conf) the file bytes go
by X-Accel-Redirect and no thread is held at all.
"""

import os
from pathlib import Path

worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
keepalive = 5

ERRORS = Path(__file__).resolve().parent / "deploy" / "errors"


def _chinese_error(sock, status_int, reason, mesg):
    """gunicorn's own error responses (bad request line, a crash outside Django) in Chinese."""
    from gunicorn import util

    page = ERRORS / f"{status_int}.html"
    if not page.exists():
        page = ERRORS / ("500.html" if status_int >= 500 else "400.html")
    body = page.read_bytes() if page.exists() else "<!doctype html><meta charset=utf-8><h1>请求无法处理</h1>".encode()
    head = (f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\nContent-Type: text/html; charset=utf-8\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode("latin-1")
    util.write_nonblock(sock, head + body)


def on_starting(server):
    from gunicorn import util

    util.write_error = _chinese_error


def post_worker_init(worker):
    """Ready the worker before its first request (docs/performance.md, "Worker start"):

    1. Warm WeasyPrint (a full-length 附件1 from unsaved objects: fonts of every weight, the PDF
       stylesheets, fontTools' subsetting), so the first PDF a user asks for is not the slow one
       (bench/pdf_bench.py: first render in a fresh worker vs warm).
    2. Import the URLconf and with it every view module (the 材料查重 engine imports scipy): else the
       first request of each worker takes ~2 s.
    3. gc.freeze(): what was loaded until now (Django, the views, WeasyPrint's fonts: ~200,000 objects)
       moves to the permanent generation, so the collector no longer walks it during requests. The
       ranking page (300 rows) spent 77-79 ms of CPU per request in a worker without it, 61-67 ms with it."""
    import gc

    try:
        from submissions.pdf import warm_up

        warm_up()
    except Exception as exc:  # noqa: BLE001 - warming is best effort
        worker.log.warning("PDF warm-up failed: %s", exc)
    try:
        from django.urls import get_resolver

        get_resolver().url_patterns  # noqa: B018 - the import is the point
    except Exception as exc:  # noqa: BLE001 - the first request would report it properly
        worker.log.warning("URLconf import failed: %s", exc)
    gc.collect()
    gc.freeze()
