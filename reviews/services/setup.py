"""Track setup: the track, its rubric, its judges and their assignments, declared conflicts."""

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from campaigns.models import DeadlineKind
from campaigns.queries import deadline as get_deadline
from audit import log as audit
from organizations.models import Role, User
from submissions.models import EntryState

from .. import policy, queries
from ..models import (
    DEFAULT_RUBRIC, DEFAULT_RUBRIC_ROUND2, Assignment, Criterion, DeclaredConflict, JudgingTrack, Round, ScoreSheet,
    Stage, TieBreak,
)
from ._common import JudgingError, _bump, _locked_track, _require_admin, _snap


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
    for round_, rubric in ((Round.MATERIALS, DEFAULT_RUBRIC), (Round.DEFENCE, DEFAULT_RUBRIC_ROUND2)):
        for i, (code, name, points, desc) in enumerate(rubric):
            Criterion.objects.create(track=track, round=round_, code=code, name=name, max_points=points,
                                     description=desc, sort_order=i)
    audit.record(by, track, "judging_create", audit.diff({}, _snap(track)))
    return track


SETUP_ONLY_FIELDS = {"blind", "aggregation", "normalise", "tie_break", "judges_per_entry", "min_valid_scores", "second_round",
                     "round1_weight", "round2_weight", "opens_at", "award_count"}
LATER_FIELDS = {"closes_at", "disagree_sd", "shortlist_size", "award_amount", "defence_minutes", "reveal_names"}


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
    if "closes_at" in changes:
        # one scoring deadline: the campaign's 评审打分 deadline moves too, and with it the other open track
        from campaigns.services import move_deadline

        move_deadline(current.campaign, DeadlineKind.JUDGING, current.closes_at, by=by,
                      note=f"随{current.get_track_display()}评审截止时间同步")
    return current


FOLLOWS_DEADLINE = {Stage.SETUP, Stage.SCORING, Stage.ROUND2}


def follow_judging_deadline(deadline, old, new, *, by):
    """campaigns.hooks receiver: the campaign's 评审打分 deadline is the closing time of every track still
    scoring (or being set up), so judges' pages, the scoring window and the reminders show one date. Tracks
    already closed keep theirs (history)."""
    if deadline.kind != DeadlineKind.JUDGING:
        return
    for track in JudgingTrack.objects.select_for_update().filter(campaign_id=deadline.campaign_id,
                                                                 stage__in=FOLLOWS_DEADLINE).exclude(closes_at=new):
        if new <= track.opens_at:
            raise JudgingError(f"{track.get_track_display()}评审截止时间必须晚于评审开始时间"
                               f"（{timezone.localtime(track.opens_at):%Y年%m月%d日 %H:%M}）。")
        before = track.closes_at
        track.closes_at = new
        _bump(track, ["closes_at"])
        audit.record(by, track, "track_update", {"closes_at": [audit.plain(before), audit.plain(new)]},
                     note="随年度活动“评审打分”截止时间同步")


def _validate_track(t):
    if t.closes_at <= t.opens_at:
        raise JudgingError("评审截止时间必须晚于开始时间。")
    if not t.min_valid_scores or t.min_valid_scores < 1:
        raise JudgingError("每项最少有效评分数至少为 1。")
    if t.second_round and t.round1_weight + t.round2_weight != 100:
        raise JudgingError("材料评审与现场答辩的权重之和必须为 100%。")
    if not (1 <= (t.defence_minutes or 0) <= 30):
        raise JudgingError("现场答辩汇报时长须为 1–30 分钟。")
    codes = {c for c in Criterion.objects.filter(track=t, round=Round.MATERIALS).values_list("code", flat=True)}
    for item in t.tie_break or []:
        if item.startswith("criterion:"):
            if item.split(":", 1)[1] not in codes:
                raise JudgingError("同分排序规则引用了不存在的评审指标。")
        elif item not in TieBreak.values:
            raise JudgingError("同分排序规则无效。")
    if len(set(t.tie_break or [])) != len(t.tie_break or []):
        raise JudgingError("同分排序规则中有重复项。")


@transaction.atomic
def save_rubric(track, rows, *, by, expected_version, round_=Round.MATERIALS):
    """Replace one round's rubric. rows: [{"code", "name", "description", "max_points"}].

    Round 1's is frozen once scoring starts; round 2's (现场答辩) once round 2 starts."""
    round_ = Round(int(round_))
    current = _locked_track(track, "rubric" if round_ == Round.MATERIALS else "rubric2", by, expected_version)
    if not rows:
        raise JudgingError("评分标准至少需要一项指标。")
    codes = [r["code"] for r in rows]
    if len(set(codes)) != len(codes):
        raise JudgingError("指标编码不能重复。")
    for r in rows:
        if not (1 <= int(r["max_points"]) <= 100):
            raise JudgingError(f"“{r['name']}”的分值必须是 1–100 的整数。")
    if round_ == Round.MATERIALS:
        used = {i.split(":", 1)[1] for i in current.tie_break or [] if i.startswith("criterion:")}
        if used - set(codes):
            raise JudgingError("同分排序规则引用的指标不能删除，请先修改同分排序规则。")
    mine = current.criteria.filter(round=round_)
    before = [(c.code, c.name, c.max_points, c.description) for c in mine.order_by("sort_order")]
    existing = {c.code: c for c in mine}
    keep = set()
    for i, r in enumerate(rows):
        c = existing.get(r["code"]) or Criterion(track=current, round=round_, code=r["code"])
        c.name, c.description, c.max_points, c.sort_order = r["name"], r.get("description", ""), int(r["max_points"]), i
        c.full_clean(exclude=["track"])
        c.save()
        keep.add(c.code)
    mine.exclude(code__in=keep).delete()
    after = [(c.code, c.name, c.max_points, c.description) for c in current.criteria.filter(round=round_).order_by("sort_order")]
    if before != after:
        _bump(current, [])
        audit.record(by, current, "rubric_update", {"rubric": [before, after]},
                     note="" if round_ == Round.MATERIALS else "现场答辩评分标准")
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
    Assignment.objects.bulk_create([Assignment(track=current, round=Round.MATERIALS, judge_id=j, entry_id=e)
                                           for j, e in add])
    audit.record(by, current, "assign", {"added": len(add)},
                 note=f"新增分配 {len(add)} 条" + (f"；{len(shortfall)} 个项目可用评委不足" if shortfall else ""),
                 context={"added": add})  # the judges' "new tasks" notices (reviews.notices)
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
    a, _created = _create_assignment(current, judge, entry, by=by, round_=round_)
    return a


def _create_assignment(track, judge, entry, *, by, round_=Round.MATERIALS, note=""):
    """The one way a single assignment is made (by hand or automatically): created once, audited as "assign"
    on the assignment (the notices registry listens to that entry)."""
    a, created = Assignment.objects.get_or_create(track=track, round=round_, judge=judge, entry=entry)
    if created:
        audit.record(by, a, "assign", {"judge": [None, judge.username], "entry": [None, str(entry)]}, note=note)
    return a, created




LATE_ENTRY_STAGES = {Stage.SETUP, Stage.SCORING}


@transaction.atomic
def assign_passed_entry(entry, *, by):
    """An entry that passes 形式审查 after its track's round-1 assignments were made gets its judges at once
    (submissions.hooks.on_entry_passed): the same planner as assign() (judges per entry, lowest current load
    first, never a conflicted judge), judges whose sheet is still open before those who submitted theirs.
    Returns the new assignments; nothing when the track is not assigning (no track, not yet assigned, or
    round 1 over). Never refuses the pass itself: a shortfall is noted in the audit log."""
    track = JudgingTrack.objects.filter(campaign_id=entry.campaign_id, track=entry.track).first()
    if track is None or track.stage not in LATE_ENTRY_STAGES:
        return []
    current = _locked_track(track)
    existing = list(Assignment.objects.filter(track=current, round=Round.MATERIALS).values_list("judge_id", "entry_id"))
    if current.stage not in LATE_ENTRY_STAGES or not existing or not policy.TRACK.allows("add_assignment", by, current):
        return []
    judges = queries.judges_for(current)
    if not judges:
        return []
    conflicts = queries.conflict_map(current, [j.pk for j in judges], [entry])
    locked = set(ScoreSheet.objects.filter(track=current, round=Round.MATERIALS, submitted_at__isnull=False)
                 .values_list("judge_id", flat=True))
    n = current.judges_per_entry
    add, _ = _plan(current, [j for j in judges if j.pk not in locked], [entry], n, existing, conflicts)
    if n == 0 or len(add) + sum(1 for _j, e in existing if e == entry.pk) < n:
        more, _ = _plan(current, judges, [entry], n, existing + add, conflicts)
        add += more
    by_pk = {j.pk: j for j in judges}
    made = []
    for judge_id, _e in add:
        a, created = _create_assignment(current, by_pk[judge_id], entry, by=by, note="形式审查通过后自动分配")
        if created:
            made.append(a)
    have = sum(1 for _j, e in existing if e == entry.pk) + len(made)
    want = n or len([j for j in judges if (j.pk, entry.pk) not in conflicts])
    notes = [f"“{entry.organization}”形式审查通过后自动分配评委 {len(made)} 位"]
    if have < want or have == 0:
        notes.append(f"可用（无需回避的）评委不足：{have}/{want or n}")
    waiting = [by_pk[a.judge_id].display_name for a in made if a.judge_id in locked]
    if waiting:
        notes.append("评分表已提交、需解锁后才能评此项目的评委：" + "、".join(waiting))
    audit.record(by, current, "assign_late", {"added": [None, len(made)]}, note="；".join(notes),
                 organization=entry.organization)
    return made


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


