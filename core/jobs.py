"""Background jobs that finish or fail visibly (booklets, exports, static bundles).

A job row (showcase.Booklet, dashboard.ExportJob, showcase.Bundle) carries the job's own state next to what it
produces: `status` (pending → running → done | failed), `heartbeat_at` (refreshed while running),
`attempts` (how many runs took it), `queued_at` (last hand-over to the broker) and
`broker_waiting` (the hand-over failed: the broker was unreachable).

- `dispatch(spec, pk)` queues the job's task after commit; if the broker refuses, the row is
  marked `broker_waiting` and the page says "排队中（后台服务暂不可用，恢复后自动开始）".
- The task runs the work through `run(spec, task, pk, work)`: one conditional UPDATE claims the
  row (so a duplicate or redelivered message never runs the same job twice at once) and a
  heartbeat thread refreshes `heartbeat_at` every JOB_HEARTBEAT_SECONDS while it works.
- `sweep()` (the periodic sweeper, see core.ops) re-sends rows waiting for the broker, re-queues
  a running row whose heartbeat is older than JOB_STALE_SECONDS once, and marks it failed with a
  Chinese reason the second time; the page then offers 重试 (`retry`).

Tasks are declared with `acks_late=True, reject_on_worker_lost=True`: a killed pool process
puts the message back at once, and the claim lets the redelivered run take over a row whose
heartbeat has gone stale (it waits, by retrying itself, until it is).
"""

import logging
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.db.models import F, Q
from django.utils import timezone

log = logging.getLogger(__name__)

PENDING, RUNNING, DONE, FAILED = "pending", "running", "done", "failed"
MAX_ATTEMPTS = 2  # the first run and one automatic re-queue
STALE_REASON = ("后台处理进程意外中断（例如服务器重启），系统已自动重新排队一次仍未完成。"
                "请点击“重试”重新开始；如再次失败，请联系系统管理员。")
WAITING_NOTE = "排队中（后台服务暂不可用，恢复后自动开始）"
REQUEUED_NOTE = "后台处理中断，已自动重新排队（第 2 次尝试）"

# Options for every job task: a killed worker process puts the message back (idempotent tasks).
TASK_OPTIONS = {"bind": True, "ignore_result": True, "acks_late": True, "reject_on_worker_lost": True,
                "max_retries": 5}


def heartbeat_seconds():
    return settings.JOB_HEARTBEAT_SECONDS


def stale_after():
    return timedelta(seconds=settings.JOB_STALE_SECONDS)


@dataclass(frozen=True)
class JobSpec:
    label: str  # Chinese, for logs and audit notes
    model_path: str  # "app_label.ModelName"
    task_path: str  # dotted path of the Celery task taking the row's pk
    note_field: str = ""  # a text field the page shows under the progress bar, if any

    @property
    def model(self):
        from django.apps import apps

        return apps.get_model(self.model_path)

    @property
    def task(self):
        from importlib import import_module

        module, name = self.task_path.rsplit(".", 1)
        return getattr(import_module(module), name)


BOOKLET = JobSpec("成果汇编", "showcase.Booklet", "showcase.tasks.generate_booklet", note_field="progress_note")
EXPORT = JobSpec("导出", "dashboard.ExportJob", "dashboard.tasks.run_export")
BUNDLE = JobSpec("静态网页包", "showcase.Bundle", "showcase.tasks.build_bundle", note_field="progress_note")
SPECS = (BOOKLET, EXPORT, BUNDLE)


def dispatch(spec, pk):
    """Queue the job's task once the current transaction commits; record a broker failure on the row."""
    from core.tasks import enqueue_on_commit

    spec.model.objects.filter(pk=pk).update(queued_at=timezone.now())
    enqueue_on_commit(spec.task, pk, background=True, on_failure=lambda: _mark_waiting(spec, pk))


def _mark_waiting(spec, pk):
    changes = {"broker_waiting": True}
    if spec.note_field:
        changes[spec.note_field] = WAITING_NOTE
    spec.model.objects.filter(pk=pk, status=PENDING).update(**changes)
    log.warning("%s %s: broker unavailable, waiting for the catch-up", spec.label, pk)


def claim(spec, pk, now=None):
    """Take the row for this run: 'claimed', 'busy' (another run's heartbeat is fresh) or 'gone'
    (finished, failed, or missing). A stale running row is taken over while attempts remain."""
    now = now or timezone.now()
    stale = now - stale_after()
    model = spec.model
    taken = model.objects.filter(pk=pk).filter(
        Q(status=PENDING)
        | Q(status=RUNNING, attempts__lt=MAX_ATTEMPTS) & (Q(heartbeat_at__lt=stale) | Q(heartbeat_at__isnull=True))
    ).update(status=RUNNING, heartbeat_at=now, attempts=F("attempts") + 1, broker_waiting=False)
    if taken:
        return "claimed"
    row = model.objects.filter(pk=pk).values("status", "heartbeat_at", "attempts").first()
    if row is None or row["status"] in (DONE, FAILED):
        return "gone"
    if row["status"] == RUNNING and (row["heartbeat_at"] is None or row["heartbeat_at"] < stale):
        _fail_stale(spec, pk, now)  # out of attempts
        return "gone"
    return "busy"


def beat(spec, pk):
    """Refresh the heartbeat of a running row (also called from progress updates)."""
    spec.model.objects.filter(pk=pk, status=RUNNING).update(heartbeat_at=timezone.now())


@contextmanager
def heartbeat(spec, pk):
    """While the block runs, a daemon thread refreshes the row's heartbeat every few seconds.

    Not started under tests (their database transaction is invisible to another connection);
    the work's own progress updates beat there."""
    if not settings.JOB_HEARTBEAT_THREAD:
        yield
        return
    stop = threading.Event()

    def loop():
        try:
            while not stop.wait(heartbeat_seconds()):
                try:
                    beat(spec, pk)
                except Exception:  # noqa: BLE001 - a missed beat is retried; the sweeper is lenient
                    log.warning("%s %s: heartbeat failed", spec.label, pk, exc_info=True)
        finally:
            connection.close()

    thread = threading.Thread(target=loop, name=f"heartbeat-{spec.model_path}-{pk}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(5)


def run(spec, task, pk, work):
    """The body of a job task: claim, beat while `work(pk)` runs. Safe to deliver twice."""
    outcome = claim(spec, pk)
    if outcome == "busy":
        if task.request.is_eager:
            return None
        # Redelivered while the killed run's heartbeat is still fresh: look again once it is stale.
        raise task.retry(countdown=settings.JOB_STALE_SECONDS + heartbeat_seconds())
    if outcome == "gone":
        return None
    with heartbeat(spec, pk):
        return work(pk)


def _fail_stale(spec, pk, now):
    changes = {"status": FAILED, "error": STALE_REASON, "finished_at": now, "broker_waiting": False}
    if spec.note_field:
        changes[spec.note_field] = "生成失败"
    n = spec.model.objects.filter(pk=pk, status=RUNNING).update(**changes)
    if n:
        log.error("%s %s: heartbeat stale after %s attempts, marked failed", spec.label, pk, MAX_ATTEMPTS)
    return n


@dataclass
class SweepResult:
    requeued: int = 0
    failed: int = 0
    resent: int = 0

    def as_dict(self):
        return {"requeued": self.requeued, "failed": self.failed, "resent": self.resent}


def sweep(now=None):
    """Stale running rows: re-queue once, then fail visibly. Rows waiting for the broker, or queued
    long ago and never started (a lost message): send again."""
    now = now or timezone.now()
    result = SweepResult()
    stale = now - stale_after()
    lost = now - timedelta(seconds=settings.JOB_RESEND_AFTER_SECONDS)
    for spec in SPECS:
        model = spec.model
        again = list(model.objects.filter(status=PENDING).filter(
            Q(broker_waiting=True) | Q(queued_at__lt=lost) | Q(queued_at__isnull=True, created_at__lt=lost)
        ).values_list("pk", flat=True))
        for pk in again:
            _clear_waiting(spec, pk)
            dispatch(spec, pk)
            result.resent += 1
        stuck = model.objects.filter(status=RUNNING).filter(Q(heartbeat_at__lt=stale) | Q(heartbeat_at__isnull=True))
        for pk, attempts in stuck.values_list("pk", "attempts"):
            if attempts >= MAX_ATTEMPTS:
                result.failed += _fail_stale(spec, pk, now)
                continue
            changes = {"status": PENDING, "queued_at": now}
            if spec.note_field:
                changes[spec.note_field] = REQUEUED_NOTE
            if model.objects.filter(pk=pk, status=RUNNING, attempts=attempts).update(**changes):
                log.warning("%s %s: heartbeat stale, re-queued (attempt %s)", spec.label, pk, attempts + 1)
                dispatch(spec, pk)
                result.requeued += 1
    return result


def _clear_waiting(spec, pk):
    changes = {"broker_waiting": False}
    if spec.note_field:
        changes[spec.note_field] = ""
    spec.model.objects.filter(pk=pk, status=PENDING).update(**changes)


def retry(spec, obj, by, *, record):
    """重试: a failed job starts again from scratch. `record(by, obj, action, changes, note)` writes the audit
    entry (the caller's audit log: core sits below it). Returns False when it is not failed."""
    model = spec.model
    changes = {"status": PENDING, "error": "", "progress": 0, "attempts": 0, "heartbeat_at": None,
               "finished_at": None, "broker_waiting": False}
    if spec.note_field:
        changes[spec.note_field] = ""
    if not model.objects.filter(pk=obj.pk, status=FAILED).update(**changes):
        return False
    record(by, obj, "retry", {"status": [FAILED, PENDING]}, note=f"重试{spec.label}")
    dispatch(spec, obj.pk)
    return True
