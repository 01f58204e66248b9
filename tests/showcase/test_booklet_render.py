"""The booklet render's CPU savings (issue #15): the garbage collector paused during WeasyPrint, and the
Celery worker's main process importing the URL conf and WeasyPrint before the pool forks."""

import gc
import os
import subprocess
import sys

import pytest
from django.conf import settings

from showcase import booklet

HTML = '<html lang="zh-Hans"><body><p>党建引领，发展先行。</p></body></html>'


@pytest.fixture
def gc_state():
    was = gc.isenabled()
    yield
    gc.enable() if was else gc.disable()


def test_render_pdf_pauses_the_collector_during_the_render_and_restores_it(gc_state):
    seen = []
    gc.enable()
    data, pages = booklet.render_pdf(HTML, progress=lambda p, note: seen.append((p, gc.isenabled())))
    assert data.startswith(b"%PDF") and pages == 1
    assert (85, False) in seen  # between layout and writing: collector off
    assert gc.isenabled()


def test_render_pdf_restores_the_collector_after_a_failed_render_and_leaves_it_off_if_it_was(gc_state, monkeypatch):
    import weasyprint

    class Broken:
        def __init__(self, **kwargs):
            raise RuntimeError("坏的 HTML")

    gc.enable()
    monkeypatch.setattr(weasyprint, "HTML", Broken)
    with pytest.raises(RuntimeError):
        booklet.render_pdf(HTML)
    assert gc.isenabled()
    monkeypatch.undo()
    gc.disable()
    booklet.render_pdf(HTML)
    assert not gc.isenabled()


def test_preload_imports_the_url_conf_and_weasyprint_in_a_fresh_process():
    code = (
        "import sys, django; django.setup()\n"
        "assert 'weasyprint' not in sys.modules and 'similarity.urls' not in sys.modules\n"
        "from showcase.booklet import preload; preload()\n"
        "assert 'weasyprint' in sys.modules and 'similarity.urls' in sys.modules\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "brandcampaign.settings_test", "DJANGO_TESTING": "1"}
    result = subprocess.run([sys.executable, "-c", code], cwd=settings.BASE_DIR, env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def test_the_worker_preloads_before_forking_and_starts_even_if_that_fails(monkeypatch):
    from celery import signals

    from brandcampaign import celery as celery_app

    # connected to worker_init (sending the signal here would also run Celery's Django fixup on the test process)
    assert celery_app.preload_for_tasks in [ref() for _, ref in signals.worker_init.receivers]
    calls = []
    monkeypatch.setattr(booklet, "preload", lambda: calls.append(1))
    celery_app.preload_for_tasks()
    assert calls == [1]

    def broken():
        raise ImportError("no scipy")

    monkeypatch.setattr(booklet, "preload", broken)
    celery_app.preload_for_tasks()  # logged, not raised
