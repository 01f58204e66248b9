"""Reads for phase 1: constant query counts however many branches there are."""

from typing import NamedTuple

from django.db.models import Count, F, Prefetch, Q

from organizations.models import Level, Organization

from . import status
from .models import NOT_STARTED_LABEL, EntryState, Form1, Form2, Form2Row, FormState, Track

ENTRY_STATE_LABELS, TRACK_LABELS = dict(EntryState.choices), dict(Track.choices)


def form2_with_rows(campaign, college):
    form2 = Form2.objects.filter(campaign=campaign, organization=college).select_related("updated_by").first()
    rows = {}
    if form2:
        form2.campaign, form2.organization = campaign, college  # the policy reads both for every row
        rows = {r.branch_id: r for r in form2.rows.select_related("updated_by", "branch")}
        for r in rows.values():
            r.form = form2
            r.branch.parent = college
    return form2, rows


def branch_rows(campaign, college, include_inactive=False):
    """[(branch, row or None)] for a college's summary page: 3 queries."""
    branches = Organization.objects.filter(parent=college, level=Level.BRANCH).order_by("sort_order", "code")
    if not include_inactive:
        branches = branches.filter(is_active=True)
    form2, rows = form2_with_rows(campaign, college)
    return form2, [(b, rows.get(b.pk)) for b in branches]


def state_label(obj):
    return obj.get_state_display() if obj else NOT_STARTED_LABEL


def state_code(obj):
    return obj.state if obj else "not_started"


class CollegeRow(NamedTuple):
    """A 院级 org as the progress table and its status read use it: one values_list() row, not a model
    instance (a tuple: built by the database driver's row in one step). The table shows name, code and type;
    the status read uses pk and parent_id (extensions)."""

    pk: int
    name: str
    code: str
    level: str
    org_type: str
    parent_id: int | None
    sort_order: int
    n_branches: int  # (no boolean column: on SQLite a boolean sends every row through Django's converters)

    @property
    def id(self):
        return self.pk

    def __repr__(self):
        return f"<CollegeRow {self.pk} {self.code}>"


PROGRESS_ORG_FIELDS = CollegeRow._fields[1:-1]  # the org columns read, in the row's order


def progress(campaign, org_type=None, state=None):
    """One line per active 院级 org: 附件1 and 附件2 state and row counts, from the one completeness
    read (submissions.status, `light`: the forms as Light records). 3 queries.

    The orgs are CollegeRow values (what the table and the status read use), the forms only their
    state fields and the 附件1's brand name."""
    colleges = [CollegeRow._make(row) for row in (
        Organization.objects.active()
        .filter(level=Level.COLLEGE)
        .annotate(n_branches=Count("children", filter=Q(children__is_active=True, children__level=Level.BRANCH)))
        .order_by("sort_order", "code")
        .filter(**({"org_type": org_type} if org_type else {}))
        .values_list("pk", *PROGRESS_ORG_FIELDS, "n_branches")
    )]
    statuses = status.colleges_status(campaign, colleges, with_rows=False, with_entries=False, light=True)
    lines = []
    for c in colleges:
        st = statuses[c.pk]
        f1, f2 = st.items["form1"], st.items["form2"]
        line = {
            "org": c,
            "form1": f1.obj,
            "form2": f2.obj,
            "form1_state": f1.code,
            "form2_state": f2.code,
            "form1_item": f1,
            "form2_item": f2,
            "rows_ready": st.rows_ready,
            "n_branches": c.n_branches,
        }
        if state and state not in {line["form1_state"], line["form2_state"]}:
            continue
        lines.append(line)
    return lines


def pending_review_counts(campaign):
    return {
        "form1": Form1.objects.filter(campaign=campaign, state=FormState.SUBMITTED).count(),
        "form2": Form2.objects.filter(campaign=campaign, state=FormState.SUBMITTED).count(),
    }


def rows_for_export(campaign):
    return Form2Row.objects.filter(form__campaign=campaign).select_related("branch", "form__organization")


def form2_for_pdf(form2):
    return Form2.objects.filter(pk=form2.pk).prefetch_related(
        Prefetch("rows", queryset=Form2Row.objects.select_related("branch").order_by("branch__sort_order", "branch__code"))
    ).select_related("organization", "campaign").get()


# ---------------------------------------------------------------- phases 2/3


def entries_of_college(campaign, college):
    from .models import Entry

    return list(
        Entry.objects.filter(campaign=campaign, college=college)
        .select_related("organization", "experience_doc", "case_doc", "video", "summary_report")
        .order_by("track", "rank")
    )


def entry_detail(pk):
    from .models import Entry

    return (
        Entry.objects.select_related(
            "campaign", "organization", "organization__parent", "college", "experience_doc", "case_doc", "video",
            "summary_report", "checked_by", "updated_by",
        )
        .prefetch_related("evidence")
        .get(pk=pk)
    )


class Named:
    """An organisation as a list row shows it: its name."""

    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name


class CheckedEntry:
    """A 十佳 entry as the 形式审查 list reads it: one values() row, not three model instances (entry,
    organisation, college: ~930 per page, most of the list's reading time). It carries what the list
    shows, what `completeness.entry_missing` reads and what the ENTRY policy's "pass"/"return" rows read
    (the state; entry_missing for "pass"). `organization` and `college` have only `.name`."""

    def __init__(self, row):
        self.__dict__.update(row)
        self.organization, self.college = Named(row["organization_name"]), Named(row["college_name"])

    def get_state_display(self):
        return ENTRY_STATE_LABELS.get(self.state, self.state)

    def get_track_display(self):
        return TRACK_LABELS.get(self.track, self.track)

    def __repr__(self):
        return f"<CheckedEntry {self.pk} {self.track} {self.state}>"


def formal_check_lines(campaign, track=None, state=None):
    """All entries of a campaign with what each is missing (CheckedEntry rows); plus 院级 orgs with no
    brand entry. 2 queries."""
    from .completeness import ENTRY_REQUIRED, FILE_SLOTS, entry_missing
    from .models import Entry

    entries = (
        Entry.objects.filter(campaign=campaign)
        .annotate(organization_name=F("organization__name"), college_name=F("college__name"))
        # what the list, entry_missing and the pass/return policy rows read
        .values("pk", "campaign_id", "track", "rank", "state", "title", "negative_list_declared",
                "organization_name", "college_name", *ENTRY_REQUIRED, *(f"{slot}_id" for slot in FILE_SLOTS))
        .order_by("track", "college__sort_order", "rank")
    )
    if track:
        entries = entries.filter(track=track)
    if state:
        entries = entries.filter(state=state)
    lines = []
    for row in entries:
        e = CheckedEntry(row)
        lines.append({"entry": e, "missing": entry_missing(e)})
    entered = Entry.objects.filter(campaign=campaign, track=Track.BRAND).values("organization_id")
    not_started = list(
        Organization.objects.active().filter(level=Level.COLLEGE).exclude(pk__in=entered).order_by("sort_order", "code")
        .only("name", "code", "sort_order")
    )
    return lines, not_started


def outcomes_of(campaign, org):
    from .models import Outcome

    qs = Outcome.objects.filter(campaign=campaign).prefetch_related("attachments").select_related("organization")
    if org.level == Level.COLLEGE:
        return qs.filter(Q(organization=org) | Q(organization__parent=org))
    return qs.filter(organization=org)


MAX_MONTH_COLUMNS = 36


def _next_month(y, m):
    return (y + 1, 1) if m == 12 else (y, m + 1)


def campaign_months(campaign, seen=()):
    """The month columns of an outcome overview: (year, month) from the start of phase 1 to the end of
    phase 3 (at least twelve months: the whole campaign year), widened to every month an outcome is
    dated in (`seen`), so no outcome is counted in a total but shown in no month. At most
    MAX_MONTH_COLUMNS columns; months beyond that (a mistyped year) are left to the caller's "其他" count."""
    start = (campaign.design_start.year, campaign.design_start.month)
    end = (campaign.review_end.year, campaign.review_end.month)
    twelfth = start
    for _ in range(11):
        twelfth = _next_month(*twelfth)
    end = max(end, twelfth)
    seen = sorted(ym for ym in seen if ym[0] and ym[1])
    if seen:
        first, last = seen[0], seen[-1]
        # widen towards outcomes that fall near the campaign; wildly mistyped dates stay outside
        if first < start and _months_between(first, end) <= MAX_MONTH_COLUMNS:
            start = first
        if last > end and _months_between(start, last) <= MAX_MONTH_COLUMNS:
            end = last
    out, ym = [], start
    while ym <= end and len(out) < MAX_MONTH_COLUMNS:
        out.append(ym)
        ym = _next_month(*ym)
    return out


def _months_between(a, b):
    return (b[0] - a[0]) * 12 + (b[1] - a[1]) + 1


def month_label(ym, first=False):
    y, m = ym
    return f"{y}年{m}月" if first or m == 1 else f"{m}月"


def outcomes_overview(campaign):
    """Per 院级 org (its own and its branches' outcomes), counts per month of the campaign year: 2 queries.

    Returns (months, lines, other): months are {"ym": (y, m), "label"}; `other` counts per org the
    outcomes dated outside every column (only for dates far outside the campaign, e.g. a mistyped year)."""
    from django.db.models import Case, F, When
    from django.db.models.functions import ExtractMonth, ExtractYear

    from .models import Outcome

    counts = list(
        Outcome.objects.filter(campaign=campaign)
        .annotate(college_id=Case(When(organization__level=Level.BRANCH, then=F("organization__parent_id")),
                                  default=F("organization_id")), year=ExtractYear("date"), month=ExtractMonth("date"))
        .values("college_id", "year", "month", "organization__level")
        .annotate(n=Count("id"))
    )
    by_college = {}
    for c in counts:
        if c["organization__level"] == Level.SCHOOL:
            continue
        cid, ym = c["college_id"], (c["year"], c["month"])
        by_college.setdefault(cid, {}).setdefault(ym, 0)
        by_college[cid][ym] += c["n"]
    columns = campaign_months(campaign, {ym for months in by_college.values() for ym in months})
    in_columns = set(columns)
    colleges = Organization.objects.active().filter(level=Level.COLLEGE).order_by("sort_order", "code")
    months = [{"ym": ym, "label": month_label(ym, first=i == 0)} for i, ym in enumerate(columns)]
    lines = []
    for c in colleges:
        mine = by_college.get(c.pk, {})
        lines.append({
            "org": c, "months": [mine.get(ym, 0) for ym in columns], "total": sum(mine.values()),
            "other": sum(n for ym, n in mine.items() if ym not in in_columns),
        })
    return months, lines
