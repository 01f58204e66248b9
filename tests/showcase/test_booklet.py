"""The 成果汇编 booklet: content, TOC page numbers, embedded CJK font, versions, progress."""

import re
import shutil
import subprocess

import pytest
from django.urls import reverse

from showcase import services
from showcase.models import Booklet, BookletStatus

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) not installed")


def pdftext(path, first=None, last=None, layout=False):
    cmd = ["pdftotext", "-enc", "UTF-8"]
    if layout:
        cmd.append("-layout")
    if first:
        cmd += ["-f", str(first), "-l", str(last or first)]
    return subprocess.run([*cmd, str(path), "-"], check=True, capture_output=True, text=True).stdout


def page_count(path):
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


@pytest.fixture
def booklet(picked, django_capture_on_commit_callbacks):
    # make the first brand long enough to span several pages, so chapter 2 cannot start on a guessed page
    item = picked.item_a
    item.overview = "\n".join(f"第{i}段：党员攻关突击队深入一线，推动党建与业务深度融合。" * 4 for i in range(60))
    item.save()
    picked.item_a = services.publish(item, by=picked.users.admin)
    picked.item_a1 = services.publish(picked.item_a1, by=picked.users.admin)
    with django_capture_on_commit_callbacks(execute=True):
        b = services.create_booklet(picked.campaign, [picked.item_a, picked.item_a1, picked.item_b],
                                    by=picked.users.admin)
    b.refresh_from_db()
    return b


def test_booklet_is_generated_with_every_chosen_brand(booklet, picked):
    assert booklet.status == BookletStatus.DONE and booklet.progress == 100
    text = pdftext(booklet.file.path)
    for name in ("红色引擎", "实验室先锋岗", "青春领航", "甲学院党委", "乙学院党委", "党建引领科研攻关典型案例",
                 "党建强引擎 发展增动能"):
        assert name in text, name
    assert booklet.page_count == page_count(booklet.file.path) >= 6
    assert "扫描二维码观看微视频" in text  # item_a has a video


def test_items_not_chosen_are_not_in_the_booklet(picked, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        b = services.create_booklet(picked.campaign, [picked.item_b], by=picked.users.admin)
    b.refresh_from_db()
    text = pdftext(b.file.path)
    assert "青春领航" in text and "红色引擎" not in text


def test_toc_page_numbers_match_the_pages_where_chapters_and_items_start(booklet):
    path = booklet.file.path
    toc = pdftext(path, 2, 2, layout=True)
    entries = re.findall(r"^\s*(第[一二三四五六七八九十]+章)\s+(\S+)\s+(\d+)\s*$", toc, flags=re.M)
    assert [(label, name) for label, name, _ in entries] == [("第一章", "甲学院党委"), ("第二章", "乙学院党委")]
    pages = [pdftext(path, n) for n in range(1, page_count(path) + 1)]
    for label, name, number in entries:
        n = int(number)
        first = next(i for i in range(3, len(pages) + 1) if f"{label}" in pages[i - 1])
        assert first == n, (label, n, first)
        assert name in pages[n - 1]
    assert int(entries[1][2]) - int(entries[0][2]) >= 3  # chapter one really spans several pages
    sections = re.findall(r"^\s*(\S+)（(\S+)）\s+(\d+)\s*$", toc, flags=re.M)
    assert {s[0] for s in sections} == {"红色引擎", "实验室先锋岗", "青春领航"}
    for title, org, number in sections:
        page = pages[int(number) - 1]
        assert title in page and f"· {org} ·" in page, title  # the item's heading and its meta line


def test_a_cjk_font_is_embedded(booklet):
    out = subprocess.run(["pdffonts", booklet.file.path], check=True, capture_output=True, text=True).stdout
    rows = [line for line in out.splitlines()[2:] if "WenQuanYi" in line]
    assert rows, out
    assert all(" yes " in row for row in rows)


def test_earlier_versions_stay_downloadable(booklet, picked, client_for, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        second = services.create_booklet(picked.campaign, [picked.item_b], by=picked.users.admin, title="第二版")
    admin = client_for(picked.users.admin)
    page = admin.get(reverse("showcase:booklets") + "?year=2026").content.decode()
    for b in (booklet, second):
        assert reverse("showcase:booklet_file", args=[b.pk]) in page
        r = admin.get(reverse("showcase:booklet_file", args=[b.pk]))
        assert r.status_code == 200 and b"".join(r.streaming_content).startswith(b"%PDF")


def test_booklet_form_starts_generation_and_status_polls_until_done(picked, client_for):
    admin = client_for(picked.users.admin)
    r = admin.post(reverse("showcase:booklets"), {"year": "2026", "items": [picked.item_b.pk], "title": ""})
    assert r.status_code == 302
    b = Booklet.objects.get()
    assert b.title == "2026年度党建特色品牌创建成果汇编" and list(b.items.all()) == [picked.item_b]
    # pending: the row polls itself
    status = admin.get(reverse("showcase:booklet_status", args=[b.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in status and "0%" in status
    b.status, b.progress = BookletStatus.RUNNING, 40
    b.save()
    status = admin.get(reverse("showcase:booklet_status", args=[b.pk])).content.decode()
    assert 'aria-valuenow="40"' in status
    from showcase.booklet import generate

    generate(b.pk)
    status = admin.get(reverse("showcase:booklet_status", args=[b.pk])).content.decode()
    assert "hx-trigger" not in status and reverse("showcase:booklet_file", args=[b.pk]) in status


def test_booklet_needs_published_items(picked, client_for):
    admin = client_for(picked.users.admin)
    r = admin.post(reverse("showcase:booklets"), {"year": "2026"})
    assert r.status_code == 400 and not Booklet.objects.exists()
    r = admin.post(reverse("showcase:booklets"), {"year": "2026", "items": [picked.item_a.pk]})  # unpublished
    assert r.status_code == 400 and not Booklet.objects.exists()
    form_page = admin.get(reverse("showcase:booklets") + "?year=2026").content.decode()
    assert "青春领航" in form_page and "红色引擎" not in form_page


def test_layout_progress_is_reported_page_by_page(booklet):
    from showcase.booklet import booklet_html, booklet_items, render_pdf

    calls = []
    items = booklet_items(booklet)
    data, pages = render_pdf(booklet_html(booklet, items), lambda p, note: calls.append((p, note)), expected_pages=10)
    assert data.startswith(b"%PDF") and pages == booklet.page_count
    layout = [p for p, note in calls if note.startswith("正在排版")]
    assert layout and layout == sorted(layout) and all(35 <= p <= 80 for p in layout)
    assert calls[-1][0] == 85
