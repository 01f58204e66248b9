"""Every user action guarded by a unique constraint or a count limit, raced on PostgreSQL.

N threads wait at a barrier and call the same service at the same moment (each on its own database
connection). Exactly the allowed number succeed; every other call gets the Chinese refusal
(`Refused` / `StaleEdit` / the service's ValidationError) — no IntegrityError, no other exception —
and the database holds exactly the allowed rows. Skipped on SQLite, which serialises writers
(run with DATABASE_URL=postgres://...).

Actions and their guard:
- 附件1 first save (unique_form1), 附件2 row first save (unique_form2_row), 附件2 created on first use by
  several branches' rows at once (unique_form2), 不参加 a branch (skip; unique_form2_row)
- 十佳党建品牌 entry start (unique_entry: idempotent), 十佳特色支部 recommendation (at most 2 per college,
  unique rank per college, unique entry)
- deadline extension (unique_extension: the last grant wins, one row); a new campaign year (unique year)
- judging track creation (unique_judging_track), judge assignment (unique_assignment), declared
  conflict (unique_declared_conflict), committee vote (unique_vote), score sheet submit (unique_sheet)
- showcase pick (unique_showcase_item)
- account role (unique_role_per_org, unique_global_role), 工号 (unique_employee_id)
(The reminder slot and the 企业微信 delivery outbox have their own races: tests/campaigns/
test_reminders_concurrency.py, tests/notify/test_notify_concurrency.py.)
"""

import datetime as dt
import re
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from campaigns.models import SHANGHAI, DeadlineExtension, DeadlineKind
from core.concurrency import StaleEdit
from organizations.models import Role, RoleAssignment, User

from .factories import BranchFactory, UserFactory, give_role

N = 4
CJK = re.compile(r"[\u4e00-\u9fff]")

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def postgres(db):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency needs PostgreSQL (SQLite serialises writers; run with DATABASE_URL=postgres://...)")


def race(actions):
    """Run the callables at the same moment, one thread each. Returns [(kind, value)] with kind
    "ok" (the return value), "refused" (the Chinese message) or "error" (anything else)."""
    barrier = threading.Barrier(len(actions))
    outcomes = [None] * len(actions)

    def body(i, action):
        try:
            barrier.wait(10)
            outcomes[i] = ("ok", action())
        except (StaleEdit, ValidationError) as exc:  # Refused is a ValidationError
            msg = str(exc) if isinstance(exc, StaleEdit) else "；".join(exc.messages)
            outcomes[i] = ("refused", msg)
        except Exception as exc:  # noqa: BLE001 - the assertion reports it
            outcomes[i] = ("error", repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=body, args=(i, a)) for i, a in enumerate(actions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return outcomes


def expect(outcomes, ok):
    errors = [o for o in outcomes if o is None or o[0] == "error"]
    assert not errors, errors
    assert sum(o[0] == "ok" for o in outcomes) == ok, outcomes
    for kind, value in outcomes:
        if kind == "refused":
            assert CJK.search(value), value
    return [v for k, v in outcomes if k == "ok"]


# ---------------------------------------------------------------- 附件1 / 附件2


def test_concurrent_first_saves_of_one_form1_save_once(world, at):
    from submissions import services
    from submissions.models import Form1

    from .submissions.helpers import FORM1_COMPLETE

    at(2026, 5, 8, 10, 0)
    actions = [lambda i=i: services.save_form1(world.campaign, world.college_a, dict(FORM1_COMPLETE, slogan=f"口号{i}"),
                                               by=world.users.college, expected_version=0) for i in range(N)]
    expect(race(actions), ok=1)
    assert Form1.objects.count() == 1 and Form1.objects.get().version == 1


def test_concurrent_first_saves_of_one_branch_row_save_once(world, at):
    from submissions import services
    from submissions.models import Form2, Form2Row

    from .submissions.helpers import ROW_COMPLETE

    at(2026, 5, 8, 10, 0)
    actions = [lambda: services.save_row(world.campaign, world.branch_a1, ROW_COMPLETE, by=world.users.branch,
                                         expected_version=0) for _ in range(N)]
    expect(race(actions), ok=1)
    assert Form2Row.objects.count() == 1 and Form2.objects.count() == 1


def test_rows_of_different_branches_create_the_one_form2_together(world, at):
    from submissions import services
    from submissions.models import Form2, Form2Row

    from .submissions.helpers import ROW_COMPLETE

    at(2026, 5, 8, 10, 0)
    branches = [world.branch_a1, world.branch_a2] + [BranchFactory(parent=world.college_a) for _ in range(N - 2)]
    actions = [lambda b=b: services.save_row(world.campaign, b, ROW_COMPLETE, by=world.users.college, expected_version=0)
               for b in branches]
    expect(race(actions), ok=N)  # no limit here: each branch its own row, one 附件2 for the college
    assert Form2.objects.count() == 1 and Form2Row.objects.count() == N


def test_concurrent_skips_of_one_branch_record_one_row(world, at):
    from submissions import services
    from submissions.models import Form2Row, RowState

    at(2026, 5, 8, 10, 0)
    actions = [lambda i=i: services.skip_row(world.campaign, world.branch_a2, f"本年度支部改选{i}", by=world.users.college)
               for i in range(N)]
    expect(race(actions), ok=N)  # skipping a skipped row again only updates the reason (as in the serial case)
    assert Form2Row.objects.filter(branch=world.branch_a2).count() == 1
    assert Form2Row.objects.get(branch=world.branch_a2).state == RowState.SKIPPED


# ---------------------------------------------------------------- 附件3 entries


def test_concurrent_brand_entry_starts_create_one_entry(world, at):
    from submissions import services
    from submissions.models import Entry

    at(2026, 11, 3, 10, 0)
    actions = [lambda: services.start_brand_entry(world.campaign, world.college_a, by=world.users.college)
               for _ in range(N)]
    entries = expect(race(actions), ok=N)  # a second start is not an error: it opens the same entry
    assert Entry.objects.count() == 1 and {e.pk for e in entries} == {Entry.objects.get().pk}


def test_concurrent_recommendations_stop_at_two_per_college(world, at):
    from submissions import services
    from submissions.models import Entry, Track

    at(2026, 11, 3, 10, 0)
    branches = [world.branch_a1, world.branch_a2] + [BranchFactory(parent=world.college_a) for _ in range(N - 2)]
    actions = [lambda b=b, r=i % 2 + 1: services.recommend_branch(world.campaign, b, r, by=world.users.college)
               for i, b in enumerate(branches)]
    expect(race(actions), ok=2)
    rows = Entry.objects.filter(track=Track.BRANCH, college=world.college_a)
    assert rows.count() == 2 and sorted(rows.values_list("rank", flat=True)) == [1, 2]


def test_concurrent_recommendations_of_one_branch_create_one_entry(world, at):
    from submissions import services
    from submissions.models import Entry

    at(2026, 11, 3, 10, 0)
    actions = [lambda r=i % 2 + 1: services.recommend_branch(world.campaign, world.branch_a1, r, by=world.users.college)
               for i in range(N)]
    expect(race(actions), ok=1)
    assert Entry.objects.filter(organization=world.branch_a1).count() == 1


# ---------------------------------------------------------------- campaign


def test_concurrent_extensions_for_one_org_leave_one_row(world):
    from campaigns import services

    deadline = world.campaign.deadlines.get(kind=DeadlineKind.DESIGN)
    actions = [lambda i=i: services.grant_extension(deadline, world.college_a, deadline.due_at + dt.timedelta(days=i + 1),
                                                    f"延期原因{i}", by=world.users.admin) for i in range(N)]
    expect(race(actions), ok=N)  # each grant is allowed; the last one wins
    assert DeadlineExtension.objects.filter(deadline=deadline, organization=world.college_a).count() == 1


def test_a_double_clicked_new_campaign_creates_one_year_through_the_page(world):
    """campaigns:list POST: both clicks pass the "exists?" check; the constraint answers the second."""
    from django.test import Client
    from django.urls import reverse

    from campaigns.models import Campaign, Deadline

    clients = []
    for _ in range(N):
        c = Client()
        c.force_login(world.users.admin)
        clients.append(c)
    outcomes = race([lambda c=c: c.post(reverse("campaigns:list"), {"year": "2031"}, follow=True) for c in clients])
    assert all(kind == "ok" and r.status_code == 200 for kind, r in outcomes), outcomes
    assert Campaign.objects.filter(year=2031).count() == 1
    campaign = Campaign.objects.get(year=2031)
    assert Deadline.objects.filter(campaign=campaign).count() == len(DeadlineKind.values)
    pages = [r.content.decode() for _, r in outcomes]
    assert sum("已创建" in p for p in pages) == 1 and sum("2031 年度活动已存在" in p for p in pages) == N - 1


# ---------------------------------------------------------------- judging


@pytest.fixture
def judging(world):
    from .reviews.helpers import make_entry, make_judge

    world.e_a = make_entry(world.campaign, world.college_a)
    world.e_b = make_entry(world.campaign, world.college_b)
    world.judge2 = make_judge("judge2")
    return world


def test_concurrent_track_creation_creates_one_track(judging):
    from reviews import services
    from reviews.models import DEFAULT_RUBRIC, DEFAULT_RUBRIC_ROUND2, Criterion, JudgingTrack
    from submissions.models import Track

    w = judging
    tracks = expect(race([lambda: services.create_track(w.campaign, Track.BRAND, by=w.users.admin)] * N), ok=N)
    assert JudgingTrack.objects.count() == 1 and {t.pk for t in tracks} == {JudgingTrack.objects.get().pk}
    assert Criterion.objects.count() == len(DEFAULT_RUBRIC) + len(DEFAULT_RUBRIC_ROUND2)  # both rounds' defaults


def test_concurrent_assignment_of_one_judge_to_one_entry_creates_one_row(judging):
    from reviews import services
    from reviews.models import Assignment

    from .reviews.helpers import brand_track

    w = judging
    track = brand_track(w, [w.users.judge, w.judge2])
    expect(race([lambda: services.add_assignment(track, w.judge2, w.e_b, by=w.users.admin)] * N), ok=N)
    assert Assignment.objects.filter(judge=w.judge2, entry=w.e_b).count() == 1


def test_concurrent_conflict_declarations_record_one(judging, at):
    from reviews import services
    from reviews.models import DeclaredConflict

    from .reviews.helpers import SCORING_DAY, brand_track, open_track

    w = judging
    at(*SCORING_DAY)
    track = open_track(brand_track(w, [w.users.judge, w.judge2]), w.users.admin)
    outcomes = race([lambda: services.declare_conflict(track, w.judge2, w.e_b, "曾在该单位挂职", by=w.judge2)] * N)
    expect(outcomes, ok=1)  # the first withdraws the assignment; the others are refused as in the serial case
    assert {v for k, v in outcomes if k == "refused"} == {"只能对分配给您的项目申报回避。"}
    assert DeclaredConflict.objects.filter(judge=w.judge2, entry=w.e_b).count() == 1


def test_concurrent_votes_for_one_entry_keep_one_row(judging):
    from reviews import services
    from reviews.models import CommitteeVote, JudgingTrack, Stage

    from .reviews.helpers import brand_track

    w = judging
    track = brand_track(w, [w.users.judge])
    JudgingTrack.objects.filter(pk=track.pk).update(stage=Stage.CLOSED)
    track.refresh_from_db()
    outcomes = race([lambda v=v: services.record_vote(track, w.e_a, v, by=w.users.admin) for v in range(N)])
    if all(o[0] == "refused" for o in outcomes):
        pytest.fail(f"the vote is refused in this stage; pick the stage the policy allows: {outcomes}")
    expect(outcomes, ok=N)
    assert CommitteeVote.objects.filter(track=track, entry=w.e_a).count() == 1


def test_concurrent_submits_of_one_score_sheet_lock_one_sheet(judging, at):
    """A double-clicked 提交评分表: one sheet, submitted once; the other clicks are refused as already submitted."""
    from reviews import services
    from reviews.models import Assignment, ScoreSheet

    from .reviews.helpers import SCORING_DAY, brand_track, open_track, score

    w = judging
    at(*SCORING_DAY)
    track = open_track(brand_track(w, [w.users.judge, w.judge2]), w.users.admin)
    mine = list(Assignment.objects.filter(track=track, judge=w.judge2).select_related("entry"))
    assert mine, "judge2 has no assignment to score"
    for a in mine:
        score(track, w.judge2, a.entry, 15, 25, 30, 20, 10)
    outcomes = race([lambda: services.submit_sheet(track, w.judge2, by=w.judge2)] * N)
    expect(outcomes, ok=1)
    assert ScoreSheet.objects.filter(track=track, judge=w.judge2).count() == 1
    assert ScoreSheet.objects.get(track=track, judge=w.judge2).submitted_at is not None


# ---------------------------------------------------------------- showcase


def test_concurrent_picks_of_one_brand_create_one_showcase_item(world):
    from showcase import services
    from showcase.models import ItemKind, ShowcaseItem

    expect(race([lambda: services.pick(world.campaign, world.college_a, ItemKind.BRAND, by=world.users.admin)] * N),
           ok=N)  # a second pick re-takes the snapshot of the same item
    assert ShowcaseItem.objects.count() == 1


# ---------------------------------------------------------------- accounts


def test_concurrent_grants_of_one_role_create_one_assignment(world):
    from organizations import services

    user = UserFactory()
    outcomes = race([lambda: services.add_role(user, Role.BRANCH_SECRETARY, world.branch_b2, by=world.users.admin)] * N)
    expect(outcomes, ok=1)
    assert RoleAssignment.objects.filter(user=user, role=Role.BRANCH_SECRETARY).count() == 1


def test_concurrent_grants_of_one_global_role_create_one_assignment(world):
    from organizations import services

    user = UserFactory()
    expect(race([lambda: services.add_role(user, Role.ADMIN, None, by=world.users.admin)] * N), ok=1)
    assert RoleAssignment.objects.filter(user=user, role=Role.ADMIN).count() == 1


def test_one_employee_id_given_to_two_accounts_at_once_goes_to_one(world):
    from organizations import services

    users = [UserFactory() for _ in range(N)]
    expect(race([lambda u=u: services.set_employee_id(u, "20260001", by=world.users.admin) for u in users]), ok=1)
    assert User.objects.filter(employee_id="20260001").count() == 1
