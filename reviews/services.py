"""Every state change of the 十佳 judging: transactional, validated, version-checked, audited.

Window, lock, conflict and stage rules are enforced here, so every path (view, admin, task,
import) gets them."""

import datetime as dt
import re
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from campaigns.models import DeadlineKind
from campaigns.queries import deadline as get_deadline
from audit import log as audit
from core import versioning
from core.policy import Refused
from organizations.models import Role, User
from submissions.models import Entry, EntryState

from . import policy, queries
from .models import (
    DEFAULT_RUBRIC, STAGE_ORDER, ApprovalMethod, Assignment, Award, CommitteeVote, Criterion, DeclaredConflict, JudgingTrack,
    Objection, Round, ScoreSheet, Stage, TieBreak,
)


WHOLE_NUMBER = re.compile(r"^-?[0-9]{1,4}$")


JudgingError = Refused  # a refused action, with a message for the user (Chinese)


def _snap(obj, fields=None):
    """audit.snapshot with Decimals as strings (JSON-safe)."""
    return {k: str(v) if isinstance(v, Decimal) else v for k, v in audit.snapshot(obj, fields).items()}


def _bump(obj, fields):
    obj.version += 1
    obj.save(update_fields=[*fields, "version"])


def _locked_track(track, action=None, by=None, expected_version=versioning.UNCHECKED):
    """Lock the track, check the editor's version, and ask the TRACK policy for `action`."""
    current = versioning.lock(JudgingTrack.objects, track.pk, expected_version)
    if action is not None:
        policy.TRACK.require(action, by, current)
    return current


def _require_admin(by):
    if not policy.is_zzb_admin(by):
        raise Refused(policy.ADMIN_ONLY)


# ---------------------------------------------------------------- setup


@transaction.atomic
def create_track(campaign, track_kind, *, by):
    """The track with default window (after the 附件3 deadline until the judging deadline) and rubric."""
    _require_admin(by)
    existing = JudgingTrack.objects.filter(campaign=campaign, track=track_kind).first()
    if existing:
        return existing
    review = get_deadline(campaign, DeadlineKind.REVIEW)
    judging = get_deadline(campaign, DeadlineKind.JUDGING)
    opens = review.due_at if review else timezone.now()
    closes = judging.due_at if judging else opens + dt.timedelta(days=30)
    try:
        with transaction.atomic():  # a concurrent creation (double click, two admins) hits unique_judging_track
            track = JudgingTrack.objects.create(
                campaign=campaign, track=track_kind, opens_at=opens, closes_at=closes,
                tie_break=[f"criterion:{DEFAULT_RUBRIC[2][0]}", TieBreak.TOP_SCORES, TieBreak.VOTE],
            )
    except IntegrityError:
        return JudgingTrack.objects.get(campaign=campaign, track=track_kind)  # the other request's track
    for i, (code, name, points, desc) in enumerate(DEFAULT_RUBRIC):
        Criterion.objects.create(track=track, code=code, name=name, max_points=points, description=desc, sort_order=i)
    audit.record(by, track, "judging_create", audit.diff({}, _snap(track)))
    return track


SETUP_ONLY_FIELDS = {"blind", "aggregation", "normalise", "tie_break", "judges_per_entry", "second_round",
                     "round1_weight", "round2_weight", "opens_at", "award_count"}
LATER_FIELDS = {"closes_at", "disagree_sd", "shortlist_size", "award_amount"}


@transaction.atomic
def update_track(track, data, *, by, expected_version):
    """Change the configuration. Rules that decide the ranking are fixed once scoring starts."""
    current = _locked_track(track, "configure", by, expected_version)
    before = _snap(current)
    for name, value in data.items():
        if name not in SETUP_ONLY_FIELDS | LATER_FIELDS:
            continue
        if name in SETUP_ONLY_FIELDS and current.stage != Stage.SETUP and value != getattr(current, name):
            label = JudgingTrack._meta.get_field(name).verbose_name
            raise JudgingError(f"评审已开始，“{label}”在评审开始前确定，不能再修改。")
        setattr(current, name, value)
    _validate_track(current)
    changes = audit.diff(before, _snap(current))
    if changes:
        _bump(current, list(changes))
        audit.record(by, current, "track_update", changes)
    return current


def _validate_track(t):
    if t.closes_at <= t.opens_at:
        raise JudgingError("评审截止时间必须晚于开始时间。")
    if t.second_round and t.round1_weight + t.round2_weight != 100:
        raise JudgingError("材料评审与现场答辩的权重之和必须为 100%。")
    codes = {c for c in Criterion.objects.filter(track=t).values_list("code", flat=True)}
    for item in t.tie_break or []:
        if item.startswith("criterion:"):
            if item.split(":", 1)[1] not in codes:
                raise JudgingError("同分排序规则引用了不存在的评审指标。")
        elif item not in TieBreak.values:
            raise JudgingError("同分排序规则无效。")
    if len(set(t.tie_break or [])) != len(t.tie_break or []):
        raise JudgingError("同分排序规则中有重复项。")


@transaction.atomic
def save_rubric(track, rows, *, by, expected_version):
    """Replace the rubric. rows: [{"code", "name", "description", "max_points"}]. Frozen once scoring starts."""
    current = _locked_track(track, "rubric", by, expected_version)
    if not rows:
        raise JudgingError("评分标准至少需要一项指标。")
    codes = [r["code"] for r in rows]
    if len(set(codes)) != len(codes):
        raise JudgingError("指标编码不能重复。")
    for r in rows:
        if not (1 <= int(r["max_points"]) <= 100):
            raise JudgingError(f"“{r['name']}”的分值必须是 1–100 的整数。")
    used = {i.split(":", 1)[1] for i in current.tie_break or [] if i.startswith("criterion:")}
    if used - set(codes):
        raise JudgingError("同分排序规则引用的指标不能删除，请先修改同分排序规则。")
    before = [(c.code, c.name, c.max_points, c.description) for c in current.criteria.all()]
    existing = {c.code: c for c in current.criteria.all()}
    keep = set()
    for i, r in enumerate(rows):
        c = existing.get(r["code"]) or Criterion(track=current, code=r["code"])
        c.name, c.description, c.max_points, c.sort_order = r["name"], r.get("description", ""), int(r["max_points"]), i
        c.full_clean(exclude=["track"])
        c.save()
        keep.add(c.code)
    current.criteria.exclude(code__in=keep).delete()
    after = [(c.code, c.name, c.max_points, c.description) for c in current.criteria.order_by("sort_order")]
    if before != after:
        _bump(current, [])
        audit.record(by, current, "rubric_update", {"rubric": [before, after]})
    return current


@transaction.atomic
def set_judges(track, judge_ids, *, by):
    """Choose the judges. Only accounts holding the judge role; a judge who has scores cannot be removed."""
    current = _locked_track(track, "judges", by)
    wanted = set(
        User.objects.filter(pk__in=judge_ids, role_assignments__role=Role.JUDGE, role_assignments__is_active=True)
        .values_list("pk", flat=True)
    )
    if len(wanted) != len(set(judge_ids)):
        raise JudgingError("只能选择具有“评审专家”角色的账号。")
    old = set(current.judges.values_list("pk", flat=True))
    removed = old - wanted
    if removed and Assignment.objects.filter(track=current, judge_id__in=removed, scored_at__isnull=False).exists():
        raise JudgingError("已打分的评委不能移出评审。")
    Assignment.objects.filter(track=current, judge_id__in=removed).delete()
    current.judges.set(wanted)
    if old != wanted:
        _bump(current, [])
        audit.record(by, current, "judges_update", {"judges": [sorted(old), sorted(wanted)]})
    return current


# ---------------------------------------------------------------- assignment


def _plan(track, judges, entries, n, existing, conflicts):
    """Pairs to add so each entry has n judges (n=0: all), lowest load first, never conflicted."""
    load = {j.pk: 0 for j in judges}
    have = {}
    for j, e in existing:
        if j in load:
            load[j] += 1
        have.setdefault(e, set()).add(j)
    eligible = {e.pk: [j.pk for j in judges if (j.pk, e.pk) not in conflicts] for e in entries}
    shortfall = []
    add = []
    # the hardest entries (fewest eligible judges) first
    for e in sorted(entries, key=lambda x: (len(eligible[x.pk]), x.pk)):
        current = have.get(e.pk, set())
        want = len(eligible[e.pk]) if n == 0 else n
        candidates = sorted((j for j in eligible[e.pk] if j not in current), key=lambda j: (load[j], j))
        need = max(want - len(current), 0)
        for j in candidates[:need]:
            add.append((j, e.pk))
            load[j] += 1
        if n and len(current) + min(need, len(candidates)) < n:
            shortfall.append(e)
    return add, shortfall


@transaction.atomic
def assign(track, *, by):
    """Create the missing round-1 assignments: all × all, or N per entry load-balanced. Keeps existing ones."""
    current = _locked_track(track, "assign", by)
    judges = queries.judges_for(current)
    entries = queries.entries_for(current)
    if not judges or not entries:
        raise JudgingError("请先选择评委，并确认已有通过形式审查的申报项目。")
    conflicts = queries.conflict_map(current, [j.pk for j in judges], entries)
    existing = list(Assignment.objects.filter(track=current, round=Round.MATERIALS).values_list("judge_id", "entry_id"))
    add, shortfall = _plan(current, judges, entries, current.judges_per_entry, existing, conflicts)
    Assignment.objects.bulk_create([Assignment(track=current, round=Round.MATERIALS, judge_id=j, entry_id=e) for j, e in add])
    audit.record(by, current, "assign", {"added": len(add)},
                 note=f"新增分配 {len(add)} 条" + (f"；{len(shortfall)} 个项目可用评委不足" if shortfall else ""))
    return len(add), shortfall


@transaction.atomic
def add_assignment(track, judge, entry, *, by, round_=Round.MATERIALS):
    current = _locked_track(track, "add_assignment", by)
    if not current.judges.filter(pk=judge.pk).exists():
        raise JudgingError("该账号不是本评审的评委。")
    if entry.campaign_id != current.campaign_id or entry.track != current.track or entry.state != EntryState.PASSED:
        raise JudgingError("只能分配本类别通过形式审查的申报项目。")
    reason = queries.conflict_reason(current, judge, entry)
    if reason:
        raise JudgingError(f"需回避：{reason}")
    a, created = Assignment.objects.get_or_create(track=current, round=round_, judge=judge, entry=entry)
    if created:
        audit.record(by, a, "assign", {"judge": [None, judge.username], "entry": [None, str(entry)]})
    return a


@transaction.atomic
def remove_assignment(assignment, *, by):
    a = Assignment.objects.select_for_update().select_related("track").get(pk=assignment.pk)
    policy.ASSIGNMENT.require("remove", by, a)
    audit.record(by, a, "unassign", {"judge": [a.judge.username, None], "entry": [str(a.entry), None]})
    a.delete()


@transaction.atomic
def declare_conflict(track, judge, entry, reason, *, by):
    """Record a conflict. The judge's assignment for the entry (any round) is withdrawn, scores included."""
    reason = (reason or "").strip()
    if not reason:
        raise JudgingError("请填写回避原因。")
    current = _locked_track(track)
    subject = (Assignment.objects.filter(track=current, judge=judge, entry=entry).first()
               or Assignment(track=current, judge=judge, entry=entry))
    subject.track = current
    policy.ASSIGNMENT.require("declare_conflict", by, subject)
    conflict, created = DeclaredConflict.objects.get_or_create(
        track=current, judge=judge, entry=entry, defaults={"reason": reason[:200], "declared_by": by}
    )
    for a in Assignment.objects.filter(track=current, judge=judge, entry=entry):
        audit.record(by, a, "unassign", {"points": [a.points, None], "total": [a.total, None]}, note=f"回避：{reason}")
        a.delete()
    if created:
        audit.record(by, conflict, "declare_conflict", {"reason": [None, reason]}, organization=entry.organization)
    return conflict


# ---------------------------------------------------------------- scoring


@transaction.atomic
def open_scoring(track, *, by, now=None):
    """Start round 1: the rubric and the ranking rules are frozen from here on."""
    current = _locked_track(track, "open_scoring", by)
    if not current.criteria.exists():
        raise JudgingError("请先设置评分标准。")
    if not Assignment.objects.filter(track=current).exists():
        raise JudgingError("请先分配评审任务。")
    _validate_track(current)
    current.stage = Stage.SCORING
    current.rubric_frozen_at = now or timezone.now()
    _bump(current, ["stage", "rubric_frozen_at"])
    rubric = [(c.code, c.name, c.max_points) for c in current.criteria.all()]
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
    criteria = queries.criteria_for(a.track)
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
        note = "入围答辩：" + "、".join(str(e.organization) for e in shortlist)
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


# ---------------------------------------------------------------- decisions


def _advance(track, frm, to, by, action, extra=None, note=""):
    """Move a track one decision step on (the caller has asked TRACK policy for `action`, which
    allows it only from `frm`)."""
    track.stage = to
    changes = {"stage": [frm, to], **(extra or {})}
    fields = {f.name for f in JudgingTrack._meta.concrete_fields}
    _bump(track, ["stage", *[k for k in (extra or {}) if k in fields and k != "stage"]])
    audit.record(by, track, action, {k: [v[0], audit._plain(v[1])] for k, v in changes.items()}, note=note)
    return track


@transaction.atomic
def propose(track, *, by, now=None):
    """组织部 proposes the top N. Refused while a tie straddles the cut-off (record a committee vote first)."""
    current = _locked_track(track, "propose", by)
    rows = [r for r in queries.ranking(current, with_stability=False)["rows"] if r["r"].place is not None]
    n = current.award_count
    top = [r for r in rows if r["r"].place <= n]
    if len(top) > n:
        raise JudgingError("第 %d 名存在并列，无法确定名单。请记录评审委员会表决后再提出。" % n)
    if not top:
        raise JudgingError("尚无有效评分。")
    proposal = [{"entry": r["entry"].pk, "place": r["r"].place, "final": round(r["r"].final, 2),
                 "name": str(r["entry"].organization)} for r in top]
    current.proposal = proposal
    current.proposed_at = now or timezone.now()
    return _advance(current, Stage.CLOSED, Stage.PROPOSED, by, "propose",
                    {"proposal": [None, proposal], "proposed_at": [None, current.proposed_at]})


MINUTES_MAX = 20 * 1024 * 1024


@transaction.atomic
def approve(track, *, by, note, minutes=None, now=None):
    """组织部 records the 党委 approval decided on paper (meeting / document number), optionally with the
    scanned minutes. For universities whose leaders approve in the portal see approve_online()."""
    note = (note or "").strip()
    current = _locked_track(track, "approve", by)
    if not note:
        raise JudgingError("请填写党委审定的会议或文号。")
    kind = _validate_minutes(minutes) if minutes is not None else None
    current.approved_at = now or timezone.now()
    current.approval_note = note[:200]
    current.approved_by = by
    current.approval_method = ApprovalMethod.PAPER
    extra = {"approved_at": [None, current.approved_at], "approval_note": [None, current.approval_note],
             "approved_by": [None, by.username], "approval_method": [None, ApprovalMethod.PAPER]}
    if kind is not None:
        from core.uploads import generated_name, safe_original_name

        current.approval_minutes.save(generated_name("minutes", kind), minutes, save=False)
        current.approval_minutes_name = safe_original_name(minutes.name)
        extra["approval_minutes"] = [None, current.approval_minutes_name]
        extra["approval_minutes_name"] = [None, current.approval_minutes_name]
    return _advance(current, Stage.PROPOSED, Stage.APPROVED, by, "approve", extra)


@transaction.atomic
def record_committee_decision(track, *, by, note, minutes):
    """The portal's paper path: a 党委会 decision is recorded with its minutes attached (required)."""
    if minutes is None:
        raise JudgingError("请上传党委会会议纪要（PDF 或图片扫描件）。")
    return approve(track, by=by, note=note, minutes=minutes)


def _validate_minutes(upload):
    from core.uploads import JPEG, PDF, PNG, validate_upload

    return validate_upload(upload, {PDF, JPEG, PNG}, MINUTES_MAX)


def _check_proposal_unchanged(current, proposed_at):
    """The approver decides on the list they saw: a list sent back and proposed again is a new list."""
    if not proposed_at:  # not given (a service call): nothing to compare
        return
    seen = str(proposed_at).strip()
    if not current.proposed_at or seen != current.proposed_at.isoformat():
        raise JudgingError("拟表彰名单已被重新提出，请刷新页面，查看最新名单后再审定。")


@transaction.atomic
def approve_online(track, *, by, comment="", proposed_at=None, now=None):
    """校领导 approves the proposed list in the portal: who and when are recorded (and audited)."""
    current = _locked_track(track, "approve_online", by)
    _check_proposal_unchanged(current, proposed_at)
    comment = (comment or "").strip()
    current.approved_at = now or timezone.now()
    current.approved_by = by
    current.approval_method = ApprovalMethod.ONLINE
    current.approval_note = comment[:200]
    return _advance(current, Stage.PROPOSED, Stage.APPROVED, by, "approve_online", {
        "approved_at": [None, current.approved_at], "approved_by": [None, by.username],
        "approval_method": [None, ApprovalMethod.ONLINE], "approval_note": [None, current.approval_note],
    }, note=comment)


@transaction.atomic
def send_back(track, *, by, comment, proposed_at=None, now=None):
    """校领导 sends the proposed list back to 组织部 with a comment. The track returns to 评分结束（集中审议）:
    组织部 can record committee votes or conflicts and propose again. The old list stays in the audit log."""
    comment = (comment or "").strip()
    current = _locked_track(track, "send_back", by)
    if not comment:
        raise JudgingError("退回拟表彰名单须填写意见。")
    _check_proposal_unchanged(current, proposed_at)
    old_proposal, old_proposed_at = current.proposal, current.proposed_at
    current.proposal, current.proposed_at = [], None
    current.returned_at = now or timezone.now()
    current.returned_by = by
    current.return_comment = comment[:500]
    return _advance(current, Stage.PROPOSED, Stage.CLOSED, by, "send_back", {
        "proposal": [old_proposal, []], "proposed_at": [audit.plain(old_proposed_at), None],
        "returned_at": [None, current.returned_at], "returned_by": [None, by.username],
        "return_comment": [None, current.return_comment],
    }, note=comment)


def add_working_days(start, n):
    """The date on which a period of n working days (Mon–Fri) starting on `start` ends. Public holidays are
    not modelled: 组织部 can set the end date by hand."""
    day, counted = start, 0
    while True:
        if day.weekday() < 5:
            counted += 1
            if counted == n:
                return day
        day += dt.timedelta(days=1)


@transaction.atomic
def open_publicity(track, *, by, start, end=None):
    """Open the 公示 (default 5 working days). From here on the ranking inputs are frozen."""
    current = _locked_track(track, "publicity", by)
    end = end or add_working_days(start, 5)
    if end < start:
        raise JudgingError("公示结束日期不能早于开始日期。")
    current.publicity_start, current.publicity_end = start, end
    return _advance(current, Stage.APPROVED, Stage.PUBLICITY, by, "publicity",
                    {"publicity_start": [None, start], "publicity_end": [None, end]})


@transaction.atomic
def record_objection(track, *, by, content, received_on, entry=None):
    current = _locked_track(track, "objection", by)
    content = (content or "").strip()
    if not content:
        raise JudgingError("请填写异议内容。")
    o = Objection.objects.create(track=current, entry=entry, content=content, received_on=received_on, recorded_by=by)
    audit.record(by, o, "objection", audit.diff({}, _snap(o)))
    return o


@transaction.atomic
def handle_objection(objection, *, by, handling, expected_version=versioning.UNCHECKED, now=None):
    o = versioning.lock(Objection.objects.select_related("track"), objection.pk, expected_version)
    policy.OBJECTION.require("handle", by, o)
    handling = (handling or "").strip()
    if not handling:
        raise JudgingError("请填写处理情况。")
    before = audit.snapshot(o, ["handling"])
    o.handling, o.handled_at = handling, now or timezone.now()
    _bump(o, ["handling", "handled_at"])
    audit.record(by, o, "objection_handled", audit.diff(before, audit.snapshot(o, ["handling"])))
    return o


@transaction.atomic
def publish(track, *, by, today=None):
    """Publish the results once the 公示 has ended and every objection is handled; winners get the 建设经费."""
    current = _locked_track(track)
    now = timezone.now()
    if today is not None:  # a date given by the caller (tests, back-dated publication)
        now = timezone.make_aware(dt.datetime.combine(today, dt.time(12)))
    policy.TRACK.require("publish", by, current, now)
    entries = {e.pk: e for e in Entry.objects.filter(pk__in=[p["entry"] for p in current.proposal])}
    awards = [Award(track=current, entry=entries[p["entry"]], place=p["place"], final_score=p["final"],
                    amount=current.award_amount) for p in current.proposal if p["entry"] in entries]
    current.published_at = timezone.now()
    _advance(current, Stage.PUBLICITY, Stage.PUBLISHED, by, "publish",
             {"published_at": [None, current.published_at], "amount": [None, str(current.award_amount)]})
    Award.objects.bulk_create(awards)
    return current


def stage_index(stage):
    return STAGE_ORDER.index(stage)
