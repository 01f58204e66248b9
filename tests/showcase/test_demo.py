from django.core.management import call_command

from campaigns.models import Campaign
from showcase.models import ShowcaseItem


def _this_year():
    """Items of the current campaign (the history seeder adds published items of the two years before)."""
    return ShowcaseItem.objects.filter(campaign=Campaign.objects.current())


def test_seed_demo_phase_4_adds_showcase_content_idempotently(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the poster tasks run after the seed commits
        call_command("seed_demo", "--phase", "4")
    first = _this_year().count()
    published = _this_year().published().count()
    everything = ShowcaseItem.objects.count()
    call_command("seed_demo", "--phase", "4")
    assert _this_year().count() == first == 13  # 6 brands and 7 branches
    assert ShowcaseItem.objects.count() == everything
    assert _this_year().published().count() == published == first - 1  # one left unpublished (preview)
    assert _this_year().exclude(award="").count() == 4
    assert _this_year().exclude(video=None).exclude(poster="").exists()


def test_seed_demo_before_phase_4_adds_no_showcase_content(db):
    call_command("seed_demo", "--phase", "3")
    assert not _this_year().exists()
