from django.contrib import admin

from audit.admin_mixins import AuditedAdmin

from .models import CampaignSetting, Run


@admin.register(CampaignSetting)
class CampaignSettingAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["campaign", "threshold", "updated_by", "updated_at"]


@admin.register(Run)
class RunAdmin(admin.ModelAdmin):
    list_display = ["campaign", "status", "full", "texts", "hashed", "checked", "pairs", "created_at", "finished_at"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in Run._meta.fields]

    def has_add_permission(self, request):
        return False  # runs are started from the portal page or `manage.py check_similarity`
