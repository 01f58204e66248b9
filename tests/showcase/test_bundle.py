"""The static bundle: a zip of a year's published showcase for the university website, built in the
background like the booklets (core.jobs): progress and heartbeat on the row, re-queued once after a
killed worker, then failed in Chinese with 重试; "排队中" while the broker is down."""

import datetime as dt
import io
import re
import zipfile

from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from core import jobs
from showcase import bundle as bundle_module
from showcase import services
from showcase.models import BookletStatus, Bundle


def open_zip(response):
    data = b"".join(response.streaming_content) if response.streaming else response.content
    return zipfile.ZipFile(io.BytesIO(data))


def start(admin, year=2026, capture=None):
    with capture(execute=True):
        r = admin.post(reverse("showcase:bundle", args=[year]))
    assert r.status_code == 302  # never a 500, whatever the broker does
    return r


def test_bundle_job_contains_pages_assets_and_media_of_published_items_only(picked, client_for,
                                                                            django_capture_on_commit_callbacks):
    services.publish(picked.item_a, by=picked.users.admin)  # item_a1 stays unpublished
    admin = client_for(picked.users.admin)
    page = admin.get(reverse("showcase:bundle", args=[2026])).content.decode()
    assert "生成静态网页包" in page and "已发布的 2 个条目" in page
    start(admin, capture=django_capture_on_commit_callbacks)
    b = Bundle.objects.get()
    assert b.status == BookletStatus.DONE and b.progress == 100 and b.attempts == 1 and b.item_count == 2
    assert b.size == b.file.size and "已完成" in b.progress_note
    assert AuditEntry.objects.filter(action="create", object_id=str(b.pk), note__contains="静态网页包").exists()
    row = admin.get(reverse("showcase:bundle_status", args=[b.pk])).content.decode()
    assert reverse("showcase:bundle_file", args=[b.pk]) in row and "hx-trigger" not in row
    r = admin.get(reverse("showcase:bundle_file", args=[b.pk]))
    assert r.status_code == 200 and r["Content-Type"] == "application/zip"
    assert "attachment" in r["Content-Disposition"]
    zf = open_zip(r)
    names = set(zf.namelist())
    a, bb = picked.item_a, picked.item_b
    assert {"index.html", f"items/{a.pk}.html", f"items/{bb.pk}.html", "assets/bootstrap.min.css",
            "assets/showcase.css"} <= names
    assert f"items/{picked.item_a1.pk}.html" not in names
    index = zf.read("index.html").decode()
    assert "红色引擎" in index and "青春领航" in index and "实验室先锋岗" not in index
    item_page = zf.read(f"items/{a.pk}.html").decode()
    assert "党建引领科研攻关典型案例" in item_page and "十佳" not in item_page
    assert "十佳党建品牌" in zf.read(f"items/{bb.pk}.html").decode()
    # every relative link in the pages points at a file inside the zip
    for html_name in [n for n in names if n.endswith(".html")]:
        base = html_name.rsplit("/", 1)[0] + "/" if "/" in html_name else ""
        for ref in re.findall(r'(?:src|href|poster)="([^"#]+)"', zf.read(html_name).decode()):
            target = (base + ref).replace("items/../", "")
            assert target in names, (html_name, ref)
    media = [n for n in names if n.startswith("media/")]
    for folder in ("videos", "posters", "photos", "logos"):
        assert any(n.startswith(f"media/{folder}/") for n in media), folder
    assert zf.read(f"media/videos/video-{a.pk}.mp4") == picked.item_a.video.file.open("rb").read()


def test_progress_is_reported_while_building_and_refreshes_the_heartbeat(picked, monkeypatch):
    b = Bundle.objects.create(campaign=picked.campaign, created_by=picked.users.admin)
    seen = []
    real = bundle_module.set_progress

    def spy(bundle, progress, note="", **kw):
        real(bundle, progress, note, **kw)
        row = Bundle.objects.get(pk=bundle.pk)
        seen.append((row.progress, row.progress_note, row.heartbeat_at))

    monkeypatch.setattr(bundle_module, "set_progress", spy)
    jobs.claim(jobs.BUNDLE, b.pk)
    Bundle.objects.filter(pk=b.pk).update(heartbeat_at=timezone.now() - dt.timedelta(seconds=600))
    bundle_module.generate(b.pk)
    percents = [p for p, _, _ in seen]
    assert percents == sorted(percents) and percents[0] < 20 and percents[-1] >= 95
    assert any("打包图片与视频" in note for _, note, _ in seen)
    assert all((timezone.now() - hb).total_seconds() < 30 for _, _, hb in seen)


def test_no_published_items_is_refused_in_chinese_and_no_job_is_created(picked, client_for):
    services.unpublish(picked.item_b, by=picked.users.admin)
    r = client_for(picked.users.admin).post(reverse("showcase:bundle", args=[2026]), follow=True)
    assert "尚无已发布的展示条目" in r.content.decode()
    assert not Bundle.objects.exists()


def killed_mid_run(b, seconds_ago=600, attempts=1):
    Bundle.objects.filter(pk=b.pk).update(status=BookletStatus.RUNNING, progress=43, attempts=attempts,
                                          heartbeat_at=timezone.now() - dt.timedelta(seconds=seconds_ago),
                                          progress_note="正在打包图片与视频（3/7）")


def test_stale_bundle_is_requeued_once_and_then_built(picked, django_capture_on_commit_callbacks):
    b = Bundle.objects.create(campaign=picked.campaign, created_by=picked.users.admin)
    killed_mid_run(b)
    with django_capture_on_commit_callbacks(execute=True):
        result = jobs.sweep()
    assert result.requeued == 1 and result.failed == 0
    b.refresh_from_db()
    assert b.status == BookletStatus.DONE and b.file and b.attempts == 2


def test_bundle_stale_twice_is_failed_in_chinese_and_retry_button_restarts_it(picked, client_for,
                                                                              django_capture_on_commit_callbacks):
    b = Bundle.objects.create(campaign=picked.campaign, created_by=picked.users.admin)
    killed_mid_run(b, attempts=jobs.MAX_ATTEMPTS)
    assert jobs.sweep().as_dict() == {"requeued": 0, "failed": 1, "resent": 0}
    b.refresh_from_db()
    assert b.status == BookletStatus.FAILED and "意外中断" in b.error and b.finished_at
    admin = client_for(picked.users.admin)
    row = admin.get(reverse("showcase:bundle_status", args=[b.pk])).content.decode()
    assert "生成失败" in row and "重试" in row and "hx-trigger" not in row
    assert reverse("showcase:bundle_retry", args=[b.pk]) in row
    with django_capture_on_commit_callbacks(execute=True):
        r = admin.post(reverse("showcase:bundle_retry", args=[b.pk]))
    assert r.status_code == 302
    b.refresh_from_db()
    assert b.status == BookletStatus.DONE and b.error == "" and b.attempts == 1 and b.file
    assert AuditEntry.objects.filter(action="retry", object_id=str(b.pk)).exists()


def test_only_failed_bundles_can_be_retried_and_only_by_zzb(picked, client_for):
    b = Bundle.objects.create(campaign=picked.campaign, created_by=picked.users.admin)
    r = client_for(picked.users.admin).post(reverse("showcase:bundle_retry", args=[b.pk]), follow=True)
    assert "只有生成失败的网页包可以重试" in r.content.decode()
    Bundle.objects.filter(pk=b.pk).update(status=BookletStatus.FAILED)
    assert client_for(picked.users.college).post(reverse("showcase:bundle_retry", args=[b.pk])).status_code == 403
    assert client_for(picked.users.college).post(reverse("showcase:bundle", args=[2026])).status_code == 403
    b.refresh_from_db()
    assert b.status == BookletStatus.FAILED and Bundle.objects.count() == 1


def test_bundle_task_acks_late_and_rejects_on_worker_lost():
    from showcase.tasks import build_bundle

    assert build_bundle.acks_late is True and build_bundle.reject_on_worker_lost is True
    assert jobs.BUNDLE in jobs.SPECS


def test_with_the_broker_down_a_bundle_is_recorded_and_waits_then_starts(picked, client_for, broker_down,
                                                                         django_capture_on_commit_callbacks):
    admin = client_for(picked.users.admin)
    start(admin, capture=django_capture_on_commit_callbacks)
    b = Bundle.objects.get()
    assert b.status == BookletStatus.PENDING and b.broker_waiting
    row = admin.get(reverse("showcase:bundle_status", args=[b.pk])).content.decode()
    assert "排队中（后台服务暂不可用，恢复后自动开始）" in row and "hx-trigger" in row
    page = admin.get(reverse("showcase:bundle", args=[2026])).content.decode()
    assert "排队中（后台服务暂不可用，恢复后自动开始）" in page
    with django_capture_on_commit_callbacks(execute=True):
        jobs.sweep()  # still down: stays waiting
    b.refresh_from_db()
    assert b.status == BookletStatus.PENDING and b.broker_waiting
    broker_down.restore()
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.sweep().resent == 1
    b.refresh_from_db()
    assert b.status == BookletStatus.DONE and not b.broker_waiting and b.file


def test_a_failing_build_is_visible_in_chinese(picked, monkeypatch, django_capture_on_commit_callbacks, client_for):
    def boom(*a, **kw):
        raise OSError("磁盘已满")

    monkeypatch.setattr(bundle_module, "build_bundle", boom)
    b = Bundle.objects.create(campaign=picked.campaign, created_by=picked.users.admin)
    jobs.claim(jobs.BUNDLE, b.pk)
    try:
        bundle_module.generate(b.pk)
    except OSError:
        pass
    b.refresh_from_db()
    assert b.status == BookletStatus.FAILED and "磁盘已满" in b.error and "生成失败" in b.error


def test_export_command_writes_the_same_bundle(picked, tmp_path):
    from django.core.management import call_command

    out = tmp_path / "b.zip"
    call_command("export_showcase_bundle", "2026", str(out))
    names = zipfile.ZipFile(out).namelist()
    assert "index.html" in names and f"items/{picked.item_b.pk}.html" in names
    assert f"items/{picked.item_a.pk}.html" not in names  # unpublished
