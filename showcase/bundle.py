"""Static bundle of a year's published showcase for the university website.

A zip with index.html, one page per item, the CSS it needs and the media (logos, posters,
photos, videos, documents) under media/. All links are relative, so the folder can be
copied anywhere on a web server."""

import os
import tempfile
import zipfile

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone

from .models import ItemOutcome, ShowcaseItem

ASSETS = {"assets/bootstrap.min.css": "vendor/bootstrap/bootstrap.min.css",
          "assets/showcase.css": "showcase/showcase.css"}


def _ext(name, default=""):
    return os.path.splitext(name)[1].lower() or default


def bundle_items(campaign):
    return list(ShowcaseItem.objects.published().filter(campaign=campaign).with_badge()
                .select_related("college", "video").prefetch_related("outcomes", "photos", "documents")
                .order_by("college__sort_order", "college__code", "-kind", "org_name"))


def build_bundle(campaign, fh=None):
    """Write the zip to fh (a new temporary file when None) and return it, rewound."""
    fh = fh or tempfile.TemporaryFile()
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
        for path, item in pages:
            zf.writestr(path, render_to_string("showcase/bundle/item.html", {
                "campaign": campaign, "item": item, "generated_at": generated, "root": "../"}))
        for arcname, static_path in ASSETS.items():
            found = finders.find(static_path)
            if found:
                zf.write(found, arcname)
        for arcname, field_file in media.items():
            with field_file.open("rb") as src, zf.open(zipfile.ZipInfo(arcname, generated.timetuple()[:6]), "w") as dst:
                while chunk := src.read(1024 * 1024):
                    dst.write(chunk)
    fh.seek(0)
    return fh
