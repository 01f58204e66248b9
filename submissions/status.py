"""The one completeness read: what each 院级 org (and each of its branches) still owes, and what is done.

`colleges_status(campaign, orgs)` answers for many orgs at once in a fixed number of queries; the
obligations registry (home to-do lists and reminders), the 组织部 dashboard, the progress table and
the status export all build their rows from it, so they cannot disagree about "done" or "overdue"
(tests/submissions/test_status_agreement.py checks that org by org, in every phase).

Rules (the campaign's, in one place):
- 附件1 / 附件2 are done once submitted or accepted; a branch row once reported (已报院级) or
  explained (不参加), or when its college's 附件2 is done.
- A 十佳 entry is done once submitted or passed; "支部推荐" is done when at least one branch is
  recommended and every recommended entry is done.
- Overdue: not done and now is past the org's due time (its own extension, else its college's,
  else the deadline). A branch entry is late against the branch's own due time.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Q
from django.utils import timezone

from campaigns.models import DeadlineKind
from campaigns.queries import deadlines_by_kind, effective_due, extension_map
from organizations.models import Level, Organization

from .completeness import FILE_SLOTS, ROW_READY_STATES, entry_missing
from .models import NOT_STARTED_LABEL, Entry, EntryState, Form1, Form2, Form2Row, FormState, RowState, Track

FORM_DONE = frozenset({FormState.SUBMITTED, FormState.ACCEPTED})
ENTRY_DONE = frozenset({EntryState.SUBMITTED, EntryState.PASSED})
THREE_SLOTS = ("experience_doc", "case_doc", "video")

# What a 院级 org owes, in display order (the dashboard matrix, the exports).
COLLEGE_ITEMS = [
    ("form1", "附件1 一院一品牌申报表"),
    ("form2", "附件2 一支部一特色汇总表"),
    ("brand", "十佳党建品牌（附件3）"),
    ("recommend", "十佳特色支部推荐"),
    ("three", "“三个一”成果"),
]
# What a status read needs of a form when it shows no contents (`light`).
STATE_FIELDS = ("campaign_id", "organization_id", "state", "submitted_at", "review_comment")
# What a light read loads of an entry: what the items and entry_missing() read.
ENTRY_FIELDS = ("pk", "campaign_id", "track", "organization_id", "college_id", "rank", "state", "title", "leader",
                "members", "started_on", "negative_list_declared", "overview", "college_opinion", "check_comment",
                "submitted_at", *(f"{slot}_id" for slot in FILE_SLOTS))
# Long text columns no status reader needs.
FORM1_TEXT = ("foundation", "honours", "connotation", "goals", "measures", "schedule", "expected_results",
              "guarantees", "self_assessment", "logo_meaning")


FORM_LABELS, ENTRY_LABELS, ROW_LABELS = (dict(c.choices) for c in (FormState, EntryState, RowState))


class Light:
    """A row of a `light` read (values(), no model instance): the fields read, as attributes, and the
    get_state_display() of the model (the status pages of 300 orgs built ~1,200 model instances)."""

    labels = {}

    def __init__(self, **values):
        self.__dict__.update(values)

    @classmethod
    def of(cls, row):
        """The record of one values() row dict (taken over as the record's attributes, not copied)."""
        record = object.__new__(cls)
        record.__dict__ = row
        return record

    def get_state_display(self):
        return self.labels.get(self.state, self.state)


class LightForm(Light):
    labels = FORM_LABELS


class LightEntry(Light):
    labels = ENTRY_LABELS


class LightOrg(Light):
    """An entry's organisation in a light read: pk, name, code, parent_id."""

    def __str__(self):
        return self.name


def _light_forms(qs, *extra):
    """{organization id: LightForm} with the state fields, the annotations (row counts) and `extra` columns."""
    fields = [f for f in STATE_FIELDS if f != "organization_id"]
    return {row["organization_id"]: LightForm.of(row)
            for row in qs.values("pk", "organization_id", *fields, *extra, *qs.query.annotations)}


def _light_entries(qs):
    names = [f for f in ENTRY_FIELDS if f != "pk"]
    orgs = ("organization__name", "organization__code", "organization__parent_id")
    out = []
    for row in qs.values_list("pk", *names, *orgs):
        entry = LightEntry(pk=row[0], **dict(zip(names, row[1:])))
        entry.organization = LightOrg(pk=entry.organization_id, name=row[-3], code=row[-2], parent_id=row[-1])
        out.append(entry)
    return out


@dataclass
class Item:
    """One thing owed by one org: its state, whether it is done, when it is due."""

    key: str
    org: Organization
    code: str  # state code: not_started, draft, submitted, returned, accepted, passed, skipped, complete, incomplete
    label: str  # the state in Chinese
    done: bool = False
    due: datetime | None = None
    overdue: bool = False
    submitted_at: datetime | None = None
    comment: str = ""  # the return comment, when returned
    missing: list = field(default_factory=list)  # what is still lacking (Chinese labels)
    note: str = ""
    obj: object = None  # the Form1 / Form2 / Form2Row / Entry, or None when not started


@dataclass
class CollegeStatus:
    org: Organization
    n_branches: int
    items: dict  # key (COLLEGE_ITEMS) -> Item
    rows: list  # Item per active branch ("row"), in branch order
    branch_entries: list  # Item per recommended branch ("branch_entry"), by rank

    @property
    def form1(self):
        return self.items["form1"].obj

    @property
    def form2(self):
        return self.items["form2"].obj

    @property
    def brand(self):
        return self.items["brand"].obj if "brand" in self.items else None

    @property
    def rows_ready(self):
        """Branch rows reported or explained (counted in the database, so also without `with_rows`)."""
        return getattr(self.form2, "n_ready", 0)

    def owed(self):
        """Every item of the org and its branches that is not done yet."""
        return [i for i in [*self.items.values(), *self.rows, *self.branch_entries] if not i.done]


def _late(done, due, now):
    return not done and due is not None and now > due


def _form_item(key, org, form, due, now):
    if form is None:
        return Item(key, org, "not_started", NOT_STARTED_LABEL, due=due, overdue=_late(False, due, now))
    done = form.state in FORM_DONE
    return Item(key, org, form.state, FORM_LABELS.get(form.state, form.state), done=done, due=due,
                overdue=_late(done, due, now), submitted_at=form.submitted_at, obj=form,
                comment=form.review_comment if form.state == FormState.RETURNED else "")


def _entry_item(key, org, entry, due, now):
    if entry is None:
        return Item(key, org, "not_started", NOT_STARTED_LABEL, due=due, overdue=_late(False, due, now),
                    missing=["附件3"])
    done = entry.state in ENTRY_DONE
    return Item(key, org, entry.state, ENTRY_LABELS.get(entry.state, entry.state), done=done, due=due,
                overdue=_late(done, due, now), submitted_at=entry.submitted_at, obj=entry, missing=entry_missing(entry),
                comment=entry.check_comment if entry.state == EntryState.RETURNED else "")


def _recommend_item(org, entry_items, due, now):
    if not entry_items:
        return Item("recommend", org, "not_started", "未推荐", due=due, overdue=_late(False, due, now))
    states = {i.code for i in entry_items}
    if EntryState.RETURNED in states:
        code = EntryState.RETURNED
    elif EntryState.DRAFT in states:
        code = EntryState.DRAFT
    elif states == {EntryState.PASSED}:
        code = EntryState.PASSED
    else:
        code = EntryState.SUBMITTED
    submitted = [i.submitted_at for i in entry_items if i.submitted_at]
    return Item(
        "recommend", org, code, f"已推荐 {len(entry_items)} 个", done=all(i.done for i in entry_items), due=due,
        overdue=any(i.overdue for i in entry_items), submitted_at=max(submitted) if submitted else None,
        missing=[m for i in entry_items for m in i.missing],
        note="、".join(f"{i.obj.rank or '-'}. {i.org.name}（{i.label}）" for i in entry_items),
    )


def three_missing(entry):
    """The "三个一" labels an entry still lacks (no queries)."""
    return [FILE_SLOTS[slot][1] for slot in THREE_SLOTS if getattr(entry, f"{slot}_id") is None]


def _three_item(org, entries):
    if not entries:
        return Item("three", org, "not_started", NOT_STARTED_LABEL)
    lacking = [(e, three_missing(e)) for e in entries]
    n_missing = sum(len(m) for _, m in lacking)
    have, total = 3 * len(entries) - n_missing, 3 * len(entries)
    note = "；".join(f"{e.organization.name}缺{'、'.join(m)}" for e, m in lacking if m)
    if n_missing:
        return Item("three", org, "incomplete", f"{have}/{total}", note=note,
                    missing=[m for _, ms in lacking for m in ms])
    return Item("three", org, "complete", f"齐全 {have}/{total}", done=True)


def _row_item(branch, row, form2_done, due, now):
    if row is None:
        done = form2_done
        return Item("row", branch, "not_started", NOT_STARTED_LABEL, done=done, due=due,
                    overdue=_late(done, due, now))
    done = form2_done or row.state in ROW_READY_STATES
    return Item("row", branch, row.state, ROW_LABELS.get(row.state, row.state), done=done, due=due,
                overdue=_late(done, due, now), submitted_at=row.submitted_at, obj=row,
                comment=row.college_comment if row.state == RowState.RETURNED else "")


# From this many orgs on, a status read leaves the IN list of org ids out of its queries and reads the
# campaign's rows whole (at most one form / brand entry per 院级 org; rows of orgs not asked about are
# looked up by no one): Django builds an IN list at ~2 µs an id, 300 orgs × 2–5 queries was ~2 ms a page.
WHOLE_CAMPAIGN_FROM = 100


def _of_orgs(ids):
    """lookup -> the filter() kwargs narrowing a query to the orgs `ids` (none for many ids)."""
    if len(ids) >= WHOLE_CAMPAIGN_FROM:
        return lambda lookup: {}
    return lambda lookup: {f"{lookup}__in": ids}


def colleges_status(campaign, colleges, now=None, *, with_rows=True, with_entries=True, light=False):
    """{college id: CollegeStatus} for the given 院级 orgs (a queryset or list; `n_branches` is
    used when annotated). 5 queries after the campaign's memoized deadlines; `with_rows=False`
    leaves out the branch rows (2 queries fewer), `with_entries=False` the 十佳 items (1 fewer);
    `light` loads only the fields the items read, as Light records instead of model instances (pages
    that show states, not contents: the dashboard, its matrix and the progress table; the 附件1 carries
    its brand name, the 附件2 its row counts)."""
    now = now or timezone.now()
    colleges = list(colleges)
    ids = [c.pk for c in colleges]
    deadlines = deadlines_by_kind(campaign)
    design, review = deadlines.get(DeadlineKind.DESIGN), deadlines.get(DeadlineKind.REVIEW)
    extensions = extension_map(campaign.pk)
    mine = _of_orgs(ids)
    form1s = Form1.objects.filter(campaign=campaign, **mine("organization_id"))
    form2s = Form2.objects.filter(campaign=campaign, **mine("organization_id")).annotate(
        n_ready=Count("rows", filter=Q(rows__state__in=list(ROW_READY_STATES))), n_rows=Count("rows"))
    entries = Entry.objects.filter(campaign=campaign, **mine("college_id")).order_by("rank", "pk")
    if light:  # plain records of the fields read (see Light), not model instances
        form1s, form2s = _light_forms(form1s, "brand_name"), _light_forms(form2s)
        entries = _light_entries(entries) if with_entries else ()
    else:
        form1s = {f.organization_id: f for f in form1s.defer(*FORM1_TEXT)}
        form2s = {f.organization_id: f for f in form2s}
        entries = entries.select_related("organization").defer("honours") if with_entries else ()
    brands, recommended = {}, {}
    for e in entries:
        if e.track == Track.BRAND:
            brands[e.college_id] = e
        else:
            recommended.setdefault(e.college_id, []).append(e)
    branches, rows = {}, {}
    if with_rows:
        for b in (Organization.objects.filter(level=Level.BRANCH, is_active=True, **mine("parent_id"))
                  .order_by("sort_order", "code")):
            branches.setdefault(b.parent_id, []).append(b)
        rows = {r.branch_id: r for r in Form2Row.objects.filter(form__campaign=campaign, **mine("form__organization_id"))
                .only("id", "form_id", "branch_id", "state", "submitted_at", "college_comment")}
    out = {}
    for org in colleges:
        due1 = effective_due(design, org, extensions)
        due3 = effective_due(review, org, extensions) if with_entries else None
        form2 = form2s.get(org.pk)
        form2_done = form2 is not None and form2.state in FORM_DONE
        brand = brands.get(org.pk)
        entry_items = [_entry_item("branch_entry", e.organization, e, effective_due(review, e.organization, extensions),
                                   now) for e in recommended.get(org.pk, [])]
        items = {
            "form1": _form_item("form1", org, form1s.get(org.pk), due1, now),
            "form2": _form_item("form2", org, form2, due1, now),
        }
        if with_entries:
            items["brand"] = _entry_item("brand", org, brand, due3, now)
            items["recommend"] = _recommend_item(org, entry_items, due3, now)
            items["three"] = _three_item(org, ([brand] if brand else []) + [i.obj for i in entry_items])
        org_rows = [_row_item(b, rows.get(b.pk), form2_done, effective_due(design, b, extensions), now)
                    for b in branches.get(org.pk, [])]
        n = getattr(org, "n_branches", None)
        out[org.pk] = CollegeStatus(org=org, n_branches=len(org_rows) if n is None else n, items=items, rows=org_rows,
                                    branch_entries=entry_items)
    return out


def college_status(campaign, college, now=None):
    return colleges_status(campaign, [college], now)[college.pk]


def branch_status(campaign, branch, now=None):
    """(row Item, entry Item or None) for one branch: its 附件2 row and its 十佳特色支部 entry."""
    college = branch.parent
    if college is None:
        return None, None
    status = college_status(campaign, college, now)
    row = next((r for r in status.rows if r.org.pk == branch.pk), None)
    if row is None:  # an inactive branch still sees its own row
        form2_done = status.form2 is not None and status.form2.state in FORM_DONE
        design = deadlines_by_kind(campaign).get(DeadlineKind.DESIGN)
        found = Form2Row.objects.filter(form__campaign=campaign, branch=branch).first()
        row = _row_item(branch, found, form2_done, effective_due(design, branch), now or timezone.now())
    entry = next((e for e in status.branch_entries if e.org.pk == branch.pk), None)
    return row, entry

