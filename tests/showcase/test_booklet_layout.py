"""The 成果汇编 booklet as printed: A4, nothing overlaps (running chapter header included),
quotes are Chinese “”, typed numbering is kept, and it downloads under a Chinese name."""

import shutil
from urllib.parse import unquote

import pytest
from django.urls import reverse

from showcase import services
from showcase.models import Bundle
from tests import pdf_geometry as geo

pytestmark = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils (pdftoppm) not installed")


@pytest.fixture
def typed_booklet(picked, django_capture_on_commit_callbacks):
    item = picked.item_a
    item.slogan = "党建强引擎"
    item.measures = '1. 建立"党员先锋岗"\n2. 开展结对共建'
    item.overview = "\n".join(f'第{i}段：以"红色引擎"为品牌，党员攻关突击队深入一线。' * 3 for i in range(40))
    item.save()
    picked.item_a = services.publish(item, by=picked.users.admin)
    with django_capture_on_commit_callbacks(execute=True):
        booklet = services.create_booklet(picked.campaign, [picked.item_a, picked.item_b], by=picked.users.admin)
    booklet.refresh_from_db()
    return booklet


def test_booklet_pages_are_a4_without_overlapping_text_and_with_chinese_quotes(typed_booklet, tmp_path):
    data = typed_booklet.file.read()
    pages = geo.read(data)
    assert len(pages) >= 4
    for page in pages:
        assert geo.is_a4(page), page.number
        assert geo.overlapping_chars(page) == [], f"page {page.number}: overlapping text"
    text = "".join(p.text for p in pages)
    assert '"' not in text and "“红色引擎”为品牌" in text
    assert "1.建立“党员先锋岗”" in text and "2.开展结对共建" in text and "1.1." not in text
    assert len(geo.render_pngs(data, tmp_path, "booklet")) == len(pages)


def test_booklet_and_bundle_download_under_chinese_names(typed_booklet, picked, client_for,
                                                       django_capture_on_commit_callbacks):
    admin = client_for(picked.users.admin)
    response = admin.get(reverse("showcase:booklet_file", args=[typed_booklet.pk]))
    assert response.status_code == 200
    name = unquote(response["Content-Disposition"].split("filename*=UTF-8''")[1])
    assert name == f"{typed_booklet.title}.pdf" and name.startswith("2026年度")
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(reverse("showcase:bundle", args=[2026]))  # built in the background (eagerly here)
    bundle = Bundle.objects.get()
    response = admin.get(reverse("showcase:bundle_file", args=[bundle.pk]))
    assert response.status_code == 200 and response["Content-Disposition"].startswith('attachment; filename="')
    assert unquote(response["Content-Disposition"].split("filename*=UTF-8''")[1]) == "2026年度-品牌展示网页包.zip"
