"""Reads for the dashboard and the exports. Every function runs a fixed number of queries however many orgs."""

from dataclasses import dataclass, field
from datetime import datetime

from django import forms
from django.db.models import Case, Count, F, Q, When
from django.db.models.functions import ExtractMonth, ExtractYear
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Campaign, DeadlineKind
from campaigns.queries import current_campaign, deadlines_by_kind, effective_due, extension_map
from core.params import QueryForm, id_choice
from core.tables import url_maker
from organizations.models import TYPES_BY_LEVEL, Level, Organization, OrgType
from submissions.models import (
    NOT_STARTED_LABEL, Entry, EntryState, Form1, Form2, FormState, Outcome, OutcomeType, RowState, Track,
)
from submissions.completeness import entry_missing
from submissions.queries import campaign_months, month_label

FORM_DONE = {FormState.SUBMITTED, FormState.ACCEPTED}
ENTRY_DONE = {EntryState.SUBMITTED, EntryState.PASSED}
THREE_SLOTS = ("experience_doc_id", "case_doc_id", "video_id")

# The required items of a 院级 org, in matrix order.
ITEMS = [
    ("form1", "附件1 一院一品牌申报表"),
    ("form2", "附件2 一支部一特色汇总表"),
    ("brand", "十佳党建品牌（附件3）"),
    ("recommend", "十佳特色支部推荐"),
    ("three", "“三个一”成果"),
]
ITEM_SHORT = {"form1": "附件1", "form2": "附件2", "brand": "十佳党建品牌", "recommend": "支部推荐", "three": "三个一"}

# The state filter: one vocabulary over forms and entries.
STATE_FILTERS = [
    ("not_started", NOT_STARTED_LABEL),
    ("draft", "草稿"),
    ("submitted", "已提交"),
    ("returned", "已退回"),
    ("accepted", "已通过（附件1/2 审核）"),
    ("passed", "形式审查通过"),
    ("incomplete", "“三个一”不齐"),
    ("overdue", "已逾期"),
]
STATE_LABELS = dict(STATE_FILTERS)
COLLEGE_TYPES = [(v, label) for v, label in OrgType.choices if v in TYPES_BY_LEVEL[Level.COLLEGE]]


@dataclass
class Filters:
    campaign: Campaign | None
    org_type: str = ""
    state: str = ""

    def as_params(self):
        """The query-string form, for the export links and the ExportJob.params."""
        params = {}
        if self.campaign is not None:
            params["campaign"] = self.campaign.pk
        if self.org_type:
            params["type"] = self.org_type
        if self.state:
            params["state"] = self.state
        return params

    def describe(self):
        parts = []
        if self.org_type:
            parts.append(f"类型：{OrgType(self.org_type).label}")
        if self.state:
            parts.append(f"状态：{STATE_LABELS[self.state]}")
        return "；".join(parts) or "全部"


def parse_filters(data):
    """Filters from GET (or ExportJob.params); unknown values are ignored rather than erroring."""
    form = FilterForm(data)
    return Filters(campaign=form.get("campaign") or current_campaign(), org_type=form.get("type", ""),
                   state=form.get("state", ""))


class FilterForm(QueryForm):
    campaign = id_choice(Campaign.objects.all())
    type = forms.ChoiceField(choices=COLLEGE_TYPES)
    state = forms.ChoiceField(choices=STATE_FILTERS)


@dataclass
class Cell:
    key: str
    code: str  # css/state code: not_started, draft, submitted, returned, accepted, passed, complete, incomplete
    label: str
    url: str = ""
    submitted_at: datetime | None = None
    due: datetime | None = None
    done: bool = False
    overdue: bool = False
    note: str = ""


@dataclass
class CollegeLine:
    org: Organization
    n_branches: int
    form1: Form1 | None = None
    form2: Form2 | None = None
    brand: Entry | None = None
    branch_entries: list = field(default_factory=list)
    cells: dict = field(default_factory=dict)

    @property
    def cell_list(self):
        return [self.cells[key] for key, _ in ITEMS]

    def has_state(self, state):
        if state == "overdue":
            return any(c.overdue for c in self.cells.values())
        return any(c.code == state for c in self.cells.values())


def colleges(org_type=""):
    qs = (
        Organization.objects.active().filter(level=Level.COLLEGE)
        .annotate(n_branches=Count("children", filter=Q(children__is_active=True, children__level=Level.BRANCH)))
        .order_by("sort_order", "code")
    )
    if org_type:
        qs = qs.filter(org_type=org_type)
    return qs


def _form_cell(key, campaign, org, form, due, now, url=None):
    url = url or reverse(f"submissions:{key}", args=[campaign.pk, org.pk])
    if form is None:
        return Cell(key, "not_started", NOT_STARTED_LABEL, url, due=due, overdue=bool(due and now > due))
    done = form.state in FORM_DONE
    return Cell(key, form.state, form.get_state_display(), url, submitted_at=form.submitted_at, due=due, done=done,
                overdue=not done and bool(due and now > due))


def _entry_state_cell(key, entry, fallback_url, due, now, entry_url=None):
    if entry is None:
        return Cell(key, "not_started", NOT_STARTED_LABEL, fallback_url, due=due, overdue=bool(due and now > due))
    done = entry.state in ENTRY_DONE
    entry_url = entry_url or url_maker("submissions:entry")
    return Cell(key, entry.state, entry.get_state_display(), entry_url(entry.pk),
                submitted_at=entry.submitted_at, due=due, done=done, overdue=not done and bool(due and now > due))


def _recommend_cell(entries, url, review, extensions, college, now):
    due = effective_due(review, college, extensions)
    if not entries:
        return Cell("recommend", "not_started", "未推荐", url, due=due, overdue=bool(due and now > due))
    states = {e.state for e in entries}
    if EntryState.RETURNED in states:
        code = EntryState.RETURNED
    elif EntryState.DRAFT in states:
        code = EntryState.DRAFT
    elif states == {EntryState.PASSED}:
        code = EntryState.PASSED
    else:
        code = EntryState.SUBMITTED
    late = [e for e in entries if e.state not in ENTRY_DONE and review
            and now > effective_due(review, e.organization, extensions)]
    names = "、".join(f"{e.rank or '-'}. {e.organization.name}（{e.get_state_display()}）" for e in entries)
    submitted = [e.submitted_at for e in entries if e.submitted_at]
    return Cell("recommend", code, f"已推荐 {len(entries)} 个", url, submitted_at=max(submitted) if submitted else None,
                due=due, done=all(e.state in ENTRY_DONE for e in entries), overdue=bool(late), note=names)


def three_missing(entry):
    """The "三个一" labels an entry still lacks (no queries)."""
    from submissions.services import FILE_SLOTS

    return [FILE_SLOTS[slot[:-3]][1] for slot in THREE_SLOTS if getattr(entry, slot) is None]


def _three_cell(brand, branch_entries, url, entry_url=None):
    entries = ([brand] if brand else []) + list(branch_entries)
    if not entries:
        return Cell("three", "not_started", NOT_STARTED_LABEL, url)
    lacking = [(e, three_missing(e)) for e in entries]
    n_missing = sum(len(m) for _, m in lacking)
    have = 3 * len(entries) - n_missing
    note = "；".join(f"{e.organization.name}缺{'、'.join(m)}" for e, m in lacking if m)
    target = (entry_url or url_maker("submissions:entry"))(brand.pk) if brand else url
    if n_missing:
        return Cell("three", "incomplete", f"{have}/{3 * len(entries)}", target, note=note)
    return Cell("three", "complete", f"齐全 {have}/{3 * len(entries)}", target, done=True)


def college_lines(filters, now=None, light=False):
    """One CollegeLine per active 院级 org (type filter applied, then the state filter). 6 queries.

    light: the 附件1/附件2 carry only their state and dates (what the dashboard shows), not their
    contents (the exports need those)."""
    campaign = filters.campaign
    if campaign is None:
        return []
    now = now or timezone.now()
    deadlines = deadlines_by_kind(campaign)
    design, review = deadlines.get(DeadlineKind.DESIGN), deadlines.get(DeadlineKind.REVIEW)
    extensions = extension_map(campaign.pk)
    orgs = list(colleges(filters.org_type))
    form1s = Form1.objects.filter(campaign=campaign)
    form2s = Form2.objects.filter(campaign=campaign)
    if light:
        form1s = form1s.only("campaign_id", "organization_id", "state", "submitted_at")
        form2s = form2s.only("campaign_id", "organization_id", "state", "submitted_at")
    else:
        form1s = form1s.defer("foundation", "honours", "connotation", "goals", "measures", "schedule", "expected_results",
                              "guarantees", "self_assessment", "logo_meaning")
    form1s = {f.organization_id: f for f in form1s}
    form2s = {
        f.organization_id: f
        for f in form2s.annotate(
            n_ready=Count("rows", filter=Q(rows__state__in=[RowState.SUBMITTED, RowState.SKIPPED])),
            n_rows=Count("rows"),
        )
    }
    brands, recommended = {}, {}
    for e in (Entry.objects.filter(campaign=campaign).select_related("organization")
              .defer("honours", "check_comment").order_by("rank", "pk")):
        if e.track == Track.BRAND:
            brands[e.college_id] = e
        else:
            recommended.setdefault(e.college_id, []).append(e)
    form_url = {key: url_maker(f"submissions:{key}", campaign.pk) for key in ("form1", "form2")}
    entries_url, entry_url = url_maker("submissions:entries", campaign.pk), url_maker("submissions:entry")
    lines = []
    for org in orgs:
        line = CollegeLine(org=org, n_branches=org.n_branches, form1=form1s.get(org.pk), form2=form2s.get(org.pk),
                           brand=brands.get(org.pk), branch_entries=recommended.get(org.pk, []))
        due1 = effective_due(design, org, extensions) if design else None
        due3 = effective_due(review, org, extensions) if review else None
        org_entries_url = entries_url(org.pk)
        line.cells["form1"] = _form_cell("form1", campaign, org, line.form1, due1, now, form_url["form1"](org.pk))
        line.cells["form2"] = _form_cell("form2", campaign, org, line.form2, due1, now, form_url["form2"](org.pk))
        ready = getattr(line.form2, "n_ready", 0)
        line.cells["form2"].note = f"支部完成 {ready}/{org.n_branches}"
        line.cells["brand"] = _entry_state_cell("brand", line.brand, org_entries_url, due3, now, entry_url)
        line.cells["recommend"] = _recommend_cell(line.branch_entries, org_entries_url, review, extensions, org, now)
        line.cells["three"] = _three_cell(line.brand, line.branch_entries, org_entries_url, entry_url)
        if line.brand is not None:
            missing = entry_missing(line.brand)
            line.cells["brand"].note = ("缺：" + "、".join(missing)) if missing else "材料齐全"
        if filters.state and not line.has_state(filters.state):
            continue
        lines.append(line)
    return lines


def overdue_list(lines, now=None):
    """Who is late with what: (org, item, due, days late, state, url), most late first."""
    now = now or timezone.now()
    late = []
    for line in lines:
        for key, label in ITEMS:
            cell = line.cells[key]
            if not cell.overdue:
                continue
            days = (timezone.localtime(now).date() - timezone.localtime(cell.due).date()).days if cell.due else 0
            late.append({"org": line.org, "item": label, "key": key, "due": cell.due, "days": days,
                         "state": cell.label, "url": cell.url, "note": cell.note})
    late.sort(key=lambda x: (-x["days"], x["org"].sort_order, x["org"].code, x["key"]))
    return late


def deadline_chart(lines):
    """Per deadline item: 已通过 / 已提交待审 / 未提交 counts."""
    rows = []
    for key in ("form1", "form2", "brand", "recommend"):
        approved = submitted = pending = 0
        for line in lines:
            c = line.cells[key]
            if c.code in {FormState.ACCEPTED, EntryState.PASSED}:
                approved += 1
            elif c.done:
                submitted += 1
            else:
                pending += 1
        rows.append({"key": key, "label": ITEM_SHORT[key], "approved": approved, "submitted": submitted,
                     "pending": pending, "total": approved + submitted + pending})
    return rows


def outcomes_by_month(campaign, college_ids):
    """Outcomes of the given 院级 orgs (their own and their branches') per month and type. 1 query."""
    counts = (
        Outcome.objects.filter(campaign=campaign)
        .annotate(
            college_id=Case(When(organization__level=Level.BRANCH, then=F("organization__parent_id")),
                            default=F("organization_id")),
            y=ExtractYear("date"), m=ExtractMonth("date"),
        )
        .values("college_id", "y", "m", "outcome_type")
        .annotate(n=Count("id"))
    )
    counts = list(counts)
    months = campaign_months(campaign, {(c["y"], c["m"]) for c in counts if c["college_id"] in college_ids})
    index = {ym: i for i, ym in enumerate(months)}
    table = {t: [0] * len(months) for t, _ in OutcomeType.choices}
    outside = 0
    per_college = {}
    for c in counts:
        if c["college_id"] not in college_ids:
            continue
        per_college[c["college_id"]] = per_college.get(c["college_id"], 0) + c["n"]
        i = index.get((c["y"], c["m"]))
        if i is None:
            outside += c["n"]
            continue
        table[c["outcome_type"]][i] += c["n"]
    return {
        "months": [month_label(ym, first=True) for ym in months],
        "series": [{"type": t, "label": label, "counts": table[t]} for t, label in OutcomeType.choices],
        "totals": [sum(table[t][i] for t in table) for i in range(len(months))],
        "outside": outside,
        "per_college": per_college,
    }


def entries_chart(campaign, college_ids):
    """Entries per track × state. 1 query."""
    counts = (Entry.objects.filter(campaign=campaign, college_id__in=college_ids)
              .values("track", "state").annotate(n=Count("id")))
    table = {(c["track"], c["state"]): c["n"] for c in counts}
    return {
        "tracks": [label for _, label in Track.choices],
        "series": [{"state": s, "label": label, "counts": [table.get((t, s), 0) for t, _ in Track.choices]}
                   for s, label in EntryState.choices],
        "totals": [sum(table.get((t, s), 0) for s, _ in EntryState.choices) for t, _ in Track.choices],
    }


def phase_progress(campaign, lines, outcomes):
    n = len(lines) or 0

    def count(key, done_codes=None):
        return sum(1 for line in lines if (line.cells[key].code in done_codes if done_codes else line.cells[key].done))

    return [
        {"phase": 1, "name": "特色品牌设计", "items": [
            ("附件1 已提交", count("form1"), n), ("附件2 已提交", count("form2"), n)]},
        {"phase": 2, "name": "特色品牌创建", "items": [
            ("有创建成果的院级党组织", sum(1 for line in lines if outcomes["per_college"].get(line.org.pk)), n)]},
        {"phase": 3, "name": "特色品牌评比", "items": [
            ("十佳党建品牌已提交", count("brand"), n), ("已推荐支部", sum(1 for line in lines if line.branch_entries), n),
            ("“三个一”齐全", count("three"), n)]},
    ]


def dashboard(filters, now=None):
    """Everything the dashboard page shows. Constant queries: see tests/dashboard/test_dashboard.py."""
    campaign = filters.campaign
    if campaign is None:
        return None
    lines = college_lines(filters, now=now, light=True)
    ids = {line.org.pk for line in lines}
    outcomes = outcomes_by_month(campaign, ids)
    return {
        "lines": lines,
        "overdue": overdue_list(lines, now=now),
        "deadline_chart": deadline_chart(lines),
        "outcomes": outcomes,
        "entries": entries_chart(campaign, ids),
        "phases": phase_progress(campaign, lines, outcomes),
    }
