from django.contrib import admin

from core.admin_mixins import AuditedAdmin

from .models import Campaign, Deadline, DeadlineExtension


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
