"""The after-submit hook, without a line in submissions: a post_save receiver on the three models.

A save that writes `state` into a submitted state (submit_form1, submit_row, submit_entry all save
with update_fields including "state") queues `tasks.check_source` after commit."""

from django.db.models.signals import post_save

from core.tasks import enqueue_on_commit
from submissions.models import Entry, EntryState, Form1, Form2Row, FormState, RowState

from .models import SourceKind

SUBMITTED = {Form1: (SourceKind.FORM1, FormState.SUBMITTED), Form2Row: (SourceKind.FORM2ROW, RowState.SUBMITTED),
             Entry: (SourceKind.ENTRY, EntryState.SUBMITTED)}


def on_save(sender, instance, created=False, update_fields=None, raw=False, **kwargs):
    kind, state = SUBMITTED[sender]
    if raw or instance.state != state or (update_fields is not None and "state" not in update_fields):
        return
    from . import tasks

    enqueue_on_commit(tasks.check_source, str(kind), instance.pk)


def connect():
    for model in SUBMITTED:
        post_save.connect(on_save, sender=model, dispatch_uid=f"similarity-{model.__name__}")
