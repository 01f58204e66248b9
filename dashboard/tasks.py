from celery import shared_task


@shared_task(ignore_result=True)
def run_export(job_id):
    """Build one ExportJob's spreadsheet. Idempotent: a finished job is not rebuilt."""
    from .services import run_job

    run_job(job_id)
