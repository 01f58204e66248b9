"""A brand across years: the 院级 org's choice "继续培育 (上一年度品牌)" or "新创品牌" on its 附件1.

Continuing links the 附件1 to the org's latest earlier submitted 附件1 (`previous`, and the same `lineage`
key), fills the 附件1 fields the org has not filled yet from it, and gives every active branch that has no
row yet this year its last earlier row, marked "沿用上一年度" (`carried_forward`) until its first real edit.
A new brand gets a new lineage; switching from "continue" to "new" empties what is still exactly last
year's (fields never edited, rows never edited) and keeps everything the org has changed. Audited."""

import uuid

from django.core.files.base import ContentFile
from django.db import transaction

from audit import log as audit
from audit.changes import save_changes
from core import versioning
from core.policy import Refused
from core.uploads import JPEG, PNG, generated_name

from .. import policy
from ..models import BrandChoice, Form1, Form2Row, FormState, RowState
from .phase1 import _locked_or_new, _save_new_or_changed, get_form2, new_form1

__all__ = ["CARRIED_FORM1_FIELDS", "CARRIED_ROW_FIELDS", "carried_form1_fields", "choose_brand", "previous_form1"]

# 附件1 content that belongs to the brand (the org record's people and member counts are taken fresh)
CARRIED_FORM1_FIELDS = (
    "brand_name", "slogan", "logo_meaning", "focus_area", "foundation", "honours", "connotation", "goals",
    "measures", "schedule", "expected_results", "guarantees", "self_assessment",
)
CARRIED_ROW_FIELDS = ("feature_name", "feature_intro", "carriers", "expected_results", "remarks", "self_assessment")
SUBMITTED = (FormState.SUBMITTED, FormState.ACCEPTED)


def previous_form1(campaign, org):
    """The org's latest 附件1 of an earlier year that was submitted (the brand it may continue), or None."""
    return (Form1.objects.filter(organization=org, campaign__year__lt=campaign.year, state__in=SUBMITTED)
            .select_related("campaign").order_by("-campaign__year").first())


def carried_form1_fields(form, previous):
    """Labels of the fields of `form` that still hold exactly the continued 附件1's (non-empty) value."""
    if previous is None:
        return []
    return [Form1._meta.get_field(n).verbose_name for n in CARRIED_FORM1_FIELDS
            if getattr(previous, n) and getattr(form, n) == getattr(previous, n)]


def _empty(value):
    return value in ("", None, {}, [])


def _copied_logo(form, previous):
    """A copy of last year's logo under a new name (never the same file: replacing it would delete last year's)."""
    name = previous.logo.name
    kind = PNG if name.lower().endswith(".png") else JPEG
    try:
        with previous.logo.open("rb") as fh:
            data = fh.read()
    except OSError:
        return None
    form.logo.save(generated_name("logos", kind), ContentFile(data), save=False)
    return form.logo


@transaction.atomic
def choose_brand(campaign, org, choice, *, by, expected_version):
    """Record the org's choice for this year's 附件1 (a first choice creates the draft). Returns the form."""
    if choice not in BrandChoice.values:
        raise Refused("请选择“继续培育（上一年度品牌）”或“新创品牌”。")
    form, created = _locked_or_new(Form1.objects.filter(campaign=campaign, organization=org),
                                   lambda: new_form1(campaign, org), expected_version)
    policy.FORM1.require("choose_brand", by, form)
    data = {"brand_choice": choice}
    if choice == BrandChoice.CONTINUE:
        previous = previous_form1(campaign, org)
        if previous is None:
            raise Refused("本单位没有往年已提交的附件1，无法“继续培育”，请选择“新创品牌”。")
        data.update(previous=previous, lineage=previous.lineage)
        data.update({n: getattr(previous, n) for n in CARRIED_FORM1_FIELDS
                     if _empty(getattr(form, n)) and not _empty(getattr(previous, n))})
        if not form.logo and previous.logo:
            logo = _copied_logo(form, previous)
            if logo is not None:
                data["logo"] = logo
    else:
        continued = form.previous if form.previous_id else None
        data["previous"] = None
        if continued is not None or created:
            data["lineage"] = uuid.uuid4()
        if continued is not None:  # what is still exactly last year's goes; the org's own edits stay
            data.update({n: ({} if n == "self_assessment" else "") for n in CARRIED_FORM1_FIELDS
                         if getattr(continued, n) and getattr(form, n) == getattr(continued, n)})
    if created:
        _save_new_or_changed(form, data, created, by=by, organization=org)
    else:
        save_changes(form, data, by=by, organization=org, clean=False, note=f"品牌方向：{BrandChoice(choice).label}",
                     updated_by=by)
    _carry_rows(campaign, org, continuing=choice == BrandChoice.CONTINUE, by=by)
    return form


def _carry_rows(campaign, college, *, continuing, by):
    """Continue: each active branch without a row this year gets its last earlier row (carried forward).
    New: carried rows nobody has edited yet are removed again. Only while the 附件2 is still editable."""
    from organizations.queries import branches_of

    form2 = get_form2(campaign, college, lock=True)
    if not form2.is_editable_state:
        return
    if not continuing:
        for row in Form2Row.objects.select_for_update().filter(form=form2, carried_forward=True,
                                                                 state=RowState.DRAFT).select_related("branch"):
            audit.record(by, row, "delete", audit.diff(audit.snapshot(row), {}), organization=row.branch,
                         note="改为新创品牌：删除未修改的沿用信息")
            row.delete()
        return
    branches = {b.pk: b for b in branches_of(college)}
    have = set(Form2Row.objects.filter(form=form2).values_list("branch_id", flat=True))
    wanted = [pk for pk in branches if pk not in have]
    if not wanted:
        return
    last = {}
    earlier = (Form2Row.objects.filter(branch_id__in=wanted, form__campaign__year__lt=campaign.year)
               .exclude(state=RowState.SKIPPED).exclude(feature_name="").order_by("-form__campaign__year", "-pk"))
    for row in earlier:
        last.setdefault(row.branch_id, row)
    for branch_id, old in last.items():
        branch = branches[branch_id]
        row = Form2Row(form=form2, branch=branch, phone=branch.secretary_phone or old.phone, carried_from=old,
                       carried_forward=True, updated_by=by, version=1,
                       **{n: getattr(old, n) for n in CARRIED_ROW_FIELDS})
        try:
            versioning.insert_once(row)
        except versioning.StaleEdit:
            continue  # the branch saved its own row at the same moment: theirs stays
        audit.record(by, row, "create", audit.diff({}, audit.snapshot(row)), organization=branch,
                     note="继续培育：沿用上一年度信息")
