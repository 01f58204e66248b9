from celery import shared_task


@shared_task(ignore_result=True)
def check_source(kind, pk):
    """After a submit: fingerprint and compare one 附件1 / 附件2 row / 附件3 (with its documents).
    Idempotent: an unchanged, already checked text is skipped."""
    from . import services

    services.check_object(kind, pk)


@shared_task(ignore_result=True)
def run_campaign(run_pk):
    """A bulk check of one year (the 组织部 button). Idempotent: a started or finished run is left alone."""
    from . import services

    services.execute_run(run_pk)
