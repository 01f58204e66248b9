"""Spreadsheet import of the org tree and accounts.

Three steps, each usable on its own:

- ``read_workbook(data)``: check that the bytes are a safe, plain .xlsx (size, zip magic,
  zip-bomb limits, no macros/DTDs/formulas/merged cells, row cap) and return the rows of the
  two sheets "党组织" and "账号". Raises ``ImportFileError`` (Chinese message) otherwise.
- ``plan_import(sheets, deactivate_absent=False)``: the dry run. Compares the rows with the
  database and returns a ``Plan``: what would be created, changed, deactivated, plus row-by-row
  errors. Reads a constant number of queries whatever the file size.
- ``apply_plan(plan, by=..., expected_digest=...)``: all-or-nothing, in one transaction;
  refuses when the data changed since the preview (the plan's digest differs).

Orgs are never deleted. Orgs missing from the file are left alone unless the admin asks for a
full-list import (``deactivate_absent``), which deactivates them. Roles missing from the file
are left alone. New accounts get an unusable password; ``activation_link`` gives the one-time
link with which the person sets their own password.
"""

from audit import log as audit  # noqa: F401  (tests patch importing.audit.record)

from .activation import ActivationTokenGenerator, activation_path, activation_tokens, pending_activation
from .applying import ImportResult, PlanChanged, apply_import
from .columns import (
    ACCOUNT_COLUMNS,
    ACCOUNT_SHEET,
    MAX_DATA_ROWS,
    MAX_UPLOAD_BYTES,
    ORG_COLUMNS,
    ORG_SHEET,
    SHEETS,
    Column,
    ImportFileError,
    yes_no,
)
from .planning import AccountChange, Diff, OrgChange, Plan, RoleChange, RowError, plan_import
from .reading import read_workbook

__all__ = [
    "ACCOUNT_COLUMNS", "ACCOUNT_SHEET", "MAX_DATA_ROWS", "MAX_UPLOAD_BYTES", "ORG_COLUMNS", "ORG_SHEET", "SHEETS",
    "AccountChange", "ActivationTokenGenerator", "Column", "Diff", "ImportFileError", "ImportResult", "OrgChange",
    "Plan", "PlanChanged", "RoleChange", "RowError", "activation_path", "activation_tokens", "apply_import",
    "pending_activation", "plan_import", "read_workbook", "yes_no",
]
