"""Who may see and manage the showcase. Visitors need no rule: they see published items only."""

import rules

from organizations.rules import is_approver, is_zzb_admin, leads_org, secretary_of_college


@rules.predicate
def leads_item_org(user, item):
    """Secretary of the item's org (or of the 院级 org above the item's branch): may preview."""
    return item is not None and leads_org(user, item.organization)


@rules.predicate
def item_is_published(user, item):
    return item is not None and item.is_published


rules.add_perm("showcase.manage", is_zzb_admin)
rules.add_perm("showcase.view_item", item_is_published | is_zzb_admin | leads_item_org)
# A brand's whole story (附件1 of every year, outcomes, results), on the 院级 org: 组织部, 校领导 and the org's own
# secretaries. Visitors read the published part on the public story page (no rule).
rules.add_perm("showcase.view_brand", is_zzb_admin | is_approver | secretary_of_college)
