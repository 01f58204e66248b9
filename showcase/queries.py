"""Reads for the showcase pages: one place for filters, search and select_related."""

from django.db.models import Q

from organizations.models import OrgType

from .models import ItemOutcome, ShowcaseItem

LIST_FIELDS_RELATED = ("college",)


def search_items(params, qs=None):
    """Published items filtered by q (Chinese text, icontains), year, org type, award and kind.

    `params` is the cleaned data of forms.ShowcaseSearchForm (year an int, choices validated)."""
    qs = (ShowcaseItem.objects.published() if qs is None else qs).with_badge()
    q = (params.get("q") or "").strip()
    for word in q.split()[:5]:
        qs = qs.filter(search_text__icontains=word)
    year = params.get("year")
    if year:
        qs = qs.filter(year=int(year))
    org_type = params.get("org_type") or ""
    if org_type in OrgType.values:
        qs = qs.filter(org_type=org_type)
    award = params.get("award") or ""
    if award == "any":
        qs = qs.exclude(badge="")
    elif award:
        qs = qs.filter(badge=award)
    kind = params.get("kind") or ""
    if kind in ("brand", "branch"):
        qs = qs.filter(kind=kind)
    # newest year first; within a year brands before branches, 十佳 first
    return (qs.select_related(*LIST_FIELDS_RELATED).defer("search_text", "overview", "measures", "results")
            .order_by("-year", "-kind", "-badge", "sort_order", "org_name", "pk"))


def published_years():
    return list(ShowcaseItem.objects.published().order_by("-year").values_list("year", flat=True).distinct())


def item_for_detail(pk):
    return (ShowcaseItem.objects.with_badge().select_related("organization", "college", "video", "campaign", "form1")
            .prefetch_related("outcomes", "photos", "documents").filter(pk=pk).first())


def library(params):
    """经验案例库: typical cases, methods and experiences of published items, all years."""
    qs = (ItemOutcome.objects.filter(item__is_published=True, outcome_type__in=ItemOutcome.LIBRARY_TYPES)
          .select_related("item"))
    q = (params.get("q") or "").strip()
    for word in q.split()[:5]:
        qs = qs.filter(Q(title__icontains=word) | Q(body__icontains=word) | Q(item__title__icontains=word)
                       | Q(item__org_name__icontains=word))
    year = params.get("year")
    if year:
        qs = qs.filter(item__year=int(year))
    t = params.get("type") or ""
    if t in ItemOutcome.Type.values:
        qs = qs.filter(outcome_type=t)
    return qs.order_by("-item__year", "item__org_name", "sort_order", "id")


def manage_items(campaign):
    return (ShowcaseItem.objects.filter(campaign=campaign).with_badge().select_related("college", "organization")
            .order_by("college__sort_order", "college__code", "-kind", "org_name"))
