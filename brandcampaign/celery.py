import os

from celery import Celery, bootsteps

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
