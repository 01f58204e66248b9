from django.contrib import admin

from .models import Assignment, Award, Criterion, DeclaredConflict, JudgingTrack, Objection, ScoreSheet


class CriterionInline(admin.TabularInline):
    """Read-only: the rubric changes only through reviews.services (frozen once scoring starts, audited)."""

    model = Criterion
    extra = 0
    readonly_fields = ["code", "name", "description", "max_points", "sort_order"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(JudgingTrack)
class JudgingTrackAdmin(admin.ModelAdmin):
    list_display = ["__str__", "stage", "aggregation", "blind"]
    inlines = [CriterionInline]
    readonly_fields = [f.name for f in JudgingTrack._meta.concrete_fields] + ["judges", "shortlist"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["track", "round", "judge", "entry", "total", "abstained"]
    list_filter = ["track", "round"]
    readonly_fields = [f.name for f in Assignment._meta.concrete_fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """Changes go through reviews.services (audited); support staff only read here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


for model in (DeclaredConflict, ScoreSheet, Objection, Award):
    admin.site.register(model, ReadOnlyAdmin)
