"""Judges' unscored assignments, registered in the campaigns obligations registry."""

from django.urls import reverse

from campaigns import obligations
from campaigns.models import DeadlineKind
from organizations.models import Role

from . import queries
from .models import Round, Stage


@obligations.register
def judging_obligations(campaign, user, assignment):
    if assignment.role != Role.JUDGE:
        return []
    items = []
    for track in queries.tracks_for(campaign):
        if track.stage not in queries.SCORING_STAGES or not track.judges.filter(pk=user.pk).exists():
            continue
        round_ = Round.MATERIALS if track.stage == Stage.SCORING else Round.DEFENCE
        mine = [a for a in queries.judge_queue(user, track) if a.round == round_]
        if not mine:
            continue
        sheet = queries.sheet_for(track, user, round_)
        open_n = sum(1 for a in mine if not a.done)
        submitted = bool(sheet and sheet.locked)
        items.append(obligations.Obligation(
            key=f"judging_{track.track}_{round_}",
            label=f"{track.get_track_display()}{Round(round_).label}：完成 {len(mine)} 个项目的评分并提交评分表",
            due_at=track.closes_at if round_ == Round.MATERIALS else None,
            url=reverse("reviews:queue"), done=submitted, deadline_kind=DeadlineKind.JUDGING,
            state="已提交" if submitted else f"未评 {open_n} 项" if open_n else "待提交",
            extra={"unscored": open_n},
        ))
    return items


@obligations.register
def approval_obligations(campaign, user, assignment):
    """校领导: each proposed list waiting for their decision (and the ones already decided, as done)."""
    if assignment.role != Role.APPROVER:
        return []
    items = []
    for track in queries.tracks_for(campaign):
        waiting = track.stage == Stage.PROPOSED
        if not waiting and not track.approved_at:
            continue
        n = len(track.proposal or [])
        items.append(obligations.Obligation(
            key=f"approval_{track.track}",
            label=f"审定{track.get_track_display()}拟表彰名单（{n} 项）" if waiting
            else f"{track.get_track_display()}拟表彰名单已审定",
            url=reverse("reviews:approval", args=[track.pk]), done=not waiting,
            state="待审定" if waiting else track.get_approval_method_display() or "已审定",
            extra={"proposed_at": track.proposed_at},
        ))
    return items
