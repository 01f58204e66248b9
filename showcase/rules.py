"""Who may see and manage the showcase. Visitors need no rule: they see published items only.

An item's and a booklet's actions come from their policy tables (showcase/policy.py)."""

import rules

from organizations.rules import is_approver, is_zzb_admin, secretary_of_college

from .policy import BOOKLET, BUNDLE, ITEM, YEAR, may_view_item

rules.add_perm("showcase.manage", is_zzb_admin)
rules.add_perm("showcase.view_item", may_view_item)  # visitors too: not a workflow action
for _policy in (ITEM, YEAR, BOOKLET, BUNDLE):
    for _action in _policy:
        rules.add_perm(f"showcase.{_policy.name}.{_action}", _policy.permission(_action))
# A brand's whole story (附件1 of every year, outcomes, results), on the 院级 org: 组织部, 校领导 and the org's own
# secretaries. Visitors read the published part on the public story page (no rule).
rules.add_perm("showcase.view_brand", is_zzb_admin | is_approver | secretary_of_college)
