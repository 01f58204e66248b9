from celery import shared_task

from core import jobs


@shared_task(ignore_result=True)
def make_poster(item_pk):
    """Extract the micro-video's poster frame. Idempotent (overwrites the previous poster)."""
    from .media import save_poster
    from .models import ShowcaseItem

    item = ShowcaseItem.objects.select_related("video").filter(pk=item_pk).first()
    if item is not None:
        save_poster(item)


@shared_task(**jobs.TASK_OPTIONS)
def generate_booklet(self, booklet_pk):
    """Render one 成果汇编 PDF. Idempotent: a finished booklet is left alone; the row is claimed
    first (core.jobs), so a redelivered message after a killed worker takes it over."""
    from .booklet import generate

    jobs.run(jobs.BOOKLET, self, booklet_pk, generate)


@shared_task(**jobs.TASK_OPTIONS)
def build_bundle(self, bundle_pk):
    """Build one 静态网页包 zip. Idempotent: a finished bundle is left alone; a re-run rewrites the zip
    from scratch (core.jobs claims the row first)."""
    from .bundle import generate

    jobs.run(jobs.BUNDLE, self, bundle_pk, generate)
