"""What a dry run of the import finds: row errors, field diffs and the org / account / role changes of a Plan."""

import hashlib
import json
from dataclasses import dataclass, field

from ..models import Level, OrgType, Role


@dataclass
class RowError:
    sheet: str
    row: int | None
    column: str
    message: str


@dataclass
class Diff:
    field: str
    label: str
    old: object
    new: object


@dataclass
class OrgChange:
    action: str  # create | update | deactivate
    row: int | None
    code: str
    name: str
    level: str
    data: dict  # field -> new value; "parent" holds the parent's code
    diffs: list = field(default_factory=list)
    org_id: int | None = None
    version: int | None = None

    @property
    def level_label(self):
        return Level(self.level).label

    @property
    def type_label(self):
        org_type = self.data.get("org_type")
        return OrgType(org_type).label if org_type else ""


@dataclass
class AccountChange:
    action: str  # create | update | deactivate (not listed, with revoke_absent)
    row: int | None
    username: str
    data: dict
    diffs: list = field(default_factory=list)
    user_id: int | None = None


@dataclass
class RoleChange:
    action: str  # create | reactivate | revoke (not listed, with revoke_absent)
    row: int | None
    username: str
    role: str
    org_code: str
    assignment_id: int | None = None

    @property
    def role_label(self):
        return Role(self.role).label


@dataclass
class Plan:
    orgs: list = field(default_factory=list)
    accounts: list = field(default_factory=list)
    roles: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    unchanged_orgs: int = 0
    unchanged_accounts: int = 0
    deactivate_absent: bool = False
    revoke_absent: bool = False
    sheets: tuple = ()

    def _of(self, items, action):
        return [c for c in items if c.action == action]

    @property
    def org_creates(self):
        return self._of(self.orgs, "create")

    @property
    def org_updates(self):
        return self._of(self.orgs, "update")

    @property
    def org_deactivations(self):
        return self._of(self.orgs, "deactivate")

    @property
    def account_creates(self):
        return self._of(self.accounts, "create")

    @property
    def account_updates(self):
        return self._of(self.accounts, "update")

    @property
    def account_deactivations(self):
        return self._of(self.accounts, "deactivate")

    @property
    def role_adds(self):
        return [c for c in self.roles if c.action in {"create", "reactivate"}]

    @property
    def role_revocations(self):
        return self._of(self.roles, "revoke")

    @property
    def has_changes(self):
        return bool(self.orgs or self.accounts or self.roles)

    @property
    def can_apply(self):
        return not self.errors and self.has_changes

    def digest(self):
        """A fingerprint of exactly what applying would do (and of the versions it was planned on)."""
        payload = {
            "orgs": [(c.action, c.code, c.version, sorted((k, str(v)) for k, v in c.data.items()),
                      [(d.field, str(d.old), str(d.new)) for d in c.diffs]) for c in self.orgs],
            "accounts": [(c.action, c.username, sorted(c.data.items()), [(d.field, d.old, d.new) for d in c.diffs])
                         for c in self.accounts],
            "roles": [(c.action, c.username, c.role, c.org_code) for c in self.roles],
            "errors": len(self.errors),
        }
        return hashlib.sha256(json.dumps(payload, ensure_ascii=False, default=str).encode()).hexdigest()
