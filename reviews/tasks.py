"""Celery tasks: take ids, call the same read/write functions, idempotent."""

from celery import shared_task
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage


@shared_task
def render_sheet_pdfs(track_id, round_=1):
    """Pre-render every judge's 评分表 for the paper record; overwrites the same file names on retry."""
    from . import pdf
    from .models import JudgingTrack

    track = JudgingTrack.objects.select_related("campaign").get(pk=track_id)
    names = []
    for judge in track.judges.all():
        name = f"judging/{track.campaign.year}-{track.track}-r{round_}-{judge.username}.pdf"
        if default_storage.exists(name):
            default_storage.delete(name)
        names.append(default_storage.save(name, ContentFile(pdf.sheet_pdf(track, judge, round_))))
    return names
