"""Run the "send what is due" reminder task once, or in a loop (the embedded default's beat).

`make run` starts `send_due_reminders --loop` next to runserver, so reminders are delivered
without Redis: with no broker, Celery tasks run in-process. The loop follows the beat schedule
row in django-celery-beat (its interval, and whether it is enabled), so admins change it in one
place (/sysadmin/ → 周期性任务). With a broker, prefer `celery beat` + `celery worker`.

The loop is also the embedded ops sweeper (core.ops.sweep, docs/operations.md): every
OPS_EVERY seconds it checks stuck background jobs and the broker catch-up, and hourly the
orphan temp/storage files; `--no-ops` turns that off.
"""

import time

from django.core.management.base import BaseCommand

from campaigns import reminders

OPS_EVERY = 60

TASK = "campaigns.tasks.send_due_reminders"


def beat_row():
    from django_celery_beat.models import PeriodicTask

    return PeriodicTask.objects.filter(task=TASK).select_related("interval").first()


class Command(BaseCommand):
    help = "发送到期的截止提醒（补发、重试、逾期汇总）；--loop 时按周期任务的间隔反复运行。"

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="keep running (embedded default)")
        parser.add_argument("--interval", type=int, default=None,
                            help="seconds between runs (default: the beat schedule's interval, else 300)")
        parser.add_argument("--no-ops", action="store_true", help="loop: do not run the ops sweeper")

    def ops(self):
        from core import ops

        try:
            self.stdout.write(f"ops sweep: {ops.sweep()}")
        except Exception as exc:  # noqa: BLE001 - keep the loop alive, report
            self.stderr.write(f"ops sweep failed: {exc!r}")

    def handle(self, *args, loop=False, interval=None, no_ops=False, **options):
        while True:
            row = beat_row()
            enabled = row is None or row.enabled
            if enabled:
                try:
                    result = reminders.run_due()
                    self.stdout.write(f"reminders: {result.as_dict()}")
                except Exception as exc:  # noqa: BLE001 - keep the loop alive, report
                    if not loop:
                        raise
                    self.stderr.write(f"reminders: run failed: {exc!r}")
            elif not loop:
                self.stdout.write("reminders: the beat schedule is disabled; nothing done")
            if not loop:
                return
            wait = interval
            if wait is None:
                wait = row.interval.every * {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}.get(
                    row.interval.period, 60) if row is not None and row.interval_id else 300
            wait_until = time.monotonic() + max(wait, 5)
            while True:
                if not no_ops:
                    self.ops()
                left = wait_until - time.monotonic()
                if left <= 0:
                    break
                time.sleep(min(OPS_EVERY, left))
