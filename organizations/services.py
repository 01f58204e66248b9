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


def normalize_employee_id(value):
    return (value or "").strip()


@transaction.atomic
def set_employee_id(user, value, *, by, expected=None):
    """Set (or clear, with "") the 工号 of an account: the key a 统一身份认证 login is matched by.

    ``expected``: the 工号 the editor saw; if it changed meanwhile, nothing is written.
    Raises ValidationError (Chinese) for a bad format, a stale edit or a 工号 another account already has."""
    from audit import log as audit

    from .models import User, employee_id_validator

    value = normalize_employee_id(value)
    if value:
        employee_id_validator(value)
    current = User.objects.select_for_update().get(pk=user.pk)
    if expected is not None and current.employee_id != normalize_employee_id(expected):
        shown = f"“{current.employee_id}”" if current.employee_id else "空"
        raise ValidationError(f"该账号的工号刚被他人修改为{shown}，请核对后再保存。")
    if current.employee_id == value:
        return current
    if value:
        holder = User.objects.filter(employee_id=value).exclude(pk=current.pk).first()
        if holder is not None:
            raise ValidationError(f"工号“{value}”已属于账号“{holder.username}”（{holder.display_name}），同一工号只能对应一个账号。")
    before = current.employee_id
    current.employee_id = value
    current.save(update_fields=["employee_id"])
    audit.record(by, current, "update", {"employee_id": [before, value]})
    return current
