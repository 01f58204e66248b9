"""上报状态: one row per org × required item (院级 items, each branch's 附件2 row, each 附件3 entry)."""

from django.utils import timezone

from organizations.models import Level, Organization, OrgType
from submissions.models import Entry, Track
from submissions.status import colleges_status

from .. import queries
from .common import Col, Writer, heading, yes_no

STATUS_COLUMNS = [
    Col("序号", 6), Col("院(处)级党组织", 22, "wrap"), Col("院级类型", 12), Col("党组织", 24, "wrap"), Col("层级", 8),
    Col("事项", 26, "wrap"), Col("状态", 14), Col("提交时间", 17, "datetime"), Col("截止时间（含延期）", 17, "datetime"),
    Col("是否逾期", 8), Col("说明", 40, "wrap"),
]


def status_count(filters):
    ids = list(queries.colleges(filters.org_type).values_list("pk", flat=True))
    branches = Organization.objects.filter(level=Level.BRANCH, is_active=True, parent_id__in=ids).count()
    entries = Entry.objects.filter(campaign=filters.campaign, track=Track.BRANCH, college_id__in=ids).count()
    return len(ids) * len(queries.ITEMS) + branches + entries


def status_rows(filters, now=None):
    """(state code, overdue, values) per org × required item; the state filter applies per row.
    Read from the one completeness read (submissions.status), like the dashboard."""
    campaign = filters.campaign
    orgs = list(queries.colleges(filters.org_type))
    statuses = colleges_status(campaign, orgs, now)
    out = []
    for org in orgs:
        st = statuses[org.pk]
        college_type = OrgType(org.org_type).label
        for key, label in queries.ITEMS:
            c = st.items[key]
            note = c.note
            if key == "form2":
                note = f"支部完成 {st.rows_ready}/{org.n_branches}"
            elif key == "brand" and c.obj is not None:
                note = ("缺：" + "、".join(c.missing)) if c.missing else "材料齐全"
            out.append((c.code, c.overdue, [org.name, college_type, org.name, "院级", label, c.label, c.submitted_at,
                                            c.due, yes_no(c.overdue), note]))
        for r in st.rows:
            out.append((r.code, r.overdue, [org.name, college_type, r.org.name, "支部", "一支部一特色（附件2 本支部行）",
                                            r.label, r.submitted_at, r.due, yes_no(r.overdue), r.comment]))
        for e in st.branch_entries:
            out.append((e.code, e.overdue, [org.name, college_type, e.org.name, "支部",
                                            f"十佳特色支部（附件3，推荐第 {e.obj.rank or '-'} 位）", e.label,
                                            e.submitted_at, e.due, yes_no(e.overdue),
                                            ("缺：" + "、".join(e.missing)) if e.missing else ""]))
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
