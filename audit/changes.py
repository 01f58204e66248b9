"""Audited writes of versioned records: the one place that saves, bumps the version and records the diff.

Services lock the row (`core.versioning.lock`), ask their policy (`Policy.require`), then call
`save_changes` for an edit or `transition` for a state change. Side effects (PDF pre-render, mail)
are queued after commit through `core.tasks.enqueue_on_commit`."""

from core import versioning
from core.tasks import enqueue_on_commit

from . import log


def save_changes(obj, data, *, by, organization=None, action="update", note="", clean=True, **attrs):
    """Apply `data`, validate, bump the version, save and record the field diff. Returns the diff.

    `attrs` are set too but not audited (e.g. updated_by). Works for new objects (action "create")."""
    created = obj.pk is None
    before = {} if created else log.snapshot(obj)
    for name, value in data.items():
        setattr(obj, name, value)
    for name, value in attrs.items():
        setattr(obj, name, value)
    if clean:
        obj.full_clean()
    versioning.bump(obj)
    obj.save()
    changes = log.diff(before, log.snapshot(obj))
    if changes:
        log.record(by, obj, "create" if created and action == "update" else action, changes,
                   organization=organization, note=note)
    return changes


def transition(obj, state, *, by, action, organization=None, note="", audited=(), effects=(), **attrs):
    """Move `obj` to `state`: set `attrs`, bump the version, save, audit, queue `effects` after commit.

    `audited` names the attrs whose change goes into the audit entry besides the state (e.g. a comment).
    `effects` is a list of (task, *args). Returns `obj`."""
    old = obj.state
    before = {name: log.plain(getattr(obj, name)) for name in audited}
    obj.state = state
    for name, value in attrs.items():
        setattr(obj, name, value)
    versioning.bump(obj)
    fields = {"state", *attrs}
    if obj.pk is None:
        obj.save()
    else:
        fields |= {f for f in ("version", "updated_at") if _has_field(obj, f)}
        obj.save(update_fields=sorted(fields))
    changes = {"state": [old, state]} if old != state else {}
    for name in audited:
        after = log.plain(getattr(obj, name))
        if after != before[name]:
            changes[name] = [before[name], after]
    log.record(by, obj, action, changes, organization=organization, note=note)
    for task, *args in effects:
        enqueue_on_commit(task, *args)
    return obj


def _has_field(obj, name):
    try:
        obj._meta.get_field(name)
    except Exception:  # noqa: BLE001 - FieldDoesNotExist
        return False
    return True
