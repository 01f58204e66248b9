from django.contrib import admin

from .models import ExportJob


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    """Read-only view of background exports, for support staff chasing a stuck or failed one."""

    list_display = ["created_at", "kind", "status", "progress", "rows_done", "created_by", "filename"]
    list_filter = ["status", "kind"]
    readonly_fields = [f.name for f in ExportJob._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
