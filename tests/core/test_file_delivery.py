"""FILE_DELIVERY: who sends the bytes once the view has allowed them (core.http)."""

from urllib.parse import parse_qs, urlparse

import pytest
from django.core.files.base import ContentFile
from django.test import RequestFactory

from core.http import ranged_file_response
from submissions.models import Attachment


@pytest.fixture
def video(world, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.SENDFILE_ROOT = str(tmp_path)
    a = Attachment(organization=world.college_a, kind="mp4", original_name="微视频.mp4", size=4)
    a.file.save("attachments/v.mp4", ContentFile(b"\x00\x00\x00\x18ftypmp42"), save=False)
    a.save()
    return a


def test_python_streams_the_bytes_in_the_embedded_default(video, settings):
    settings.FILE_DELIVERY = "python"
    r = ranged_file_response(RequestFactory().get("/", HTTP_RANGE="bytes=4-7"), video.file, "video/mp4")
    assert r.status_code == 206 and b"".join(r.streaming_content) == b"ftyp"


def test_nginx_mode_answers_with_x_accel_redirect_and_no_body(video, settings):
    settings.FILE_DELIVERY = "nginx"
    r = ranged_file_response(RequestFactory().get("/"), video.file, "video/mp4", filename="微视频.mp4")
    assert r["X-Accel-Redirect"] == f"/protected-media/{video.file.name}"
    assert r["Content-Type"] == "video/mp4" and r["Content-Disposition"].startswith("inline; ")
    assert "filename*=UTF-8''%E5%BE%AE%E8%A7%86%E9%A2%91.mp4" in r["Content-Disposition"]
    assert r.content == b""


def test_s3_mode_redirects_to_a_short_lived_signed_url(video, settings):
    from storages.backends.s3 import S3Storage

    settings.FILE_DELIVERY = "s3"
    settings.FILE_URL_EXPIRY = 120
    video.file.storage = S3Storage(bucket_name="bc-files", endpoint_url="http://127.0.0.1:8129", access_key="k",
                                   secret_key="s", querystring_auth=True, region_name="us-east-1")
    r = ranged_file_response(RequestFactory().get("/"), video.file, "video/mp4", filename="微视频.mp4",
                             as_attachment=True)
    assert r.status_code == 302 and r["Cache-Control"] == "private, no-store"
    url = urlparse(r["Location"])
    query = parse_qs(url.query)
    assert url.path == f"/bc-files/{video.file.name}"
    assert query["response-content-type"] == ["video/mp4"]
    assert query["response-content-disposition"][0].startswith("attachment; ")
    assert "filename*=UTF-8''" in query["response-content-disposition"][0]
    assert query.get("X-Amz-Expires") == ["120"] or query.get("Expires")
