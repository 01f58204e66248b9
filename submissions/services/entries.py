"""Phases 2 and 3: outcomes, 附件3 entries (十佳党建品牌 / 十佳特色支部), files and the formal check.

Every action asks `submissions.policy` (OUTCOME, ENTRY) under the row lock first."""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from audit import log as audit
from audit.changes import save_changes, transition
from campaigns import policy as campaign_policy
from campaigns.models import DeadlineKind
from core import versioning
from core.policy import Refused

from .. import hooks, policy
from ..completeness import ENTRY_REQUIRED, FILE_SLOTS, entry_missing, entry_warnings  # noqa: F401 (re-exported)
from ..models import Attachment, Entry, EntryState, Form1, Outcome, Track
from ..policy import MAX_BRANCH_RECOMMENDATIONS
from ..uploads import store_upload

__all__ = [
    "review_due", "ensure_review_window", "review_window_open", "create_outcome", "update_outcome", "add_outcome_file",
    "start_brand_entry", "recommend_branch", "withdraw_entry", "save_entry", "set_entry_file", "add_evidence",
    "remove_evidence", "entry_missing", "entry_warnings", "submit_entry", "pass_entry", "return_entry", "FILE_SLOTS",
    "reusable_attachments", "MAX_BRANCH_RECOMMENDATIONS", "new_outcome", "entry_for_recommendation",
]


def review_due(campaign, org):
    return campaign_policy.due(campaign, DeadlineKind.REVIEW, org)


def ensure_review_window(campaign, org, state=None, now=None):
    """Outcomes and 附件3 can be written from the start of phase 2 until the org's (extended) Nov 10 deadline.

    An entry returned by the formal check may be corrected after the deadline."""
    why = campaign_policy.window_reason(campaign, DeadlineKind.REVIEW, org, now, returned=state == EntryState.RETURNED)
    if why:
        raise Refused(why)


def review_window_open(campaign, org, state=None):
    return campaign_policy.window_reason(campaign, DeadlineKind.REVIEW, org,
                                         returned=state == EntryState.RETURNED) is None


# ------------------------------------------------------------------ outcomes


def new_outcome(campaign, org, **data):
    return Outcome(campaign=campaign, organization=org, **data)


@versioning.atomic
def create_outcome(campaign, org, data, *, by):
    outcome = new_outcome(campaign, org, created_by=by, **data)
    policy.OUTCOME.require("add", by, outcome)
    outcome.full_clean()
    outcome.save()
    audit.record(by, outcome, "create", audit.diff({}, audit.snapshot(outcome)), organization=org)
    return outcome


def _locked_outcome(outcome, expected_version=versioning.UNCHECKED):
    return versioning.lock(Outcome.objects.select_related("campaign", "organization"), outcome.pk, expected_version)


@versioning.atomic
def update_outcome(outcome, data, *, by, expected_version):
    outcome = _locked_outcome(outcome, expected_version)
    policy.OUTCOME.require("edit", by, outcome)
    save_changes(outcome, data, by=by, organization=outcome.organization)
    return outcome


def add_outcome_file(outcome, upload, *, by, caption=""):
    with transaction.atomic():
        outcome = _locked_outcome(outcome)
        policy.OUTCOME.require("upload", by, outcome)
    purpose = "video" if (upload.name or "").lower().endswith((".mp4", ".m4v")) else "evidence"
    att, warnings = store_upload(upload, outcome.organization, purpose, by=by, caption=caption)
    with transaction.atomic():
        outcome = _locked_outcome(outcome)
        policy.OUTCOME.require("upload", by, outcome)  # still allowed once the (slow) upload is stored
        outcome.attachments.add(att)
        audit.record(by, outcome, "upload", {"attachments": ["", att.original_name]}, organization=outcome.organization)
    return att, warnings


# ------------------------------------------------------------------ entries


def _prefill(entry):
    org = entry.organization
    entry.members = org.members_total or None
    entry.leader = org.secretary_name
    if entry.track == Track.BRAND:
        f1 = Form1.objects.filter(campaign=entry.campaign, organization=org).only("brand_name").first()
        entry.title = f1.brand_name if f1 else ""
    else:
        from ..models import Form2Row

        row = Form2Row.objects.filter(form__campaign=entry.campaign, branch=org).only("feature_name").first()
        entry.title = row.feature_name if row else ""


def _insert_entry(entry, by, note=""):
    _prefill(entry)
    versioning.insert_once(entry)
    audit.record(by, entry, "create", audit.diff({}, audit.snapshot(entry)), organization=entry.organization, note=note)
    return entry


@versioning.atomic
def start_brand_entry(campaign, college, *, by):
    """Every 院级 org enters 十佳党建品牌 with its 附件3 (a second start returns the existing entry)."""
    entry = Entry.objects.filter(campaign=campaign, track=Track.BRAND, organization=college).first()
    new = Entry(campaign=campaign, track=Track.BRAND, organization=college, college=college, updated_by=by)
    policy.ENTRY.require("start", by, entry or new)
    if entry:
        return entry
    try:
        return _insert_entry(new, by)
    except versioning.StaleEdit:  # a concurrent start (double click) created it first
        return Entry.objects.get(campaign=campaign, track=Track.BRAND, organization=college)


def entry_for_recommendation(campaign, branch, rank=None, by=None):
    """The unsaved entry a recommendation of `branch` would create (the policy's object for "recommend")."""
    return Entry(campaign=campaign, track=Track.BRANCH, organization=branch, college_id=branch.parent_id, rank=rank,
                 updated_by=by)


@versioning.atomic
def recommend_branch(campaign, branch, rank, *, by):
    """The 院级 org recommends one of its branches (rank 1 or 2) for 十佳特色支部: at most two."""
    entry = entry_for_recommendation(campaign, branch, rank, by)
    policy.ENTRY.require("recommend", by, entry)
    # lock the college's existing recommendations so two concurrent requests cannot exceed the limit
    existing = list(Entry.objects.select_for_update().filter(campaign=campaign, track=Track.BRANCH,
                                                             college_id=branch.parent_id))
    if any(e.organization_id == branch.pk for e in existing):
        raise Refused(f"{branch.name} 已被推荐。")
    if len(existing) >= MAX_BRANCH_RECOMMENDATIONS:
        raise Refused("每个院(处)级党组织最多推荐 2 个支部参加“十佳特色支部”评比。")
    if rank not in (1, 2):
        raise Refused("推荐排序只能是 1 或 2。")
    if any(e.rank == rank for e in existing):
        raise Refused(f"推荐排序 {rank} 已被占用，请选择另一个排序。")
    try:
        return _insert_entry(entry, by, note=f"推荐排序 {rank}")
    except versioning.StaleEdit as exc:  # the database constraints answered a concurrent recommendation
        raise Refused("该支部或该推荐排序刚刚已被推荐，请刷新页面后查看。") from exc


def _locked_entry(entry, expected_version=versioning.UNCHECKED):
    return versioning.lock(Entry.objects.select_related("campaign", "organization", "college"), entry.pk,
                           expected_version)


@versioning.atomic
def withdraw_entry(entry, *, by):
    """Withdraw a branch recommendation that has not been submitted yet (the audit keeps the record)."""
    entry = _locked_entry(entry)
    policy.ENTRY.require("withdraw", by, entry)
    audit.record(by, entry, "delete", {"state": [entry.state, None]}, organization=entry.organization, note="撤回推荐")
    entry.delete()


def _editable_entry(entry, action, by, expected_version=versioning.UNCHECKED):
    entry = _locked_entry(entry, expected_version)
    policy.ENTRY.require(action, by, entry)
    return entry


@versioning.atomic
def save_entry(entry, data, *, by, expected_version):
    entry = _editable_entry(entry, "save", by, expected_version)
    save_changes(entry, data, by=by, organization=entry.organization, clean=False, updated_by=by)
    return entry


def reusable_attachments(entry):
    """Files from this org's phase-2 outcomes (and, for a brand entry, its branches') that may be attached."""
    org_filter = Q(outcomes__organization=entry.organization)
    if entry.track == Track.BRAND:
        org_filter |= Q(outcomes__organization__parent=entry.organization)
    return (Attachment.objects.filter(org_filter, outcomes__campaign=entry.campaign)
            .distinct().order_by("-uploaded_at"))


def _bump(entry, by, *fields):
    entry.version += 1
    entry.updated_by = by
    entry.save(update_fields=[*fields, "version", "updated_by", "updated_at"])


def set_entry_file(entry, slot, *, by, upload=None, attachment=None):
    """Put a file in one of the "三个一"/report slots: a new upload, or a file from the org's outcomes."""
    if slot not in FILE_SLOTS:
        raise Refused("未知的材料类别。")
    purpose, label = FILE_SLOTS[slot]
    warnings = []
    with transaction.atomic():
        entry = _editable_entry(entry, "upload", by)
        if attachment is not None:
            if not reusable_attachments(entry).filter(pk=attachment.pk).exists():
                raise Refused("只能选用本单位创建成果中的文件。")
            if (purpose == "video") != (attachment.kind == "mp4"):
                raise Refused(f"{label}需要{'MP4 视频' if purpose == 'video' else '文档'}。")
            att = attachment
        else:
            att, warnings = store_upload(upload, entry.organization, purpose, by=by)
        old = getattr(entry, slot)
        setattr(entry, slot, att)
        _bump(entry, by, slot)
        audit.record(by, entry, "upload", {slot: [old.original_name if old else "", att.original_name]},
                     organization=entry.organization)
    return att, warnings


def add_evidence(entry, upload, caption, *, by):
    with transaction.atomic():
        entry = _editable_entry(entry, "upload", by)
        att, _ = store_upload(upload, entry.organization, "evidence", by=by, caption=caption)
        entry.evidence.add(att)
        _bump(entry, by)
        audit.record(by, entry, "upload", {"evidence": ["", f"{att.original_name} {att.caption}".strip()]},
                     organization=entry.organization)
    return att


@versioning.atomic
def remove_evidence(entry, attachment, *, by):
    entry = _editable_entry(entry, "upload", by)
    entry.evidence.remove(attachment)
    _bump(entry, by)
    audit.record(by, entry, "delete", {"evidence": [attachment.original_name, ""]}, organization=entry.organization)


def _entry_transition(entry, action, state, *, by, expected_version=versioning.UNCHECKED, comment=None, ready=None,
                      **stamp):
    """The one state change of an entry: lock, version check, policy, `ready`, transition, audit."""
    entry = _locked_entry(entry, expected_version)
    policy.ENTRY.require(action, by, entry)
    if ready is not None:
        ready(entry)
    audited = ()
    if comment is not None:
        stamp["check_comment"] = comment
        audited = ("check_comment",)
    return transition(entry, state, by=by, action="accept" if action == "pass" else action,
                      organization=entry.organization, note=comment or "", audited=audited, **stamp)


def _entry_complete(entry):
    missing = entry_missing(entry)
    if missing:
        raise Refused("还有必备材料未完成：" + "、".join(missing))


@versioning.atomic
def submit_entry(entry, *, by, expected_version=versioning.UNCHECKED):
    return _entry_transition(entry, "submit", EntryState.SUBMITTED, by=by, expected_version=expected_version,
                             ready=_entry_complete, submitted_at=timezone.now(), submitted_by=by)


@versioning.atomic
def pass_entry(entry, *, by, comment=""):
    """组织部 形式审查: pass. Higher apps hear of it through submissions.hooks (reviews assigns judges)."""
    entry = _entry_transition(entry, "pass", EntryState.PASSED, by=by, comment=(comment or "").strip(),
                              checked_at=timezone.now(), checked_by=by)
    hooks.entry_passed(entry, by=by)
    return entry


@versioning.atomic
def return_entry(entry, comment, *, by):
    """组织部 形式审查: return with a comment the org sees on its home page."""
    comment = (comment or "").strip()
    if not comment:
        raise Refused("退回时请填写修改意见。")
    return _entry_transition(entry, "return", EntryState.RETURNED, by=by, comment=comment,
                             checked_at=timezone.now(), checked_by=by)
