from django.contrib import admin

from audit.admin_mixins import AuditedAdmin

from .models import Campaign, Deadline, DeadlineExtension, Notification, NoticeLog, ReminderLog, ReminderSettings


class DeadlineInline(admin.TabularInline):
    model = Deadline
    extra = 0


@admin.register(Campaign)
class CampaignAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["year", "title", "design_start", "review_end"]
    inlines = [DeadlineInline]


@admin.register(DeadlineExtension)
class DeadlineExtensionAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["organization", "deadline", "due_at", "reason", "granted_by"]


@admin.register(ReminderSettings)
class ReminderSettingsAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["campaign", "enabled", "offsets", "send_time"]


@admin.register(ReminderLog)
class ReminderLogAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "deadline", "slot", "status", "attempts", "sent_at"]
    list_filter = ["status", "kind", "deadline__kind"]
    search_fields = ["recipient__username", "recipient__full_name", "organizations", "subject"]
    raw_id_fields = ["recipient", "created_by"]
    readonly_fields = ["claim", "lease_until", "next_attempt_at"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "title", "read_at"]
    search_fields = ["user__username", "title"]
    raw_id_fields = ["user", "reminder", "notice"]


@admin.register(NoticeLog)
class NoticeLogAdmin(admin.ModelAdmin):
    """The change notices' outbox (campaigns.notices): read-only, for checking what went to whom."""

    list_display = ["created_at", "recipient", "email", "kind", "subject", "status", "attempts", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["recipient__username", "recipient__full_name", "email", "subject"]
    readonly_fields = [f.name for f in NoticeLog._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
