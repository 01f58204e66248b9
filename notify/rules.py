import rules

from organizations.rules import is_zzb_admin

rules.add_perm("notify.manage_channels", is_zzb_admin)
rules.add_perm("notify.view_deliveries", is_zzb_admin)
