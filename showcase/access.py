"""Registered with submissions.access: a file used by a PUBLISHED item is public."""

from django.db.models import Q

from .models import ItemOutcome, ShowcaseItem


def published_item_file(user, attachment):
    published = ShowcaseItem.objects.published()
    if published.filter(Q(video=attachment) | Q(photos=attachment) | Q(documents=attachment)).exists():
        return True
    return ItemOutcome.objects.filter(item__is_published=True, document=attachment).exists()
