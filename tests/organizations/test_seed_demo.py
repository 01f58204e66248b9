import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from campaigns.models import Campaign
from organizations.models import Organization, RoleAssignment, User


def test_seed_demo_is_idempotent_and_complete(db):
    call_command("seed_demo", verbosity=0)
    counts = (Organization.objects.count(), User.objects.count(), RoleAssignment.objects.count(), Campaign.objects.count())
    call_command("seed_demo", verbosity=0)
    assert (Organization.objects.count(), User.objects.count(), RoleAssignment.objects.count(), Campaign.objects.count()) == counts
    assert Organization.objects.colleges().count() >= 8
    assert Organization.objects.branches().count() >= 40
    assert len(set(Organization.objects.colleges().values_list("org_type", flat=True))) >= 4
    for name in ["zzb_admin", "judge1", "judge5", "college1", "college2", "branch1", "branch2"]:
        assert User.objects.get(username=name).check_password("demo12345")
    judge1_org = RoleAssignment.objects.get(user__username="judge1").organization
    college1_org = RoleAssignment.objects.get(user__username="college1").organization
    college2_org = RoleAssignment.objects.get(user__username="college2").organization
    assert judge1_org == college1_org != college2_org
    assert RoleAssignment.objects.get(user__username="branch1").organization.parent == college1_org
    assert RoleAssignment.objects.get(user__username="branch2").organization.parent == college2_org


@pytest.mark.parametrize("phase", [1, 2, 3, 4])
def test_seed_demo_phase_puts_today_in_that_phase(db, phase):
    call_command("seed_demo", phase=phase, verbosity=0)
    assert Campaign.objects.current().current_phase == phase


@override_settings(SEED_DEMO_ALLOWED=False)
def test_seed_demo_refuses_without_debug(db):
    with pytest.raises(CommandError):
        call_command("seed_demo", verbosity=0)
    assert not Organization.objects.exists()
    call_command("seed_demo", force=True, verbosity=0)
    assert Organization.objects.exists()
