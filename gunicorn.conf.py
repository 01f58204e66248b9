"""gunicorn settings used by `make serve` (scripts/serve.sh). Other options come from GUNICORN_CMD_ARGS."""


def post_worker_init(worker):
    """Warm WeasyPrint's font set-up once per worker, so the first PDF a user asks for is not the slow one."""
    try:
        from submissions.pdf import render_html_to_pdf

        render_html_to_pdf('<p style="font-family: \'WenQuanYi Micro Hei\'">预热 warm-up</p>')
    except Exception as exc:  # noqa: BLE001 - warming is best effort
        worker.log.warning("PDF warm-up failed: %s", exc)
