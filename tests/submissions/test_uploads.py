"""Uploads: refused by content, by size, as polyglots; names cannot escape; nothing is left behind."""

import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from submissions import services, uploads
from submissions.models import Attachment, Entry

needs_ffmpeg = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg not installed")


@pytest.fixture
def entry(world, at):
    at(2026, 11, 3, 10, 0)
    return services.start_brand_entry(world.campaign, world.college_a, by=world.users.college)


def stored_files():
    root = Path(settings.MEDIA_ROOT) / "attachments"
    return sorted(p.name for p in root.glob("*")) if root.exists() else []


def post_file(client, url, name, data, **extra):
    return client.post(url, {"file": SimpleUploadedFile(name, data), **extra},
                       HTTP_X_REQUESTED_WITH="XMLHttpRequest")


def make_video(tmp_path, seconds=2, codec="libx264", size="320x240"):
    out = tmp_path / f"v-{codec}.mp4"
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i", f"testsrc=duration={seconds}:size={size}:rate=10",
                    "-c:v", codec, "-pix_fmt", "yuv420p", str(out)], check=True, timeout=60)
    return out.read_bytes()


def test_renamed_exe_as_mp4_is_refused_and_nothing_stored(world, client_for, entry):
    before = stored_files()
    url = reverse("submissions:entry_file", args=[entry.pk, "video"])
    response = post_file(client_for(world.users.college), url, "微视频.mp4", b"MZ\x90\x00\x03" + b"\x00" * 4000)
    assert response.status_code == 400
    assert "文件类型不符合要求" in response.json()["error"]
    assert Attachment.objects.count() == 0 and stored_files() == before
    assert Entry.objects.get(pk=entry.pk).video is None


def test_jpeg_polyglot_with_html_is_refused(world, client_for, entry):
    polyglot = b"\xff\xd8\xff\xe0" + b"<html><script>alert(1)</script></html>" * 20
    url = reverse("submissions:entry_evidence", args=[entry.pk])
    response = post_file(client_for(world.users.college), url, "照片.jpg", polyglot, caption="活动现场")
    assert response.status_code == 400 and "图片" in response.json()["error"]
    assert Attachment.objects.count() == 0


def test_truncated_pdf_is_refused(world, client_for, entry):
    url = reverse("submissions:entry_file", args=[entry.pk, "case_doc"])
    response = post_file(client_for(world.users.college), url, "案例.pdf", b"%PDF-1.4\n" + b"x" * 3000)
    assert response.status_code == 400 and "PDF" in response.json()["error"]


def test_oversized_upload_is_stopped_while_streaming(world, client_for, entry, monkeypatch):
    monkeypatch.setitem(uploads.PURPOSES, "doc", (uploads.PURPOSES["doc"][0], 1024, "文档"))
    url = reverse("submissions:entry_file", args=[entry.pk, "case_doc"])
    big = b"%PDF-1.4\n" + b"0" * (200 * 1024) + b"\n%%EOF\n"
    response = post_file(client_for(world.users.college), url, "大文件.pdf", big)
    assert response.status_code == 413
    assert "不能超过" in response.json()["error"]
    assert Attachment.objects.count() == 0


def test_capped_handler_stops_reading_mid_body():
    """The handler gives up as soon as the received bytes pass the cap (chunked bodies without a length)."""
    from django.core.files.uploadhandler import StopUpload

    handler = uploads.CappedUploadHandler(None, max_bytes=100)
    handler.receive_data_chunk(b"x" * 60, 0)
    with pytest.raises(StopUpload):
        handler.receive_data_chunk(b"x" * 60, 60)
    assert handler.too_large


def test_path_traversal_name_is_only_data(world, client_for, entry):
    url = reverse("submissions:entry_file", args=[entry.pk, "case_doc"])
    data = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"
    response = post_file(client_for(world.users.college), url, "../../../../etc/passwd.pdf", data)
    assert response.status_code == 200, response.content
    att = Attachment.objects.get()
    assert att.original_name == "passwd.pdf"
    assert att.file.name.startswith("attachments/") and ".." not in att.file.name and "passwd" not in att.file.name
    assert Path(att.file.path).resolve().is_relative_to(Path(settings.MEDIA_ROOT).resolve())


def test_files_only_for_those_entitled(world, client_for, entry):
    services.set_entry_file(entry, "case_doc", upload=SimpleUploadedFile("c.pdf", b"%PDF-1.4\n%%EOF\n"), by=world.users.college)
    att = Attachment.objects.get()
    url = reverse("submissions:attachment", args=[att.uuid])
    assert client_for(world.users.college).get(url).status_code == 200
    assert client_for(world.users.admin).get(url).status_code == 200
    for user in (None, world.users.college_b, world.users.branch_b, world.users.judge, world.users.norole):
        assert client_for(user).get(url).status_code == 404


def test_upload_without_csrf_token_is_refused(world, entry):
    from django.test import Client

    c = Client(enforce_csrf_checks=True)
    c.force_login(world.users.college)
    url = reverse("submissions:entry_file", args=[entry.pk, "case_doc"])
    response = c.post(url, {"file": SimpleUploadedFile("c.pdf", b"%PDF-1.4\n%%EOF\n")})
    assert response.status_code == 403
    assert Attachment.objects.count() == 0


@needs_ffmpeg
def test_real_h264_video_is_accepted_with_duration_and_warning(world, client_for, entry, tmp_path):
    url = reverse("submissions:entry_file", args=[entry.pk, "video"])
    response = post_file(client_for(world.users.college), url, "示范点.mp4", make_video(tmp_path))
    assert response.status_code == 200, response.content
    body = response.json()
    assert any("3–5 分钟" in w for w in body["warnings"])
    att = Attachment.objects.get()
    assert att.kind == "mp4" and att.video_codec == "h264" and (att.width, att.height) == (320, 240)
    assert 1.5 < att.duration_seconds < 2.5


@needs_ffmpeg
def test_mp4_with_other_codec_is_refused(world, client_for, entry, tmp_path):
    url = reverse("submissions:entry_file", args=[entry.pk, "video"])
    response = post_file(client_for(world.users.college), url, "v.mp4", make_video(tmp_path, codec="mpeg4"))
    assert response.status_code == 400 and "H.264" in response.json()["error"]
    assert Attachment.objects.count() == 0


def test_non_js_upload_redirects_with_message(world, client_for, entry):
    url = reverse("submissions:entry_file", args=[entry.pk, "case_doc"])
    c = client_for(world.users.college)
    response = c.post(url, {"file": SimpleUploadedFile("c.docx", b"not a docx")}, follow=True)
    assert "文件类型不符合要求" in response.content.decode()
