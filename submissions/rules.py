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
