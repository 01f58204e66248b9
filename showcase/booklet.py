"""The 成果汇编 booklet: a print-ready A4 PDF rendered by WeasyPrint in a Celery task.

Progress is written to the Booklet row as the work advances (collect → HTML → layout →
write), so the page can poll it. The table of contents gets its page numbers from
WeasyPrint's target-counter(); tests check them against the real pages."""

import base64
import gc
import io
import logging
import re
import time
from itertools import groupby
from pathlib import Path

import segno
from django.conf import settings
from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from core.typography import html_cn_quotes

from . import services
from .models import Booklet, BookletStatus, ItemKind, ShowcaseItem

log = logging.getLogger(__name__)
CN_NUMS = "零一二三四五六七八九十"


def chapter_number(n):
    """1 → 一, 12 → 十二, 25 → 二十五 (enough for a booklet's chapters)."""
    if n <= 10:
        return CN_NUMS[n]
    tens, ones = divmod(n, 10)
    return (CN_NUMS[tens] if tens > 1 else "") + "十" + (CN_NUMS[ones] if ones else "")


def file_src(field_file):
    """A URL WeasyPrint can load: file:// on local disk, else a data: URI."""
    if not field_file:
        return ""
    try:
        return Path(field_file.path).as_uri()
    except NotImplementedError:
        with field_file.open("rb") as fh:
            data = fh.read()
        mime = "image/png" if data.startswith(b"\x89PNG") else "image/jpeg"
        return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def qr_data_uri(url):
    return segno.make(url, error="m").svg_data_uri(scale=3, border=1)


def item_url(item):
    return f"{settings.SITE_URL}{reverse('showcase:detail', args=[item.pk])}"


def booklet_items(booklet):
    return list(
        booklet.items.with_badge().select_related("college", "organization", "video")
        .prefetch_related("outcomes", "photos")
        .order_by("college__sort_order", "college__code", "kind", "sort_order", "org_name")
    )


def chapters_for(items):
    """One chapter per 院(处)级 org: its brand first, then its featured branches."""
    items = sorted(items, key=lambda i: (i.college.sort_order, i.college.code, i.kind != ItemKind.BRAND,
                                         i.sort_order, i.org_name))
    chapters = []
    for n, (college, group) in enumerate(groupby(items, key=lambda i: i.college), start=1):
        chapters.append({"n": n, "label": f"第{chapter_number(n)}章", "college": college, "items": list(group)})
    return chapters


def booklet_html(booklet, items, on_item=None):
    chapters = chapters_for(items)
    entries = []
    total = max(len(items), 1)
    done = 0
    for chapter in chapters:
        for item in chapter["items"]:
            url = item_url(item)
            entries.append(item.pk)
            item.pdf = {
                "logo": file_src(item.logo),
                "photos": [(file_src(p.file), p.caption) for p in item.photos.all()][:6],
                "qr": qr_data_uri(url) if item.video_id else "",
                "url": url,
                "cases": [o for o in item.outcomes.all() if o.outcome_type in ("case", "method", "experience")],
                "others": [o for o in item.outcomes.all() if o.outcome_type not in ("case", "method", "experience")],
            }
            done += 1
            if on_item:
                on_item(done, total)
    return render_to_string("showcase/pdf/booklet.html", {
        "booklet": booklet, "chapters": chapters, "font": settings.PDF_FONT_FAMILY,
        "year": booklet.campaign.year, "generated_at": timezone.localtime(), "n_items": len(items),
    })


class _LayoutProgress(logging.Handler):
    """Turns WeasyPrint's "Creating layout - Page N" log lines into progress (35% → 80%)."""

    def __init__(self, progress, expected_pages):
        super().__init__(logging.INFO)
        self.progress, self.expected, self.last = progress, max(expected_pages, 1), 0

    def emit(self, record):
        match = re.search(r"Creating layout - Page (\d+)$", record.getMessage())
        if match and self.progress:
            page = int(match.group(1))
            if page >= self.last + 5:
                self.last = page
                self.progress(35 + min(45, int(45 * page / self.expected)), f"正在排版：第 {page} 页")


class _GcPaused:
    """Python's cyclic garbage collector off for the duration (restored after, as it was).

    WeasyPrint allocates hundreds of thousands of boxes and styles that all stay alive until the
    document is written, so the collector's passes during a render find next to nothing to free:
    they were ~15 % of the booklet's render time (py-spy, 100 pages), and the peak memory is the
    same without them (~160 MB). The few cycles a render leaves behind go at the next collection."""

    def __enter__(self):
        self.was_enabled = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc):
        if self.was_enabled:
            gc.enable()


def render_pdf(html, progress=None, expected_pages=10):
    from weasyprint import HTML

    logger = logging.getLogger("weasyprint.progress")
    handler = _LayoutProgress(progress, expected_pages)
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    with _GcPaused():
        try:
            document = HTML(string=html_cn_quotes(html), base_url=str(settings.BASE_DIR)).render()
        finally:
            logger.removeHandler(handler)
            logger.setLevel(old_level)
        if progress:
            progress(85, f"排版完成，共 {len(document.pages)} 页，正在写入 PDF")
        out = io.BytesIO()
        document.write_pdf(out)
    return out.getvalue(), len(document.pages)


def preload():
    """Import what the first booklet of a fresh worker process would import: the URL conf (item_url's
    reverse() loads every app's urls, with similarity's scipy) and WeasyPrint. ~1 s of CPU, which was
    a third of a cold worker's first 100-page booklet (bench/showcase_bench.py). Imports only, no fonts
    or rendering: brandcampaign.celery runs it in the worker's main process before the pool forks."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 (imports the URL modules)
    import weasyprint  # noqa: F401


def generate(booklet_pk):
    booklet = Booklet.objects.select_related("campaign").filter(pk=booklet_pk).first()
    if booklet is None or booklet.status == BookletStatus.DONE:
        return booklet
    Booklet.objects.filter(pk=booklet.pk).update(started_at=timezone.now(), error="")
    booklet.started_at = timezone.now()
    started = time.monotonic()
    try:
        services.set_booklet_progress(booklet, 5, "正在读取收录条目")
        items = booklet_items(booklet)

        def on_item(done, total):
            if done == total or done % 5 == 0:
                services.set_booklet_progress(booklet, 5 + int(25 * done / total), f"正在整理内容（{done}/{total}）")

        html = booklet_html(booklet, items, on_item)
        services.set_booklet_progress(booklet, 35, "正在排版（页数较多时需要几分钟）")
        data, pages = render_pdf(html, lambda p, note: services.set_booklet_progress(booklet, p, note),
                                 expected_pages=2 + 2 * len(items))
        booklet.file.save(f"booklet-{booklet.campaign.year}-{booklet.pk}.pdf", ContentFile(data), save=False)
        booklet.page_count = pages
        booklet.status = BookletStatus.DONE
        booklet.progress = 100
        booklet.progress_note = f"已完成，共 {pages} 页，用时 {time.monotonic() - started:.1f} 秒"
        booklet.finished_at = timezone.now()
        booklet.save()
    except Exception as exc:  # a failed booklet is reported in the page, then re-raised for the worker log
        log.exception("booklet %s failed", booklet_pk)
        Booklet.objects.filter(pk=booklet.pk).update(status=BookletStatus.FAILED, error=str(exc)[:2000],
                                                     finished_at=timezone.now(), progress_note="生成失败")
        raise
    return booklet


def published_items(campaign):
    return ShowcaseItem.objects.published().filter(campaign=campaign)
