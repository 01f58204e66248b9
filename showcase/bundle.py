"""Static bundle of a year's published showcase for the university website.

A zip with index.html, one page per item, the CSS it needs and the media (logos, posters,
photos, videos, documents) under media/. All links are relative, so the folder can be
copied anywhere on a web server.

组织部 asks for it on the page; it is built in the background like the booklets (`generate`, run by
showcase.tasks.build_bundle through core.jobs): progress and heartbeat on the Bundle row, re-queued
once after a killed worker, then failed visibly with 重试. The management command
`export_showcase_bundle` writes the same zip directly."""

import logging
import os
import tempfile
import time
import zipfile

from django.core.files import File

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone

from .models import BookletStatus, Bundle, ItemOutcome, ShowcaseItem

log = logging.getLogger(__name__)

ASSETS = {"assets/bootstrap.min.css": "vendor/bootstrap/bootstrap.min.css",
          "assets/showcase.css": "showcase/showcase.css"}


def _ext(name, default=""):
    return os.path.splitext(name)[1].lower() or default


def bundle_items(campaign):
    return list(ShowcaseItem.objects.published().filter(campaign=campaign).with_badge()
                .select_related("college", "video").prefetch_related("outcomes", "photos", "documents")
                .order_by("college__sort_order", "college__code", "-kind", "org_name"))


def build_bundle(campaign, fh=None, progress=None):
    """Write the zip to fh (a new temporary file when None) and return it, rewound.

    `progress(percent, note)`, when given, is called as pages are written and media copied."""
    fh = fh or tempfile.TemporaryFile()
    progress = progress or (lambda percent, note: None)
    items = bundle_items(campaign)
    media = {}  # zip path → FieldFile

    def add_media(folder, field_file, stem):
        if not field_file:
            return ""
        path = f"media/{folder}/{stem}{_ext(field_file.name)}"
        media[path] = field_file
        return path

    pages = []
    for item in items:
        item.b = {
            "logo": add_media("logos", item.logo, f"logo-{item.pk}"),
            "poster": add_media("posters", item.poster, f"poster-{item.pk}"),
            "video": add_media("videos", item.video.file, f"video-{item.pk}") if item.video_id else "",
            "photos": [(add_media("photos", p.file, f"photo-{p.uuid}"), p.caption) for p in item.photos.all()],
            "documents": [(add_media("docs", d.file, f"doc-{d.uuid}"), d.original_name) for d in item.documents.all()],
            "cases": [o for o in item.outcomes.all() if o.outcome_type in ItemOutcome.LIBRARY_TYPES],
        }
        pages.append((f"items/{item.pk}.html", item))
    generated = timezone.localtime()
    with zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("index.html", render_to_string("showcase/bundle/index.html", {
            "campaign": campaign, "items": items, "generated_at": generated, "root": ""}))
        for n, (path, item) in enumerate(pages, start=1):
            if n == len(pages) or n % 10 == 0:
                progress(5 + int(15 * n / len(pages)), f"正在生成网页（{n}/{len(pages)}）")
            zf.writestr(path, render_to_string("showcase/bundle/item.html", {
                "campaign": campaign, "item": item, "generated_at": generated, "root": "../"}))
        for arcname, static_path in ASSETS.items():
            found = finders.find(static_path)
            if found:
                zf.write(found, arcname)
        total = len(media)
        for n, (arcname, field_file) in enumerate(media.items(), start=1):
            progress(20 + int(75 * (n - 1) / max(total, 1)), f"正在打包图片与视频（{n}/{total}）")
            with field_file.open("rb") as src, zf.open(zipfile.ZipInfo(arcname, generated.timetuple()[:6]), "w") as dst:
                while chunk := src.read(1024 * 1024):
                    dst.write(chunk)
    fh.seek(0)
    return fh


def set_progress(bundle, progress, note="", status=BookletStatus.RUNNING):
    """Progress on the row; it also refreshes the heartbeat (core.jobs)."""
    Bundle.objects.filter(pk=bundle.pk).update(progress=progress, progress_note=note, status=status,
                                                heartbeat_at=timezone.now())


def generate(bundle_pk):
    """The job: build the zip into a temporary file, then store it on the row. Re-running starts over."""
    bundle = Bundle.objects.select_related("campaign").filter(pk=bundle_pk).first()
    if bundle is None or bundle.status == BookletStatus.DONE:
        return bundle
    Bundle.objects.filter(pk=bundle.pk).update(started_at=timezone.now(), error="")
    started = time.monotonic()
    try:
        set_progress(bundle, 2, "正在读取已发布条目")
        with tempfile.TemporaryFile() as fh:
            build_bundle(bundle.campaign, fh, progress=lambda p, note: set_progress(bundle, p, note))
            set_progress(bundle, 96, "正在保存网页包")
            size = fh.seek(0, os.SEEK_END)
            fh.seek(0)
            old = bundle.file.name
            bundle.file.save(f"bundle-{bundle.campaign.year}-{bundle.pk}.zip", File(fh), save=False)
            if old and old != bundle.file.name:  # a re-run after a killed worker that had stored one
                bundle.file.storage.delete(old)
        bundle.size = size
        bundle.item_count = ShowcaseItem.objects.published().filter(campaign=bundle.campaign).count()
        bundle.status = BookletStatus.DONE
        bundle.progress = 100
        bundle.progress_note = f"已完成，共 {bundle.item_count} 个条目，用时 {time.monotonic() - started:.1f} 秒"
        bundle.finished_at = timezone.now()
        bundle.save()
    except Exception as exc:  # reported in the page, then re-raised for the worker log
        log.exception("bundle %s failed", bundle_pk)
        Bundle.objects.filter(pk=bundle.pk).update(status=BookletStatus.FAILED, error=f"生成失败：{exc}"[:2000],
                                                    finished_at=timezone.now(), progress_note="生成失败")
        raise
    return bundle
