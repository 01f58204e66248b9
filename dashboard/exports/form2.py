"""附件2 "一支部一特色"汇总表: a combined sheet for the whole school, then one sheet per 院级 org.

The 10,000-row case runs as a background ExportJob (dashboard.services); progress comes from the Writer."""

from django.db.models import Q
from django.utils import timezone

from core import xlsx
from organizations.models import Level, Organization, OrgType
from submissions.models import Form2Row

from .. import queries
from .common import Col, Writer, heading, sheet_names, yes_no

FORM2_COLUMNS = [
    Col("序号", 6), Col("党支部名称", 26, "wrap"), Col("支部类型", 14), Col("书记姓名", 10), Col("是否\"双带头人\"", 10),
    Col("党员数（正式）", 9), Col("党员数（预备）", 9), Col("特色名称", 20, "wrap"), Col("特色简介", 50, "wrap"),
    Col("主要载体/举措", 40, "wrap"), Col("预期成果", 36, "wrap"), Col("联系电话", 14), Col("备注", 20, "wrap"),
    Col("支部填报状态", 12), Col("报送时间", 17, "datetime"),
]
COMBINED_COLUMNS = [FORM2_COLUMNS[0], Col("院(处)级党组织", 22, "wrap"), Col("附件2状态", 10)] + FORM2_COLUMNS[1:]


def _form2_data(filters):
    lines = queries.college_lines(filters)
    ids = [line.org.pk for line in lines]
    rows = {r.branch_id: r for r in Form2Row.objects.filter(
        form__campaign=filters.campaign, form__organization_id__in=ids).defer("self_assessment")}
    branches = list(
        Organization.objects.filter(level=Level.BRANCH, parent_id__in=ids)
        .filter(Q(is_active=True) | Q(pk__in=list(rows)))
        .order_by("sort_order", "code")
    )
    by_college = {}
    for b in branches:
        by_college.setdefault(b.parent_id, []).append(b)
    return lines, by_college, rows


def _row_values(b, r):
    return [
        b.name, OrgType(b.org_type).label, b.secretary_name, yes_no(b.dual_leader), b.members_full,
        b.members_probationary, r.feature_name if r else "", r.feature_intro if r else "",
        r.carriers if r else "", r.expected_results if r else "", (r.phone if r else "") or b.secretary_phone,
        (r.remarks or r.skip_reason) if r else "", r.get_state_display() if r else queries.NOT_STARTED_LABEL,
        r.submitted_at if r else None,
    ]


def form2_count(filters):
    ids = list(queries.colleges(filters.org_type).values_list("pk", flat=True))
    return 2 * Organization.objects.filter(level=Level.BRANCH, is_active=True, parent_id__in=ids).count()


def form2_workbook(filters, now=None, progress=None):
    now = now or timezone.now()
    lines, by_college, rows = _form2_data(filters)
    w = Writer(progress)

    def combined():
        i = 0
        for line in lines:
            state = line.form2.get_state_display() if line.form2 else queries.NOT_STARTED_LABEL
            for b in by_college.get(line.org.pk, []):
                i += 1
                yield [i, line.org.name, state] + _row_values(b, rows.get(b.pk))

    w.sheet("汇总", heading(filters, "附件2 \"一支部一特色\"汇总表（全校）", now), COMBINED_COLUMNS, combined())
    names = sheet_names([line.org for line in lines])
    for line in lines:
        f2 = line.form2
        state = f"附件2 {f2.get_state_display()}" if f2 else f"附件2 {queries.NOT_STARTED_LABEL}"
        filler = f"填报人：{f2.filler_name}" if f2 and f2.filler_name else ""
        title = xlsx.title("附件2 \"一支部一特色\"汇总表", year=filters.campaign.year,
                           details=[f"填报单位：{line.org.name}", filler, state], now=now)
        branch_rows = ([i] + _row_values(b, rows.get(b.pk)) for i, b in enumerate(by_college.get(line.org.pk, []), 1))
        w.sheet(names[line.org.pk], title, FORM2_COLUMNS, branch_rows)
    return w.save()
