from django.contrib import admin

from .models import Booklet, Bundle, ItemOutcome, ShowcaseItem


class ItemOutcomeInline(admin.TabularInline):
    model = ItemOutcome
    extra = 0
    fields = ["outcome_type", "title", "date", "sort_order"]


@admin.register(ShowcaseItem)
class ShowcaseItemAdmin(admin.ModelAdmin):
    list_display = ["title", "org_name", "year", "kind", "award", "is_published"]
    list_filter = ["year", "kind", "award", "is_published"]
    search_fields = ["title", "org_name"]
    readonly_fields = ["is_published", "published_at", "published_by", "snapshot_at"]
    raw_id_fields = ["campaign", "organization", "college", "form1", "form2_row", "entry", "video", "photos", "documents"]
    inlines = [ItemOutcomeInline]


@admin.register(Booklet)
class BookletAdmin(admin.ModelAdmin):
    list_display = ["title", "campaign", "status", "progress", "page_count", "created_by", "created_at"]
    list_filter = ["status"]
    readonly_fields = ["status", "progress", "progress_note", "error", "started_at", "finished_at"]


@admin.register(Bundle)
class BundleAdmin(admin.ModelAdmin):
    list_display = ["campaign", "status", "progress", "item_count", "size", "created_by", "created_at"]
    list_filter = ["status"]
    readonly_fields = ["status", "progress", "progress_note", "error", "started_at", "finished_at"]
