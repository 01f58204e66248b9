"""Who may see the dashboard and take exports: 组织部管理员 only (exports carry phone numbers and e-mails).

An export job's actions come from its policy table (dashboard/policy.py)."""

import rules

from organizations.rules import is_zzb_admin

from .policy import EXPORT

rules.add_perm("dashboard.view_dashboard", is_zzb_admin)
rules.add_perm("dashboard.export", is_zzb_admin)
rules.add_perm("dashboard.view_export_job", EXPORT.permission("view"))
for _action in EXPORT:
    rules.add_perm(f"dashboard.export_job.{_action}", EXPORT.permission(_action))
