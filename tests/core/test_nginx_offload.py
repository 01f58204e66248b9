"""Files behind a real nginx (Debian's package) with the shipped deploy/nginx.conf: Django checks
the permission, nginx sends the bytes (X-Accel-Redirect, FILE_DELIVERY=nginx) with Range; the
internal location is 404 from outside; nginx's own errors are the portal's Chinese pages."""

import urllib.error
import urllib.request

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from scripts.nginx_conf import Nginx
from submissions.models import Attachment

pytestmark = [pytest.mark.skipif(not Nginx.available(), reason="nginx not installed (Debian package nginx)"),
              pytest.mark.django_db(transaction=True)]
NGINX_PORT = 8122
VIDEO = bytes(range(256)) * 4096  # 1 MiB, every offset has a known byte


def fetch(url, cookie=None, headers=None, data=None):
    req = urllib.request.Request(url, data=data, headers={**(headers or {}), **({"Cookie": cookie} if cookie else {})})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


@pytest.fixture
def site(world, live_server, settings, tmp_path):
    media = tmp_path / "media"
    media.mkdir()
    settings.MEDIA_ROOT = str(media)
    settings.SENDFILE_ROOT = str(media)
    settings.FILE_DELIVERY = "nginx"
    settings.ALLOWED_HOSTS = ["*"]
    video = Attachment(organization=world.college_a, kind="mp4", original_name="微视频.mp4", size=len(VIDEO))
    video.file.save("attachments/video.mp4", ContentFile(VIDEO), save=False)
    video.save()
    upstream = live_server.url.split("//", 1)[1].replace("localhost", "127.0.0.1")
    with Nginx(NGINX_PORT, upstream, media, tmp_path / "nginx", max_body="2m") as nginx:
        yield type("Site", (), {"nginx": nginx, "video": video, "media": media})


def cookie_for(client, user):
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


def test_video_is_sent_by_nginx_and_seeks_with_range(site, world, client):
    url = site.nginx.url + reverse("submissions:attachment", args=[site.video.uuid])
    cookie = cookie_for(client, world.users.college)
    status, headers, body = fetch(url, cookie, {"Range": "bytes=1000-1999"})
    assert status == 206 and body == VIDEO[1000:2000]
    assert headers["Content-Range"] == f"bytes 1000-1999/{len(VIDEO)}"
    assert headers["Content-Type"] == "video/mp4" and "inline" in headers["Content-Disposition"]
    assert "X-Accel-Redirect" not in headers  # consumed by nginx
    status, headers, body = fetch(url, cookie)
    assert status == 200 and body == VIDEO and headers.get("Accept-Ranges") == "bytes"


def test_unauthorised_users_get_404_and_the_internal_location_is_not_reachable(site, world, client):
    url = site.nginx.url + reverse("submissions:attachment", args=[site.video.uuid])
    assert fetch(url, cookie_for(client, world.users.college_b))[0] == 404  # Django refuses
    assert fetch(url)[0] == 404  # anonymous
    status, _, body = fetch(f"{site.nginx.url}/protected-media/{site.video.file.name}")
    assert status == 404 and VIDEO[:100] not in body  # internal: never from outside
    assert fetch(f"{site.nginx.url}/media/{site.video.file.name}")[0] == 404


def test_too_large_upload_gets_the_chinese_413_page(site, world, client):
    status, headers, body = fetch(site.nginx.url + "/accounts/login/", data=b"x" * (3 * 1024 * 1024),
                                  headers={"Content-Type": "application/octet-stream"})
    assert status == 413 and "上传的文件过大" in body.decode() and "500 MB" in body.decode()


def test_gunicorn_down_gets_the_chinese_502_page(tmp_path):
    with Nginx(NGINX_PORT + 1, "127.0.0.1:8129", tmp_path, tmp_path / "nginx") as nginx:  # nothing on 8129
        status, headers, body = fetch(nginx.url + "/")
    assert status == 502 and "系统正在重启或暂时无法访问" in body.decode()
    assert "charset=utf-8" in headers["Content-Type"]
