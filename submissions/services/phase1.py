"""Every state change of 附件1/附件2: validated, deadline-checked, version-checked, audited."""

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from audit import log as audit
from audit.changes import save_changes, transition
from campaigns import policy as campaign_policy
from campaigns.models import DeadlineKind
from core import versioning
from core.policy import Refused
from core.uploads import JPEG, MB, PDF, PNG, delete_replaced_file, generated_name, safe_original_name, validate_upload
from organizations.models import Level

from .. import completeness, policy, tasks
from ..completeness import form1_missing, form2_blockers, row_missing, standard_items  # noqa: F401 (re-exported)
from ..models import Form1, Form2, Form2Row, FormState, RowState, StandardItem  # noqa: F401

logger = logging.getLogger(__name__)
SCAN_KINDS = (PDF, JPEG, PNG)
SCAN_MAX = 20 * MB
LOGO_KINDS = (JPEG, PNG)
LOGO_MAX = 5 * MB


WorkflowError = Refused  # a refused action, with a message for the user (Chinese)


# ---------------------------------------------------------------- windows (policy answers, for pages)


def design_due(campaign, org):
    return campaign_policy.due(campaign, DeadlineKind.DESIGN, org)


def ensure_design_window(campaign, org, state=None, now=None):
    """Phase 1 writes are allowed from the phase start until the org's (extended) deadline.

    A form that 组织部 has returned may be corrected after the deadline."""
    why = campaign_policy.window_reason(campaign, DeadlineKind.DESIGN, org, now, returned=state == FormState.RETURNED)
    if why:
        raise Refused(why)


def design_window_open(campaign, org, state=None):
    return campaign_policy.window_reason(campaign, DeadlineKind.DESIGN, org,
                                         returned=state == FormState.RETURNED) is None


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


def _locked_or_new(queryset, new, expected_version):
    """The locked saved row (version-checked), or the unsaved `new()` when there is none yet."""
    obj = queryset.select_for_update().first()
    if obj is None:
        versioning.parse(expected_version)  # a malformed version is refused even for a first save
        return new(), True
    versioning.check(obj, expected_version)
    return obj, False


def _save_new_or_changed(obj, data, created, *, by, organization):
    """First save: insert once (a concurrent first save is refused as stale), audit "create"; else save_changes."""
    if not created:
        return save_changes(obj, data, by=by, organization=organization, clean=False, updated_by=by)
    for name, value in data.items():
        setattr(obj, name, value)
    obj.updated_by, obj.version = by, 1
    versioning.insert_once(obj)
    changes = audit.diff({}, audit.snapshot(obj))
    audit.record(by, obj, "create", changes, organization=organization)
    return changes


@versioning.atomic
def save_form1(campaign, org, data, *, by, expected_version, logo=None):
    form, created = _locked_or_new(Form1.objects.filter(campaign=campaign, organization=org),
                                   lambda: new_form1(campaign, org), expected_version)
    policy.FORM1.require("save", by, form)
    if logo is not None:
        kind = validate_upload(logo, LOGO_KINDS, LOGO_MAX)
        old_logo = form.logo.name
        form.logo.save(generated_name("logos", kind), logo, save=False)
        data = {**data, "logo": form.logo}
        delete_replaced_file(form.logo, old_logo)
    _save_new_or_changed(form, data, created, by=by, organization=org)
    return form


def _form_transition(form, action, state, *, by, expected_version=versioning.UNCHECKED, comment=None, ready=None,
                     **stamp):
    """The one state change of 附件1/附件2: lock, version check, policy, `ready(form)` (raises when the
    form is not complete), transition, audit, PDF pre-render after commit."""
    model = type(form)
    form = versioning.lock(model.objects.select_related("campaign", "organization"), form.pk, expected_version)
    pol = policy.FORM1 if model is Form1 else policy.FORM2
    pol.require(action, by, form)
    if ready is not None:
        ready(form)
    audited = ()
    if comment is not None:
        stamp["review_comment"] = comment
        audited = ("review_comment",)
    return transition(form, state, by=by, action=action, organization=form.organization, note=comment or "",
                      audited=audited, effects=[(tasks.prerender_pdf, model._meta.model_name, form.pk)], **stamp)


def _require_complete(missing):
    if missing:
        raise Refused("还有必填内容未完成：" + "、".join(missing))


@versioning.atomic
def submit_form1(form, *, by, expected_version=versioning.UNCHECKED):
    return _form_transition(form, "submit", FormState.SUBMITTED, by=by, expected_version=expected_version,
                            ready=lambda f: _require_complete(completeness.form1_missing(f)),
                            submitted_at=timezone.now(), submitted_by=by)


def _comment_required(comment):
    comment = (comment or "").strip()
    if not comment:
        raise Refused("退回时请填写修改意见。")
    return comment


@versioning.atomic
def return_form(form, comment, *, by):
    """组织部 退回修改 (with a comment the org sees on its home page)."""
    comment = _comment_required(comment)
    return _form_transition(form, "return", FormState.RETURNED, by=by, comment=comment,
                            reviewed_at=timezone.now(), reviewed_by=by)


@versioning.atomic
def accept_form(form, *, by, comment=""):
    return _form_transition(form, "accept", FormState.ACCEPTED, by=by, comment=(comment or "").strip(),
                            reviewed_at=timezone.now(), reviewed_by=by)


@versioning.atomic
def reopen_form(form, *, by, comment=""):
    """组织部 reopens a submitted/accepted form for editing (back to draft)."""
    return _form_transition(form, "reopen", FormState.DRAFT, by=by, comment=(comment or "").strip() or None)


@versioning.atomic
def attach_scan(form, upload, *, by):
    """Upload the scanned, signed and stamped copy (PDF/JPG/PNG). The replaced file is deleted after commit."""
    model = type(form)
    form = versioning.lock(model.objects.select_related("organization"), form.pk)
    (policy.FORM1 if model is Form1 else policy.FORM2).require("upload_scan", by, form)
    kind = validate_upload(upload, SCAN_KINDS, SCAN_MAX)
    old_name, old_file = form.scan_name, form.scan.name
    original = safe_original_name(upload.name)
    form.scan.save(generated_name("scans", kind), upload, save=False)
    form.scan_name = original
    form.save(update_fields=["scan", "scan_name", "updated_at"])
    delete_replaced_file(form.scan, old_file)  # the old scan's bytes go; its name stays in the audit log
    audit.record(by, form, "upload", {"scan": [old_name, original]}, organization=form.organization)
    return form


# ---------------------------------------------------------------- 附件2


def get_form2(campaign, college, lock=False):
    """The college's 附件2 (created on first use; a concurrent first use reads the other's row)."""
    qs = Form2.objects.select_for_update() if lock else Form2.objects
    form = qs.filter(campaign=campaign, organization=college).first()
    if form is not None:
        return form
    try:
        with transaction.atomic():
            form = Form2.objects.create(campaign=campaign, organization=college)
    except IntegrityError:
        form = qs.get(campaign=campaign, organization=college)
    return form


def new_row(form2, branch):
    return Form2Row(form=form2, branch=branch, phone=branch.secretary_phone)


def _row_target(campaign, branch, expected_version=versioning.UNCHECKED):
    """(form2 locked, row locked or new, created) for a branch; refuses a non-branch."""
    if branch.level != Level.BRANCH or branch.parent is None:
        raise Refused("只有党支部可以填写“一支部一特色”信息。")
    form2 = get_form2(campaign, branch.parent, lock=True)
    row, created = _locked_or_new(Form2Row.objects.filter(form=form2, branch=branch),
                                  lambda: new_row(form2, branch), expected_version)
    row.form = form2
    return form2, row, created


@versioning.atomic
def save_row(campaign, branch, data, *, by, expected_version):
    _form2, row, created = _row_target(campaign, branch, expected_version)
    policy.ROW.require("save", by, row)
    if row.state == RowState.SKIPPED:
        data = {**data, "state": RowState.DRAFT, "skip_reason": ""}
    if row.carried_forward and any(_meaningful(getattr(row, name)) != _meaningful(value) for name, value in data.items()):
        data = {**data, "carried_forward": False}  # the first real edit: no longer "沿用上一年度"
    _save_new_or_changed(row, data, created, by=by, organization=branch)
    return row


def _meaningful(value):
    """A value as an edit would change it: a self-assessment without its empty answers."""
    return {k: v for k, v in value.items() if v} if isinstance(value, dict) else value


def _row_transition(row, action, state, *, by, note="", audited=(), **attrs):
    return transition(row, state, by=by, action=action, organization=row.branch, note=note, audited=audited, **attrs)


@versioning.atomic
def submit_row(row, *, by, expected_version=versioning.UNCHECKED):
    row = versioning.lock(Form2Row.objects.select_related("form", "form__campaign", "branch"), row.pk, expected_version)
    policy.ROW.require("submit", by, row)
    _require_complete(completeness.row_missing(row))
    return _row_transition(row, "submit", RowState.SUBMITTED, by=by, submitted_at=timezone.now(), college_comment="")


@versioning.atomic
def return_row(row, comment, *, by):
    """The 院级 secretary returns a branch's row for changes."""
    comment = _comment_required(comment)
    row = versioning.lock(Form2Row.objects.select_related("form", "form__campaign", "branch"), row.pk)
    policy.ROW.require("return", by, row)
    return _row_transition(row, "return", RowState.RETURNED, by=by, note=comment, audited=("college_comment",),
                           college_comment=comment)


@versioning.atomic
def skip_row(campaign, branch, reason, *, by):
    """The 院级 secretary records why a branch has no 特色 row this year."""
    reason = (reason or "").strip()
    if not reason:
        raise Refused("请说明该支部不参加本年度“一支部一特色”的原因。")
    _form2, row, created = _row_target(campaign, branch)
    policy.ROW.require("skip", by, row)
    if created:
        row.state, row.skip_reason, row.updated_by = RowState.SKIPPED, reason, by
        versioning.insert_once(row)
        audit.record(by, row, "update", {"state": ["", row.state], "skip_reason": ["", reason]}, organization=branch)
        return row
    return _row_transition(row, "update", RowState.SKIPPED, by=by, audited=("skip_reason", "carried_forward"),
                           skip_reason=reason, updated_by=by, carried_forward=False)


@versioning.atomic
def save_form2_header(form2, data, *, by, expected_version):
    form2 = versioning.lock(Form2.objects.select_related("campaign", "organization"), form2.pk, expected_version)
    policy.FORM2.require("save", by, form2)
    save_changes(form2, data, by=by, organization=form2.organization, clean=False, updated_by=by)
    return form2


@versioning.atomic
def submit_form2(form2, *, by, expected_version=versioning.UNCHECKED):
    from organizations.queries import branches_of

    def ready(form2):
        rows = {r.branch_id: r for r in form2.rows.all()}
        problems = completeness.form2_blockers(form2, list(branches_of(form2.organization)), rows)
        if problems:
            raise Refused("汇总表还不能提交：" + "；".join(problems))

    return _form_transition(form2, "submit", FormState.SUBMITTED, by=by, expected_version=expected_version,
                            ready=ready, submitted_at=timezone.now(), submitted_by=by)


@versioning.atomic
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
