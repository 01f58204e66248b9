"""Only 组织部 sees the comparisons (they name other orgs' materials); judges see a flag only."""

import rules

from organizations.rules import is_zzb_admin

rules.add_perm("similarity.view", is_zzb_admin)
rules.add_perm("similarity.manage", is_zzb_admin)
