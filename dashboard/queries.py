"""Reads for the dashboard and the exports. Every function runs a fixed number of queries however many orgs."""

from dataclasses import dataclass, field
from datetime import datetime

from django import forms
from django.db.models import Case, Count, F, Q, When
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils import timezone

from campaigns.models import Campaign
from campaigns.queries import current_campaign
from core.params import QueryForm, id_choice
from core.tables import url_maker
from organizations.models import TYPES_BY_LEVEL, Level, Organization, OrgType
from submissions.models import (
    NOT_STARTED_LABEL, Entry, EntryState, Form1, Form2, FormState, Outcome, OutcomeType, Track,
)
from submissions import status
from submissions.status import three_missing  # noqa: F401 (the exports read it from here)
from submissions.queries import campaign_months, month_label

FORM_DONE, ENTRY_DONE = status.FORM_DONE, status.ENTRY_DONE

# The required items of a 院级 org, in matrix order.
ITEMS = status.COLLEGE_ITEMS
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


# What the dashboard and its matrix read of a 院级 org (light college_lines).
ORG_SHOWN = ("id", "name", "short_name", "code", "level", "org_type", "parent_id", "sort_order", "is_active")


def _cell(item, url):
    return Cell(item.key, item.code, item.label, url, submitted_at=item.submitted_at, due=item.due, done=item.done,
                overdue=item.overdue, note=item.note)


def college_lines(filters, now=None, light=False):
    """One CollegeLine per active 院级 org (type filter applied, then the state filter), built from
    the one completeness read (submissions.status). 5 queries.

    light: the orgs carry only ORG_SHOWN, the 附件1/附件2 and entries are status.Light records with their
    states and dates (what the dashboard shows), not their contents (the exports need those)."""
    campaign = filters.campaign
    if campaign is None:
        return []
    orgs = colleges(filters.org_type)
    if light:  # the pages show the org's name, code and type, not its contacts and member counts
        orgs = orgs.only(*ORG_SHOWN)
    orgs = list(orgs)
    statuses = status.colleges_status(campaign, orgs, now, with_rows=False, light=light)
    form_url = {key: url_maker(f"submissions:{key}", campaign.pk) for key in ("form1", "form2")}
    entries_url, entry_url = url_maker("submissions:entries", campaign.pk), url_maker("submissions:entry")
    lines = []
    for org in orgs:
        st = statuses[org.pk]
        items = st.items
        line = CollegeLine(org=org, n_branches=org.n_branches, form1=st.form1, form2=st.form2, brand=st.brand,
                           branch_entries=[i.obj for i in st.branch_entries])
        org_entries_url = entries_url(org.pk)
        line.cells["form1"] = _cell(items["form1"], form_url["form1"](org.pk))
        line.cells["form2"] = _cell(items["form2"], form_url["form2"](org.pk))
        line.cells["form2"].note = f"支部完成 {st.rows_ready}/{org.n_branches}"
        brand = items["brand"]
        brand_url = entry_url(brand.obj.pk) if brand.obj else org_entries_url
        line.cells["brand"] = _cell(brand, brand_url)
        if brand.obj is not None:
            line.cells["brand"].note = ("缺：" + "、".join(brand.missing)) if brand.missing else "材料齐全"
        line.cells["recommend"] = _cell(items["recommend"], org_entries_url)
        line.cells["three"] = _cell(items["three"], brand_url)
        if filters.state and not line.has_state(filters.state):
            continue
        lines.append(line)
    return lines


def overdue_list(lines, now=None):
    """Who is late with what: (org, item, due, days late, state, url), most late first."""
    today = timezone.localtime(now or timezone.now()).date()
    due_dates = {}  # most orgs share the deadline's due time: one localtime() per distinct time
    late = []
    for line in lines:
        for key, label in ITEMS:
            cell = line.cells[key]
            if not cell.overdue:
                continue
            if cell.due and cell.due not in due_dates:
                due_dates[cell.due] = timezone.localtime(cell.due).date()
            days = (today - due_dates[cell.due]).days if cell.due else 0
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
