"""Who may see and change 附件1/附件2/附件3 and outcomes.

Page permissions take the organization (or entry/outcome) a URL names. The workflow actions
(save, submit, return, ...) are the policy tables of `submissions.policy`, registered here as
`submissions.<machine>.<action>` permissions on the policy's object (e.g. a Form1), so a template
can ask `{% has_perm "submissions.form1.submit" user form as can_submit %}` and get exactly the
answer the service will give."""

import rules

from organizations.rules import (
    college_of_branch,
    is_approver,
    is_zzb_admin,
    leads_org,
    secretary_of_branch,
    secretary_of_college,
)

from . import policy


@rules.predicate
def entry_editor(user, entry):
    return entry is not None and policy._entry_editor(user, entry)


@rules.predicate
def outcome_owner(user, outcome):
    return outcome is not None and leads_org(user, outcome.organization)


rules.add_perm("submissions.view_progress", is_zzb_admin | is_approver)
rules.add_perm("submissions.view_form", is_zzb_admin | is_approver | secretary_of_college)
rules.add_perm("submissions.edit_form", secretary_of_college)
rules.add_perm("submissions.review_form", is_zzb_admin)
rules.add_perm("submissions.view_row", is_zzb_admin | is_approver | secretary_of_branch | college_of_branch)
rules.add_perm("submissions.edit_row", secretary_of_branch | college_of_branch)
rules.add_perm("submissions.manage_rows", college_of_branch)

rules.add_perm("submissions.view_entry", is_zzb_admin | is_approver | entry_editor)
rules.add_perm("submissions.edit_entry", entry_editor)
rules.add_perm("submissions.check_entry", is_zzb_admin)
rules.add_perm("submissions.view_entries", is_zzb_admin | is_approver | secretary_of_college)
rules.add_perm("submissions.manage_entries", secretary_of_college)
rules.add_perm("submissions.view_outcomes", is_zzb_admin | is_approver | leads_org)
rules.add_perm("submissions.add_outcome", leads_org)
rules.add_perm("submissions.view_outcome", is_zzb_admin | is_approver | outcome_owner)
rules.add_perm("submissions.edit_outcome", outcome_owner)

rules.add_perm("submissions.edit_standards", is_zzb_admin)

for _machine in policy.POLICIES.values():
    for _action in _machine:
        rules.add_perm(f"submissions.{_machine.name}.{_action}", _machine.permission(_action))
