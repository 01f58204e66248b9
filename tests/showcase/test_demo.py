from django.core.management import call_command

from showcase.models import ShowcaseItem


def test_seed_showcase_demo_is_idempotent(db):
    call_command("seed_demo", "--phase", "4")
    call_command("seed_showcase_demo")
    first = ShowcaseItem.objects.count()
    published = ShowcaseItem.objects.published().count()
    call_command("seed_showcase_demo")
    assert ShowcaseItem.objects.count() == first >= 15
    assert ShowcaseItem.objects.published().count() == published == first - 1  # one left unpublished (preview)
    assert ShowcaseItem.objects.exclude(award="").count() == 4
