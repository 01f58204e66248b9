"""The periodic sweeper (docs/operations.md): what keeps a faulty night from leaving debris.

`sweep()` runs every minute — from celery beat (the "运维巡检" periodic task, core.tasks_ops) or,
in the embedded default, from `send_due_reminders --loop` — and

1. checks background jobs (core.jobs.sweep): stale heartbeat → re-queued once → failed visibly;
   jobs waiting for the broker are sent again (the broker-outage catch-up);
2. frees reminder rows whose send lease expired (campaigns.reminders.sweep);
3. removes upload temporary files older than ORPHAN_TEMP_MAX_AGE_HOURS from FILE_UPLOAD_TEMP_DIR
   (a gunicorn worker killed mid-upload never deletes its own);
4. looks for storage files no database row points at, older than ORPHAN_FILE_GRACE_HOURS, and
   logs them; they are deleted only when ORPHAN_FILE_DELETE is on (dry run first:
   `manage.py sweep_orphans` prints the list, `--delete` removes them).
"""

import logging
import os
import tempfile
import time
from dataclasses import dataclass, field
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import models
from django.utils import timezone

log = logging.getLogger("core.ops")

# Folders of the default storage that hold files no row points at on purpose: the PDF render
# cache, judges' pre-rendered score sheets, the account-import previews (purged by their view).
UNREFERENCED_PREFIXES = ("pdfcache/", "judging/", "imports/")
TEMP_PATTERNS = (".upload",)  # Django's TemporaryUploadedFile: tmpXXXX.upload[.ext]
LAST_SWEEP_KEY = "ops:last-sweep"
WORKER_HEARTBEAT_KEY = "ops:worker-heartbeat"
WORKER_HEARTBEAT_EVERY = 15  # seconds (brandcampaign.celery.PortalHeartbeat)
WORKER_STALE_AFTER = 60
FILE_SCAN_KEY = "ops:file-scan-lock"
FILE_SCAN_EVERY = 3600  # seconds: the storage walk is heavier than the job check


@dataclass
class OrphanReport:
    candidates: list = field(default_factory=list)  # storage names
    deleted: int = 0
    bytes: int = 0


def upload_temp_dir():
    return settings.FILE_UPLOAD_TEMP_DIR or tempfile.gettempdir()


def remove_orphan_temp_files(now=None, max_age_hours=None):
    """Delete upload temp files older than the limit. Returns (count, bytes)."""
    now = now or time.time()
    max_age = (settings.ORPHAN_TEMP_MAX_AGE_HOURS if max_age_hours is None else max_age_hours) * 3600
    folder = upload_temp_dir()
    count = size = 0
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return 0, 0
    for entry in entries:
        if not (entry.name.startswith("tmp") and any(p in entry.name for p in TEMP_PATTERNS)):
            continue
        try:
            st = entry.stat(follow_symlinks=False)
            if not entry.is_file(follow_symlinks=False) or now - st.st_mtime < max_age:
                continue
            os.unlink(entry.path)
        except FileNotFoundError:
            continue
        count += 1
        size += st.st_size
        log.info("removed orphan upload temp file %s (%s bytes)", entry.path, st.st_size)
    return count, size


def referenced_names():
    """Every file name stored in a FileField of any model."""
    names = set()
    for model in apps.get_models():
        file_fields = [f.attname for f in model._meta.concrete_fields if isinstance(f, models.FileField)]
        for attname in file_fields:
            names.update(n for n in model._default_manager.exclude(**{attname: ""}).values_list(attname, flat=True)
                         if n)
    return names


def _walk(storage, folder=""):
    dirs, files = storage.listdir(folder)
    for name in files:
        yield f"{folder}/{name}" if folder else name
    for d in dirs:
        yield from _walk(storage, f"{folder}/{d}" if folder else d)


def find_orphan_files(storage=None, grace_hours=None, now=None):
    """Storage names that no row points at and that are older than the grace period."""
    storage = storage or default_storage
    grace = timedelta(hours=settings.ORPHAN_FILE_GRACE_HOURS if grace_hours is None else grace_hours)
    cutoff = (now or timezone.now()) - grace
    referenced = referenced_names()
    report = OrphanReport()
    try:
        names = list(_walk(storage))
    except FileNotFoundError:
        return report
    for name in sorted(names):
        if name in referenced or name.startswith(UNREFERENCED_PREFIXES):
            continue
        try:
            if storage.get_modified_time(name) >= cutoff:
                continue  # may belong to a write whose row is not committed yet
            report.bytes += storage.size(name)
        except (FileNotFoundError, NotImplementedError):
            continue
        report.candidates.append(name)
    return report


def sweep_orphan_files(delete=None, storage=None, grace_hours=None):
    """Log (dry run) or delete the orphan storage files. Returns the OrphanReport."""
    storage = storage or default_storage
    delete = settings.ORPHAN_FILE_DELETE if delete is None else delete
    report = find_orphan_files(storage, grace_hours=grace_hours)
    referenced = None
    for name in report.candidates:
        if not delete:
            log.info("orphan storage file (dry run, not deleted): %s", name)
            continue
        if referenced is None:
            referenced = referenced_names()  # again, just before deleting: a row may have appeared
        if name in referenced:
            continue
        storage.delete(name)
        report.deleted += 1
        log.warning("deleted orphan storage file %s", name)
    return report


def _file_scan_due():
    from django.core.cache import cache

    try:
        return cache.add(FILE_SCAN_KEY, time.time(), FILE_SCAN_EVERY)
    except Exception:  # noqa: BLE001 - cache down: scan (it is idempotent)
        return True


SWEEP_STEPS = {}  # name → fn(now): higher apps register theirs in AppConfig.ready() (core imports none of them)


def register_sweep_step(name, fn):
    SWEEP_STEPS[name] = fn
    return fn


def sweep(now=None, files=None):
    """One sweeper pass; each part is independent, a failure of one is logged and the rest runs.
    The file steps run at most once an hour unless `files` is given."""
    from . import jobs

    summary = {}
    steps = [("jobs", lambda: jobs.sweep(now).as_dict())]
    steps += [(name, (lambda fn: lambda: fn(now))(fn)) for name, fn in SWEEP_STEPS.items()]
    if files or (files is None and _file_scan_due()):
        steps += [("temp_files", lambda: remove_orphan_temp_files()[0]),
                  ("orphan_files", lambda: _orphans_summary(sweep_orphan_files()))]
    for name, step in steps:
        try:
            summary[name] = step()
        except Exception as exc:  # noqa: BLE001 - keep sweeping the rest, report
            log.exception("sweeper step %s failed", name)
            summary[name] = f"error: {exc.__class__.__name__}"
    record_sweep()
    return summary


def _orphans_summary(report):
    return {"found": len(report.candidates), "deleted": report.deleted}


def record_sweep():
    from django.core.cache import cache

    try:
        cache.set(LAST_SWEEP_KEY, time.time(), 3600)
    except Exception:  # noqa: BLE001 - the cache is the broker's Redis; healthz tells
        pass


def record_worker_heartbeat(hostname):
    """Called every WORKER_HEARTBEAT_EVERY seconds by each Celery worker (brandcampaign.celery)."""
    from django.core.cache import cache

    try:
        beats = cache.get(WORKER_HEARTBEAT_KEY) or {}
        now = time.time()
        beats = {h: t for h, t in beats.items() if now - t < 3600}
        beats[hostname] = now
        cache.set(WORKER_HEARTBEAT_KEY, beats, 3600)
    except Exception:  # noqa: BLE001 - cache (Redis) down: the worker cannot work either; healthz tells
        log.warning("could not record the worker heartbeat", exc_info=True)


def worker_status(now=None):
    """{"status": ok|stale|none, "last_seen_seconds": …, "workers": n, "last_sweep_seconds": …}."""
    from django.core.cache import cache

    now = now or time.time()
    try:
        beats = cache.get(WORKER_HEARTBEAT_KEY) or {}
        last_sweep = cache.get(LAST_SWEEP_KEY)
    except Exception as exc:  # noqa: BLE001
        return {"status": f"error: {exc.__class__.__name__}"}
    alive = [t for t in beats.values() if now - t < WORKER_STALE_AFTER]
    info = {"status": "ok" if alive else ("stale" if beats else "none"), "workers": len(alive)}
    if beats:
        info["last_seen_seconds"] = round(now - max(beats.values()), 1)
    if last_sweep:
        info["last_sweep_seconds"] = round(now - last_sweep, 1)
    return info
