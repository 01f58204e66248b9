"""The live 现场答辩 room and 组织部's paper scores for round 2.

One entry at a time: judges score it on their phones (or 组织部 enters a judge's paper sheet); when every
present judge has submitted, the room reveals the totals (state `revealed`); 组织部 moves on. A changed or
late score after the reveal needs 组织部 to unlock the entry first (with a reason, audited)."""

from django.db import transaction
from django.utils import timezone

from audit import log as audit
from core import versioning
from organizations.models import User

from .. import policy, queries
from ..models import Assignment, DefenceRoom, Round, RoomState
from ._common import JudgingError, _bump, _locked_track
from .scoring import clean_points


def _locked_room(track):
    # of=self: PostgreSQL cannot lock the nullable side of the outer join to the entry on stage
    room = (DefenceRoom.objects.select_for_update(of=("self",)).select_related("track", "entry", "entry__organization")
            .filter(track_id=track.pk).first())
    if room is None:
        raise JudgingError("答辩室尚未开启。")
    return room


def _room_change(room, by, action, changes, fields, note=""):
    _bump(room, fields)
    audit.record(by, room, action, changes, note=note)
    return room


@transaction.atomic
def open_room(track, *, by, now=None):
    """Open the room on the shortlist (the order of presentation: the entries' order in the track)."""
    current = _locked_track(track, "open_room", by)
    with_assignments = set(Assignment.objects.filter(track=current, round=Round.DEFENCE).values_list("entry_id", flat=True))
    order = [e.pk for e in queries.entries_for(current) if e.pk in with_assignments]
    if not order:
        raise JudgingError("没有入围现场答辩的项目。")
    room = DefenceRoom(track=current, order=order, entry_id=order[0], opened_by=by)
    versioning.insert_once(room)
    audit.record(by, room, "room_open", {"order": [None, order]},
                 note="答辩顺序：" + "、".join(str(e.organization) for e in queries.entries_for(current) if e.pk in order))
    return room


@transaction.atomic
def start_timer(track, *, by, now=None):
    room = _locked_room(track)
    policy.ROOM.require("timer", by, room, now)
    old = room.timer_started_at
    room.timer_started_at = now or timezone.now()
    return _room_change(room, by, "room_timer", {"timer_started_at": [audit._plain(old), room.timer_started_at.isoformat()]},
                        ["timer_started_at"], note=str(room.entry.organization))


@transaction.atomic
def set_absent(track, judge, absent, *, by, now=None):
    """Mark a judge absent (they are not waited for) or present again. May complete the entry (reveal)."""
    room = _locked_room(track)
    policy.ROOM.require("absent", by, room, now)
    if not room.track.judges.filter(pk=judge.pk).exists():
        raise JudgingError("该账号不是本评审的评委。")
    before = sorted(room.absent or [])
    after = set(before)
    (after.add if absent else after.discard)(judge.pk)
    if absent and not _expected(room, after):
        raise JudgingError("至少需要一位在场评委为本项目打分，不能将所有评委标记为缺席。")
    room.absent = sorted(after)
    if room.absent == before:
        return room
    _room_change(room, by, "room_absent" if absent else "room_present", {"absent": [before, room.absent]},
                 ["absent"], note=judge.display_name)
    _maybe_reveal(room, by, now)
    return room


def _expected(room, absent=None):
    """The round-2 assignments for the entry on stage that the room waits for (present judges only)."""
    absent = set(room.absent or []) if absent is None else absent
    rows = Assignment.objects.filter(track_id=room.track_id, round=Round.DEFENCE, entry_id=room.entry_id)
    return [a for a in rows if a.judge_id not in absent]


def _maybe_reveal(room, by, now=None):
    expected = _expected(room)
    if room.state != RoomState.SCORING or not expected or not all(a.done for a in expected):
        return False
    room.state = RoomState.REVEALED
    room.revealed_at = now or timezone.now()
    totals = {str(a.judge_id): a.total for a in expected}
    _room_change(room, by, "room_reveal", {"state": [RoomState.SCORING, RoomState.REVEALED], "totals": [None, totals]},
                 ["state", "revealed_at"], note=str(room.entry.organization))
    return True


def _write(a, points, *, by, action, entered_by, note="", now=None):
    criteria = queries.criteria_for(a.track, Round.DEFENCE)
    before = {"points": a.points, "total": a.total, "entered_by": a.entered_by.username if a.entered_by else None}
    a.points = points
    a.total = sum(points.values())
    a.complete, a.abstained, a.abstain_reason = len(points) == len(criteria), False, ""
    a.entered_by = entered_by
    a.scored_at = now or timezone.now()
    after = {"points": a.points, "total": a.total, "entered_by": entered_by.username if entered_by else None}
    _bump(a, ["points", "total", "complete", "abstained", "abstain_reason", "entered_by", "scored_at"])
    changes = audit.diff(before, after)
    if changes:
        audit.record(by, a, action, changes, note=note)
    return a


def _complete_points(track, raw):
    criteria = queries.criteria_for(track, Round.DEFENCE)
    points = clean_points(criteria, raw)
    if len(points) != len(criteria):
        raise JudgingError("请为每一项指标打分后再提交。")
    return points


@transaction.atomic
def room_score(track, judge, raw_points, *, by, now=None):
    """A judge submits (or, before the reveal, changes) their score for the entry on stage."""
    room = _locked_room(track)
    policy.ROOM.require("score", by, room, now)
    if by.pk != judge.pk:
        raise JudgingError("只能提交本人的评分。")
    a = (Assignment.objects.select_for_update(of=("self",)).select_related("track", "entered_by")
         .filter(track=room.track, round=Round.DEFENCE, judge=judge, entry_id=room.entry_id).first())
    if a is None or policy.conflict_of(judge, a):
        raise JudgingError("您无需为当前项目打分（需回避或未分配）。")
    if queries.sheet_for(room.track, judge, Round.DEFENCE) and queries.sheet_for(room.track, judge, Round.DEFENCE).locked:
        raise JudgingError("您的评分表已提交并锁定。如需修改，请联系党委组织部解锁。")
    a.track = room.track
    _write(a, _complete_points(room.track, raw_points), by=by, action="room_score", entered_by=None, now=now,
           note=f"现场答辩：{room.entry.organization}")
    _maybe_reveal(room, by, now)
    return a


@transaction.atomic
def enter_paper_score(assignment, raw_points, *, by, expected_version=versioning.UNCHECKED, now=None):
    """组织部 enters a judge's on-site paper score for round 2. Marked "由 X 代录" wherever it is shown."""
    a = versioning.lock(Assignment.objects.select_related("track", "entry", "entry__organization", "judge"),
                        assignment.pk, expected_version)
    policy.ASSIGNMENT.require("enter_paper", by, a, now)
    if policy.conflict_of(a.judge, a):
        raise JudgingError("该评委需回避此项目，不能代录评分。")
    room = DefenceRoom.objects.select_for_update().filter(track_id=a.track_id).first()
    if room is not None and a.judge_id in (room.absent or []):
        raise JudgingError("该评委已被标记为缺席。如其提交了纸质评分，请先将其标记为到场。")
    _write(a, _complete_points(a.track, raw_points), by=by, action="paper_score", entered_by=by, now=now,
           note=f"由 {by.display_name} 代录 {a.judge.display_name} 的纸质评分")
    if room is not None:
        room.track = a.track
        room.entry = a.entry
        _maybe_reveal(room, by, now)
    return a


@transaction.atomic
def unlock_room(track, *, by, reason, now=None):
    """Reopen the revealed entry: judges (or 组织部 for paper scores) may change it; it is revealed again
    as soon as every present judge's score is in."""
    reason = (reason or "").strip()
    room = _locked_room(track)
    policy.ROOM.require("unlock", by, room, now)
    if not reason:
        raise JudgingError("解锁须填写原因。")
    room.state, room.revealed_at = RoomState.SCORING, None
    return _room_change(room, by, "room_unlock", {"state": [RoomState.REVEALED, RoomState.SCORING]},
                        ["state", "revealed_at"], note=f"{room.entry.organization}：{reason[:200]}")


@transaction.atomic
def next_entry(track, *, by, now=None):
    room = _locked_room(track)
    policy.ROOM.require("next", by, room, now)
    old = room.entry_id
    room.position += 1
    room.timer_started_at = room.revealed_at = None
    if room.position >= len(room.order):
        room.state, room.entry = RoomState.FINISHED, None
    else:
        room.state, room.entry_id = RoomState.SCORING, room.order[room.position]
    return _room_change(room, by, "room_next", {"entry": [old, room.entry_id], "state": [RoomState.REVEALED, room.state]},
                        ["position", "timer_started_at", "revealed_at", "state", "entry"])


def judge_user(track, judge_id):
    """A judge of the track by id (for 组织部's absent/present buttons), or None."""
    return User.objects.filter(pk=judge_id, judging_tracks=track).first() if (str(judge_id).isdecimal() and len(str(judge_id)) < 19) else None
