"""组织部's dashboard, export downloads and background export jobs."""

from urllib.parse import quote, urlencode

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView
from rules.contrib.views import PermissionRequiredMixin

from campaigns.models import Campaign
from core.http import file_response
from core.policy import Refused

from . import exports, queries, render, services
from .models import ExportJob


def attachment_response(data, filename):
    response = HttpResponse(data, content_type=exports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


class DashboardView(PermissionRequiredMixin, TemplateView):
    permission_required = "dashboard.view_dashboard"
    template_name = "dashboard/dashboard.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        filters = queries.parse_filters(self.request.GET)
        data = queries.dashboard(filters)
        query = urlencode(filters.as_params())
        ctx.update(
            filters=filters, campaign=filters.campaign, campaigns=Campaign.objects.only("pk", "year"), data=data,
            items=queries.ITEMS, org_types=queries.COLLEGE_TYPES, states=queries.STATE_FILTERS, query=query,
            export_kinds=list(exports.KINDS.values()), jobs=services.recent_jobs(self.request.user, 5),
            threshold=services.threshold(),
        )
        if data:
            ctx["overdue_rows"] = render.overdue_rows(data["overdue"])
            ctx["matrix_url"] = f"{reverse('dashboard:matrix')}?{query}" if query else reverse("dashboard:matrix")
            ctx["outcome_rows"] = list(zip(data["outcomes"]["months"], data["outcomes"]["totals"]))
            ctx["charts"] = {
                "deadlines": data["deadline_chart"],
                "outcomes": {k: data["outcomes"][k] for k in ("months", "series", "totals")},
                "entries": data["entries"],
            }
        return ctx


class MatrixView(PermissionRequiredMixin, TemplateView):
    """The org × item matrix of the dashboard, loaded after the page (htmx; a plain page without it).

    At 300 院级 orgs it is ~1,500 cells: apart, the dashboard itself stays small and quick."""

    permission_required = "dashboard.view_dashboard"

    def get_template_names(self):
        return ["dashboard/_matrix.html" if self.request.htmx else "dashboard/matrix.html"]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        filters = queries.parse_filters(self.request.GET)
        lines = queries.college_lines(filters, light=True)
        ctx.update(filters=filters, campaign=filters.campaign, items=queries.ITEMS, lines=lines,
                   rows=render.matrix_rows(lines), query=urlencode(filters.as_params()))
        return ctx


class ExportView(PermissionRequiredMixin, View):
    """GET /dashboard/export/<kind>/?campaign=&type=&state= → the file, or a job page for a big export."""

    permission_required = "dashboard.export"

    def get(self, request, kind):
        if kind not in exports.KINDS:
            raise Http404
        filters = queries.parse_filters(request.GET)
        if filters.campaign is None:
            raise Http404("尚未设置年度活动")
        if services.needs_job(kind, filters):
            job = services.start_job(kind, filters, by=request.user)
            return redirect("dashboard:job", job.uuid)
        filename, data = services.build_now(kind, filters)
        return attachment_response(data, filename)


class JobMixin(PermissionRequiredMixin):
    permission_required = "dashboard.view_export_job"

    def get_permission_object(self):
        if not hasattr(self, "_job"):
            self._job = get_object_or_404(ExportJob.objects.select_related("created_by"), uuid=self.kwargs["uuid"])
        return self._job


class JobView(JobMixin, TemplateView):
    """The page with the progress bar; it polls JobStatusView with htmx until the file is ready."""

    template_name = "dashboard/job.html"

    def get_context_data(self, **kwargs):
        job = self.get_permission_object()
        return super().get_context_data(job=job, label=exports.KINDS[job.kind].label, back_query=urlencode(job.params),
                                        **kwargs)


class JobStatusView(JobMixin, TemplateView):
    template_name = "dashboard/_job_status.html"

    def get_context_data(self, **kwargs):
        job = self.get_permission_object()
        return super().get_context_data(job=job, **kwargs)


class JobDownloadView(JobMixin, View):
    def get(self, request, uuid):
        job = self.get_permission_object()
        if not job.file:
            raise Http404("文件尚未生成")
        return file_response(request, job.file, exports.XLSX_CONTENT_TYPE, filename=job.filename or "export.xlsx",
                             as_attachment=True)


class JobRetryView(JobMixin, View):
    """重试 a failed export (POST)."""

    def post(self, request, uuid):
        job = self.get_permission_object()
        try:
            if services.retry_job(job, by=request.user):
                messages.success(request, "已重新开始导出。")
        except Refused as exc:
            messages.error(request, "；".join(exc.messages))
        return redirect("dashboard:job", job.uuid)
