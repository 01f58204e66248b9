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
    from submissions import pdf

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
