"""Permission predicates for the org tree. Named after what they allow."""

import rules

from . import roles
from .models import Level, Role


@rules.predicate
def is_zzb_admin(user):
    return roles.is_admin(user)


@rules.predicate
def is_judge(user):
    return roles.has_role(user, Role.JUDGE)


@rules.predicate
def is_college_secretary(user):
    return roles.has_role(user, Role.COLLEGE_SECRETARY)


@rules.predicate
def is_branch_secretary(user):
    return roles.has_role(user, Role.BRANCH_SECRETARY)


@rules.predicate
def has_any_role(user):
    return bool(roles.assignments(user))


@rules.predicate
def leads_org(user, org):
    """The user is secretary of this org, or of the 院级 org above this branch."""
    if org is None:
        return False
    colleges = roles.college_ids(user)
    if org.pk in colleges or org.pk in roles.branch_ids(user):
        return True
    return org.level == Level.BRANCH and org.parent_id in colleges


@rules.predicate
def is_approver(user):
    return roles.has_role(user, Role.APPROVER)


@rules.predicate
def secretary_of_college(user, org):
    """The user is secretary/contact of this 院级 org itself."""
    return org is not None and org.pk in roles.college_ids(user)


@rules.predicate
def secretary_of_branch(user, branch):
    """The user is secretary of this branch itself."""
    return branch is not None and branch.pk in roles.branch_ids(user)


@rules.predicate
def college_of_branch(user, branch):
    """The user is secretary/contact of the 院级 org above this branch."""
    return branch is not None and branch.parent_id is not None and branch.parent_id in roles.college_ids(user)


rules.add_perm("organizations.view_org_tree", is_zzb_admin)
rules.add_perm("organizations.view_organization", is_zzb_admin | leads_org)
rules.add_perm("organizations.change_org", is_zzb_admin)
rules.add_perm("organizations.view_people", is_zzb_admin)
rules.add_perm("organizations.import_orgs", is_zzb_admin)
rules.add_perm("organizations.export_orgs", is_zzb_admin)

# The audit log UI (the audit app sits below organizations, so its permission is declared here).
rules.add_perm("audit.view_audit", is_zzb_admin)
