"""Starting and running exports. Small ones are built in the request; large ones become an ExportJob."""

import logging
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone

from audit import log as audit
from core import jobs

from . import exports, queries
from .models import ExportJob, ExportStatus
from .policy import EXPORT

log = logging.getLogger(__name__)


def threshold():
    return settings.EXPORT_ASYNC_ROW_THRESHOLD


def needs_job(kind, filters):
    """True when the export is expected to have more rows than the threshold."""
    return exports.KINDS[kind].count(filters) > threshold()


def build_now(kind, filters, now=None):
    """(filename, bytes) for an immediate download."""
    now = now or timezone.now()
    return exports.filename(kind, filters, now), exports.KINDS[kind].build(filters, now=now)


def start_job(kind, filters, *, by):
    """Record an ExportJob and queue it after commit (runs at once when Celery is eager)."""
    job = ExportJob.objects.create(kind=kind, params=filters.as_params(), created_by=by,
                                   rows_total=exports.KINDS[kind].count(filters))
    jobs.dispatch(jobs.EXPORT, job.pk)  # after commit; a broker outage leaves it "排队中"
    return job


def retry_job(job, by):
    """重试 a failed export (core.jobs.retry: audited, queued after commit). Refused (Chinese reason,
    from the EXPORT policy table) unless it failed and `by` is 组织部; False when another click won."""
    EXPORT.require("retry", by, job)
    return jobs.retry(jobs.EXPORT, job, by, record=audit.record)


def run_job(job_id):
    """Build the file of one job. Idempotent: a finished job is left alone."""
    job = ExportJob.objects.filter(pk=job_id).first()
    if job is None or job.is_finished:
        return job
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.RUNNING, progress=1)
    filters = queries.parse_filters(job.params)
    total = max(job.rows_total, 1)
    written = [0]

    def progress(rows):
        written[0] = rows
        pct = min(99, max(1, rows * 100 // total))
        ExportJob.objects.filter(pk=job.pk).update(rows_done=rows, progress=pct, heartbeat_at=timezone.now())

    now = timezone.now()
    try:
        data = exports.KINDS[job.kind].build(filters, now=now, progress=progress)
    except Exception as exc:  # recorded for the user (the page shows it) and logged with the traceback
        log.exception("export %s failed", job.pk)
        ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.FAILED, error=str(exc)[:500],
                                                   finished_at=timezone.now())
        return None
    job.refresh_from_db()
    job.file.save(f"{uuid.uuid4().hex}.xlsx", ContentFile(data), save=False)
    job.filename = exports.filename(job.kind, filters, now)
    job.status, job.progress, job.rows_done, job.finished_at = ExportStatus.DONE, 100, written[0], timezone.now()
    job.save(update_fields=["file", "filename", "status", "progress", "rows_done", "finished_at"])
    return job


def recent_jobs(user, limit=10):
    return list(ExportJob.objects.filter(created_by=user).order_by("-created_at")[:limit])
