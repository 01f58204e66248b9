"""The static bundle: a zip of a year's published showcase for the university website."""

import re
import zipfile

from django.urls import reverse

from showcase import services


def open_zip(response):
    import io

    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_bundle_contains_pages_assets_and_media_of_published_items_only(picked, client_for):
    services.publish(picked.item_a, by=picked.users.admin)  # item_a1 stays unpublished
    r = client_for(picked.users.admin).get(reverse("showcase:bundle", args=[2026]))
    assert r.status_code == 200 and r["Content-Type"] == "application/zip"
    zf = open_zip(r)
    names = set(zf.namelist())
    a, b = picked.item_a, picked.item_b
    assert {"index.html", f"items/{a.pk}.html", f"items/{b.pk}.html", "assets/bootstrap.min.css",
            "assets/showcase.css"} <= names
    assert f"items/{picked.item_a1.pk}.html" not in names
    index = zf.read("index.html").decode()
    assert "红色引擎" in index and "青春领航" in index and "实验室先锋岗" not in index
    page = zf.read(f"items/{a.pk}.html").decode()
    assert "党建引领科研攻关典型案例" in page and "十佳" not in page
    assert "十佳党建品牌" in zf.read(f"items/{b.pk}.html").decode()
    # every relative link in the pages points at a file inside the zip
    for html_name in [n for n in names if n.endswith(".html")]:
        base = html_name.rsplit("/", 1)[0] + "/" if "/" in html_name else ""
        for ref in re.findall(r'(?:src|href|poster)="([^"#]+)"', zf.read(html_name).decode()):
            target = (base + ref).replace("items/../", "")
            assert target in names, (html_name, ref)
    media = [n for n in names if n.startswith("media/")]
    assert any(n.startswith("media/videos/") for n in media)
    assert any(n.startswith("media/posters/") for n in media)
    assert any(n.startswith("media/photos/") for n in media)
    assert any(n.startswith("media/logos/") for n in media)
    assert zf.read(f"media/videos/video-{a.pk}.mp4") == picked.item_a.video.file.open("rb").read()


def test_export_command_writes_the_same_bundle(picked, tmp_path):
    from django.core.management import call_command

    out = tmp_path / "b.zip"
    call_command("export_showcase_bundle", "2026", str(out))
    names = zipfile.ZipFile(out).namelist()
    assert "index.html" in names and f"items/{picked.item_b.pk}.html" in names
    assert f"items/{picked.item_a.pk}.html" not in names  # unpublished
