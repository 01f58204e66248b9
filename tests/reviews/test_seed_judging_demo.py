from django.core.management import call_command

from campaigns import obligations
from campaigns.models import Campaign
from organizations.models import User
from reviews.models import Assignment, JudgingTrack, Stage


def test_seed_judging_demo_is_idempotent_and_leaves_work_for_judge1(db):
    call_command("seed_demo", phase=3, verbosity=0)
    call_command("seed_judging_demo", verbosity=0)
    counts = (JudgingTrack.objects.count(), Assignment.objects.count())
    call_command("seed_judging_demo", verbosity=0)
    assert (JudgingTrack.objects.count(), Assignment.objects.count()) == counts
    # this year's tracks (seed_demo's history has the two years before, already published)
    stages = dict(JudgingTrack.objects.filter(campaign=Campaign.objects.current()).values_list("track", "stage"))
    assert stages == {"brand": Stage.SCORING, "branch": Stage.CLOSED}
    judge1 = User.objects.get(username="judge1")
    # judge1's home is 机械工程学院党委: never assigned its entries
    assert not Assignment.objects.filter(judge=judge1, entry__organization__name__startswith="机械").exists()
    todo = [o for o in obligations.for_user(Campaign.objects.current(), judge1) if o.key.startswith("judging_")]
    assert [o.done for o in todo] == [False]


def test_seed_judging_demo_with_a_room_opens_round2_on_the_first_finalist(db):
    from reviews.models import DefenceRoom, Round, RoomState

    call_command("seed_demo", phase=3, verbosity=0)
    call_command("seed_judging_demo", room=True, verbosity=0)
    call_command("seed_judging_demo", room=True, verbosity=0)  # idempotent
    brand = JudgingTrack.objects.get(campaign=Campaign.objects.current(), track="brand")
    assert brand.stage == Stage.ROUND2 and brand.second_round and (brand.round1_weight, brand.round2_weight) == (40, 60)
    room = DefenceRoom.objects.get(track=brand)
    assert room.state == RoomState.SCORING and room.entry_id == room.order[0] and len(room.order) == 5
    assert Assignment.objects.filter(track=brand, round=Round.DEFENCE, entry_id=room.entry_id).count() >= 4
    assert JudgingTrack.objects.get(campaign=Campaign.objects.current(), track="branch").stage == Stage.CLOSED
