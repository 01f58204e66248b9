from . import log as audit


class AuditedAdmin:
    """Django-admin changes leave the same audit entries as portal changes."""

    def save_model(self, request, obj, form, change):
        before = {}
        if change:
            old = type(obj).objects.filter(pk=obj.pk).first()
            before = audit.snapshot(old) if old else {}
        if hasattr(obj, "version") and change:
            obj.version += 1
        super().save_model(request, obj, form, change)
        changes = audit.diff(before, audit.snapshot(obj))
        if changes or not change:
            audit.record(request.user, obj, "update" if change else "create", changes, note="系统管理后台")

    def has_delete_permission(self, request, obj=None):
        return False
