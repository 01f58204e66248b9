"""Every state change of 附件1/附件2: validated, deadline-checked, version-checked, audited."""

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from campaigns.models import DeadlineKind
from campaigns.queries import deadline as get_deadline
from campaigns.queries import effective_due
from core import audit, versioning
from core.tasks import enqueue_on_commit
from core.concurrency import StaleEdit
from core.uploads import JPEG, MB, PDF, PNG, generated_name, safe_original_name, validate_upload
from organizations.models import Level

from .. import tasks
from ..models import EDITABLE_STATES, Form1, Form2, Form2Row, FormState, RowState, StandardItem, StandardKind

logger = logging.getLogger(__name__)
SCAN_KINDS = (PDF, JPEG, PNG)
SCAN_MAX = 20 * MB
LOGO_KINDS = (JPEG, PNG)
LOGO_MAX = 5 * MB


class WorkflowError(ValidationError):
    """A refused action, with a message for the user (Chinese)."""


# ---------------------------------------------------------------- windows


def design_due(campaign, org):
    return effective_due(get_deadline(campaign, DeadlineKind.DESIGN), org)


def ensure_design_window(campaign, org, state=None, now=None):
    """Phase 1 writes are allowed from the phase start until the org's (extended) deadline.

    A form that 组织部 has returned may be corrected after the deadline: the return is
    itself an explicit decision for that org."""
    ensure_window(campaign.design_start, "特色品牌设计", lambda: design_due(campaign, org),
                  returned=state == FormState.RETURNED, now=now)


def ensure_window(opens_on, phase_label, due, *, returned=False, now=None):
    """Writes are allowed from `opens_on` until `due()` (the org's extended deadline).

    A returned form may be corrected after the deadline: the return is an explicit decision for that org."""
    now = now or timezone.now()
    if timezone.localtime(now).date() < opens_on:
        raise WorkflowError(f"{phase_label}阶段将于 {opens_on:%Y年%m月%d日} 开始，届时方可填报。")
    if returned:
        return
    deadline_at = due()
    if deadline_at and now > deadline_at:
        raise WorkflowError(
            f"已超过截止时间（{timezone.localtime(deadline_at):%Y年%m月%d日 %H:%M}），无法再修改或提交。如需补交，请联系党委组织部申请延期。"
        )


def design_window_open(campaign, org, state=None):
    try:
        ensure_design_window(campaign, org, state)
    except WorkflowError:
        return False
    return True


# ---------------------------------------------------------------- reference data


def standard_items(kind):
    return list(StandardItem.objects.filter(kind=kind, is_active=True).order_by("sort_order"))


# ---------------------------------------------------------------- completeness

FORM1_REQUIRED = [
    "secretary_name", "secretary_title", "secretary_phone", "contact_name", "contact_mobile", "contact_email",
    "members_staff", "members_student", "members_retired", "brand_name", "focus_area", "foundation",
    "connotation", "goals", "measures", "schedule", "expected_results", "guarantees",
]
ROW_REQUIRED = ["feature_name", "feature_intro", "carriers", "expected_results", "phone"]


def _label(model, name):
    return str(model._meta.get_field(name).verbose_name)


def form1_missing(form, five_items=None):
    """Labels of what is still missing before 附件1 can be submitted."""
    missing = [_label(Form1, f) for f in FORM1_REQUIRED if getattr(form, f) in (None, "")]
    if form.brand_name and not (4 <= len(form.brand_name) <= 12):
        missing.append("品牌名称（需 4–12 个字）")
    items = five_items if five_items is not None else standard_items(StandardKind.FIVE)
    for item in items:
        if not str((form.self_assessment or {}).get(item.code, "")).strip():
            missing.append(f"“五个到位”自评：{item.name}")
    return missing


def row_missing(row):
    return [_label(Form2Row, f) for f in ROW_REQUIRED if not str(getattr(row, f) or "").strip()]


# ---------------------------------------------------------------- 附件1


def new_form1(campaign, org):
    """An unsaved 附件1 prefilled from the org record."""
    return Form1(
        campaign=campaign, organization=org, secretary_name=org.secretary_name, secretary_title=org.secretary_title,
        secretary_phone=org.secretary_phone, contact_name=org.contact_name, contact_mobile=org.contact_phone,
        contact_email=org.contact_email, members_staff=org.members_staff, members_student=org.members_student,
        members_retired=org.members_retired,
    )


def get_form1(campaign, org):
    return Form1.objects.filter(campaign=campaign, organization=org).first() or new_form1(campaign, org)


def _check_version(obj, expected_version):
    if obj.pk and expected_version is not None and obj.version != int(expected_version):
        raise StaleEdit()


@transaction.atomic
def save_form1(campaign, org, data, *, by, expected_version, logo=None):
    if org.level != Level.COLLEGE:
        raise WorkflowError("附件1 只能由院(处)级党组织填报。")
    form = Form1.objects.select_for_update().filter(campaign=campaign, organization=org).first()
    created = form is None
    if created:
        form = new_form1(campaign, org)
    else:
        _check_version(form, expected_version)
    if not form.is_editable_state:
        raise WorkflowError(f"附件1 当前状态为“{form.get_state_display()}”，不能修改。如需修改请联系组织部退回。")
    ensure_design_window(campaign, org, form.state)
    before = {} if created else audit.snapshot(form)
    for name, value in data.items():
        setattr(form, name, value)
    if logo is not None:
        kind = validate_upload(logo, LOGO_KINDS, LOGO_MAX)
        form.logo.save(generated_name("logos", kind), logo, save=False)
    form.updated_by = by
    if not created:
        form.version += 1
    form.save()
    changes = audit.diff(before, audit.snapshot(form))
    if changes:
        audit.record(by, form, "create" if created else "update", changes, organization=org)
    return form


@transaction.atomic
def submit_form1(form, *, by, expected_version=None):
    form = Form1.objects.select_for_update().get(pk=form.pk)
    _check_version(form, expected_version)
    if form.state not in EDITABLE_STATES:
        raise WorkflowError(f"附件1 当前状态为“{form.get_state_display()}”，不能提交。")
    ensure_design_window(form.campaign, form.organization, form.state)
    missing = form1_missing(form)
    if missing:
        raise WorkflowError("还有必填内容未完成：" + "、".join(missing))
    return _transition(form, FormState.SUBMITTED, by, "submit", submitted=True)


def _transition(form, state, by, action, submitted=False, comment=None, reviewed=False):
    old = form.state
    form.state = state
    now = timezone.now()
    fields = ["state", "version", "updated_at"]
    if submitted:
        form.submitted_at, form.submitted_by = now, by
        fields += ["submitted_at", "submitted_by"]
    if reviewed:
        form.reviewed_at, form.reviewed_by = now, by
        fields += ["reviewed_at", "reviewed_by"]
    if comment is not None:
        form.review_comment = comment
        fields.append("review_comment")
    form.version += 1
    form.save(update_fields=fields)
    changes = {"state": [old, state]}
    if comment:
        changes["review_comment"] = ["", comment]
    audit.record(by, form, action, changes, organization=form.organization, note=comment or "")
    # Pre-render the PDF in the background; best effort (it is rendered on demand anyway).
    enqueue_on_commit(tasks.prerender_pdf, form._meta.model_name, form.pk)
    return form


def _review_target(form):
    return type(form).objects.select_for_update().get(pk=form.pk)


@transaction.atomic
def return_form(form, comment, *, by):
    """组织部 退回修改 (with a comment the org sees on its home page)."""
    form = _review_target(form)
    comment = (comment or "").strip()
    if not comment:
        raise WorkflowError("退回时请填写修改意见。")
    if form.state not in {FormState.SUBMITTED, FormState.ACCEPTED}:
        raise WorkflowError("只有已提交或已通过的材料可以退回。")
    return _transition(form, FormState.RETURNED, by, "return", comment=comment, reviewed=True)


@transaction.atomic
def accept_form(form, *, by, comment=""):
    form = _review_target(form)
    if form.state != FormState.SUBMITTED:
        raise WorkflowError("只有已提交的材料可以审核通过。")
    return _transition(form, FormState.ACCEPTED, by, "accept", comment=(comment or "").strip(), reviewed=True)


@transaction.atomic
def reopen_form(form, *, by, comment=""):
    """组织部 reopens a submitted/accepted form for editing (back to draft)."""
    form = _review_target(form)
    if form.state not in {FormState.SUBMITTED, FormState.ACCEPTED}:
        raise WorkflowError("该材料当前可以编辑，无需重新开放。")
    return _transition(form, FormState.DRAFT, by, "reopen", comment=(comment or "").strip() or None)


@transaction.atomic
def attach_scan(form, upload, *, by):
    """Upload the scanned, signed and stamped copy (PDF/JPG/PNG)."""
    kind = validate_upload(upload, SCAN_KINDS, SCAN_MAX)
    form = type(form).objects.select_for_update().get(pk=form.pk)
    if form.state not in {FormState.SUBMITTED, FormState.ACCEPTED}:
        raise WorkflowError("请先在线提交，再上传盖章扫描件。")
    old = form.scan.name
    original = safe_original_name(upload.name)
    form.scan.save(generated_name("scans", kind), upload, save=False)
    form.scan_name = original
    form.save(update_fields=["scan", "scan_name", "updated_at"])
    audit.record(by, form, "upload", {"scan": [old, original]}, organization=form.organization)
    return form


# ---------------------------------------------------------------- 附件2


def get_form2(campaign, college, lock=False):
    qs = Form2.objects.select_for_update() if lock else Form2.objects
    form, _ = qs.get_or_create(campaign=campaign, organization=college)
    return form


def _row_for(form2, branch, lock=True):
    qs = Form2Row.objects.select_for_update() if lock else Form2Row.objects
    row = qs.filter(form=form2, branch=branch).first()
    return row or Form2Row(form=form2, branch=branch, phone=branch.secretary_phone)


def _ensure_row_editable(form2, row, by_college):
    if form2.state not in EDITABLE_STATES:
        raise WorkflowError(f"本院汇总表已{form2.get_state_display()}，不能再修改。如需修改请联系组织部退回。")
    if not by_college and row.state not in {RowState.DRAFT, RowState.RETURNED}:
        raise WorkflowError(f"本支部信息当前状态为“{row.get_state_display()}”，不能修改。如需修改请联系院级党组织退回。")


@transaction.atomic
def save_row(campaign, branch, data, *, by, expected_version, by_college=False):
    if branch.level != Level.BRANCH or branch.parent is None:
        raise WorkflowError("只有党支部可以填写“一支部一特色”信息。")
    form2 = get_form2(campaign, branch.parent, lock=True)
    row = _row_for(form2, branch)
    created = row.pk is None
    if not created:
        _check_version(row, expected_version)
    _ensure_row_editable(form2, row, by_college)
    ensure_design_window(campaign, branch, form2.state)
    before = {} if created else audit.snapshot(row)
    for name, value in data.items():
        setattr(row, name, value)
    if row.state == RowState.SKIPPED:
        row.state, row.skip_reason = RowState.DRAFT, ""
    row.updated_by = by
    if not created:
        row.version += 1
    row.save()
    changes = audit.diff(before, audit.snapshot(row))
    if changes:
        audit.record(by, row, "create" if created else "update", changes, organization=branch)
    return row


@transaction.atomic
def submit_row(row, *, by, expected_version=None, by_college=False):
    row = Form2Row.objects.select_for_update().select_related("form", "branch").get(pk=row.pk)
    _check_version(row, expected_version)
    _ensure_row_editable(row.form, row, by_college)
    ensure_design_window(row.form.campaign, row.branch, row.form.state)
    missing = row_missing(row)
    if missing:
        raise WorkflowError("还有必填内容未完成：" + "、".join(missing))
    old = row.state
    row.state, row.submitted_at, row.college_comment = RowState.SUBMITTED, timezone.now(), ""
    row.version += 1
    row.save(update_fields=["state", "submitted_at", "college_comment", "version", "updated_at"])
    audit.record(by, row, "submit", {"state": [old, row.state]}, organization=row.branch)
    return row


@transaction.atomic
def return_row(row, comment, *, by):
    """The 院级 secretary returns a branch's row for changes."""
    row = Form2Row.objects.select_for_update().select_related("form", "branch").get(pk=row.pk)
    comment = (comment or "").strip()
    if not comment:
        raise WorkflowError("退回时请填写修改意见。")
    if row.form.state not in EDITABLE_STATES:
        raise WorkflowError("汇总表已提交，不能退回单个支部。")
    if row.state != RowState.SUBMITTED:
        raise WorkflowError("只有已报院级的支部信息可以退回。")
    old = row.state
    row.state, row.college_comment = RowState.RETURNED, comment
    row.version += 1
    row.save(update_fields=["state", "college_comment", "version", "updated_at"])
    audit.record(by, row, "return", {"state": [old, row.state], "college_comment": ["", comment]},
                 organization=row.branch, note=comment)
    return row


@transaction.atomic
def skip_row(campaign, branch, reason, *, by):
    """The 院级 secretary records why a branch has no 特色 row this year."""
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError("请说明该支部不参加本年度“一支部一特色”的原因。")
    form2 = get_form2(campaign, branch.parent, lock=True)
    row = _row_for(form2, branch)
    _ensure_row_editable(form2, row, by_college=True)
    ensure_design_window(campaign, branch, form2.state)
    old = row.state if row.pk else ""
    row.state, row.skip_reason = RowState.SKIPPED, reason
    if row.pk:
        row.version += 1
    row.updated_by = by
    row.save()
    audit.record(by, row, "update", {"state": [old, row.state], "skip_reason": ["", reason]}, organization=branch)
    return row


def form2_blockers(form2, branches, rows_by_branch):
    """Why the 汇总表 cannot be submitted yet (Chinese), empty when it can."""
    problems = []
    if not form2.filler_name.strip():
        problems.append("请填写表头的“填报人”")
    for b in branches:
        row = rows_by_branch.get(b.pk)
        if row is None:
            problems.append(f"{b.name}：尚未填写")
        elif row.state not in {RowState.SUBMITTED, RowState.SKIPPED}:
            problems.append(f"{b.name}：{row.get_state_display()}，未报院级")
    return problems


@transaction.atomic
def save_form2_header(form2, data, *, by, expected_version):
    form2 = versioning.lock(Form2.objects, form2.pk, expected_version)
    if form2.state not in EDITABLE_STATES:
        raise WorkflowError(f"本院汇总表已{form2.get_state_display()}，不能再修改。")
    ensure_design_window(form2.campaign, form2.organization, form2.state)
    versioning.save_changes(form2, data, by=by, organization=form2.organization, clean=False, updated_by=by)
    return form2


@transaction.atomic
def submit_form2(form2, *, by, expected_version=None):
    from organizations.queries import branches_of

    form2 = Form2.objects.select_for_update().get(pk=form2.pk)
    _check_version(form2, expected_version)
    if form2.state not in EDITABLE_STATES:
        raise WorkflowError(f"汇总表当前状态为“{form2.get_state_display()}”，不能提交。")
    ensure_design_window(form2.campaign, form2.organization, form2.state)
    branches = list(branches_of(form2.organization))
    rows = {r.branch_id: r for r in form2.rows.all()}
    problems = form2_blockers(form2, branches, rows)
    if problems:
        raise WorkflowError("汇总表还不能提交：" + "；".join(problems))
    return _transition(form2, FormState.SUBMITTED, by, "submit", submitted=True)


@transaction.atomic
def save_standards(formset, *, by):
    """Save edited 五个到位/七个有力 items; one audit entry per changed item. Returns how many changed."""
    changed = 0
    for form in formset.forms:
        if not form.has_changed():
            continue
        before = audit.snapshot(StandardItem.objects.get(pk=form.instance.pk))
        item = form.save()
        changes = audit.diff(before, audit.snapshot(item))
        if changes:
            audit.record(by, item, "update", changes)
            changed += 1
    return changed
