"""Who may see and manage the showcase. Visitors need no rule: they see published items only.

An item's and a booklet's actions come from their policy tables (showcase/policy.py)."""

import rules

from organizations.rules import is_zzb_admin

from .policy import BOOKLET, BUNDLE, ITEM, YEAR, may_view_item

rules.add_perm("showcase.manage", is_zzb_admin)
rules.add_perm("showcase.view_item", may_view_item)  # visitors too: not a workflow action
for _policy in (ITEM, YEAR, BOOKLET, BUNDLE):
    for _action in _policy:
        rules.add_perm(f"showcase.{_policy.name}.{_action}", _policy.permission(_action))
