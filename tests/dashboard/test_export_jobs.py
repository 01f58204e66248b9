"""Big exports finish or fail visibly (core.jobs): stale → re-queued once → failed with 重试;
with the broker down the export is recorded and shows 排队中 until the catch-up sends it."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from core import jobs
from dashboard.models import ExportJob, ExportStatus

from .helpers import fill


@pytest.fixture(autouse=True)
def own_media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def filled(world, at):
    at(2026, 5, 20, 10, 0)
    return fill(world)


def stuck_job(world, attempts):
    return ExportJob.objects.create(kind="status", params={"campaign": world.campaign.pk}, rows_total=15,
                                    status=ExportStatus.RUNNING, progress=43, attempts=attempts,
                                    heartbeat_at=timezone.now() - dt.timedelta(minutes=30),
                                    created_by=world.users.admin)


def test_killed_export_is_requeued_once_and_finishes(filled, django_capture_on_commit_callbacks):
    job = stuck_job(filled, attempts=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.sweep().requeued == 1
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE and job.file and job.progress == 100


def test_export_stale_again_fails_with_a_reason_and_retry_works(filled, client_for, django_capture_on_commit_callbacks):
    job = stuck_job(filled, attempts=2)
    assert jobs.sweep().failed == 1
    c = client_for(filled.users.admin)
    html = c.get(reverse("dashboard:job_status", args=[job.uuid])).content.decode()
    assert 'data-status="failed"' in html and "意外中断" in html and "hx-get" not in html
    assert reverse("dashboard:job_retry", args=[job.uuid]) in html and "重试" in html
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post(reverse("dashboard:job_retry", args=[job.uuid]))
    assert r.status_code == 302 and r["Location"] == reverse("dashboard:job", args=[job.uuid])
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE and job.error == ""


def test_with_the_broker_down_a_big_export_waits_and_starts_later(filled, client_for, settings, broker_down,
                                                                 django_capture_on_commit_callbacks):
    settings.EXPORT_ASYNC_ROW_THRESHOLD = 5
    c = client_for(filled.users.admin)
    with django_capture_on_commit_callbacks(execute=True):
        r = c.get(reverse("dashboard:export", args=["status"]))
    job = ExportJob.objects.get()
    assert r.status_code == 302 and job.status == ExportStatus.PENDING and job.broker_waiting
    page = c.get(r["Location"]).content.decode()
    assert "排队中（后台服务暂不可用，恢复后自动开始）" in page
    broker_down.restore()
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.sweep().resent == 1
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE and not job.broker_waiting


def test_a_queued_job_whose_message_was_lost_is_sent_again(filled, django_capture_on_commit_callbacks):
    job = ExportJob.objects.create(kind="status", params={"campaign": filled.campaign.pk}, rows_total=15,
                                   created_by=filled.users.admin, queued_at=timezone.now() - dt.timedelta(hours=1))
    fresh = ExportJob.objects.create(kind="status", params={"campaign": filled.campaign.pk}, rows_total=15,
                                     created_by=filled.users.admin, queued_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.sweep().resent == 1
    job.refresh_from_db()
    fresh.refresh_from_db()
    assert job.status == ExportStatus.DONE and fresh.status == ExportStatus.PENDING
