"""审定: the 校领导 open the proposed list (ranking, spread and stability, formal check) and approve it or
send it back with a comment. 组织部 see the same page; paper decisions are recorded on 审定·公示·公布."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.views import View
from django.views.generic import TemplateView

from core.http import ranged_file_response

from .. import policy, queries, services
from ..models import ApprovalMethod, Stage
from .common import TrackMixin, run

MINUTES_TYPES = {"pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png"}


class ApprovalView(TrackMixin, TemplateView):
    permission_required = "reviews.view_approval"
    template_name = "reviews/approval.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        t = self.get_track()
        board = queries.approval_board(t)
        ctx.update(track=t, board=board, Stage=Stage, ApprovalMethod=ApprovalMethod,
                   can_decide=policy.TRACK.allows("approve_online", self.request.user, t),
                   unstable=sum(1 for x in board["rows"] if x["row"] and x["row"]["stability"]
                                and not x["row"]["stability"]["holds"]),
                   disagree=sum(1 for x in board["rows"] if x["row"] and x["row"]["r"].disagree),
                   not_passed=sum(1 for x in board["rows"] if x["check"] and x["check"].state != "passed"))
        return ctx


class ApprovalDecisionView(TrackMixin, View):
    """POST only: approve (optional comment) or send back (comment required)."""

    permission_required = "reviews.approve_track"
    http_method_names = ["post"]

    def post(self, request, pk, decision):
        t = self.get_track()
        comment = request.POST.get("comment", "")
        if len(comment) > 500:
            messages.error(request, "意见不能超过 500 字。")
            return redirect("reviews:approval", pk=t.pk)
        seen = request.POST.get("proposed_at", "")
        if decision == "approve":
            done = run(request, services.approve_online, t, by=request.user, comment=comment, proposed_at=seen,
                       success="已审定拟表彰名单。组织部可开始公示。")
        elif decision == "send_back":
            done = run(request, services.send_back, t, by=request.user, comment=comment, proposed_at=seen,
                       success="已退回拟表彰名单，组织部将看到您的意见。")
        else:
            raise Http404
        if done and decision == "send_back":
            return redirect("home")
        return redirect("reviews:approval", pk=t.pk)


class MinutesView(TrackMixin, View):
    """The 党委会 minutes attached to a paper decision (组织部 and 校领导 only)."""

    permission_required = "reviews.view_minutes"

    def get(self, request, pk):
        t = self.get_track()
        if not t.approval_minutes:
            raise Http404("未上传会议纪要")
        ext = t.approval_minutes.name.rsplit(".", 1)[-1].lower()
        return ranged_file_response(request, t.approval_minutes, MINUTES_TYPES.get(ext, "application/octet-stream"),
                                    filename=t.approval_minutes_name or f"会议纪要.{ext}")
