import rules

from organizations.rules import has_any_role, is_zzb_admin

rules.add_perm("campaigns.manage_campaign", is_zzb_admin)
rules.add_perm("campaigns.view_home", has_any_role)
rules.add_perm("campaigns.manage_reminders", is_zzb_admin)
