"""gunicorn.conf.post_worker_init warms WeasyPrint with a full-length 附件1 before the worker serves
(issue #15: the first PDF in a fresh worker within 2x a warm one; bench/pdf_bench.py measures it)."""

import importlib.util

from django.conf import settings


def load_conf():
    spec = importlib.util.spec_from_file_location("gunicorn_conf", settings.BASE_DIR / "gunicorn.conf.py")
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    return conf


class FakeWorker:
    def __init__(self):
        self.warnings = []
        worker = self

        class Log:
            def warning(self, *args):
                worker.warnings.append(args)

        self.log = Log()


def test_warm_up_renders_a_full_form1_without_the_database():
    """No django_db mark: any query would raise here (a worker warms up before it has a connection)."""
    from submissions.pdf import warm_up

    data = warm_up()
    assert data.startswith(b"%PDF") and len(data) > 20_000  # several pages with the Chinese font embedded


def test_post_worker_init_calls_the_warm_up_and_survives_its_failure(monkeypatch):
    import gc

    from submissions import pdf

    monkeypatch.setattr(gc, "freeze", lambda: None)  # not the test process's heap
    calls = []
    monkeypatch.setattr(pdf, "warm_up", lambda: calls.append(1))
    worker = FakeWorker()
    load_conf().post_worker_init(worker)
    assert calls == [1] and worker.warnings == []

    def broken():
        raise OSError("no fonts")

    monkeypatch.setattr(pdf, "warm_up", broken)
    load_conf().post_worker_init(worker)
    assert worker.warnings and "no fonts" in str(worker.warnings[0])


def test_post_worker_init_loads_the_urlconf_then_freezes_the_heap(monkeypatch):
    """The first request of a worker does not import every view (~2 s), and what the worker loaded before
    serving is kept out of the collector's walks (gc.freeze, after the imports and the warm-up)."""
    import gc

    from django.urls import get_resolver

    from submissions import pdf

    order = []
    monkeypatch.setattr(pdf, "warm_up", lambda: order.append("warm_up"))
    resolver = get_resolver()
    monkeypatch.setattr(type(resolver), "url_patterns", property(lambda self: order.append("urls") or []))
    monkeypatch.setattr(gc, "freeze", lambda: order.append("freeze"))
    worker = FakeWorker()
    load_conf().post_worker_init(worker)
    assert order == ["warm_up", "urls", "freeze"] and worker.warnings == []
