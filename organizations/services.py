"""Writes to the org tree. Every change is audited; stale edits are refused."""

from django.core.exceptions import ValidationError
from django.db import transaction

from audit.changes import save_changes
from core import versioning

from .models import Organization


@transaction.atomic
def update_organization(org, data, *, by, expected_version, action="update", note=""):
    current = versioning.lock(Organization.objects, org.pk, expected_version)
    save_changes(current, data, by=by, organization=current, action=action, note=note)
    return current


def deactivate_organization(org, *, by, reason=""):
    if not org.is_active:
        raise ValidationError("该党组织已停用")
    return update_organization(
        org, {"is_active": False}, by=by, expected_version=org.version, action="deactivate", note=reason
    )
