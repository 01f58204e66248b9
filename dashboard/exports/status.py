"""上报状态: one row per org × required item (院级 items, each branch's 附件2 row, each 附件3 entry)."""

from django.utils import timezone

from campaigns.models import DeadlineKind
from campaigns.queries import deadlines_by_kind, effective_due, extension_map
from organizations.models import Level, Organization, OrgType
from submissions.models import Entry, Form2Row, RowState, Track
from submissions.completeness import entry_missing

from .. import queries
from .common import Col, Writer, heading, yes_no

STATUS_COLUMNS = [
    Col("序号", 6), Col("院(处)级党组织", 22, "wrap"), Col("院级类型", 12), Col("党组织", 24, "wrap"), Col("层级", 8),
    Col("事项", 26, "wrap"), Col("状态", 14), Col("提交时间", 17, "datetime"), Col("截止时间（含延期）", 17, "datetime"),
    Col("是否逾期", 8), Col("说明", 40, "wrap"),
]
ROW_DONE = {RowState.SUBMITTED, RowState.SKIPPED}


def status_count(filters):
    ids = list(queries.colleges(filters.org_type).values_list("pk", flat=True))
    branches = Organization.objects.filter(level=Level.BRANCH, is_active=True, parent_id__in=ids).count()
    entries = Entry.objects.filter(campaign=filters.campaign, track=Track.BRANCH, college_id__in=ids).count()
    return len(ids) * len(queries.ITEMS) + branches + entries


def status_rows(filters, now=None):
    """(state code, overdue, values) per org × required item; the state filter applies per row."""
    now = now or timezone.now()
    campaign = filters.campaign
    lines = queries.college_lines(queries.Filters(campaign, filters.org_type, ""), now=now)
    ids = [line.org.pk for line in lines]
    design = deadlines_by_kind(campaign).get(DeadlineKind.DESIGN)
    review = deadlines_by_kind(campaign).get(DeadlineKind.REVIEW)
    extensions = extension_map(campaign.pk)
    rows = {r.branch_id: r for r in Form2Row.objects.filter(form__campaign=campaign, form__organization_id__in=ids)
            .only("branch_id", "state", "submitted_at", "college_comment")}
    branches = {}
    for b in Organization.objects.filter(level=Level.BRANCH, is_active=True, parent_id__in=ids).order_by(
            "sort_order", "code"):
        branches.setdefault(b.parent_id, []).append(b)
    out = []
    for line in lines:
        org = line.org
        college_type = OrgType(org.org_type).label
        for key, label in queries.ITEMS:
            c = line.cells[key]
            out.append((c.code, c.overdue, [org.name, college_type, org.name, "院级", label, c.label, c.submitted_at,
                                            c.due, yes_no(c.overdue), c.note]))
        form2_done = line.form2 is not None and line.form2.state in queries.FORM_DONE
        for b in branches.get(org.pk, []):
            r = rows.get(b.pk)
            due = effective_due(design, b, extensions) if design else None
            done = form2_done or (r is not None and r.state in ROW_DONE)
            late = not done and due is not None and now > due
            code = r.state if r else "not_started"
            note = r.college_comment if r and r.state == RowState.RETURNED else ""
            out.append((code, late, [org.name, college_type, b.name, "支部", "一支部一特色（附件2 本支部行）",
                                     r.get_state_display() if r else queries.NOT_STARTED_LABEL,
                                     r.submitted_at if r else None, due, yes_no(late), note]))
        for e in line.branch_entries:
            due = effective_due(review, e.organization, extensions) if review else None
            late = e.state not in queries.ENTRY_DONE and due is not None and now > due
            missing = entry_missing(e)
            out.append((e.state, late, [org.name, college_type, e.organization.name, "支部",
                                        f"十佳特色支部（附件3，推荐第 {e.rank or '-'} 位）", e.get_state_display(),
                                        e.submitted_at, due, yes_no(late), ("缺：" + "、".join(missing)) if missing else ""]))
    return out


def status_workbook(filters, now=None, progress=None):
    now = now or timezone.now()
    data = status_rows(filters, now=now)
    if filters.state == "overdue":
        data = [d for d in data if d[1]]
    elif filters.state:
        data = [d for d in data if d[0] == filters.state]
    w = Writer(progress)
    w.sheet("上报状态", heading(filters, "上报状态（党组织 × 事项）", now), STATUS_COLUMNS,
            ([i] + values for i, (_c, _l, values) in enumerate(data, 1)))
    return w.save()
