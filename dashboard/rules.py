"""Who may see the dashboard and take exports: 组织部管理员 only (exports carry phone numbers and e-mails)."""

import rules

from organizations.rules import is_zzb_admin


@rules.predicate
def started_job(user, job):
    return job is not None and job.created_by_id is not None and job.created_by_id == user.pk


rules.add_perm("dashboard.view_dashboard", is_zzb_admin)
rules.add_perm("dashboard.export", is_zzb_admin)
# The creator (while still an admin or not) and any admin may fetch a finished file.
rules.add_perm("dashboard.view_export_job", is_zzb_admin | started_job)
