"""组织部's year-over-year view (/dashboard/years/): its own view and template, apart from the dashboard."""

import uuid

from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.views.generic import TemplateView
from rules.contrib.views import PermissionRequiredMixin

from . import charts, years


class YearsView(PermissionRequiredMixin, TemplateView):
    permission_required = "dashboard.view_dashboard"
    template_name = "dashboard/years.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        lines, orgs = years.year_over_year()
        ctx["org_rows"] = org_rows(orgs)
        cats = [str(y.year) for y in lines]
        ctx.update(lines=lines, orgs=orgs, charts=[
            ("参与情况", "已提交附件1 的院级党组织、已报送特色的党支部", "participation", charts.bar_chart(
                cats, [("院级党组织", [y.colleges for y in lines]), ("党支部", [y.branches for y in lines])], unit="个")),
            ("按时提交率", "附件1、附件2 在截止时间（含延期）前提交的比例", "on-time", charts.bar_chart(
                cats, [("按时提交率", [y.on_time_rate for y in lines])], unit="%", max_value=100)),
            ("院均创建成果", "创建成果（含所属支部）÷ 参与的院级党组织", "outcomes", charts.bar_chart(
                cats, [("院均成果", [y.outcomes_per_org for y in lines])], unit="项")),
            ("十佳表彰", "已公布的十佳党建品牌、十佳特色支部", "awards", charts.bar_chart(
                cats, [("十佳党建品牌", [y.brand_awards for y in lines]), ("十佳特色支部", [y.branch_awards for y in lines])],
                unit="项")),
        ])
        return ctx


def org_rows(orgs):
    """The per-org table body, built here: at 10x data (250 orgs × 10 years) a template loop with a {% url %}
    per row is most of the page's time. One reverse() for every 品牌历程 link."""
    zero = str(uuid.UUID(int=0))
    pattern = reverse("showcase:brand", args=[zero])

    def row(o):
        name = (format_html('<a href="{}" title="品牌历程">{}</a>', pattern.replace(zero, str(o.lineage)), o.org.name)
                if o.lineage else o.org.name)
        if not o.org.is_active:
            name = format_html('{} <span class="badge text-bg-secondary">已撤销</span>', name)
        cells = format_html_join("", '<td class="text-end">{}</td>', ((n,) for n in o.counts))
        return (o.org.pk, name, cells, o.total)

    return format_html_join("\n", '<tr data-org="{}"><td>{}</td>{}<td class="text-end fw-bold">{}</td></tr>',
                            (row(o) for o in orgs))
