"""Scoring: opening round 1, judges' scores and sheets, closing, committee votes."""

from django.db import transaction
from django.utils import timezone

from audit import log as audit
from core import versioning

from .. import policy, queries
from ..models import Assignment, CommitteeVote, Round, ScoreSheet, Stage
from .setup import _validate_track
from ._common import JudgingError, WHOLE_NUMBER, _bump, _locked_track


@transaction.atomic
def open_scoring(track, *, by, now=None):
    """Start round 1: the rubric and the ranking rules are frozen from here on."""
    current = _locked_track(track, "open_scoring", by)
    if not current.criteria.filter(round=Round.MATERIALS).exists():
        raise JudgingError("请先设置评分标准。")
    if not Assignment.objects.filter(track=current).exists():
        raise JudgingError("请先分配评审任务。")
    _validate_track(current)
    current.stage = Stage.SCORING
    current.rubric_frozen_at = now or timezone.now()
    _bump(current, ["stage", "rubric_frozen_at"])
    rubric = [(c.code, c.name, c.max_points) for c in current.criteria.filter(round=Round.MATERIALS)]
    audit.record(by, current, "open_scoring", {"stage": [Stage.SETUP, Stage.SCORING], "rubric": [None, rubric],
                                                "tie_break": [None, current.tie_break]})
    return current


def ensure_can_score(assignment, user, now=None):
    """Raises JudgingError unless `user` may change this assignment's scores right now (ASSIGNMENT.score)."""
    policy.ASSIGNMENT.require("score", user, assignment, now)


def clean_points(criteria, raw):
    """{criterion_id(str): int} from raw input; whole numbers within each criterion's range, blanks skipped."""
    points, errors = {}, []
    for c in criteria:
        value = raw.get(str(c.pk), raw.get(c.pk, ""))
        if value is None or str(value).strip() == "":
            continue
        text = str(value).strip()
        if isinstance(value, bool) or not WHOLE_NUMBER.match(text):
            errors.append(f"“{c.name}”须为整数分值")
            continue
        n = int(text)
        if not (0 <= n <= c.max_points):
            errors.append(f"“{c.name}”须在 0–{c.max_points} 分之间")
            continue
        points[str(c.pk)] = n
    if errors:
        raise JudgingError("；".join(errors) + "。")
    return points


@transaction.atomic
def save_score(assignment, raw_points, *, by, expected_version, abstain=False, abstain_reason="", now=None):
    """Save a judge's scores for one entry (partial saves allowed) or an abstention with a reason."""
    a = versioning.lock(Assignment.objects.select_related("track", "entry", "entry__organization"), assignment.pk,
                        expected_version)
    ensure_can_score(a, by, now)
    criteria = queries.criteria_for(a.track, a.round)
    before = {"points": a.points, "total": a.total, "abstained": a.abstained, "abstain_reason": a.abstain_reason}
    if abstain:
        reason = (abstain_reason or "").strip()
        if not reason:
            raise JudgingError("弃权须填写原因。")
        a.points, a.total, a.complete, a.abstained, a.abstain_reason = {}, None, False, True, reason[:200]
    else:
        points = clean_points(criteria, raw_points)
        a.points = points
        a.total = sum(points.values()) if points else None
        a.complete = len(points) == len(criteria)
        a.abstained, a.abstain_reason = False, ""
    a.scored_at = now or timezone.now()
    after = {"points": a.points, "total": a.total, "abstained": a.abstained, "abstain_reason": a.abstain_reason}
    changes = audit.diff(before, after)
    _bump(a, ["points", "total", "complete", "abstained", "abstain_reason", "scored_at"])
    if changes:
        audit.record(by, a, "abstain" if abstain else "score", changes)
    return a


@transaction.atomic
def submit_sheet(track, judge, round_=Round.MATERIALS, *, by, now=None):
    """Submit all of a judge's scores for a round: every assignment scored or abstained. Then locked."""
    current = _locked_track(track)
    sheet = (ScoreSheet.objects.select_for_update().filter(track=current, judge=judge, round=round_).first()
             or ScoreSheet(track=current, judge=judge, round=round_))
    sheet.track = current
    policy.SHEET.require("submit", by, sheet, now)
    assignments = queries.judge_queue(judge, current)
    mine = [a for a in assignments if a.round == round_]
    if not mine:
        raise JudgingError("没有需要提交的评分。")
    for a in mine:
        ensure_can_score(a, judge, now)
    missing = [a for a in mine if not a.done]
    if missing:
        raise JudgingError(f"还有 {len(missing)} 个项目未完成评分（或未说明弃权），不能提交。")
    if sheet.pk is None:
        versioning.insert_once(sheet)
    sheet.submitted_at = now or timezone.now()
    _bump(sheet, ["submitted_at"])
    audit.record(by, sheet, "submit_sheet", {"submitted_at": [None, sheet.submitted_at.isoformat()],
                                             "totals": [None, {str(a.entry): a.total for a in mine}]})
    return sheet


@transaction.atomic
def unlock_sheet(sheet, *, by, reason):
    """组织部 reopens one judge's submitted sheet, with a recorded reason."""
    reason = (reason or "").strip()
    if not reason:
        raise JudgingError("解锁须填写原因。")
    s = ScoreSheet.objects.select_for_update().select_related("track").get(pk=sheet.pk)
    policy.SHEET.require("unlock", by, s)
    old = s.submitted_at.isoformat()
    s.submitted_at = None
    _bump(s, ["submitted_at"])
    audit.record(by, s, "unlock_sheet", {"submitted_at": [old, None]}, note=reason)
    return s


@transaction.atomic
def close_scoring(track, *, by):
    """End the current round. With a second round, round 1 ends with the shortlist and round-2 assignments."""
    current = _locked_track(track, "close", by)
    if current.stage == Stage.SCORING and current.second_round:
        board = queries.ranking(current, with_stability=False)
        ranked = [row["entry"] for row in board["rows"] if row["r"].final is not None]
        shortlist = ranked[: current.shortlist_size]
        if not shortlist:
            raise JudgingError("尚无有效评分，不能确定入围名单。")
        current.shortlist.set(shortlist)
        judges = queries.judges_for(current)
        conflicts = queries.conflict_map(current, [j.pk for j in judges], shortlist)
        Assignment.objects.bulk_create([
            Assignment(track=current, round=Round.DEFENCE, judge=j, entry=e)
            for e in shortlist for j in judges if (j.pk, e.pk) not in conflicts
        ], ignore_conflicts=True)
        new = Stage.ROUND2
        rubric2 = [f"{c.name}{c.max_points}分" for c in queries.criteria_for(current, Round.DEFENCE)]
        note = ("入围答辩：" + "、".join(str(e.organization) for e in shortlist)
                + "；现场答辩评分标准（已冻结）：" + "、".join(rubric2))
    else:
        new, note = Stage.CLOSED, ""
    old = current.stage
    current.stage = new
    _bump(current, ["stage"])
    audit.record(by, current, "close_round", {"stage": [old, new]}, note=note)
    return current


@transaction.atomic
def record_vote(track, entry, votes, *, by):
    """The committee's vote count for an entry, the last link of the tie-break chain."""
    current = _locked_track(track, "vote", by)
    if votes is None or int(votes) < 0:
        raise JudgingError("票数须为非负整数。")
    v, _ = CommitteeVote.objects.get_or_create(track=current, entry=entry, defaults={"votes": 0})
    old = v.votes
    v.votes = int(votes)
    v.save()
    audit.record(by, v, "vote", {"votes": [old, v.votes]}, organization=entry.organization)
    return v




OVERRIDE_REASON_MAX = 500


@transaction.atomic
def override_min_scores(track, *, by, reason, now=None):
    """组织部 goes on although some entries lack valid scores: the reason, who, when and exactly which entries
    (with their counts then) are recorded on the track and in the audit log. The override covers those
    entries only; a further shortfall (another entry, or fewer scores than then) needs its own reason."""
    reason = (reason or "").strip()
    current = _locked_track(track, "override_scores", by)
    if not reason:
        raise JudgingError("请填写在有效评分不足的情况下继续的原因。")
    if len(reason) > OVERRIDE_REASON_MAX:
        raise JudgingError(f"原因不能超过 {OVERRIDE_REASON_MAX} 字。")
    short = queries.uncovered_shortfall(current)
    at = timezone.localtime(now or timezone.now())
    record = {
        "at": at.isoformat(), "at_text": f"{at:%Y-%m-%d %H:%M}", "by": by.username, "by_name": getattr(by, "display_name", by.username),
        "reason": reason, "stage": current.stage, "stage_label": current.get_stage_display(),
        "entries": [{"entry": i["entry"].pk, "name": str(i["entry"].organization), "round": int(i["round"]),
                     "valid": i["valid"], "required": i["required"]} for i in short],
    }
    current.score_overrides = [*(current.score_overrides or []), record]
    _bump(current, ["score_overrides"])
    audit.record(by, current, "score_override",
                 {"score_overrides": [None, [queries.shortfall_label(i) for i in short]]}, note=reason)
    return current
