"""Celery tasks of the notify app: take ids, call notify.delivery, idempotent."""

from celery import shared_task

from . import delivery


@shared_task(bind=True, name="notify.tasks.deliver_notices", max_retries=delivery.MAX_ATTEMPTS, acks_late=True,
             ignore_result=True)
def deliver_notices(self, ids):
    """Send queued Delivery rows. Network errors and rate limits: the rows go back to the queue with
    a backoff and this task retries them; in eager mode (no broker) the next sweep does."""
    result = delivery.deliver(ids)
    if result.retry_ids and not self.request.is_eager:
        raise self.retry(args=[result.retry_ids], countdown=result.retry_in)
    return result.as_dict()


@shared_task(name="notify.tasks.sweep_notices", ignore_result=True)
def sweep_notices():
    return len(delivery.sweep())
