"""附件1 "一院一品牌"品牌清单: one row per 院级 org, with the 组织部's review."""

from django.utils import timezone

from organizations.models import OrgType
from submissions.models import Form1

from .. import queries
from .common import Col, Writer, heading

FORM1_COLUMNS = [
    Col("序号", 6), Col("院(处)级党组织", 22, "wrap"), Col("类型", 12), Col("品牌名称", 16, "wrap"),
    Col("口号/标语", 24, "wrap"), Col("聚焦领域", 10), Col("书记", 10), Col("书记职务", 14), Col("联系人", 10),
    Col("联系人手机", 14), Col("联系人邮箱", 24), Col("下设支部数", 8), Col("教工党员数", 8), Col("学生党员数", 8),
    Col("离退休党员数", 8), Col("品牌内涵/理念", 50, "wrap"), Col("创建目标", 40, "wrap"), Col("主要举措", 50, "wrap"),
    Col("预期成效", 40, "wrap"), Col("状态", 10), Col("提交时间", 17, "datetime"), Col("组织部审核意见", 30, "wrap"),
    Col("审核时间", 17, "datetime"),
]


def college_count(filters):
    return queries.colleges(filters.org_type).count()


def form1_workbook(filters, now=None, progress=None):
    now = now or timezone.now()
    lines = queries.college_lines(filters, now=now)
    full = {f.organization_id: f for f in Form1.objects.filter(
        campaign=filters.campaign, organization_id__in=[line.org.pk for line in lines])}

    def rows():
        for i, line in enumerate(lines, 1):
            f = full.get(line.org.pk)
            base = [i, line.org.name, OrgType(line.org.org_type).label]
            if f is None:
                yield base + [""] * 8 + [line.n_branches] + [""] * 7 + [queries.NOT_STARTED_LABEL]
                continue
            yield base + [
                f.brand_name, f.slogan, f.get_focus_area_display() if f.focus_area else "", f.secretary_name,
                f.secretary_title, f.contact_name, f.contact_mobile, f.contact_email, line.n_branches,
                f.members_staff, f.members_student, f.members_retired, f.connotation, f.goals, f.measures,
                f.expected_results, f.get_state_display(), f.submitted_at, f.review_comment, f.reviewed_at,
            ]

    w = Writer(progress)
    w.sheet("附件1品牌清单", heading(filters, "附件1 \"一院一品牌\"品牌清单", now), FORM1_COLUMNS, rows())
    return w.save()
