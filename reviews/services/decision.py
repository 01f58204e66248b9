"""The decision steps: 拟表彰名单, 审定, 公示 with its objections, 公布."""

import datetime as dt
import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from audit import log as audit
from core import versioning
from submissions.models import Entry

from .. import policy, queries
from ..models import (
    STAGE_ORDER, ApprovalMethod, Award, JudgingTrack, Objection, ObjectionOutcome, ObjectionSource, Stage,
)
from ._common import JudgingError, _bump, _locked_track, _snap


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


OBJECTION_MAX = 2000  # characters of an objection's text
OBJECTOR_FIELDS = {"name": ("姓名", 30), "unit": ("所在单位", 60), "contact": ("联系方式", 60)}
RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud or typed from a note
RECEIPT_LENGTH = 16  # 16 × 5 bits = 80 random bits


def _objection_snapshot(o):
    return {k: v for k, v in _snap(o).items() if k != "receipt_hash"}


def _new_receipt():
    raw = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))
    return "-".join(raw[i:i + 4] for i in range(0, RECEIPT_LENGTH, 4))


def receipt_digest(code):
    """The stored digest of a receipt code as typed (case, spaces and dashes ignored), or "" when malformed."""
    norm = "".join(ch for ch in str(code or "").upper() if ch in RECEIPT_ALPHABET)
    if len(norm) != RECEIPT_LENGTH:
        return ""
    return hashlib.sha256(norm.encode()).hexdigest()


def objection_by_receipt(code):
    digest = receipt_digest(code)
    if not digest:
        return None
    return Objection.objects.select_related("track", "track__campaign", "entry", "entry__organization").filter(
        receipt_hash=digest).first()


def _check_text(value, label, limit):
    value = (value or "").strip()
    if not value:
        raise JudgingError(f"请填写{label}。")
    if len(value) > limit:
        raise JudgingError(f"{label}不能超过 {limit} 个字（当前 {len(value)} 个字）。")
    return value


@transaction.atomic
def record_objection(track, *, by, content, received_on, entry=None):
    """组织部 records an objection received on paper, by phone or in person."""
    current = _locked_track(track, "objection", by)
    content = _check_text(content, "异议内容", OBJECTION_MAX)
    o = Objection.objects.create(track=current, entry=entry, content=content, received_on=received_on, recorded_by=by,
                                 source=ObjectionSource.RECORDED)
    audit.record(by, o, "objection", audit.diff({}, _objection_snapshot(o)))
    return o


@transaction.atomic
def file_objection(track, *, name, unit, contact, content, entry_id=None, by=None, now=None):
    """Anyone (signed in or not) files an objection online during the 公示, under their real name.

    Returns (objection, receipt code). The code is shown once; only its digest is stored, and it is the
    objector's way to look up the answer."""
    now = now or timezone.now()
    current = _locked_track(track)
    policy.OBJECTION.require("file", by, current, now)
    who = {key: _check_text(value, label, limit)
           for (key, (label, limit)), value in zip(OBJECTOR_FIELDS.items(), (name, unit, contact))}
    content = _check_text(content, "异议内容", OBJECTION_MAX)
    entry = None
    if entry_id not in (None, ""):
        listed = {p["entry"] for p in current.proposal or []}
        try:
            entry_pk = int(entry_id)
        except (TypeError, ValueError):
            entry_pk = None
        if entry_pk not in listed:
            raise JudgingError("所选项目不在本次公示的拟表彰名单中。")
        entry = Entry.objects.get(pk=entry_pk)
    code = _new_receipt()
    o = Objection.objects.create(
        track=current, entry=entry, content=content, received_on=timezone.localtime(now).date(),
        source=ObjectionSource.ONLINE, receipt_hash=receipt_digest(code),
        recorded_by=by if getattr(by, "is_authenticated", False) else None, **who)
    audit.record(by, o, "objection_filed", audit.diff({}, _objection_snapshot(o)), note="网上提交")
    return o, code


@transaction.atomic
def handle_objection(objection, *, by, handling, outcome=None, expected_version=versioning.UNCHECKED, now=None):
    """组织部 answers an objection: an outcome (驳回 / 部分采纳 / 采纳) and the answer the objector reads."""
    o = versioning.lock(Objection.objects.select_related("track"), objection.pk, expected_version)
    policy.OBJECTION.require("handle", by, o)
    if outcome not in ObjectionOutcome.values:
        raise JudgingError("请选择处理结果（驳回、部分采纳或采纳）。")
    handling = _check_text(handling, "处理情况", OBJECTION_MAX)
    fields = ["outcome", "handling", "handled_at", "handled_by"]
    before = audit.snapshot(o, fields)
    o.outcome, o.handling, o.handled_at, o.handled_by = outcome, handling, now or timezone.now(), by
    _bump(o, fields)
    audit.record(by, o, "objection_handled", audit.diff(before, audit.snapshot(o, fields)))
    return o


def _recomputed_proposal(track, withdrawn_ids):
    """The top N of the ranking without the withdrawn entries, places counted again (the next entries move up).
    Refused when a tie straddles the new cut-off (the committee votes are frozen during the 公示)."""
    rows = [r for r in queries.ranking(track, with_stability=False)["rows"]
            if r["r"].place is not None and r["entry"].pk not in withdrawn_ids]
    places = sorted(r["r"].place for r in rows)
    n = track.award_count
    out = []
    for r in rows:
        place = 1 + sum(1 for p in places if p < r["r"].place)
        if place <= n:
            out.append({"entry": r["entry"].pk, "place": place, "final": round(r["r"].final, 2),
                        "name": str(r["entry"].organization)})
    if len(out) > n:
        tied = "、".join(p["name"] for p in out if p["place"] == out[-1]["place"])
        raise JudgingError(f"递补后第 {out[-1]['place']} 名存在并列（{tied}），无法自动递补。"
                           "请按评审委员会意见处理后再撤销。")
    return out


@transaction.atomic
def withdraw_entry(objection, *, by, reason, now=None):
    """An upheld objection takes its entry off the proposed list: the list is computed again without it
    (and without earlier withdrawn entries), so the next entry moves up. Returns (track, entries that moved in)."""
    o0 = Objection.objects.only("track_id").get(pk=objection.pk)
    current = _locked_track(JudgingTrack(pk=o0.track_id))
    o = Objection.objects.select_for_update(of=("self",)).select_related("entry", "entry__organization").get(
        pk=objection.pk)
    o.track = current
    policy.OBJECTION.require("withdraw_entry", by, o)
    reason = _check_text(reason, "撤销原因", 500)
    now = now or timezone.now()
    withdrawn = [*current.withdrawn, {"entry": o.entry_id, "name": str(o.entry.organization), "reason": reason,
                                      "objection": o.pk, "at": now.isoformat(), "by": by.username}]
    old = list(current.proposal)
    new = _recomputed_proposal(current, {w["entry"] for w in withdrawn})
    before = {p["entry"] for p in old}
    moved_in = [p for p in new if p["entry"] not in before]
    current.proposal, old_withdrawn, current.withdrawn = new, current.withdrawn, withdrawn
    _bump(current, ["proposal", "withdrawn"])
    audit.record(by, current, "withdraw_entry", {"proposal": [old, new], "withdrawn": [old_withdrawn, withdrawn]},
                 note=reason)
    o.entry_withdrawn_at = now
    _bump(o, ["entry_withdrawn_at"])
    audit.record(by, o, "withdraw_entry", {"entry_withdrawn_at": [None, now.isoformat()]}, note=reason)
    return current, moved_in


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
