"""Booklets finish or fail visibly: a killed worker's booklet is re-queued once, then failed with
a Chinese reason and a 重试 button; with the broker down the booklet waits "排队中" and starts
when the broker is back (core.jobs)."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from core import jobs
from showcase import services
from showcase.models import Booklet, BookletStatus


def killed_mid_run(booklet, seconds_ago=600, attempts=1):
    """What a SIGKILLed worker leaves behind: running, 43%, a heartbeat that stopped."""
    Booklet.objects.filter(pk=booklet.pk).update(status=BookletStatus.RUNNING, progress=43, attempts=attempts,
                                                 heartbeat_at=timezone.now() - dt.timedelta(seconds=seconds_ago),
                                                 progress_note="正在排版：第 10 页")


def new_booklet(picked):
    return Booklet.objects.create(campaign=picked.campaign, title="汇编", created_by=picked.users.admin)


def test_stale_booklet_is_requeued_once_and_then_generated(picked, django_capture_on_commit_callbacks):
    b = new_booklet(picked)
    b.items.set([picked.item_b])
    killed_mid_run(b)
    with django_capture_on_commit_callbacks(execute=True):
        result = jobs.sweep()
    assert result.requeued == 1 and result.failed == 0
    b.refresh_from_db()
    assert b.status == BookletStatus.DONE and b.file and b.attempts == 2  # the second run finished it


def test_booklet_stale_twice_is_failed_in_chinese_and_retry_button_restarts_it(picked, client_for,
                                                                               django_capture_on_commit_callbacks):
    b = new_booklet(picked)
    b.items.set([picked.item_b])
    killed_mid_run(b, attempts=jobs.MAX_ATTEMPTS)
    assert jobs.sweep().as_dict() == {"requeued": 0, "failed": 1, "resent": 0}
    b.refresh_from_db()
    assert b.status == BookletStatus.FAILED and "意外中断" in b.error and b.finished_at
    admin = client_for(picked.users.admin)
    row = admin.get(reverse("showcase:booklet_status", args=[b.pk])).content.decode()
    assert "生成失败" in row and "重试" in row and "hx-trigger" not in row  # polling stopped, visibly failed
    assert reverse("showcase:booklet_retry", args=[b.pk]) in row
    with django_capture_on_commit_callbacks(execute=True):
        r = admin.post(reverse("showcase:booklet_retry", args=[b.pk]))
    assert r.status_code == 302
    b.refresh_from_db()
    assert b.status == BookletStatus.DONE and b.error == "" and b.attempts == 1


def test_only_failed_booklets_can_be_retried_and_only_by_zzb(picked, client_for):
    b = new_booklet(picked)
    r = client_for(picked.users.admin).post(reverse("showcase:booklet_retry", args=[b.pk]), follow=True)
    assert "只有生成失败的汇编可以重试" in r.content.decode()
    Booklet.objects.filter(pk=b.pk).update(status=BookletStatus.FAILED)
    assert client_for(picked.users.college).post(reverse("showcase:booklet_retry", args=[b.pk])).status_code == 403
    b.refresh_from_db()
    assert b.status == BookletStatus.FAILED


def test_a_fresh_heartbeat_is_not_taken_over(picked):
    """A duplicate message while another run is alive does nothing (no double generation)."""
    b = new_booklet(picked)
    killed_mid_run(b, seconds_ago=5)
    assert jobs.claim(jobs.BOOKLET, b.pk) == "busy"
    assert jobs.sweep().requeued == 0
    b.refresh_from_db()
    assert b.status == BookletStatus.RUNNING and b.attempts == 1


def test_redelivered_task_takes_over_a_stale_row(picked):
    b = new_booklet(picked)
    killed_mid_run(b, seconds_ago=600)
    assert jobs.claim(jobs.BOOKLET, b.pk) == "claimed"
    b.refresh_from_db()
    assert b.attempts == 2 and (timezone.now() - b.heartbeat_at).total_seconds() < 5


def test_booklet_tasks_ack_late_and_reject_on_worker_lost():
    from dashboard.tasks import run_export
    from showcase.tasks import generate_booklet

    for task in (generate_booklet, run_export):
        assert task.acks_late is True and task.reject_on_worker_lost is True


def test_with_the_broker_down_a_booklet_is_recorded_and_waits_then_starts(picked, client_for, broker_down,
                                                                          django_capture_on_commit_callbacks):
    admin = client_for(picked.users.admin)
    with django_capture_on_commit_callbacks(execute=True):
        r = admin.post(reverse("showcase:booklets"), {"year": "2026", "items": [picked.item_b.pk], "title": ""})
    assert r.status_code == 302  # not a 500
    b = Booklet.objects.get()
    assert b.status == BookletStatus.PENDING and b.broker_waiting
    row = admin.get(reverse("showcase:booklet_status", args=[b.pk])).content.decode()
    assert "排队中（后台服务暂不可用，恢复后自动开始）" in row and "hx-trigger" in row
    # still down: the catch-up tries and leaves it waiting
    with django_capture_on_commit_callbacks(execute=True):
        jobs.sweep()
    b.refresh_from_db()
    assert b.status == BookletStatus.PENDING and b.broker_waiting
    broker_down.restore()
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.sweep().resent == 1
    b.refresh_from_db()
    assert b.status == BookletStatus.DONE and not b.broker_waiting


def test_progress_updates_refresh_the_heartbeat(picked):
    b = new_booklet(picked)
    killed_mid_run(b, seconds_ago=600)
    services.set_booklet_progress(b, 50, "正在排版")
    b.refresh_from_db()
    assert (timezone.now() - b.heartbeat_at).total_seconds() < 5
