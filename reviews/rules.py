"""Who may do what in the 十佳 judging. Permission objects: a JudgingTrack or an Assignment.

The workflow actions are the tables of `reviews.policy`, registered as
`reviews.<machine>.<action>`; the shared predicates (judge of a track, judge without conflict)
are defined there once."""

import rules

from organizations.rules import is_approver, is_judge, is_zzb_admin

from . import policy


@rules.predicate
def judges_track(user, track):
    return track is not None and policy.judges_track(user, track)


@rules.predicate
def owns_assignment(user, assignment):
    return assignment is not None and is_judge(user) and assignment.judge_id == user.pk


rules.add_perm("reviews.manage_judging", is_zzb_admin)
rules.add_perm("reviews.view_queue", is_judge)
rules.add_perm("reviews.judge_track", judges_track)
rules.add_perm("reviews.score_assignment", owns_assignment)
rules.add_perm("reviews.view_sheet", is_zzb_admin | judges_track)
rules.add_perm("reviews.view_ranking", is_zzb_admin | is_approver)
rules.add_perm("reviews.view_room", is_zzb_admin | judges_track)  # the room's "anything changed?" poll

for _machine in policy.POLICIES.values():
    for _action in _machine:
        rules.add_perm(f"reviews.{_machine.name}.{_action}", _machine.permission(_action))
# 审定: 校领导 decide in the portal; 组织部 sees the same page (and records paper decisions on 审定·公示·公布)
rules.add_perm("reviews.view_approval", is_zzb_admin | is_approver)
rules.add_perm("reviews.approve_track", is_approver)
rules.add_perm("reviews.view_minutes", is_zzb_admin | is_approver)
