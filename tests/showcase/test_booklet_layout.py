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


MM = 72 / 25.4


def test_booklet_photos_are_a_grid_of_three_54mm_columns_with_3mm_gaps_on_one_page(picked, django_capture_on_commit_callbacks):
    """The photo grid (inline blocks since issue #15; it was a flex box): 54 × 38 mm photos, three a row,
    3 mm between columns and between rows (the row gap measured from photo to photo: 38 mm + caption +
    3 mm), each caption under its photo, and a grid of two rows kept on one page."""
    import io

    from PIL import Image

    from .conftest import attachment

    def jpeg(n):
        buf = io.BytesIO()
        Image.new("RGB", (800, 600), (40 * n, 90, 30)).save(buf, "JPEG")
        return buf.getvalue()

    item = picked.item_b
    item.photos.set([attachment(picked.college_b, "jpeg", f"g{n}.jpg", jpeg(n), caption=f"照片说明{n}") for n in range(5)])
    item.logo = ""
    item.overview = "以青年党员为骨干开展志愿服务。" * 150  # the grid starts low on a page: it must move as a whole
    item.save()
    with django_capture_on_commit_callbacks(execute=True):
        booklet = services.create_booklet(picked.campaign, [item], by=picked.users.admin)
    booklet.refresh_from_db()
    data = booklet.file.read()
    photos = [im for im in geo.images(data) if abs((im[3] - im[1]) - 54 * MM) < 1]
    assert len(photos) == 5
    assert len({im[0] for im in photos}) == 1, "the grid is split across pages"
    # each photo is drawn whole (800 × 600 → 54 × 40.5 mm) and clipped to its 54 × 38 mm box, centred
    box_top = [im[2] + ((im[4] - im[2]) - 38 * MM) / 2 for im in photos]
    rows = [list(zip(photos[:3], box_top[:3])), list(zip(photos[3:], box_top[3:]))]
    for row in rows:
        assert len({round(top, 1) for _, top in row}) == 1  # one top per row
        assert abs(row[0][0][1] - (18 * MM + 6)) < 0.5  # the first photo at the text's left edge (body margin 8px)
        for (left, _), (right, _) in zip(row, row[1:]):
            assert abs(right[1] - left[3] - 3 * MM) < 0.5
    page = geo.read(data)[photos[0][0] - 1]
    captions = [w for w in page.words if w["text"].startswith("照片说明")]
    assert len(captions) == 5, captions
    for im, top in zip(photos, box_top):  # each caption right under its photo, at its left edge
        assert any(abs(w["x0"] - im[1]) < 1 and top + 38 * MM <= w["top"] < top + 38 * MM + 10 for w in captions)
    # row pitch: the photo, its line's descent (~5 pt, the img is inline), the caption line, the 3 mm gap
    pitch = rows[1][0][1] - rows[0][0][1]
    assert 38 * MM + 8.5 * 1.65 + 3 * MM < pitch < 38 * MM + 8.5 * 1.65 + 3 * MM + 7
