from django.core.management import call_command

from showcase.models import ShowcaseItem


def test_seed_demo_phase_4_adds_showcase_content_idempotently(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the poster tasks run after the seed commits
        call_command("seed_demo", "--phase", "4")
    first = ShowcaseItem.objects.count()
    published = ShowcaseItem.objects.published().count()
    call_command("seed_demo", "--phase", "4")
    assert ShowcaseItem.objects.count() == first >= 15
    assert ShowcaseItem.objects.published().count() == published == first - 1  # one left unpublished (preview)
    assert ShowcaseItem.objects.exclude(award="").count() == 4
    assert ShowcaseItem.objects.exclude(video=None).exclude(poster="").exists()


def test_seed_demo_before_phase_4_adds_no_showcase_content(db):
    call_command("seed_demo", "--phase", "3")
    assert not ShowcaseItem.objects.exists()
