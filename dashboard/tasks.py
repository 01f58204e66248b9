from celery import shared_task

from core import jobs


@shared_task(**jobs.TASK_OPTIONS)
def run_export(self, job_id):
    """Build one ExportJob's spreadsheet. Idempotent: a finished job is not rebuilt; the row is
    claimed first (core.jobs), so a redelivered message after a killed worker takes it over."""
    from .services import run_job

    jobs.run(jobs.EXPORT, self, job_id, run_job)
