"""Phases 2 and 3: outcomes, 附件3 entries (十佳党建品牌 / 十佳特色支部), files and the formal check."""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from campaigns.models import DeadlineKind
from campaigns.queries import deadline as get_deadline
from campaigns.queries import effective_due
from core import audit, versioning
from core.concurrency import StaleEdit
from organizations.models import Level

from ..models import Attachment, Entry, EntryState, Form1, Outcome, Track
from ..uploads import store_upload
from .phase1 import WorkflowError, ensure_window

__all__ = [
    "review_due", "ensure_review_window", "review_window_open", "create_outcome", "update_outcome", "add_outcome_file",
    "start_brand_entry", "recommend_branch", "withdraw_entry", "save_entry", "set_entry_file", "add_evidence",
    "remove_evidence", "entry_missing", "entry_warnings", "submit_entry", "pass_entry", "return_entry", "FILE_SLOTS",
    "reusable_attachments", "MAX_BRANCH_RECOMMENDATIONS",
]

MAX_BRANCH_RECOMMENDATIONS = 2
FILE_SLOTS = {
    # slot: (purpose, label)
    "summary_report": ("doc", "创建总结报告"),
    "experience_doc": ("doc", "典型经验（1套）"),
    "case_doc": ("doc", "党建促业务典型案例（1个）"),
    "video": ("video", "示范点建设微视频（1个）"),
}
ENTRY_REQUIRED = ["title", "leader", "members", "started_on", "overview", "college_opinion"]


def review_due(campaign, org):
    return effective_due(get_deadline(campaign, DeadlineKind.REVIEW), org)


def ensure_review_window(campaign, org, state=None, now=None):
    """Outcomes and 附件3 can be written from the start of phase 2 until the org's (extended) Nov 10 deadline.

    An entry returned by the formal check may be corrected after the deadline."""
    ensure_window(campaign.build_start, "特色品牌创建", lambda: review_due(campaign, org),
                  returned=state == EntryState.RETURNED, now=now)


def review_window_open(campaign, org, state=None):
    try:
        ensure_review_window(campaign, org, state)
    except WorkflowError:
        return False
    return True


def _check_version(obj, expected):
    if expected is not None and obj.version != int(expected):
        raise StaleEdit()


# ------------------------------------------------------------------ outcomes


@transaction.atomic
def create_outcome(campaign, org, data, *, by):
    if org.level not in (Level.COLLEGE, Level.BRANCH):
        raise WorkflowError("只有院(处)级党组织和党支部可以记录创建成果。")
    ensure_review_window(campaign, org)
    outcome = Outcome(campaign=campaign, organization=org, created_by=by, **data)
    outcome.full_clean()
    outcome.save()
    audit.record(by, outcome, "create", audit.diff({}, audit.snapshot(outcome)), organization=org)
    return outcome


@transaction.atomic
def update_outcome(outcome, data, *, by, expected_version):
    outcome = versioning.lock(Outcome.objects, outcome.pk, expected_version)
    ensure_review_window(outcome.campaign, outcome.organization)
    versioning.save_changes(outcome, data, by=by, organization=outcome.organization)
    return outcome


def add_outcome_file(outcome, upload, *, by, caption=""):
    ensure_review_window(outcome.campaign, outcome.organization)
    purpose = "video" if (upload.name or "").lower().endswith((".mp4", ".m4v")) else "evidence"
    att, warnings = store_upload(upload, outcome.organization, purpose, by=by, caption=caption)
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


@transaction.atomic
def start_brand_entry(campaign, college, *, by):
    """Every 院级 org enters 十佳党建品牌 with its 附件3."""
    if college.level != Level.COLLEGE:
        raise WorkflowError("十佳党建品牌由院(处)级党组织申报。")
    ensure_review_window(campaign, college)
    entry = Entry.objects.filter(campaign=campaign, track=Track.BRAND, organization=college).first()
    if entry:
        return entry
    entry = Entry(campaign=campaign, track=Track.BRAND, organization=college, college=college, updated_by=by)
    _prefill(entry)
    entry.save()
    audit.record(by, entry, "create", audit.diff({}, audit.snapshot(entry)), organization=college)
    return entry


@transaction.atomic
def recommend_branch(campaign, branch, rank, *, by):
    """The 院级 org recommends one of its branches (rank 1 or 2) for 十佳特色支部: at most two."""
    if branch.level != Level.BRANCH or not branch.is_active:
        raise WorkflowError("只能推荐本单位的有效党支部。")
    college = branch.parent
    ensure_review_window(campaign, college)
    # lock the college's existing recommendations so two concurrent requests cannot exceed the limit
    existing = list(Entry.objects.select_for_update().filter(campaign=campaign, track=Track.BRANCH, college=college))
    if any(e.organization_id == branch.pk for e in existing):
        raise WorkflowError(f"{branch.name} 已被推荐。")
    if len(existing) >= MAX_BRANCH_RECOMMENDATIONS:
        raise WorkflowError("每个院(处)级党组织最多推荐 2 个支部参加“十佳特色支部”评比。")
    if rank not in (1, 2):
        raise WorkflowError("推荐排序只能是 1 或 2。")
    if any(e.rank == rank for e in existing):
        raise WorkflowError(f"推荐排序 {rank} 已被占用，请选择另一个排序。")
    entry = Entry(campaign=campaign, track=Track.BRANCH, organization=branch, college=college, rank=rank, updated_by=by)
    _prefill(entry)
    entry.save()
    audit.record(by, entry, "create", audit.diff({}, audit.snapshot(entry)), organization=branch,
                 note=f"推荐排序 {rank}")
    return entry


@transaction.atomic
def withdraw_entry(entry, *, by):
    """Withdraw a branch recommendation that has not been submitted yet (the audit keeps the record)."""
    entry = Entry.objects.select_for_update().get(pk=entry.pk)
    if entry.track != Track.BRANCH or entry.state != EntryState.DRAFT:
        raise WorkflowError("只能撤回尚未提交的支部推荐。")
    ensure_review_window(entry.campaign, entry.college)
    audit.record(by, entry, "delete", {"state": [entry.state, None]}, organization=entry.organization, note="撤回推荐")
    entry.delete()


def _editable_entry(entry, expected_version=None):
    entry = Entry.objects.select_for_update().select_related("campaign", "organization", "college").get(pk=entry.pk)
    _check_version(entry, expected_version)
    if not entry.is_editable_state:
        raise WorkflowError(f"申报表当前状态为“{entry.get_state_display()}”，不能修改。如需修改请联系组织部退回。")
    ensure_review_window(entry.campaign, entry.organization, entry.state)
    return entry


@transaction.atomic
def save_entry(entry, data, *, by, expected_version):
    entry = _editable_entry(entry, expected_version)
    versioning.save_changes(entry, data, by=by, organization=entry.organization, clean=False, updated_by=by)
    return entry


def reusable_attachments(entry):
    """Files from this org's phase-2 outcomes (and, for a brand entry, its branches') that may be attached."""
    org_filter = Q(outcomes__organization=entry.organization)
    if entry.track == Track.BRAND:
        org_filter |= Q(outcomes__organization__parent=entry.organization)
    return (Attachment.objects.filter(org_filter, outcomes__campaign=entry.campaign)
            .distinct().order_by("-uploaded_at"))


def set_entry_file(entry, slot, *, by, upload=None, attachment=None):
    """Put a file in one of the "三个一"/report slots: a new upload, or a file from the org's outcomes."""
    if slot not in FILE_SLOTS:
        raise WorkflowError("未知的材料类别。")
    purpose, label = FILE_SLOTS[slot]
    warnings = []
    with transaction.atomic():
        entry = _editable_entry(entry)
        if attachment is not None:
            if not reusable_attachments(entry).filter(pk=attachment.pk).exists():
                raise WorkflowError("只能选用本单位创建成果中的文件。")
            if (purpose == "video") != (attachment.kind == "mp4"):
                raise WorkflowError(f"{label}需要{'MP4 视频' if purpose == 'video' else '文档'}。")
            att = attachment
        else:
            att, warnings = store_upload(upload, entry.organization, purpose, by=by)
        old = getattr(entry, slot)
        setattr(entry, slot, att)
        entry.version += 1
        entry.updated_by = by
        entry.save(update_fields=[slot, "version", "updated_by", "updated_at"])
        audit.record(by, entry, "upload", {slot: [old.original_name if old else "", att.original_name]},
                     organization=entry.organization)
    return att, warnings


def add_evidence(entry, upload, caption, *, by):
    with transaction.atomic():
        entry = _editable_entry(entry)
        att, _ = store_upload(upload, entry.organization, "evidence", by=by, caption=caption)
        entry.evidence.add(att)
        entry.version += 1
        entry.save(update_fields=["version", "updated_at"])
        audit.record(by, entry, "upload", {"evidence": ["", f"{att.original_name} {att.caption}".strip()]},
                     organization=entry.organization)
    return att


@transaction.atomic
def remove_evidence(entry, attachment, *, by):
    entry = _editable_entry(entry)
    entry.evidence.remove(attachment)
    entry.version += 1
    entry.save(update_fields=["version", "updated_at"])
    audit.record(by, entry, "delete", {"evidence": [attachment.original_name, ""]}, organization=entry.organization)


def entry_missing(entry):
    """Exactly what is still missing before the entry can be submitted (Chinese labels)."""
    missing = [str(Entry._meta.get_field(f).verbose_name) for f in ENTRY_REQUIRED if getattr(entry, f) in (None, "")]
    if not entry.negative_list_declared:
        missing.append("负面清单声明")
    for slot, (_purpose, label) in FILE_SLOTS.items():
        if getattr(entry, f"{slot}_id") is None:
            missing.append(label)
    return missing


def entry_warnings(entry, photos=None):
    warnings = []
    if entry.overview and len(entry.overview) < 800:
        warnings.append(f"创建情况概述目前 {len(entry.overview)} 字，建议 1000–1500 字。")
    if photos is None:
        photos = [a for a in entry.evidence.all() if a.kind in ("jpeg", "png")]
    if len(photos) < 3:
        warnings.append(f"成果佐证照片目前 {len(photos)} 张，建议 3–6 张并配约 20 字说明。")
    if entry.video_id and entry.video:
        from ..uploads import video_warnings

        warnings.extend(video_warnings(entry.video))
    return warnings


def _entry_transition(entry, state, by, action, comment=None, **stamp):
    old = entry.state
    entry.state = state
    fields = ["state", "version", "updated_at"]
    for name, value in stamp.items():
        setattr(entry, name, value)
        fields.append(name)
    if comment is not None:
        entry.check_comment = comment
        fields.append("check_comment")
    entry.version += 1
    entry.save(update_fields=fields)
    changes = {"state": [old, state]}
    if comment:
        changes["check_comment"] = ["", comment]
    audit.record(by, entry, action, changes, organization=entry.organization, note=comment or "")
    return entry


@transaction.atomic
def submit_entry(entry, *, by, expected_version=None):
    entry = _editable_entry(entry, expected_version)
    missing = entry_missing(entry)
    if missing:
        raise WorkflowError("还有必备材料未完成：" + "、".join(missing))
    return _entry_transition(entry, EntryState.SUBMITTED, by, "submit", submitted_at=timezone.now(), submitted_by=by)


@transaction.atomic
def pass_entry(entry, *, by, comment=""):
    """组织部 形式审查: pass."""
    entry = Entry.objects.select_for_update().get(pk=entry.pk)
    if entry.state != EntryState.SUBMITTED:
        raise WorkflowError("只有已提交的申报可以通过形式审查。")
    if entry_missing(entry):
        raise WorkflowError("材料不齐全，不能通过形式审查。")
    return _entry_transition(entry, EntryState.PASSED, by, "accept", comment=(comment or "").strip(),
                             checked_at=timezone.now(), checked_by=by)


@transaction.atomic
def return_entry(entry, comment, *, by):
    """组织部 形式审查: return with a comment the org sees on its home page."""
    entry = Entry.objects.select_for_update().get(pk=entry.pk)
    comment = (comment or "").strip()
    if not comment:
        raise WorkflowError("退回时请填写修改意见。")
    if entry.state not in (EntryState.SUBMITTED, EntryState.PASSED):
        raise WorkflowError("只有已提交或已通过形式审查的申报可以退回。")
    return _entry_transition(entry, EntryState.RETURNED, by, "return", comment=comment,
                             checked_at=timezone.now(), checked_by=by)
