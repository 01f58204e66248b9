import logging
import os

from celery import Celery, bootsteps, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "brandcampaign.settings")

app = Celery("brandcampaign")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


class PortalHeartbeat(bootsteps.StartStopStep):
    """Every worker records "I am alive" in the cache every few seconds; /healthz reports it."""

    requires = {"celery.worker.components:Timer"}

    def __init__(self, worker, **kwargs):
        super().__init__(worker, **kwargs)
        self.tref = None

    def start(self, worker):
        from core import ops

        ops.record_worker_heartbeat(worker.hostname)
        self.tref = worker.timer.call_repeatedly(ops.WORKER_HEARTBEAT_EVERY, ops.record_worker_heartbeat,
                                                 (worker.hostname,), priority=10)

    def stop(self, worker):
        if self.tref is not None:
            self.tref.cancel()
            self.tref = None


app.steps["worker"].add(PortalHeartbeat)


@signals.worker_init.connect
def preload_for_tasks(**kwargs):
    """In the worker's main process, before the pool forks: the children start with the URL conf and
    WeasyPrint imported (showcase.booklet.preload), so the first booklet is not ~1 s slower. Never stops
    the worker from starting."""
    try:
        from showcase.booklet import preload

        preload()
    except Exception:  # a failed preload only costs the first task its imports
        logging.getLogger(__name__).exception("preload before the pool forks failed")
