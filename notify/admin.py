from django.contrib import admin

from .models import Delivery, Robot


@admin.register(Robot)
class RobotAdmin(admin.ModelAdmin):
    """Read-only for support staff: robots are edited in the portal (the secrets stay encrypted)."""

    list_display = ["name", "platform", "organization", "role", "webhook_mask", "enabled"]
    readonly_fields = ["name", "platform", "organization", "role", "webhook_mask", "secret_mask", "enabled"]
    exclude = ["webhook_encrypted", "secret_encrypted"]

    def has_add_permission(self, request):
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "channel", "target", "title", "status", "attempts", "errcode", "sent_at"]
    list_filter = ["channel", "status"]
    search_fields = ["event", "title", "address"]
    readonly_fields = [f.name for f in Delivery._meta.fields]

    def has_add_permission(self, request):
        return False
