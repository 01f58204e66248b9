"""Celery tasks for reminders. They take ids, call campaigns.reminders, and are idempotent."""

from celery import shared_task

from . import notices, reminders


@shared_task(name="campaigns.tasks.send_due_reminders", ignore_result=True)
def send_due_reminders():
    """The frequent beat task ("send what is due"): safe to run as often and as many times as you like."""
    return reminders.run_due().as_dict()


@shared_task(bind=True, name="campaigns.tasks.deliver_reminders", max_retries=reminders.MAX_ATTEMPTS,
             acks_late=True, ignore_result=True)
def deliver_reminders(self, ids):
    """Send queued ReminderLog rows. SMTP errors: the rows go back to the queue with a backoff and
    this task retries them; in eager mode (no broker) the next beat run's sweep retries them."""
    result = reminders.deliver(ids)
    if result.retry_ids and not self.request.is_eager:
        raise self.retry(args=[result.retry_ids], countdown=result.retry_in)
    return result.as_dict()


@shared_task(bind=True, name="campaigns.tasks.deliver_notices", max_retries=reminders.MAX_ATTEMPTS,
             acks_late=True, ignore_result=True)
def deliver_notices(self, ids):
    """Send queued change notices (campaigns.notices); retried like the reminders."""
    result = notices.deliver(ids)
    if result.retry_ids and not self.request.is_eager:
        raise self.retry(args=[result.retry_ids], countdown=result.retry_in)
    return result.as_dict()
