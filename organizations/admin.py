from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from audit.admin_mixins import AuditedAdmin

from .models import Organization, RoleAssignment, User


@admin.register(Organization)
class OrganizationAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["code", "name", "level", "org_type", "parent", "is_active"]
    list_filter = ["level", "org_type", "is_active"]
    search_fields = ["code", "name", "short_name"]
    autocomplete_fields = ["parent"]


class RoleInline(admin.TabularInline):
    model = RoleAssignment
    extra = 1
    autocomplete_fields = ["organization"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "email", "is_active", "is_staff"]
    search_fields = ["username", "full_name", "email"]
    fieldsets = BaseUserAdmin.fieldsets + (("平台信息", {"fields": ("full_name", "phone")}),)
    inlines = [RoleInline]
