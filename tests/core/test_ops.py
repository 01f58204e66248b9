"""The ops sweeper (core.ops): orphan upload temp files, storage files no row points at (dry run
first), the scan a re-upload replaced, the beat schedule and the embedded loop."""

import io
import os
import time

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from core import ops
from submissions import services

from ..submissions.helpers import FORM1_COMPLETE


@pytest.fixture(autouse=True)
def own_media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def age(path, hours):
    t = time.time() - hours * 3600
    os.utime(path, (t, t))


def test_old_upload_temp_files_are_removed_and_recent_ones_kept(settings, tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "uploads")
    os.makedirs(settings.FILE_UPLOAD_TEMP_DIR)
    killed = tmp_path / "uploads" / "tmpab12cd.upload.mp4"  # what a killed gunicorn worker leaves
    killed.write_bytes(b"x" * 38_000)
    age(killed, 25)
    current = tmp_path / "uploads" / "tmpzz99.upload.mp4"  # an upload in progress
    current.write_bytes(b"x" * 10)
    other = tmp_path / "uploads" / "notes.txt"  # not an upload temp file: never touched
    other.write_bytes(b"x")
    age(other, 100)
    assert ops.remove_orphan_temp_files() == (1, 38_000)
    assert not killed.exists() and current.exists() and other.exists()


def test_orphan_storage_files_are_listed_in_a_dry_run_then_deleted(world, settings):
    from submissions.models import Attachment

    kept = Attachment(organization=world.college_a, kind="pdf", original_name="a.pdf", size=3)
    kept.file.save("attachments/kept.pdf", ContentFile(b"%PDF"), save=False)
    kept.save()
    orphan = default_storage.save("attachments/orphan.pdf", ContentFile(b"%PDF orphan"))
    young = default_storage.save("attachments/young.pdf", ContentFile(b"%PDF just written"))
    cache = default_storage.save("pdfcache/form1-x.pdf", ContentFile(b"%PDF cache"))
    for name in (kept.file.name, orphan, cache):
        age(default_storage.path(name), 48)

    out = io.StringIO()
    call_command("sweep_orphans", stdout=out)
    text = out.getvalue()
    assert f"将删除  {orphan}" in text and "预览" in text
    assert young not in text and kept.file.name not in text and cache not in text
    assert default_storage.exists(orphan)  # dry run: nothing deleted

    settings.ORPHAN_FILE_DELETE = True
    summary = ops.sweep(files=True)
    assert summary["orphan_files"] == {"found": 1, "deleted": 1}
    assert not default_storage.exists(orphan)
    assert default_storage.exists(kept.file.name) and default_storage.exists(young) and default_storage.exists(cache)


def test_sweep_is_dry_run_by_default(world, settings):
    orphan = default_storage.save("exports/lost.xlsx", ContentFile(b"PK"))
    age(default_storage.path(orphan), 48)
    assert ops.sweep(files=True)["orphan_files"] == {"found": 1, "deleted": 0}
    assert default_storage.exists(orphan)


def test_a_re_uploaded_scan_deletes_the_old_file(world, client_for, at, django_capture_on_commit_callbacks):
    at(2026, 5, 8, 10, 0)
    form = services.save_form1(world.campaign, world.college_a, FORM1_COMPLETE, by=world.users.college,
                               expected_version=0)
    services.submit_form1(form, by=world.users.college)
    c = client_for(world.users.college)
    url = reverse("submissions:scan_upload", args=[world.campaign.pk, "form1", world.college_a.pk])
    with django_capture_on_commit_callbacks(execute=True):
        c.post(url, {"file": SimpleUploadedFile("一.pdf", b"%PDF-1.4 first\n%%EOF\n")})
    form.refresh_from_db()
    first = form.scan.name
    with django_capture_on_commit_callbacks(execute=True):
        c.post(url, {"file": SimpleUploadedFile("二.pdf", b"%PDF-1.4 second\n%%EOF\n")})
    form.refresh_from_db()
    assert form.scan.name != first and default_storage.exists(form.scan.name)
    assert not default_storage.exists(first)
    assert ops.find_orphan_files(grace_hours=0).candidates == []


def test_the_sweeper_is_a_beat_schedule_every_minute(db):
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="core.tasks.ops_sweep")
    assert task.enabled and (task.interval.every, task.interval.period) == (1, "minutes")
    from core.tasks import ops_sweep

    ops_sweep.apply()  # runs without a broker, every step reported


def test_embedded_loop_runs_the_sweeper(db, monkeypatch):
    from campaigns.management.commands import send_due_reminders as cmd

    class Stop(Exception):
        pass

    def stop(seconds):
        raise Stop

    monkeypatch.setattr(cmd.time, "sleep", stop)
    out = io.StringIO()
    with pytest.raises(Stop):
        call_command("send_due_reminders", "--loop", stdout=out)
    assert "ops sweep: {'jobs': {'requeued': 0, 'failed': 0, 'resent': 0}" in out.getvalue()
