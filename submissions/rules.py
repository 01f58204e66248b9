"""Who may see and change 附件1/附件2. Permission objects are organizations."""

import rules

from organizations import roles
from organizations.models import Role
from organizations.rules import is_zzb_admin


@rules.predicate
def is_approver(user):
    return roles.has_role(user, Role.APPROVER)


@rules.predicate
def secretary_of_college(user, org):
    return org is not None and org.pk in roles.college_ids(user)


@rules.predicate
def secretary_of_branch(user, branch):
    return branch is not None and branch.pk in roles.branch_ids(user)


@rules.predicate
def college_of_branch(user, branch):
    return branch is not None and branch.parent_id in roles.college_ids(user)


rules.add_perm("submissions.view_progress", is_zzb_admin | is_approver)
rules.add_perm("submissions.view_form", is_zzb_admin | is_approver | secretary_of_college)
rules.add_perm("submissions.edit_form", secretary_of_college)
rules.add_perm("submissions.review_form", is_zzb_admin)
rules.add_perm("submissions.view_row", is_zzb_admin | is_approver | secretary_of_branch | college_of_branch)
rules.add_perm("submissions.edit_row", secretary_of_branch | college_of_branch)
rules.add_perm("submissions.manage_rows", college_of_branch)


# ---------------------------------------------------------------- phases 2/3 (object: Entry / Outcome)


@rules.predicate
def entry_college_secretary(user, entry):
    return entry is not None and entry.college_id in roles.college_ids(user)


@rules.predicate
def entry_branch_secretary(user, entry):
    return entry is not None and entry.track == "branch" and entry.organization_id in roles.branch_ids(user)


@rules.predicate
def outcome_owner(user, outcome):
    if outcome is None:
        return False
    org = outcome.organization
    return org.pk in roles.branch_ids(user) or org.pk in roles.college_ids(user) or org.parent_id in roles.college_ids(user)


@rules.predicate
def org_owner(user, org):
    """Secretary of this org, or of the 院级 org above this branch."""
    if org is None:
        return False
    return org.pk in roles.branch_ids(user) or org.pk in roles.college_ids(user) or (
        org.level == "branch" and org.parent_id in roles.college_ids(user))


rules.add_perm("submissions.view_entry", is_zzb_admin | is_approver | entry_college_secretary | entry_branch_secretary)
rules.add_perm("submissions.edit_entry", entry_college_secretary | entry_branch_secretary)
rules.add_perm("submissions.check_entry", is_zzb_admin)
rules.add_perm("submissions.view_entries", is_zzb_admin | is_approver | secretary_of_college)
rules.add_perm("submissions.manage_entries", secretary_of_college)
rules.add_perm("submissions.view_outcomes", is_zzb_admin | is_approver | org_owner)
rules.add_perm("submissions.add_outcome", org_owner)
rules.add_perm("submissions.view_outcome", is_zzb_admin | is_approver | outcome_owner)
rules.add_perm("submissions.edit_outcome", outcome_owner)

rules.add_perm("submissions.edit_standards", is_zzb_admin)
