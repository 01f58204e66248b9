"""Which texts are checked, read from the apps below (submissions, showcase); they never import this.

A Source knows its owner and how to produce its text; `source_hash` tells whether the text can have
changed since it was last fingerprinted (for a file: its sha256, so an unchanged PDF is not re-read)."""

import hashlib
from dataclasses import dataclass, field
from typing import Callable

from organizations.models import Level
from showcase.models import ItemOutcome, ShowcaseItem
from submissions.models import Attachment, Entry, EntryState, Form1, Form2Row, FormState, RowState

from . import extract
from .models import SourceKind

FORM1_FIELDS = ["connotation", "foundation", "honours", "goals", "measures", "schedule", "expected_results",
                "guarantees", "logo_meaning"]
ROW_FIELDS = ["feature_intro", "carriers", "expected_results"]
ENTRY_FIELDS = ["overview", "honours"]
SHOWCASE_FIELDS = ["connotation", "measures", "results", "overview"]
ENTRY_DOC_SLOTS = [("summary_report", "创建总结报告"), ("experience_doc", "典型经验"), ("case_doc", "典型案例")]
DOC_KINDS = ("pdf", "docx")
CHECKED_FORM_STATES = [FormState.SUBMITTED, FormState.RETURNED, FormState.ACCEPTED]
CHECKED_ROW_STATES = [RowState.SUBMITTED, RowState.RETURNED]
CHECKED_ENTRY_STATES = [EntryState.SUBMITTED, EntryState.RETURNED, EntryState.PASSED]


@dataclass
class Source:
    kind: str
    object_id: int
    campaign_id: int
    year: int
    organization_id: int
    college_id: int
    label: str
    source_hash: str
    produce: Callable[[], tuple] = field(repr=False)  # () -> (text, note)
    entry_id: int | None = None

    @property
    def key(self):
        return (self.kind, self.object_id)


def _join(obj, names):
    return "\n".join(getattr(obj, n) or "" for n in names if (getattr(obj, n) or "").strip())


def _text_source(kind, obj, names, **kw):
    text = _join(obj, names)
    return Source(kind=kind, object_id=obj.pk, source_hash=hashlib.sha256(text.encode()).hexdigest(),
                  produce=lambda: (text, ""), **kw)


def _college_of(org):
    return org.pk if org.level == Level.COLLEGE or org.parent_id is None else org.parent_id


def _doc_source(att, campaign, label, entry_id=None):
    return Source(kind=SourceKind.DOCUMENT, object_id=att.pk, campaign_id=campaign.pk, year=campaign.year,
                  organization_id=att.organization_id, college_id=_college_of(att.organization),
                  label=f"{label}：{att.original_name}（{att.organization.name}）",
                  source_hash=att.sha256 or hashlib.sha256(f"size:{att.size}:{att.file.name}".encode()).hexdigest(),
                  produce=lambda: extract.document_text(att), entry_id=entry_id)


def form1_sources(qs):
    for f in qs.select_related("organization", "campaign"):
        yield _text_source(SourceKind.FORM1, f, FORM1_FIELDS, campaign_id=f.campaign_id, year=f.campaign.year,
                           organization_id=f.organization_id, college_id=f.organization_id,
                           label=f"附件1「{f.brand_name or '未命名'}」（{f.organization.name}）")


def row_sources(qs):
    for r in qs.select_related("form__campaign", "form__organization", "branch"):
        yield _text_source(SourceKind.FORM2ROW, r, ROW_FIELDS, campaign_id=r.form.campaign_id,
                           year=r.form.campaign.year, organization_id=r.branch_id, college_id=r.form.organization_id,
                           label=f"附件2「{r.feature_name or '未命名'}」（{r.branch.name}）")


def entry_sources(qs):
    """Each entry's own text and the text of its documents (report, 典型经验, 典型案例, evidence)."""
    qs = qs.select_related("organization", "campaign", *[f"{s}__organization" for s, _ in ENTRY_DOC_SLOTS])
    for e in qs.prefetch_related("evidence__organization"):
        yield _text_source(SourceKind.ENTRY, e, ENTRY_FIELDS, campaign_id=e.campaign_id, year=e.campaign.year,
                           organization_id=e.organization_id, college_id=e.college_id, entry_id=e.pk,
                           label=f"附件3 {e.get_track_display()}「{e.title or '未命名'}」（{e.organization.name}）")
        for slot, label in ENTRY_DOC_SLOTS:
            att = getattr(e, slot)
            if att is not None and att.kind in DOC_KINDS:
                yield _doc_source(att, e.campaign, label, entry_id=e.pk)
        for att in e.evidence.all():
            if att.kind in DOC_KINDS:
                yield _doc_source(att, e.campaign, "成果佐证", entry_id=e.pk)


def campaign_sources(campaign):
    """Every checked text of one campaign: forms, rows, entries and their documents, outcome documents,
    showcase items and 案例库 outcomes. A file used twice is one text (its first use names it)."""
    sources = []
    sources += form1_sources(Form1.objects.filter(campaign=campaign, state__in=CHECKED_FORM_STATES))
    sources += row_sources(Form2Row.objects.filter(form__campaign=campaign, state__in=CHECKED_ROW_STATES))
    sources += entry_sources(Entry.objects.filter(campaign=campaign, state__in=CHECKED_ENTRY_STATES))
    outcome_docs = (Attachment.objects.filter(outcomes__campaign=campaign, kind__in=DOC_KINDS)
                    .select_related("organization").distinct())
    sources += [_doc_source(att, campaign, "创建成果") for att in outcome_docs]
    for item in ShowcaseItem.objects.filter(campaign=campaign).select_related("campaign"):
        sources.append(_text_source(SourceKind.SHOWCASE, item, SHOWCASE_FIELDS, campaign_id=item.campaign_id,
                                    year=item.year, organization_id=item.organization_id, college_id=item.college_id,
                                    label=f"成果展示「{item.title}」（{item.org_name}，{item.year}）"))
    for o in ItemOutcome.objects.filter(item__campaign=campaign).exclude(body="").select_related("item"):
        it = o.item
        sources.append(_text_source(SourceKind.CASE, o, ["body"], campaign_id=it.campaign_id, year=it.year,
                                    organization_id=it.organization_id, college_id=it.college_id,
                                    label=f"案例库「{o.title}」（{it.org_name}，{it.year}）"))
    seen, unique = set(), []
    for s in sources:
        if s.key not in seen:
            seen.add(s.key)
            unique.append(s)
    return unique


def object_sources(kind, pk):
    """The sources of one submitted object (an entry brings its documents)."""
    if kind == SourceKind.FORM1:
        return list(form1_sources(Form1.objects.filter(pk=pk, state__in=CHECKED_FORM_STATES)))
    if kind == SourceKind.FORM2ROW:
        return list(row_sources(Form2Row.objects.filter(pk=pk, state__in=CHECKED_ROW_STATES)))
    if kind == SourceKind.ENTRY:
        return list(entry_sources(Entry.objects.filter(pk=pk, state__in=CHECKED_ENTRY_STATES)))
    raise ValueError(kind)


