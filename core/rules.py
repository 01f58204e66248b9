import rules

from organizations.rules import is_zzb_admin

rules.add_perm("core.view_audit", is_zzb_admin)
