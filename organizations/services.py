"""Writes to the org tree. Every change is audited; stale edits are refused."""

from django.core.exceptions import ValidationError
from django.db import transaction

from core import audit
from core.concurrency import StaleEdit

from .models import Organization


@transaction.atomic
def update_organization(org, data, *, by, expected_version, action="update", note=""):
    current = Organization.objects.select_for_update().get(pk=org.pk)
    if current.version != expected_version:
        raise StaleEdit()
    before = audit.snapshot(current)
    for name, value in data.items():
        setattr(current, name, value)
    current.full_clean()
    current.version += 1
    current.save()
    changes = audit.diff(before, audit.snapshot(current))
    if changes:
        audit.record(by, current, action, changes, organization=current, note=note)
    return current


def deactivate_organization(org, *, by, reason=""):
    if not org.is_active:
        raise ValidationError("该党组织已停用")
    return update_organization(
        org, {"is_active": False}, by=by, expected_version=org.version, action="deactivate", note=reason
    )
