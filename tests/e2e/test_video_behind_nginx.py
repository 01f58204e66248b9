"""The browser behind a real nginx (deploy/nginx.conf): Django checks the permission, nginx sends
the micro-video by X-Accel-Redirect, and seeking works (Range → 206 from nginx). Another college's
user gets 404."""

import shutil
import subprocess

import pytest
from django.core.files.base import ContentFile

from scripts.nginx_conf import Nginx

pytestmark = [pytest.mark.e2e, pytest.mark.live_server_only,
              pytest.mark.skipif(not Nginx.available(), reason="nginx not installed (Debian package nginx)")]


@pytest.fixture
def behind_nginx(site, settings, tmp_path):
    if site.remote:
        pytest.skip("starts its own nginx in front of the live server")
    if not shutil.which("ffmpeg"):
        pytest.skip("ffmpeg is needed to make a test video")
    from organizations.models import Organization
    from submissions.models import Attachment

    media = tmp_path / "media"
    media.mkdir()
    settings.MEDIA_ROOT = settings.SENDFILE_ROOT = str(media)
    settings.FILE_DELIVERY = "nginx"
    settings.ALLOWED_HOSTS = ["*"]
    video = tmp_path / "v.mp4"
    subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=10",
                    "-t", "6", "-pix_fmt", "yuv420p", "-c:v", "libx264", str(video)], check=True, timeout=60)
    college1_org = Organization.objects.get(code="JX")
    att = Attachment(organization=college1_org, kind="mp4", original_name="示范点.mp4", size=video.stat().st_size)
    att.file.save("attachments/e2e.mp4", ContentFile(video.read_bytes()), save=False)
    att.save()
    upstream = site.url.split("//", 1)[1].replace("localhost", "127.0.0.1")
    with Nginx(8127, upstream, media, tmp_path / "nginx") as nginx:
        yield nginx, att


def test_video_seeks_through_nginx_and_others_get_404(browser, behind_nginx, login, screenshot):
    nginx, att = behind_nginx
    path = f"/submissions/files/{att.uuid}/"
    context = browser.new_context(base_url=nginx.url, locale="zh-CN")
    page = context.new_page()
    page.goto("/accounts/login/")
    login(page, "college1", expect_url=None)
    page.wait_for_url(f"{nginx.url}/")
    page.goto(path)  # Chromium's own player for a video document
    page.wait_for_function("() => document.querySelector('video') && document.querySelector('video').readyState >= 1")
    assert page.evaluate("document.querySelector('video').duration") == pytest.approx(6, abs=0.5)
    page.evaluate("document.querySelector('video').currentTime = 4")
    page.wait_for_function("() => !document.querySelector('video').seeking && document.querySelector('video').currentTime > 3")
    screenshot(page, "video-behind-nginx")
    # a Range request with the browser's session: answered 206 by nginx (X-Accel-Redirect consumed)
    response = page.request.get(path, headers={"Range": "bytes=100-199"})
    assert response.status == 206 and response.headers["content-range"].startswith("bytes 100-199/")
    assert len(response.body()) == 100 and "x-accel-redirect" not in response.headers
    assert response.body() == att.file.open("rb").read()[100:200]
    context.close()

    other = browser.new_context(base_url=nginx.url, locale="zh-CN")
    page = other.new_page()
    page.goto("/accounts/login/")
    login(page, "college2", expect_url=None)
    assert page.goto(path).status == 404
    other.close()
