"""Who may do what in the 十佳 judging. Permission objects: a JudgingTrack or an Assignment."""

import rules

from organizations.rules import is_judge, is_zzb_admin


@rules.predicate
def judges_track(user, track):
    return track is not None and is_judge(user) and track.judges.filter(pk=user.pk).exists()


@rules.predicate
def owns_assignment(user, assignment):
    return assignment is not None and is_judge(user) and assignment.judge_id == user.pk


rules.add_perm("reviews.manage_judging", is_zzb_admin)
rules.add_perm("reviews.view_queue", is_judge)
rules.add_perm("reviews.judge_track", judges_track)
rules.add_perm("reviews.score_assignment", owns_assignment)
rules.add_perm("reviews.view_sheet", is_zzb_admin | judges_track)

from organizations.rules import is_approver  # noqa: E402

rules.add_perm("reviews.view_ranking", is_zzb_admin | is_approver)
