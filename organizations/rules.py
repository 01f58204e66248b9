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


rules.add_perm("organizations.view_org_tree", is_zzb_admin)
rules.add_perm("organizations.view_organization", is_zzb_admin | leads_org)
rules.add_perm("organizations.change_org", is_zzb_admin)
rules.add_perm("organizations.view_people", is_zzb_admin)
rules.add_perm("organizations.import_orgs", is_zzb_admin)
rules.add_perm("organizations.export_orgs", is_zzb_admin)
rules.add_perm("organizations.manage_accounts", is_zzb_admin)
