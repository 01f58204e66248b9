"""The one way to change a versioned, audited record: lock it, check the version, save, audit the diff."""

from . import audit
from .concurrency import StaleEdit


def lock(queryset, pk, expected_version=None):
    """select_for_update the row; StaleEdit when someone saved it after the editor loaded it."""
    obj = queryset.select_for_update().get(pk=pk)
    if expected_version is not None and obj.version != int(expected_version):
        raise StaleEdit()
    return obj


def save_changes(obj, data, *, by, organization=None, action="update", note="", clean=True, **attrs):
    """Apply `data`, validate, bump the version, save and record the field diff. Returns the diff.

    `attrs` are set too but not audited (e.g. updated_by)."""
    before = audit.snapshot(obj)
    for name, value in data.items():
        setattr(obj, name, value)
    for name, value in attrs.items():
        setattr(obj, name, value)
    if clean:
        obj.full_clean()
    obj.version += 1
    obj.save()
    changes = audit.diff(before, audit.snapshot(obj))
    if changes:
        audit.record(by, obj, action, changes, organization=organization, note=note)
    return changes
