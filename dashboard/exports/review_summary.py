"""述职评议考核 summary: one row per 院级 org."""

from django.utils import timezone

from organizations.models import OrgType
from submissions.models import Entry, Form1, Track

from .. import queries
from .common import Col, Writer, heading

REVIEW_COLUMNS = [
    Col("序号", 6), Col("院(处)级党组织", 22, "wrap"), Col("类型", 12), Col("书记", 10),
    Col("附件1 品牌名称", 16, "wrap"), Col("附件1 状态", 10), Col("附件1 提交时间", 17, "datetime"),
    Col("附件1 审核意见", 30, "wrap"), Col("附件2 状态", 10), Col("附件2 提交时间", 17, "datetime"),
    Col("附件2 支部完成", 12), Col("创建成果（条）", 10), Col("十佳党建品牌 状态", 16),
    Col("十佳党建品牌 提交时间", 17, "datetime"), Col("形式审查意见", 30, "wrap"), Col("推荐支部及状态", 36, "wrap"),
    Col("\"三个一\"", 12), Col("按时完成事项", 10), Col("逾期事项", 30, "wrap"),
]


def review_summary_workbook(filters, now=None, progress=None):
    now = now or timezone.now()
    lines = queries.college_lines(filters, now=now)
    ids = {line.org.pk for line in lines}
    outcome_counts = queries.outcomes_by_month(filters.campaign, ids)["per_college"]
    comments = dict(Form1.objects.filter(campaign=filters.campaign, organization_id__in=ids)
                    .values_list("organization_id", "review_comment"))
    checks = dict(Entry.objects.filter(campaign=filters.campaign, track=Track.BRAND, college_id__in=ids)
                  .values_list("college_id", "check_comment"))

    def rows():
        for i, line in enumerate(lines, 1):
            c = line.cells
            f1, brand = line.form1, line.brand
            deadline_items = ("form1", "form2", "brand", "recommend")
            on_time = sum(1 for k in deadline_items if c[k].done and (
                c[k].due is None or c[k].submitted_at is None or c[k].submitted_at <= c[k].due))
            late = [queries.ITEM_SHORT[k] + (f"（{c[k].label}）") for k in deadline_items if c[k].overdue]
            yield [
                i, line.org.name, OrgType(line.org.org_type).label, line.org.secretary_name,
                f1.brand_name if f1 else "", c["form1"].label, c["form1"].submitted_at, comments.get(line.org.pk, ""),
                c["form2"].label, c["form2"].submitted_at, c["form2"].note.replace("支部完成 ", ""),
                outcome_counts.get(line.org.pk, 0), c["brand"].label, brand.submitted_at if brand else None,
                checks.get(line.org.pk, ""), c["recommend"].note or c["recommend"].label, c["three"].label,
                f"{on_time}/{len(deadline_items)}", "、".join(late),
            ]

    w = Writer(progress)
    w.sheet("述职评议考核", heading(filters, "述职评议考核 · 党建特色品牌创建情况汇总", now), REVIEW_COLUMNS, rows())
    return w.save()
