"""The one way to queue a Celery task from a write: after commit, never failing the write.

`enqueue_on_commit(task, *ids)` is what every service calls. The write it belongs to is already
committed when the task is sent, so a broker outage must not turn it into an error page: the
failure is logged and `False` is returned to `on_failure` (if given), and the job row the task
works on stays "queued" for the sweeper / catch-up to pick up later.

In the embedded default (no broker, `CELERY_TASK_ALWAYS_EAGER`) the task runs with
`task.apply()` (Celery's eager `delay()` still takes a producer from the broker pool, which need not
exist). Outside tests, `background=True` runs it in a daemon thread so the request that asked for
a long job (a booklet, a big export) returns at once.
"""

import logging
import threading

from celery import shared_task
from django.conf import settings
from django.db import connection, transaction

log = logging.getLogger(__name__)


def send(task, *args, background=False):
    """Queue (or, eager, run) `task(*args)` now. Returns True when it was handed over."""
    try:
        if task.app.conf.task_always_eager:
            if background and not settings.TESTING:
                _run_in_thread(task, args)
            else:
                task.apply(args=args, throw=settings.TESTING)
            return True
        task.delay(*args)
        return True
    except Exception:  # noqa: BLE001 - the write is committed; the caller's job row records "queued"
        log.warning("could not queue %s%r", getattr(task, "name", task), args, exc_info=True)
        return False


def enqueue_on_commit(task, *args, background=False, on_failure=None):
    """Send `task(*args)` once the current transaction commits (at once outside a transaction)."""

    def go():
        if not send(task, *args, background=background) and on_failure is not None:
            on_failure()

    transaction.on_commit(go)


def _run_in_thread(task, args):
    def run():
        try:
            task.apply(args=args)
        finally:
            connection.close()  # this thread's own connection

    threading.Thread(target=run, name=f"{task.name}-{args}", daemon=True).start()


@shared_task(ignore_result=True)
def ops_sweep():
    """The periodic sweeper (core.ops): stale jobs, broker catch-up, reminder leases, orphan files."""
    from . import ops

    log.info("ops sweep: %s", ops.sweep())
