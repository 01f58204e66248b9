"""Applying a previewed plan: all or nothing, and only if it is still the plan that was previewed."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from audit import log as audit
from core.concurrency import StaleEdit

from ..models import Level, Organization, RoleAssignment, User
from .columns import USER_FIELDS
from .planning import plan_import

class PlanChanged(Exception):
    message = "数据在预览之后已发生变化（可能有人修改了党组织或账号），本次未做任何修改。请重新预览后再确认导入。"

    def __init__(self, detail=""):
        super().__init__(detail)
        if detail:
            self.message = f"导入未完成，本次未做任何修改：{detail}"

    def __str__(self):
        return self.message


@dataclass
class ImportResult:
    created_orgs: int = 0
    updated_orgs: int = 0
    deactivated_orgs: int = 0
    created_accounts: list = field(default_factory=list)  # user ids
    updated_accounts: int = 0
    roles_added: int = 0


def apply_import(sheets, *, by, expected_digest, deactivate_absent=False, note="批量导入"):
    """Re-plan against the current data and apply it all-or-nothing.

    Refuses (PlanChanged) unless the new plan is exactly the one previewed (same digest)."""
    from ..services import update_organization

    result = ImportResult()
    try:
        with transaction.atomic():
            plan = plan_import(sheets, deactivate_absent=deactivate_absent)
            if plan.errors or plan.digest() != expected_digest:
                raise PlanChanged()
            level_rank = {Level.SCHOOL: 0, Level.COLLEGE: 1, Level.BRANCH: 2}
            by_code = {o.code: o for o in Organization.objects.all()}
            ordered = sorted(
                (c for c in plan.orgs if c.row is not None),
                key=lambda c: (level_rank[c.level], c.row),
            ) + [c for c in plan.orgs if c.row is None]
            for change in ordered:
                data = dict(change.data)
                if "parent" in data:
                    data["parent"] = by_code[data["parent"]] if data["parent"] else None
                if change.action == "create":
                    data.pop("code", None)
                    org = Organization(code=change.code, **data)
                    # uniqueness was checked by the plan; a concurrent insert still fails on the
                    # unique index (IntegrityError → PlanChanged), so skip the per-row query here
                    org.full_clean(validate_unique=False)
                    org.save()
                    by_code[org.code] = org
                    audit.record(by, org, "create", audit.diff({}, audit.snapshot(org)), organization=org, note=note)
                    result.created_orgs += 1
                else:
                    org = update_organization(
                        by_code[change.code], data, by=by, expected_version=change.version,
                        action="deactivate" if change.action == "deactivate" else "update", note=note,
                    )
                    by_code[org.code] = org
                    if change.action == "deactivate":
                        result.deactivated_orgs += 1
                    else:
                        result.updated_orgs += 1

            users = {}
            for change in plan.accounts:
                if change.action == "create":
                    user = User(username=change.username, **change.data)
                    user.set_unusable_password()
                    user.full_clean(exclude=["password"], validate_unique=False)
                    user.save()
                    audit.record(by, user, "create", audit.diff({}, audit.snapshot(user, fields=["username"] + USER_FIELDS)), note=note)
                    result.created_accounts.append(user.pk)
                else:
                    user = User.objects.select_for_update().get(pk=change.user_id)
                    before = audit.snapshot(user, fields=USER_FIELDS)
                    for name, value in change.data.items():
                        setattr(user, name, value)
                    user.full_clean(exclude=["password"])
                    user.save(update_fields=list(change.data))
                    audit.record(by, user, "update", audit.diff(before, audit.snapshot(user, fields=USER_FIELDS)), note=note)
                    result.updated_accounts += 1
                users[user.username] = user

            missing = {c.username for c in plan.roles} - set(users)
            users.update({u.username: u for u in User.objects.filter(username__in=missing)})
            for change in plan.roles:
                org = by_code[change.org_code] if change.org_code else None
                if change.action == "create":
                    ra = RoleAssignment(user=users[change.username], role=change.role, organization=org)
                    ra.clean()  # the level rule; user and org are objects in hand, no lookups needed
                    ra.save()
                    changes = {"user": [None, change.username], "role": [None, change.role],
                               "organization": [None, str(org) if org else None]}
                    audit.record(by, ra, "create", changes, organization=org, note=note)
                else:
                    RoleAssignment.objects.filter(pk=change.assignment_id).update(is_active=True)
                    ra = RoleAssignment.objects.get(pk=change.assignment_id)
                    audit.record(by, ra, "update", {"is_active": [False, True]}, organization=org, note=note)
                result.roles_added += 1
    except (StaleEdit, IntegrityError):
        raise PlanChanged() from None
    except ValidationError as exc:
        # The plan validated every row; reaching this means the data moved under us (or a rule
        # the planner does not know): report it, change nothing.
        raise PlanChanged("；".join(exc.messages)) from exc
    return result
